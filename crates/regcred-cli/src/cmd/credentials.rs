//! The Secret name, registry and credentials flags that `secret`, `apply` and `rotate` share.

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::dockerconfig::{Credentials, DOCKER_HUB_SERVER, Password};
use regcred_core::{preset, validate};

use super::PasswordArgs;
use crate::input;

#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Secret name (defaults to the preset's, e.g. cr-registry-secret)
    pub name: Option<String>,
    /// Registry server, kept as typed [default: the preset's, else Docker Hub's index.docker.io/v1/]
    #[arg(long, visible_alias = "docker-server")]
    pub server: Option<String>,
    /// Registry user name
    #[arg(long, visible_alias = "docker-username")]
    pub username: String,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// E-mail stored with the credentials (never sent anywhere)
    #[arg(long, visible_alias = "docker-email")]
    pub email: Option<String>,
    /// Pre-fill server and name from a preset (see `regcred presets`)
    #[arg(long)]
    pub preset: Option<String>,
}

impl CredentialArgs {
    /// The Secret name and the credentials. Everything but the password is checked before the
    /// password is read, so a typo never costs a prompt.
    pub fn resolve(&self) -> Result<(String, Credentials)> {
        let target = resolve_target(
            self.name.as_deref(),
            self.server.as_deref(),
            self.preset.as_deref(),
        )?;
        let mut credentials = Credentials {
            server: target.server,
            username: self.username.clone(),
            password: Password::new("x"),
            email: self.email.clone(),
        };
        super::fail_on_errors(&validate::check_credentials(&credentials))?;
        super::fail_on_errors(&validate::check_name("secretName", &target.name))?;
        credentials.password = Password::new(input::read_password(self.password.source())?);
        super::refuse(&validate::check_credentials(&credentials))?;
        Ok((target.name, credentials))
    }
}

/// A name and server after applying the preset, if any.
pub struct Target {
    pub name: String,
    pub server: String,
}

/// Fills the name and server from `preset` where the user left them out.
pub fn resolve_target(
    name: Option<&str>,
    server: Option<&str>,
    preset_id: Option<&str>,
) -> Result<Target> {
    let preset = preset_id
        .map(|id| {
            preset::find(id).with_context(|| {
                let ids: Vec<_> = preset::all().iter().map(|p| p.id).collect();
                format!(
                    "preset '{id}' does not exist; choose one of: {}",
                    ids.join(", ")
                )
            })
        })
        .transpose()?;
    let server = server
        .map(str::to_owned)
        .or_else(|| preset.map(|p| p.server.to_owned()))
        .unwrap_or_else(|| DOCKER_HUB_SERVER.to_owned());
    if let Some(preset) = preset.filter(|p| p.server == server && p.has_placeholder()) {
        anyhow::bail!(
            "preset '{}' needs your own server, like '{}'; give it with --server",
            preset.id,
            preset.server
        );
    }
    let name = name
        .map(str::to_owned)
        .or_else(|| preset.map(|p| p.secret_name.to_owned()))
        .context("no Secret name given; pass it as the first argument, e.g. `regcred secret regcred ...`")?;
    Ok(Target { name, server })
}
