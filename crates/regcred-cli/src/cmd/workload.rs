//! `regcred workload`: a workload whose pods pull with the Secret.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::manifest::{self, WorkloadKind, WorkloadSpec};
use regcred_core::yaml;

use super::{OutputFormat, parse_label};
use crate::output;

#[derive(Debug, Args)]
pub struct WorkloadArgs {
    /// Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod (kubectl short names work)
    pub kind: String,
    /// Object and container name
    pub name: String,
    /// Image with an immutable tag, e.g. registry.example.com/my-app:v1.0.0
    #[arg(long)]
    pub image: String,
    /// Secret to list in imagePullSecrets; repeatable
    #[arg(long = "secret", value_name = "NAME")]
    pub secrets: Vec<String>,
    /// Namespace; repeat for one workload per namespace
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// Replicas (Deployment, StatefulSet)
    #[arg(long, default_value_t = 2)]
    pub replicas: i32,
    /// Container port
    #[arg(long)]
    pub port: Option<i32>,
    /// ServiceAccount the pods run as
    #[arg(long)]
    pub service_account: Option<String>,
    /// imagePullPolicy: Always, `IfNotPresent` or Never
    #[arg(long)]
    pub image_pull_policy: Option<String>,
    /// CronJob schedule
    #[arg(long)]
    pub schedule: Option<String>,
    /// Pod label, key=value; repeatable [default: app=NAME]
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// The kind named on the command line.
pub fn parse_kind(kind: &str) -> Result<WorkloadKind> {
    WorkloadKind::parse(kind).with_context(|| {
        let kinds: Vec<_> = WorkloadKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "workload kind '{kind}' is not one regcred writes; use one of: {}",
            kinds.join(", ")
        )
    })
}

pub fn run(args: &WorkloadArgs) -> Result<ExitCode> {
    let spec = WorkloadSpec {
        kind: parse_kind(&args.kind)?,
        name: args.name.clone(),
        namespace: None,
        image: args.image.clone(),
        replicas: Some(args.replicas),
        port: args.port,
        labels: args.labels.iter().cloned().collect(),
        pull_secrets: args.secrets.clone(),
        service_account: args.service_account.clone(),
        image_pull_policy: args.image_pull_policy.clone(),
        schedule: args.schedule.clone(),
    };
    super::refuse(&manifest::check_workload(&spec))?;
    if args.secrets.is_empty() && args.service_account.is_none() {
        output::warn(
            "no --secret and no --service-account: the pods pull with whatever the namespace's default ServiceAccount lists",
        );
    }
    let namespaces: Vec<Option<String>> = if args.namespaces.is_empty() {
        vec![None]
    } else {
        args.namespaces.iter().cloned().map(Some).collect()
    };
    let workloads = namespaces
        .into_iter()
        .map(|namespace| {
            manifest::workload(&WorkloadSpec {
                namespace,
                ..spec.clone()
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    output::emit(&yaml::render(&workloads, args.output.into())?)?;
    Ok(ExitCode::SUCCESS)
}
