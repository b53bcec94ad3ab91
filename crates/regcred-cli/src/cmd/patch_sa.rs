//! `regcred patch-sa`: attach the Secret to a ServiceAccount, keeping what it lists.

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
    /// The ServiceAccount [default: default]; with -f it must match the file's
    #[arg(long)]
    pub service_account: Option<String>,
    /// Namespace, for the printed kubectl commands
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// The current ServiceAccount (YAML or JSON, `-` for stdin): print it patched
    #[arg(short = 'f', long, value_name = "FILE")]
    pub filename: Option<PathBuf>,
    /// Output format for the patched ServiceAccount
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

pub fn run(args: &PatchSaArgs) -> Result<ExitCode> {
    super::fail_on_errors(&validate::check_name("secretName", &args.secret))?;
    let account = args.service_account.as_deref().unwrap_or("default");
    super::fail_on_errors(&validate::check_name("serviceAccount", account))?;
    if let Some(namespace) = &args.namespace {
        super::fail_on_errors(&validate::check_namespace(namespace))?;
    }
    let Some(path) = &args.filename else {
        let commands =
            manifest::kubectl_patch_commands(account, args.namespace.as_deref(), &args.secret);
        output::emit(&commands)?;
        return Ok(ExitCode::SUCCESS);
    };

    let text = input::read_text(path)?;
    let not_one = || format!("'{}' is not a ServiceAccount", path.display());
    let mut account = parse_service_account(&text).with_context(not_one)?;
    // The object as given, not as this crate's types know it, is patched: it goes back whole.
    // The typed one only checks its shape.
    let changed = manifest::patch_service_account(&mut account, &args.secret)
        .with_context(|| format!("cannot attach the Secret to '{}'", path.display()))?;
    // Without a namespace of its own, `kubectl replace` would use the context's, not -n's.
    if let Some(namespace) = &args.namespace
        && let Some(meta) = account.get_mut("metadata").and_then(|m| m.as_object_mut())
        && !meta.contains_key("namespace")
    {
        meta.insert("namespace".to_owned(), namespace.clone().into());
        output::warn(&format!(
            "the file names no namespace; set to '{namespace}' from -n"
        ));
    }
    let typed: ServiceAccount = serde_json::from_value(account.clone()).with_context(not_one)?;
    check_same_object(
        &typed,
        args.service_account.as_deref(),
        args.namespace.as_deref(),
    )?;
    if !changed {
        output::warn(&format!(
            "ServiceAccount already lists '{}'; printed unchanged",
            args.secret
        ));
    }
    output::emit(&yaml::render(&[account], args.output.into())?)?;
    Ok(ExitCode::SUCCESS)
}

/// The one object of kind `ServiceAccount` in `text`.
fn parse_service_account(text: &str) -> Result<serde_json::Value> {
    let documents = regcred_core::yaml::parse_documents(text)?;
    let value = match documents.as_slice() {
        [single] => single.clone(),
        [] => bail!("it is empty; give the output of `kubectl get serviceaccount NAME -o yaml`"),
        _ => bail!(
            "it holds {} documents; give exactly one ServiceAccount",
            documents.len()
        ),
    };
    let kind = value
        .get("kind")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if kind.ends_with("List") {
        bail!("it is a {kind}; give one ServiceAccount: `kubectl get serviceaccount NAME -o yaml`");
    }
    if kind != "ServiceAccount" {
        bail!("its kind is '{kind}'; give the output of `kubectl get serviceaccount NAME -o yaml`");
    }
    // `kubectl replace` needs it, and prints it: a file without it was not written by kubectl.
    match value.get("apiVersion").and_then(serde_json::Value::as_str) {
        Some("v1") => {}
        Some(other) => bail!(
            "its apiVersion is '{other}', not 'v1'; give the output of `kubectl get serviceaccount NAME -o yaml`"
        ),
        None => bail!(
            "it has no apiVersion (kubectl replace needs 'v1'); give the output of `kubectl get serviceaccount NAME -o yaml`"
        ),
    }
    Ok(value)
}

/// Refuses a file that is not the ServiceAccount the flags name.
fn check_same_object(
    current: &ServiceAccount,
    account: Option<&str>,
    namespace: Option<&str>,
) -> Result<()> {
    let meta = &current.metadata;
    if let (Some(wanted), Some(found)) = (account, meta.name.as_deref())
        && wanted != found
    {
        bail!(
            "the file holds ServiceAccount '{found}', not '{wanted}'; drop --service-account or give the right file"
        );
    }
    if let (Some(wanted), Some(found)) = (namespace, meta.namespace.as_deref())
        && wanted != found
    {
        bail!(
            "the file's ServiceAccount is in namespace '{found}', not '{wanted}'; drop -n or give the right file"
        );
    }
    Ok(())
}
