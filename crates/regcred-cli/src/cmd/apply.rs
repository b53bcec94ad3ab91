//! `regcred apply`: the pull Secret into one, several or all namespaces of a live cluster.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use regcred_core::dockerconfig::Credentials;
use regcred_core::manifest::{self, SecretFormat, SecretSpec};
use regcred_kube::apply::{self, ApplyOptions, DryRun, Outcome, Summary};

use super::credentials::CredentialArgs;
use super::{ClusterArgs, NamespaceArgs, parse_label};
use crate::output;

/// `--dry-run` values, as kubectl spells them.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum DryRunArg {
    /// Write.
    #[default]
    None,
    /// Send nothing; list the namespaces that would get the Secret.
    Client,
    /// The server validates and admits, and stores nothing.
    Server,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub credentials: CredentialArgs,
    #[command(flatten)]
    pub namespaces: NamespaceArgs,
    /// Extra label to set, key=value; repeatable (app.kubernetes.io/managed-by=regcred is always set)
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    /// Make the legacy kubernetes.io/dockercfg type instead
    #[arg(long)]
    pub legacy_dockercfg: bool,
    /// none, client (send nothing) or server (validated, not stored)
    #[arg(long, value_enum, default_value_t, num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: DryRunArg,
    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Field manager name for server-side apply
    #[arg(long, default_value = regcred_kube::FIELD_MANAGER)]
    pub field_manager: String,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    let (name, credentials) = args.credentials.resolve()?;
    super::runtime()?.block_on(apply_everywhere(args, &name, credentials))
}

async fn apply_everywhere(
    args: &ApplyArgs,
    name: &str,
    credentials: Credentials,
) -> Result<ExitCode> {
    let cluster = regcred_kube::connect::connect(&args.cluster.options(None)).await?;
    let selection = args.namespaces.selection(&cluster.namespace)?;
    let namespaces = apply::resolve_namespaces(&cluster.client, &selection).await?;
    if namespaces.is_empty() {
        bail!("no namespace matches --namespace-selector and --exclude; nothing to apply");
    }

    let registries = [credentials];
    let mut labels: BTreeMap<String, String> = args.labels.iter().cloned().collect();
    labels.insert(
        regcred_kube::MANAGED_BY_LABEL.into(),
        regcred_kube::MANAGED_BY_VALUE.into(),
    );
    let spec = SecretSpec {
        name,
        namespace: None,
        registries: &registries,
        format: if args.legacy_dockercfg {
            SecretFormat::DockerCfg
        } else {
            SecretFormat::DockerConfigJson
        },
        append_hash: false,
        labels,
    };
    let secrets = manifest::secrets(&spec, &namespaces)?;

    let options = ApplyOptions {
        field_manager: args.field_manager.clone(),
        concurrency: usize::from(args.concurrency),
        dry_run: match args.dry_run {
            DryRunArg::None => DryRun::None,
            DryRunArg::Client => DryRun::Client,
            DryRunArg::Server => DryRun::Server,
        },
        ..ApplyOptions::default()
    };
    let bar = super::progress::bar(secrets.len(), "applying");
    let outcomes = apply::apply_secrets(&cluster.client, secrets, &options, |outcome| {
        bar.set_message(outcome.namespace.clone());
        bar.inc(1);
    })
    .await;
    bar.finish_and_clear();

    output::emit(&report(&outcomes))?;
    Ok(if Summary::of(&outcomes).failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The per-namespace table and the summary line.
pub fn report(outcomes: &[Outcome]) -> String {
    let width = outcomes
        .iter()
        .map(|o| o.namespace.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut text = format!("{:<width$}  RESULT\n", "NAMESPACE");
    for outcome in outcomes {
        let result = match &outcome.result {
            Ok(change) if outcome.kept.is_empty() => format!("secret/{} {change}", outcome.name),
            Ok(change) => format!(
                "secret/{} {change}, keeping its entries for {}",
                outcome.name,
                outcome.kept.join(", ")
            ),
            Err(error) => format!("failed: {}", super::error_line(error)),
        };
        let _ = writeln!(text, "{:<width$}  {result}", outcome.namespace);
    }
    let s = Summary::of(outcomes);
    let _ = writeln!(
        text,
        "{} namespaces: {} created, {} configured, {} unchanged, {} dry run, {} failed",
        outcomes.len(),
        s.created,
        s.configured,
        s.unchanged,
        s.dry_run,
        s.failed
    );
    text
}
