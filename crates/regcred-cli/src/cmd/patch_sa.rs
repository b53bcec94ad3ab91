//! `regcred patch-sa`: attach the Secret to a `ServiceAccount`, keeping what it lists.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use k8s_openapi::api::core::v1::ServiceAccount;
use regcred_core::manifest;
use regcred_core::{validate, yaml};

use super::OutputFormat;
use crate::{input, output};

#[derive(Debug, Args)]
pub struct PatchSaArgs {
    /// The Secret to attach
    #[arg(long)]
    pub secret: String,
    /// The `ServiceAccount`
    #[arg(long, default_value = "default")]
    pub service_account: String,
    /// Namespace, for the printed kubectl commands
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// The current `ServiceAccount` (YAML or JSON, `-` for stdin): print it patched
    #[arg(short = 'f', long, value_name = "FILE")]
    pub filename: Option<PathBuf>,
    /// Output format for the patched `ServiceAccount`
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &PatchSaArgs) -> Result<ExitCode> {
    super::fail_on_errors(&validate::check_name("secretName", &args.secret))?;
    super::fail_on_errors(&validate::check_name(
        "serviceAccount",
        &args.service_account,
    ))?;
    if let Some(namespace) = &args.namespace {
        super::fail_on_errors(&validate::check_namespace(namespace))?;
    }
    let Some(path) = &args.filename else {
        let commands = manifest::kubectl_patch_commands(
            &args.service_account,
            args.namespace.as_deref(),
            &args.secret,
        );
        output::emit(&commands)?;
        return Ok(ExitCode::SUCCESS);
    };

    let text = input::read_text(path)?;
    let current = parse_service_account(&text)
        .with_context(|| format!("'{}' is not a ServiceAccount", path.display()))?;
    let (patched, changed) = manifest::patch_service_account(&current, &args.secret);
    if !changed {
        output::warn(&format!(
            "ServiceAccount already lists '{}'; printed unchanged",
            args.secret
        ));
    }
    output::emit(&yaml::render(&[patched], args.output.into())?)?;
    Ok(ExitCode::SUCCESS)
}

fn parse_service_account(text: &str) -> Result<ServiceAccount> {
    let value: serde_json::Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text)?
    } else {
        serde_saphyr::from_str(text)?
    };
    let kind = value
        .get("kind")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if kind != "ServiceAccount" {
        bail!("its kind is '{kind}'; give the output of `kubectl get serviceaccount NAME -o yaml`");
    }
    Ok(serde_json::from_value(value)?)
}
