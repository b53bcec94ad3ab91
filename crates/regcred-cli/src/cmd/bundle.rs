//! `regcred bundle`: Secrets for several namespaces, ServiceAccount steps and a workload at once.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use regcred_core::dockerconfig::{Credentials, Password};
use regcred_core::manifest::{self, Attach, BundleFile, BundleSpec, WorkloadSpec};

use super::credentials::resolve_target;
use super::workload::parse_kind;
use super::{OutputFormat, PasswordArgs};
use crate::{input, output};

#[derive(Debug, Args)]
pub struct BundleArgs {
    /// A bundle file (YAML or JSON, `-` for stdin); flags below are then not needed
    #[arg(short = 'f', long, value_name = "FILE", conflicts_with_all = ["server", "username"])]
    pub filename: Option<PathBuf>,
    /// Secret name (defaults to the preset's)
    pub name: Option<String>,
    /// Registry server [default: the preset's, else <https://index.docker.io/v1>/]
    #[arg(long, visible_alias = "docker-server")]
    pub server: Option<String>,
    /// Registry user name
    #[arg(
        long,
        visible_alias = "docker-username",
        required_unless_present = "filename"
    )]
    pub username: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// E-mail stored with the credentials
    #[arg(long, visible_alias = "docker-email")]
    pub email: Option<String>,
    /// Pre-fill server and name from a preset
    #[arg(long)]
    pub preset: Option<String>,
    /// Namespace; repeat for one copy per namespace
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,
    /// ServiceAccount to attach the Secret to
    #[arg(long, default_value = "default")]
    pub service_account: String,
    /// Where pods get the Secret from
    #[arg(long, value_enum, default_value_t = AttachArg::ServiceAccount)]
    pub attach: AttachArg,
    /// Image for a workload (adds one to the bundle)
    #[arg(long)]
    pub image: Option<String>,
    /// Workload kind
    #[arg(long, default_value = "Deployment", requires = "image")]
    pub kind: String,
    /// Workload name [default: the image's last path component]
    #[arg(long, requires = "image")]
    pub workload_name: Option<String>,
    /// Workload replicas
    #[arg(long, default_value_t = 2, requires = "image")]
    pub replicas: i32,
    /// Container port
    #[arg(long, requires = "image")]
    pub port: Option<i32>,
    /// What to print
    #[arg(long, value_enum, default_value_t = Show::Bundle)]
    pub show: Show,
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AttachArg {
    /// The ServiceAccount lists the Secret (recommended)
    ServiceAccount,
    /// The workload lists the Secret
    Workload,
    /// Both
    Both,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Show {
    /// Secrets and workloads in one multi-document text
    Bundle,
    /// Only the Secrets
    Secrets,
    /// Only the workloads
    Workload,
    /// The kubectl commands for the whole flow
    Commands,
}

pub fn run(args: &BundleArgs) -> Result<ExitCode> {
    let file = match &args.filename {
        Some(path) => file_from_path(path)?,
        None => BundleFile::One(Box::new(spec_from_flags(args)?)),
    };
    let generated = manifest::generate_environments(&file)?;
    output::warn_findings(&generated.findings);
    let attaches_sa = file
        .specs()
        .iter()
        .any(|spec| spec.attach != Attach::Workload);
    if attaches_sa && matches!(args.show, Show::Bundle) {
        output::warn(
            "the ServiceAccount step is not in these manifests (applying a ServiceAccount would replace the list it has): run it from `--show commands`, or use `--attach workload`",
        );
    }
    let text = match args.show {
        Show::Bundle => generated.bundle,
        Show::Secrets => generated.secrets,
        Show::Workload => generated
            .workload
            .context("the bundle has no workload; give --image")?,
        Show::Commands => generated.kubectl_commands,
    };
    output::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn spec_from_flags(args: &BundleArgs) -> Result<BundleSpec> {
    let target = resolve_target(
        args.name.as_deref(),
        args.server.as_deref(),
        args.preset.as_deref(),
    )?;
    let username = args
        .username
        .clone()
        .context("--username is required without -f")?;
    let mut probe = Credentials::new(target.server.clone(), username.clone(), "x");
    probe.email.clone_from(&args.email);
    super::fail_on_errors(&regcred_core::validate::check_credentials(&probe))?;
    let password = input::read_password(args.password.source())?;
    let credentials = Credentials {
        password: Password::new(password),
        ..probe
    };

    let mut spec = BundleSpec::new(target.name, vec![credentials]);
    spec.namespaces.clone_from(&args.namespaces);
    spec.service_account.clone_from(&args.service_account);
    spec.attach = match args.attach {
        AttachArg::ServiceAccount => Attach::ServiceAccount,
        AttachArg::Workload => Attach::Workload,
        AttachArg::Both => Attach::Both,
    };
    spec.output = args.output.into();
    if let Some(image) = &args.image {
        spec.workload = Some(WorkloadSpec {
            kind: parse_kind(&args.kind)?,
            name: args
                .workload_name
                .clone()
                .unwrap_or_else(|| name_from_image(image)),
            image: image.clone(),
            replicas: Some(args.replicas),
            port: args.port,
            ..WorkloadSpec::default()
        });
    }
    Ok(spec)
}

/// `registry.example.com/team/my-app:v1` gives `my-app`.
fn name_from_image(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split(['@', ':']).next().unwrap_or(last).to_owned()
}

/// Reads a bundle file; each registry may give `passwordFile` (relative to the bundle file) or
/// `passwordEnv` instead of `password`, so the file itself need not hold a secret.
fn file_from_path(path: &std::path::Path) -> Result<BundleFile> {
    let text = input::read_text(path)?;
    let documents = regcred_core::yaml::parse_documents(&text)
        .with_context(|| format!("'{}' is not valid YAML or JSON", path.display()))?;
    let [mut value] = <[serde_json::Value; 1]>::try_from(documents).map_err(|documents| {
        anyhow::anyhow!(
            "'{}' holds {} documents; a bundle file is one document",
            path.display(),
            documents.len()
        )
    })?;
    let base = path.parent().filter(|_| path != std::path::Path::new("-"));
    let setups: Vec<&mut serde_json::Value> = match value.get_mut("environments") {
        Some(serde_json::Value::Array(environments)) => environments.iter_mut().collect(),
        Some(_) => bail!("'environments' in '{}' must be a list", path.display()),
        None => vec![&mut value],
    };
    for setup in setups {
        let registries = setup
            .get_mut("registries")
            .and_then(serde_json::Value::as_array_mut)
            .with_context(|| {
                format!(
                    "'{}' has a setup without a 'registries' list",
                    path.display()
                )
            })?;
        for registry in registries
            .iter_mut()
            .filter_map(serde_json::Value::as_object_mut)
        {
            resolve_password(registry, base)?;
        }
    }
    BundleFile::from_value(value)
        .map_err(|error| anyhow::anyhow!("'{}' is not a bundle file: {error}", path.display()))
}

/// Replaces `passwordFile` (relative to the bundle file) or `passwordEnv` with `password`.
fn resolve_password(
    registry: &mut serde_json::Map<String, serde_json::Value>,
    base: Option<&std::path::Path>,
) -> Result<()> {
    let server = registry
        .get("server")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("(no server)")
        .to_owned();
    let file = registry.remove("passwordFile");
    let env = registry.remove("passwordEnv");
    let source = match (file, env, registry.contains_key("password")) {
        (Some(file), None, false) => {
            let file = std::path::PathBuf::from(as_string(&file, "passwordFile")?);
            input::PasswordSource::File(base.map_or_else(|| file.clone(), |dir| dir.join(&file)))
        }
        (None, Some(env), false) => input::PasswordSource::Env(as_string(&env, "passwordEnv")?),
        (None, None, true) => return Ok(()),
        (None, None, false) => {
            bail!("registry '{server}' has no password; give password, passwordFile or passwordEnv")
        }
        _ => bail!(
            "registry '{server}' gives more than one of password, passwordFile and passwordEnv; keep one"
        ),
    };
    let password = input::read_password(Some(source))?;
    registry.insert("password".to_owned(), serde_json::Value::String(password));
    Ok(())
}

fn as_string(value: &serde_json::Value, key: &str) -> Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("'{key}' must be a string"))
}
