//! One module per subcommand; shared argument groups live here.

pub mod bundle;
pub mod completions;
pub mod explain;
pub mod inject;
pub mod inspect;
pub mod lint;
pub mod match_;
pub mod patch_sa;
pub mod presets;
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
