//! One module per subcommand; shared argument groups live here.

pub mod apply;
pub mod bundle;
pub mod completions;
pub mod credentials;
pub mod doctor;
pub mod explain;
pub mod inject;
pub mod inspect;
pub mod link_sa;
pub mod lint;
pub mod match_;
pub mod patch_sa;
pub mod presets;
pub mod probe;
pub mod progress;
pub mod rotate;
pub mod secret;
pub mod workload;

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use regcred_core::yaml::Format;

use crate::input::PasswordSource;
use crate::output;

/// `-o yaml|json`, as kubectl.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum OutputFormat {
    /// Multi-document YAML.
    #[default]
    Yaml,
    /// JSON (a List for several objects).
    Json,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Yaml => Self::Yaml,
            OutputFormat::Json => Self::Json,
        }
    }
}

/// Where the password comes from; at most one. Without any, a terminal gets a prompt.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub struct PasswordArgs {
    /// Read the password or token from stdin (one trailing newline is dropped)
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the password or token from a file (one trailing newline is dropped)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Read the password or token from an environment variable
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The password itself: visible in shell history and process lists, so avoid it
    #[arg(long, visible_alias = "docker-password", value_name = "PASSWORD")]
    pub password: Option<String>,
}

impl PasswordArgs {
    /// The chosen source, warning when it is the command line.
    pub fn source(&self) -> Option<PasswordSource> {
        if self.password_stdin {
            return Some(PasswordSource::Stdin);
        }
        if let Some(path) = &self.password_file {
            return Some(PasswordSource::File(path.clone()));
        }
        if let Some(name) = &self.password_env {
            return Some(PasswordSource::Env(name.clone()));
        }
        self.password.clone().map(|password| {
            output::warn("a password on the command line is visible in shell history and process lists; use --password-stdin, --password-file or --password-env");
            PasswordSource::Argv(password)
        })
    }
}

/// Parses `key=value` for `-l`.
pub fn parse_label(value: &str) -> Result<(String, String)> {
    match value.split_once('=') {
        Some((key, val)) if !key.is_empty() => Ok((key.to_owned(), val.to_owned())),
        _ => bail!("label '{value}' is not key=value; write it like app=my-app"),
    }
}

/// Fails with the first error finding.
pub fn fail_on_errors(findings: &[regcred_core::Finding]) -> Result<()> {
    match findings.iter().find(|f| f.is_error()) {
        Some(error) => bail!("{error}"),
        None => Ok(()),
    }
}

/// Fails with the first error finding, else prints the warnings.
pub fn refuse(findings: &[regcred_core::Finding]) -> Result<()> {
    fail_on_errors(findings)?;
    output::warn_findings(findings);
    Ok(())
}

/// `--kubeconfig` and `--context`, as kubectl takes them.
#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use [default: the current context]
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

impl ClusterArgs {
    /// The connection options, with the namespace from `-n` if given.
    pub fn options(&self, namespace: Option<String>) -> regcred_kube::ClusterOptions {
        regcred_kube::ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace,
        }
    }
}

/// Trust for the registry: extra CA files, or an explicit, warned opt-out.
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    /// The registry's CA certificate (PEM); repeatable. SSL_CERT_FILE is honoured too
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_files: Vec<PathBuf>,
    /// Do not verify the registry's certificate (a warning is printed)
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

impl TlsArgs {
    /// The TLS options, with every CA file read and checked, warning when verification is off.
    pub fn options(&self) -> Result<regcred_kube::probe::TlsOptions> {
        if self.insecure_skip_tls_verify {
            output::warn(
                "--insecure-skip-tls-verify: the registry's certificate is not checked, so a probe that passes proves nothing about what nodes will trust",
            );
        }
        let options = regcred_kube::probe::TlsOptions {
            ca_files: self.ca_files.clone(),
            insecure_skip_verify: self.insecure_skip_tls_verify,
        };
        regcred_kube::probe::check_tls(&options)?;
        Ok(options)
    }
}

/// `--all-namespaces` with its selector and exclusions; `-n` otherwise.
#[derive(Debug, Clone, Args)]
pub struct NamespaceArgs {
    /// Namespace; repeatable [default: the context's namespace]
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// Every namespace (narrowed by --namespace-selector and --exclude)
    #[arg(short = 'A', long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,
    /// With -A: only namespaces with these labels (kubectl selector syntax, e.g. team=a,env!=dev)
    #[arg(long, value_name = "SELECTOR")]
    pub namespace_selector: Option<String>,
    /// With -A: leave out these namespaces (names or globs like 'kube-*'); repeatable
    #[arg(long, value_name = "NAME|GLOB")]
    pub exclude: Vec<String>,
}

impl NamespaceArgs {
    /// The selection, after checking each named namespace.
    pub fn selection(
        &self,
        context_namespace: &str,
    ) -> Result<regcred_kube::apply::NamespaceSelection> {
        use regcred_kube::apply::NamespaceSelection;
        // Checked here, not with clap's `requires`, which a flag's implied `false` satisfies.
        if !self.all_namespaces && (self.namespace_selector.is_some() || !self.exclude.is_empty()) {
            anyhow::bail!(
                "--namespace-selector and --exclude choose among all namespaces: add -A \
                 (--all-namespaces), or leave them out and name namespaces with -n"
            );
        }
        if let Some(selector) = &self.namespace_selector {
            fail_on_errors(&regcred_core::validate::check_selector(
                "namespace-selector",
                selector,
            ))?;
        }
        if self.all_namespaces {
            return Ok(NamespaceSelection::All {
                selector: self.namespace_selector.clone(),
                exclude: self.exclude.clone(),
            });
        }
        let names = if self.namespaces.is_empty() {
            vec![context_namespace.to_owned()]
        } else {
            self.namespaces.clone()
        };
        for name in &names {
            fail_on_errors(&regcred_core::validate::check_namespace(name))?;
        }
        let mut unique = Vec::new();
        for name in names {
            if !unique.contains(&name) {
                unique.push(name);
            }
        }
        Ok(NamespaceSelection::Named(unique))
    }
}

/// A multi-threaded runtime for the live commands (the offline ones never start one).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// An error and its causes on one line, for per-namespace reports.
pub fn error_line(error: &(dyn std::error::Error + 'static)) -> String {
    regcred_kube::error_chain(error)
}

/// Rollout-restarts each workload, printing one line per workload; returns how many failed.
pub async fn restart_each<'w>(
    client: &regcred_kube::Client,
    workloads: impl IntoIterator<Item = &'w regcred_kube::workloads::WorkloadRef>,
) -> Result<usize> {
    let now = k8s_openapi::jiff::Timestamp::now();
    let mut failed = 0;
    for workload in workloads {
        match regcred_kube::restart::restart(client, workload, now).await {
            Ok(()) => output::emit(&format!("restarted {workload}\n"))?,
            Err(error) => {
                failed += 1;
                output::emit(&format!(
                    "failed to restart {workload}: {}\n",
                    error_line(&error)
                ))?;
            }
        }
    }
    Ok(failed)
}
