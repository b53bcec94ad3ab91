//! `regcred link-sa`: attach the Secret to live `ServiceAccounts`, then deal with older pods.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use regcred_core::validate;
use regcred_kube::apply;
use regcred_kube::link;
use regcred_kube::workloads::{self, WorkloadRef};

use super::{ClusterArgs, NamespaceArgs};
use crate::output;

#[derive(Debug, Args)]
pub struct LinkSaArgs {
    /// The pull Secret to attach
    #[arg(long)]
    pub secret: String,
    /// `ServiceAccount` names or globs (`ci-*`); repeatable
    #[arg(
        long = "service-account",
        value_name = "NAME|GLOB",
        default_value = "default"
    )]
    pub service_accounts: Vec<String>,
    #[command(flatten)]
    pub namespaces: NamespaceArgs,
    /// Restart (like `kubectl rollout restart`) the workloads whose pods predate the change
    #[arg(long)]
    pub restart: bool,
    /// Validate on the server, store nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

pub fn run(args: &LinkSaArgs) -> Result<ExitCode> {
    super::fail_on_errors(&validate::check_name("secretName", &args.secret))?;
    super::runtime()?.block_on(link_everywhere(args))
}

async fn link_everywhere(args: &LinkSaArgs) -> Result<ExitCode> {
    let cluster = regcred_kube::connect::connect(&args.cluster.options(None)).await?;
    let selection = args.namespaces.selection(&cluster.namespace)?;
    let namespaces = apply::resolve_namespaces(&cluster.client, &selection).await?;
    if namespaces.is_empty() {
        anyhow::bail!("no namespace matches --namespace-selector and --exclude; nothing to link");
    }
    let client = &cluster.client;

    let mut text = String::new();
    let mut failed = 0;
    let mut stale: BTreeMap<WorkloadRef, Vec<String>> = BTreeMap::new();
    let mut by_hand: Vec<String> = Vec::new();
    for namespace in &namespaces {
        match link::secret_type(client, namespace, &args.secret)
            .await?
            .as_deref()
        {
            None => output::warn(&format!(
                "Secret '{}' does not exist in namespace '{namespace}': pods will report FailedToRetrieveImagePullSecret until it does (`regcred apply {} -n {namespace} --server HOST --username USER --password-stdin`)",
                args.secret, args.secret
            )),
            Some("kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg") => {}
            Some(other) => output::warn(&format!(
                "Secret '{}' in namespace '{namespace}' has type '{other}': the kubelet reads only kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg Secrets and pulls anonymously instead; make a pull Secret with `regcred apply` under another name, or delete this one first",
                args.secret
            )),
        }
        let linked = link::link_service_accounts(
            client,
            namespace,
            &args.service_accounts,
            &args.secret,
            args.dry_run,
        )
        .await?;
        let mut accounts = BTreeSet::new();
        for item in &linked {
            match &item.result {
                Ok(change) => {
                    accounts.insert(item.account.clone());
                    let _ = writeln!(
                        text,
                        "{namespace}  serviceaccount/{}  {change}",
                        item.account
                    );
                }
                Err(error) => {
                    failed += 1;
                    let _ = writeln!(
                        text,
                        "{namespace}  serviceaccount/{}  failed: {}",
                        item.account,
                        super::error_line(error)
                    );
                }
            }
        }
        if accounts.is_empty() {
            continue;
        }
        let pods = workloads::pods_predating(client, namespace, &accounts, &args.secret).await?;
        for (workload, names) in pods.workloads {
            stale.entry(workload).or_default().extend(names);
        }
        by_hand.extend(pods.unowned.iter().map(|p| format!("pod/{p} -n {namespace}: no restartable owner; delete it so its owner (or you) recreates it (a manifest of your own that lists imagePullSecrets needs '{}' added)", args.secret)));
        by_hand.extend(pods.own_list.iter().map(|p| format!("pod/{p} -n {namespace}: its workload's pod template lists its own imagePullSecrets, so the ServiceAccount's list never applies; add '{}' to the template", args.secret)));
    }
    if text.is_empty() {
        anyhow::bail!(
            "no ServiceAccount matches {} in {}; nothing was changed (list them with `kubectl get serviceaccounts {}`)",
            args.service_accounts.join(", "),
            if namespaces.len() == 1 {
                format!("namespace '{}'", namespaces[0])
            } else {
                format!("{} namespaces", namespaces.len())
            },
            if namespaces.len() == 1 {
                format!("-n {}", namespaces[0])
            } else {
                "-A".to_owned()
            }
        );
    }
    output::emit(&text)?;
    let restart_failed = handle_stale(client, &stale, &by_hand, args.restart, args.dry_run).await?;
    Ok(if failed + restart_failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Lists the workloads whose pods predate the change, and restarts them when asked (or when a
/// person at a terminal says yes); a dry run only says what it would restart. Returns how
/// many restarts failed.
async fn handle_stale(
    client: &regcred_kube::Client,
    stale: &BTreeMap<WorkloadRef, Vec<String>>,
    by_hand: &[String],
    restart: bool,
    dry_run: bool,
) -> Result<usize> {
    for line in by_hand {
        output::warn(line);
    }
    if stale.is_empty() {
        return Ok(0);
    }
    let mut text = String::from(
        "pods created before the change do not have the Secret (admission copies a ServiceAccount's list only at pod creation):\n",
    );
    for (workload, pods) in stale {
        let _ = writeln!(
            text,
            "  {workload}: {} pod(s): {}",
            pods.len(),
            pods.join(", ")
        );
    }
    output::emit(&text)?;
    if dry_run {
        if restart {
            for workload in stale.keys() {
                output::emit(&format!("would restart {workload} (dry run)\n"))?;
            }
        }
        return Ok(0);
    }
    if !restart && !confirm(stale.len())? {
        output::emit(
            "restart them with `regcred link-sa ... --restart` or `kubectl rollout restart`\n",
        )?;
        return Ok(0);
    }
    super::restart_each(client, stale.keys()).await
}

/// Asks on the terminal; never when input is not a terminal.
fn confirm(count: usize) -> Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let mut stderr = std::io::stderr();
    write!(stderr, "restart these {count} workload(s) now? [y/N] ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
