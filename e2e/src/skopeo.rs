//! skopeo, the independent client: pushes the test image and pulls it back with a given auth file.
//!
//! Every call runs with a private HOME and policy file, so nothing from this machine's
//! `~/.docker/config.json` or `/etc/containers` can make a pull pass: the auth file given is the
//! only source of credentials.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::process::Command;

use crate::run::Run;

const CALL_LIMIT: Duration = Duration::from_secs(180);

/// What came of a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pull {
    /// The image arrived; the digest of its manifest as stored.
    Pulled {
        /// `sha256:…`
        digest: String,
    },
    /// The registry or skopeo refused; skopeo's message.
    Refused {
        /// skopeo's standard error.
        message: String,
    },
}

/// Which credentials a pull presents.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// None at all.
    Anonymous,
    /// Exactly this auth file (a docker `config.json` / `.dockerconfigjson`).
    File(&'a Path),
}

/// skopeo with an isolated environment inside the run's scratch directory.
#[derive(Debug)]
pub struct Skopeo {
    home: PathBuf,
    policy: PathBuf,
    pulls: AtomicUsize,
}

impl Skopeo {
    /// Prepares the private HOME and an accept-anything signature policy (signatures are not
    /// what this e2e proves).
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn new(run: &Run) -> anyhow::Result<Self> {
        let policy = run.write_private(
            "skopeo/policy.json",
            br#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )?;
        let home = run.dir().join("skopeo");
        Ok(Self {
            home,
            policy,
            pulls: AtomicUsize::new(0),
        })
    }

    /// Whether skopeo can be run at all; the reason when not.
    pub async fn unavailable() -> Option<String> {
        match Command::new("skopeo").arg("--version").output().await {
            Ok(output) if output.status.success() => None,
            Ok(output) => Some(format!("`skopeo --version` failed ({})", output.status)),
            Err(error) => Some(format!(
                "skopeo cannot be run ({error}); install it: apt-get install -y skopeo"
            )),
        }
    }

    /// Copies a local Docker image to `target` (`host:port/repo:tag`); returns the pushed digest.
    ///
    /// # Errors
    /// skopeo failed; its message is included.
    pub async fn push(
        &self,
        local_image: &str,
        target: &str,
        auth_file: &Path,
        cert_dir: &Path,
    ) -> anyhow::Result<String> {
        let digest_file = self.home.join("pushed.digest");
        let output = self
            .call([
                "copy".as_ref(),
                "--quiet".as_ref(),
                "--dest-authfile".as_ref(),
                auth_file.as_os_str(),
                "--dest-cert-dir".as_ref(),
                cert_dir.as_os_str(),
                "--digestfile".as_ref(),
                digest_file.as_os_str(),
                format!("docker-daemon:{local_image}").as_ref(),
                format!("docker://{target}").as_ref(),
            ])
            .await?;
        if !output.status.success() {
            bail!("skopeo could not push {target}: {}", stderr(&output));
        }
        let digest = tokio::fs::read_to_string(&digest_file).await?;
        Ok(digest.trim().to_owned())
    }

    /// Pulls `image` (`host:port/repo:tag`) into a fresh directory, trusting the CA in
    /// `cert_dir`, presenting `auth`; returns the stored manifest's digest or the refusal.
    ///
    /// # Errors
    /// skopeo could not be run, or the pulled manifest cannot be digested.
    pub async fn pull(&self, image: &str, auth: Auth<'_>, cert_dir: &Path) -> anyhow::Result<Pull> {
        let number = self.pulls.fetch_add(1, Ordering::Relaxed);
        let target = self.home.join(format!("pull-{number}"));
        let mut args: Vec<std::ffi::OsString> = vec!["copy".into(), "--quiet".into()];
        match auth {
            Auth::Anonymous => args.push("--src-no-creds".into()),
            Auth::File(path) => args.extend(["--src-authfile".into(), path.into()]),
        }
        args.extend([
            "--src-cert-dir".into(),
            cert_dir.into(),
            format!("docker://{image}").into(),
            format!("dir:{}", target.display()).into(),
        ]);

        let output = self.call(&args).await?;
        if !output.status.success() {
            return Ok(Pull::Refused {
                message: stderr(&output),
            });
        }
        let digest = self.manifest_digest(&target.join("manifest.json")).await?;
        Ok(Pull::Pulled { digest })
    }

    async fn manifest_digest(&self, manifest: &Path) -> anyhow::Result<String> {
        let output = self
            .call(["manifest-digest".as_ref(), manifest.as_os_str()])
            .await?;
        if !output.status.success() {
            bail!("skopeo manifest-digest failed: {}", stderr(&output));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    async fn call<I, S>(&self, args: I) -> anyhow::Result<std::process::Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        tokio::fs::create_dir_all(&self.home).await?;
        let mut command = Command::new("skopeo");
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_RUNTIME_DIR", &self.home)
            .env("XDG_CONFIG_HOME", &self.home)
            .arg("--policy")
            .arg(&self.policy)
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        if let Some(host) = std::env::var_os("DOCKER_HOST") {
            command.env("DOCKER_HOST", host);
        }
        let output = tokio::time::timeout(CALL_LIMIT, command.output())
            .await
            .with_context(|| format!("skopeo took over {}s", CALL_LIMIT.as_secs()))?
            .context("cannot run skopeo; install it: apt-get install -y skopeo")?;
        Ok(output)
    }
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}
