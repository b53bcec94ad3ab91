//! `regcred doctor`: why a pod or workload cannot pull, walked from the pod to the registry.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use regcred_kube::doctor::{self, Diagnosis, DoctorOptions, Status, Target};

use super::{ClusterArgs, TlsArgs};
use crate::output;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// POD, pod/NAME, deployment/NAME, statefulset/NAME or daemonset/NAME
    pub target: String,
    /// Namespace [default: the context's]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Do not contact the registry
    #[arg(long)]
    pub no_probe: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

pub fn run(args: &DoctorArgs) -> Result<ExitCode> {
    let target = Target::parse(&args.target)?;
    if let Some(namespace) = &args.namespace {
        super::fail_on_errors(&regcred_core::validate::check_namespace(namespace))?;
    }
    let options = DoctorOptions {
        tls: args.tls.options()?,
        skip_probe: args.no_probe,
    };
    let diagnosis = super::runtime()?.block_on(async {
        let cluster =
            regcred_kube::connect::connect(&args.cluster.options(args.namespace.clone())).await?;
        anyhow::Ok(
            Box::pin(doctor::diagnose(
                &cluster.client,
                &cluster.namespace,
                &target,
                &options,
            ))
            .await?,
        )
    })?;
    if args.json {
        output::emit(&(serde_json::to_string_pretty(&diagnosis)? + "\n"))?;
    } else {
        output::emit(&text(&diagnosis))?;
    }
    Ok(if diagnosis.has_causes() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn text(diagnosis: &Diagnosis) -> String {
    let mut out = format!(
        "{} in namespace {}\n",
        diagnosis.object, diagnosis.namespace
    );
    for step in &diagnosis.steps {
        let mark = match step.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        let _ = writeln!(out, "  {mark}  {}: {}", step.check, step.detail);
    }
    if !diagnosis.events.is_empty() {
        out.push_str("events:\n");
        for event in diagnosis.events.iter().rev().take(8).rev() {
            let _ = writeln!(out, "  {event}");
        }
    }
    if diagnosis.causes.is_empty() {
        let confirmed = diagnosis
            .images
            .iter()
            .all(|image| image.probes.iter().any(|p| p.outcome.is_pullable()));
        out.push_str(if confirmed {
            "no problem found: every image can be pulled with the credentials the kubelet would use\n"
        } else {
            "no problem found, though no probe from here confirmed a pull (see the steps above)\n"
        });
        return out;
    }
    out.push_str("diagnosis:\n");
    for (index, cause) in diagnosis.causes.iter().enumerate() {
        let _ = writeln!(out, "{}. {} [{}]", index + 1, cause.title, cause.code);
        let _ = writeln!(out, "   {}", cause.detail);
        if !cause.fix.is_empty() {
            let _ = writeln!(out, "   fix: {}", cause.fix);
        }
    }
    out
}
