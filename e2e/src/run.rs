//! One run: its id, the settings read from the environment, and a private scratch directory.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use rand::distr::{Alphanumeric, SampleString as _};

/// The label every Docker object and Kubernetes object of the e2e carries (value `1`); the sweep
/// at start removes whatever has it.
pub const LABEL: &str = "regcred-e2e";

/// The label carrying the run id, to tell this run's objects from a crashed run's.
pub const RUN_LABEL: &str = "regcred-e2e/run";

/// Prefix of every run's scratch directory under the system temp directory.
const DIR_PREFIX: &str = "regcred-e2e-run-";

/// What the environment asks for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `REGCRED_E2E_OFFLINE=1`: use the images built by `e2e/images/build.sh`, pull nothing.
    pub offline: bool,
    /// `REGCRED_E2E_REGISTRY_IMAGE`: the upstream registry image (default `registry:2`).
    pub registry_image: String,
    /// `REGCRED_E2E_CLUSTER`: `kind` (default), `existing` or `local`.
    pub cluster: String,
    /// `REGCRED_E2E_KEEP_CLUSTER=1`: leave the kind cluster up after the run and reuse it.
    pub keep_cluster: bool,
    /// `REGCRED_E2E_STRICT=1`: a skipped check makes the run fail (CI sets it).
    pub strict: bool,
    /// `REGCRED_E2E_REGISTRY_PORT`: the loopback port to publish the registry on (default: any).
    pub registry_port: Option<u16>,
}

impl Settings {
    /// Reads the `REGCRED_E2E_*` variables.
    ///
    /// # Errors
    /// A variable with a value that means nothing here, named with the values it takes.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            offline: flag("REGCRED_E2E_OFFLINE")?,
            registry_image: var("REGCRED_E2E_REGISTRY_IMAGE")
                .unwrap_or_else(|| "registry:2".to_owned()),
            cluster: var("REGCRED_E2E_CLUSTER").unwrap_or_else(|| "kind".to_owned()),
            keep_cluster: flag("REGCRED_E2E_KEEP_CLUSTER")?,
            strict: flag("REGCRED_E2E_STRICT")?,
            registry_port: var("REGCRED_E2E_REGISTRY_PORT")
                .map(|port| {
                    port.parse::<u16>().with_context(|| {
                        format!("REGCRED_E2E_REGISTRY_PORT '{port}' is not a port number; give 1-65535 or leave it unset")
                    })
                })
                .transpose()?,
        })
    }
}

/// A set, non-empty environment variable.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn flag(name: &str) -> anyhow::Result<bool> {
    match var(name).as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => bail!("{name} '{other}' is not a flag; use 1 (on) or 0 (off)"),
    }
}

/// This run: a unique id and a scratch directory only root can read, removed on drop.
#[derive(Debug)]
pub struct Run {
    /// Lower-case, DNS-label-safe, unique per run.
    pub id: String,
    dir: PathBuf,
}

impl Run {
    /// A fresh run with its scratch directory.
    ///
    /// # Errors
    /// The directory cannot be created.
    pub fn new() -> anyhow::Result<Self> {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let suffix = Alphanumeric
            .sample_string(&mut rand::rng(), 4)
            .to_ascii_lowercase();
        let id = format!("{seconds}{suffix}");
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{id}"));
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("cannot create the scratch directory {}", dir.display()))?;
        Ok(Self { id, dir })
    }

    /// The scratch directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `contents` to `name` in the scratch directory, readable by the owner only
    /// (credentials go through here, never through argv or logs).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_private(&self, name: &str, contents: &[u8]) -> anyhow::Result<PathBuf> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(contents)?;
        Ok(path)
    }

    /// The labels every object of this run carries.
    pub fn labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL.to_owned(), "1".to_owned()),
            (RUN_LABEL.to_owned(), self.id.clone()),
        ])
    }

    /// A namespace name for one scenario of this run.
    pub fn namespace(&self, scenario: &str) -> String {
        format!("regcred-e2e-{}-{scenario}", self.id)
    }

    /// The test image's tag: unique and never reused, never `latest`.
    pub fn image_tag(&self) -> String {
        format!("run-{}", self.id)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // Best effort: the sweep at the next start removes what a crash left.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Removes scratch directories that crashed runs left behind; returns how many.
pub fn sweep_scratch_dirs() -> usize {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(DIR_PREFIX))
        .filter(|entry| fs::remove_dir_all(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn private_files_are_owner_only_and_removed_with_the_run() {
        let run = Run::new().unwrap();
        let path = run.write_private("auth/config.json", b"{}").unwrap();

        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let dir = run.dir().to_owned();
        drop(run);

        assert_eq!(mode, 0o600);
        assert!(!dir.exists());
    }

    #[test]
    fn names_are_dns_labels_and_tags_are_never_latest() {
        let run = Run::new().unwrap();

        let namespace = run.namespace("workload");

        assert!(namespace.len() <= 63, "{namespace}");
        assert!(
            namespace
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert!(run.image_tag().starts_with("run-"));
    }
}
