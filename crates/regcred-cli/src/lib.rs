//! The `regcred` command line: generation offline, the same bytes as the web page; live cluster
//! and registry work through `regcred-kube`.

mod cmd;
mod input;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Image pull secrets for Kubernetes, done right: the Secret kubectl would make, workloads and
/// `ServiceAccounts` that use it, and checks with the kubelet's own matching rules.
#[derive(Debug, Parser)]
#[command(name = "regcred", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a kubernetes.io/dockerconfigjson Secret (one per namespace with several -n)
    Secret(cmd::secret::SecretArgs),
    /// Print a workload that pulls with the Secret
    Workload(cmd::workload::WorkloadArgs),
    /// Attach the Secret to a ServiceAccount without dropping existing entries
    PatchSa(cmd::patch_sa::PatchSaArgs),
    /// Print Secrets for several namespaces, the ServiceAccount steps and a workload at once
    Bundle(cmd::bundle::BundleArgs),
    /// Add imagePullSecrets to existing manifests, changing nothing else (exit 1 with --check when it would change)
    Inject(cmd::inject::InjectArgs),
    /// Show the registries and users in a Secret or config.json, passwords masked, with problems
    Inspect(cmd::inspect::InspectArgs),
    /// Predict failed pulls in manifest files with the kubelet's rules (exit 1 on errors)
    Lint(cmd::lint::LintArgs),
    /// Print the keys whose credentials the kubelet tries for an image, in order
    Match(cmd::match_::MatchArgs),
    /// Explain a failed pull from `kubectl describe pod` or event text (reads stdin)
    Explain(cmd::explain::ExplainArgs),
    /// Create or update the Secret in namespaces of a live cluster (server-side apply)
    Apply(cmd::apply::ApplyArgs),
    /// Attach the Secret to live `ServiceAccounts`, keeping their entries; restart stale pods
    LinkSa(cmd::link_sa::LinkSaArgs),
    /// Check new credentials at the registry, then update every managed copy in place
    Rotate(cmd::rotate::RotateArgs),
    /// Try credentials against the registry for an image (ping, auth, manifest HEAD)
    Probe(cmd::probe::ProbeArgs),
    /// Find why a pod or workload cannot pull, from the pod to the registry
    Doctor(cmd::doctor::DoctorArgs),
    /// List the registry presets
    Presets(cmd::presets::PresetsArgs),
    /// Print a shell completion script
    Completions(cmd::completions::CompletionsArgs),
}

/// Runs the program with the process arguments and returns its exit code.
///
/// 0: done; 1: a check found problems (lint errors, no match, `--check` would change files);
/// 2: bad input, with one line on stderr naming the value.
pub fn main() -> ExitCode {
    init_tracing();
    let cli = match Cli::try_parse_from(args_for_plugin_name()) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            output::error(&error);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Secret(args) => cmd::secret::run(args),
        Command::Workload(args) => cmd::workload::run(&args),
        Command::PatchSa(args) => cmd::patch_sa::run(&args),
        Command::Bundle(args) => cmd::bundle::run(&args),
        Command::Inject(args) => cmd::inject::run(&args),
        Command::Inspect(args) => cmd::inspect::run(&args),
        Command::Lint(args) => cmd::lint::run(&args),
        Command::Match(args) => cmd::match_::run(&args),
        Command::Explain(args) => cmd::explain::run(&args),
        Command::Apply(args) => cmd::apply::run(&args),
        Command::LinkSa(args) => cmd::link_sa::run(&args),
        Command::Rotate(args) => cmd::rotate::run(&args),
        Command::Probe(args) => cmd::probe::run(&args),
        Command::Doctor(args) => cmd::doctor::run(&args),
        Command::Presets(args) => cmd::presets::run(&args),
        Command::Completions(args) => cmd::completions::run(&args),
    }
}

/// Help and version go out as clap writes them; a usage mistake becomes one `error:` line.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    output::error(&anyhow::anyhow!(
        "{}; see --help",
        one_line(&error.to_string())
    ));
    ExitCode::from(2)
}

/// Clap's first paragraph on one line: the message and, for missing arguments, their list.
fn one_line(rendered: &str) -> String {
    let message = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    if message.is_empty() {
        "invalid arguments".to_owned()
    } else {
        message.to_owned()
    }
}

/// The arguments, with the program shown as `kubectl regcred` when run as the kubectl plugin.
fn args_for_plugin_name() -> Vec<std::ffi::OsString> {
    let mut args: Vec<_> = std::env::args_os().collect();
    let is_plugin = args
        .first()
        .and_then(|arg0| {
            std::path::Path::new(arg0)
                .file_stem()
                .map(|s| s == "kubectl-regcred")
        })
        .unwrap_or(false);
    if is_plugin {
        args[0] = "kubectl regcred".into();
    }
    args
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // kube's client logs each failed connection at ERROR; the command reports it once,
        // in words, itself.
        tracing_subscriber::EnvFilter::new("warn,kube_client=off,rustls_platform_verifier=off")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}
