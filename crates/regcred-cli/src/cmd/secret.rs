//! `regcred secret`: the pull Secret kubectl would make, without a password on the command line.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use regcred_core::manifest::{self, SecretFormat, SecretSpec};
use regcred_core::yaml;

use super::credentials::CredentialArgs;
use super::{OutputFormat, parse_label};
use crate::output;

#[derive(Debug, Args)]
pub struct SecretArgs {
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Namespace; repeat for one Secret per namespace
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// Append kubectl's content hash to the name
    #[arg(long)]
    pub append_hash: bool,
    /// Make the legacy kubernetes.io/dockercfg type instead
    #[arg(long)]
    pub legacy_dockercfg: bool,
    /// Label to set, key=value; repeatable
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: SecretArgs) -> Result<ExitCode> {
    let (name, credentials) = args.credentials.resolve()?;
    let registries = [credentials];
    let spec = SecretSpec {
        name: &name,
        namespace: None,
        registries: &registries,
        format: if args.legacy_dockercfg {
            SecretFormat::DockerCfg
        } else {
            SecretFormat::DockerConfigJson
        },
        append_hash: args.append_hash,
        labels: args.labels.into_iter().collect::<BTreeMap<_, _>>(),
    };
    let secrets = manifest::secrets(&spec, &args.namespaces)?;
    output::emit(&yaml::render(&secrets, args.output.into())?)?;
    Ok(ExitCode::SUCCESS)
}
