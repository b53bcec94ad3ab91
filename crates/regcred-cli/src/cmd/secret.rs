//! `regcred secret`: the pull Secret kubectl would make, without a password on the command line.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::dockerconfig::{Credentials, DOCKER_HUB_SERVER, Password};
use regcred_core::manifest::{self, SecretFormat, SecretSpec};
use regcred_core::{preset, validate, yaml};

use super::{OutputFormat, PasswordArgs, parse_label};
use crate::{input, output};

#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Secret name (defaults to the preset's, e.g. cr-registry-secret)
    pub name: Option<String>,
    /// Registry server, kept as typed [default: the preset's, else <https://index.docker.io/v1>/]
    #[arg(long, visible_alias = "docker-server")]
    pub server: Option<String>,
    /// Registry user name
    #[arg(long, visible_alias = "docker-username")]
    pub username: String,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// E-mail stored with the credentials (never sent anywhere)
    #[arg(long, visible_alias = "docker-email")]
    pub email: Option<String>,
    /// Namespace; repeat for one Secret per namespace
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// Pre-fill server and name from a preset (see `regcred presets`)
    #[arg(long)]
    pub preset: Option<String>,
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

/// A name and server after applying the preset, if any.
pub struct Target {
    pub name: String,
    pub server: String,
}

/// Fills the name and server from `preset` where the user left them out.
pub fn resolve_target(
    name: Option<&str>,
    server: Option<&str>,
    preset_id: Option<&str>,
) -> Result<Target> {
    let preset = preset_id
        .map(|id| {
            preset::find(id).with_context(|| {
                let ids: Vec<_> = preset::all().iter().map(|p| p.id).collect();
                format!(
                    "preset '{id}' does not exist; choose one of: {}",
                    ids.join(", ")
                )
            })
        })
        .transpose()?;
    let server = server
        .map(str::to_owned)
        .or_else(|| preset.map(|p| p.server.to_owned()))
        .unwrap_or_else(|| DOCKER_HUB_SERVER.to_owned());
    if let Some(preset) = preset.filter(|p| p.server == server && p.has_placeholder()) {
        anyhow::bail!(
            "preset '{}' needs your own server, like '{}'; give it with --server",
            preset.id,
            preset.server
        );
    }
    let name = name
        .map(str::to_owned)
        .or_else(|| preset.map(|p| p.secret_name.to_owned()))
        .context("no Secret name given; pass it as the first argument, e.g. `regcred secret regcred ...`")?;
    Ok(Target { name, server })
}

pub fn run(args: SecretArgs) -> Result<ExitCode> {
    let target = resolve_target(
        args.name.as_deref(),
        args.server.as_deref(),
        args.preset.as_deref(),
    )?;
    let mut credentials = Credentials {
        server: target.server,
        username: args.username,
        password: Password::default(),
        email: args.email,
    };
    // Check everything but the password before asking for it.
    let placeholder = Credentials {
        password: Password::new("x"),
        ..credentials.clone()
    };
    super::fail_on_errors(&validate::check_credentials(&placeholder))?;
    super::fail_on_errors(&validate::check_name("secretName", &target.name))?;
    credentials.password = Password::new(input::read_password(args.password.source())?);
    super::refuse(&validate::check_credentials(&credentials))?;

    let registries = [credentials];
    let spec = SecretSpec {
        name: &target.name,
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
