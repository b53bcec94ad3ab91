//! `regcred rotate`: check new credentials at the registry, then update every managed copy.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use regcred_core::dockerconfig::Credentials;
use regcred_core::matching;
use regcred_kube::Client;
use regcred_kube::apply::{self, ApplyOptions, Change};
use regcred_kube::probe::{self, ProbeAuth};
use regcred_kube::rotate::{self, Copies};
use regcred_kube::workloads::{self, Usage};

use super::credentials::CredentialArgs;
use super::{ClusterArgs, TlsArgs};
use crate::output;

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The Secret and its new credentials (`--server` names the entry that is replaced)
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Image to check the new credentials with [default: one the Secret's users pull from the server]
    #[arg(long)]
    pub image: Option<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Restart the workloads that use the Secret, directly or through their `ServiceAccount`
    #[arg(long)]
    pub restart: bool,
    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

pub fn run(args: &RotateArgs) -> Result<ExitCode> {
    let (name, credentials) = args.credentials.resolve()?;
    super::runtime()?.block_on(rotate_everywhere(args, &name, credentials))
}

async fn rotate_everywhere(
    args: &RotateArgs,
    name: &str,
    credentials: Credentials,
) -> Result<ExitCode> {
    let cluster = regcred_kube::connect::connect(&args.cluster.options(None)).await?;
    let client = &cluster.client;
    let copies = rotate::find_copies(client, name).await?;
    if copies.managed.is_empty() {
        bail!(
            "no Secret '{name}' labelled {}={} in any namespace; create the copies with `regcred apply {name} ...` first",
            regcred_kube::MANAGED_BY_LABEL,
            regcred_kube::MANAGED_BY_VALUE
        );
    }
    let usages = usages(client, &copies, name).await?;
    check_at_registry(args, &credentials, &usages).await?;

    let mut updated = Vec::new();
    let mut refused = Vec::new();
    for copy in &copies.managed {
        match rotate::rotated(copy, &credentials) {
            Ok(secret) => updated.push(secret),
            Err(error) => refused.push(format!(
                "{}: {}",
                copy.metadata.namespace.as_deref().unwrap_or_default(),
                super::error_line(&error)
            )),
        }
    }
    let options = ApplyOptions {
        concurrency: usize::from(args.concurrency),
        ..ApplyOptions::default()
    };
    let bar = super::progress::bar(updated.len(), "rotating");
    let outcomes = apply::apply_secrets(client, updated, &options, |_| bar.inc(1)).await;
    bar.finish_and_clear();
    output::emit(&super::apply::report(&outcomes))?;

    let changed: BTreeSet<String> = outcomes
        .iter()
        .filter(|o| matches!(o.result, Ok(Change::Configured | Change::Created)))
        .map(|o| o.namespace.clone())
        .collect();
    let restart_failed = if args.restart {
        restart_users(client, &usages, &changed).await?
    } else {
        hint_restart(&usages, &changed)?
    };

    let mut lagging: Vec<String> = outcomes
        .iter()
        .filter_map(|o| {
            o.result
                .as_ref()
                .err()
                .map(|e| format!("{}: update failed: {}", o.namespace, super::error_line(e)))
        })
        .collect();
    lagging.extend(refused);
    lagging.extend(copies.unmanaged.iter().map(|s| format!("{}: has a Secret '{name}' without the {} label; not updated (adopt it with `regcred apply -n {}`)", s.metadata.namespace.as_deref().unwrap_or_default(), regcred_kube::MANAGED_BY_LABEL, s.metadata.namespace.as_deref().unwrap_or_default())));
    if !lagging.is_empty() {
        let mut text = String::from("namespaces that lag behind:\n");
        for line in &lagging {
            let _ = writeln!(text, "  {line}");
        }
        output::emit(&text)?;
    }
    Ok(if lagging.is_empty() && restart_failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The workloads that pull with the Secret, in every namespace with a managed copy.
async fn usages(client: &Client, copies: &Copies, name: &str) -> Result<Vec<Usage>> {
    let mut all = Vec::new();
    for copy in &copies.managed {
        let namespace = copy.metadata.namespace.as_deref().unwrap_or_default();
        all.extend(workloads::using_secret(client, namespace, name).await?);
    }
    Ok(all)
}

/// Refuses credentials the registry does not accept for a real image.
async fn check_at_registry(
    args: &RotateArgs,
    credentials: &Credentials,
    usages: &[Usage],
) -> Result<()> {
    let image = match &args.image {
        Some(image) => image.clone(),
        None => usages
            .iter()
            .flat_map(|u| u.images.iter())
            .find(|image| matching::key_matches(&credentials.server, image))
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no workload using the Secret pulls from '{}', so there is no image to check the new credentials with; pass one with --image", credentials.server))?,
    };
    if !matching::key_matches(&credentials.server, &image) {
        bail!(
            "image '{image}' is not on '{}' by the kubelet's matching rules, so it cannot check these credentials; pass an image from that registry with --image",
            credentials.server
        );
    }
    let auth = ProbeAuth::Basic {
        username: credentials.username.clone(),
        password: credentials.password.clone(),
    };
    let report = probe::probe(&image, &auth, &args.tls.options()?).await?;
    if !report.outcome.is_pullable() {
        bail!(
            "nothing was changed: the new credentials were checked with {image} and {} ({})",
            report.summary(),
            report.outcome.detail()
        );
    }
    output::emit(&format!(
        "new credentials accepted by {} for {image}\n",
        report.registry
    ))?;
    Ok(())
}

async fn restart_users(
    client: &Client,
    usages: &[Usage],
    changed: &BTreeSet<String>,
) -> Result<usize> {
    let targets: BTreeSet<_> = usages
        .iter()
        .filter(|u| changed.contains(&u.workload.namespace))
        .map(|u| &u.workload)
        .collect();
    super::restart_each(client, targets).await
}

fn hint_restart(usages: &[Usage], changed: &BTreeSet<String>) -> Result<usize> {
    let count = usages
        .iter()
        .filter(|u| changed.contains(&u.workload.namespace))
        .count();
    if count > 0 {
        output::emit(&format!(
            "{count} workload(s) use the Secret; running pods keep working, new pulls use the new credentials (restart them with --restart to pull now)\n"
        ))?;
    }
    Ok(0)
}
