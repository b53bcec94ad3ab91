//! The cluster seam: each backend brings up (or finds) a cluster, makes its nodes reach and trust
//! the registry, and hands the scenarios a client and the registry host as the nodes see it.
//!
//! Scenarios see only [`ClusterEnv`]; a new backend is a new module and a new [`Backend`] arm.
//! e2e/README-backends.md says what a backend must provide.

mod existing;
mod kind;
mod local;
mod process;

use crate::registry::Registry;
use crate::run::{Run, Settings};

/// What the scenarios get from a backend.
#[derive(Clone)]
pub struct ClusterEnv {
    /// A client for the cluster's API server.
    pub client: kube::Client,
    /// `host:port` of the registry as the nodes dial it: the docker config key and the image
    /// prefix the pods use.
    pub registry_host: String,
}

/// Where the registry must be for a backend's nodes to reach it, known before it starts.
#[derive(Debug, Clone, Default)]
pub struct RegistryNeeds {
    /// A Docker network the registry container joins (kind's `kind`).
    pub network: Option<String>,
    /// Host names the registry certificate must carry (the names nodes dial).
    pub dns_names: Vec<String>,
}

/// The contract of one cluster backend, in the order the run calls it.
pub trait ClusterBackend {
    /// Why this backend cannot run on this machine (`None`: it can). Checked before anything
    /// starts; the reason becomes the skip reason of every cluster check.
    async fn unavailable(&self, settings: &Settings) -> Option<String>;

    /// Brings the cluster up (or finds it) and says where the registry must be placed.
    async fn up(&mut self, run: &Run, settings: &Settings) -> anyhow::Result<RegistryNeeds>;

    /// Makes every node trust the registry's CA (`registry.ca_pem()`) for the host it dials,
    /// and returns the scenarios' handle.
    async fn connect(&mut self, run: &Run, registry: &Registry) -> anyhow::Result<ClusterEnv>;

    /// Removes what `up` created, unless the settings say to keep it.
    async fn down(&mut self, settings: &Settings) -> anyhow::Result<()>;

    /// Removes every leftover of this backend, whatever run made it (`just e2e-down`).
    async fn sweep(&self) -> anyhow::Result<String>;
}

/// The backend `REGCRED_E2E_CLUSTER` names.
pub enum Backend {
    /// `kind` (default): a kind cluster named `regcred-e2e`, created per run.
    Kind(kind::Kind),
    /// `existing`: the current kubeconfig's cluster, as it is.
    Existing(existing::Existing),
    /// `local`: a single node from the Kubernetes Go modules (e2e/localkube).
    Local(local::Local),
}

/// Dispatches one call to whichever backend is selected.
macro_rules! each_backend {
    ($self:expr, $backend:ident => $call:expr) => {
        match $self {
            Backend::Kind($backend) => $call,
            Backend::Existing($backend) => $call,
            Backend::Local($backend) => $call,
        }
    };
}

impl Backend {
    /// The backend for `settings.cluster`.
    ///
    /// # Errors
    /// An unknown name, with the names that work.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings.cluster.as_str() {
            "kind" => Ok(Self::Kind(kind::Kind::default())),
            "existing" => Ok(Self::Existing(existing::Existing::from_env())),
            "local" => Ok(Self::Local(local::Local::default())),
            other => anyhow::bail!(
                "REGCRED_E2E_CLUSTER '{other}' is not a cluster backend; use kind, existing or local"
            ),
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Kind(_) => "kind",
            Self::Existing(_) => "existing",
            Self::Local(_) => "local",
        }
    }

    /// See [`ClusterBackend::unavailable`].
    pub async fn unavailable(&self, settings: &Settings) -> Option<String> {
        each_backend!(self, backend => backend.unavailable(settings).await)
    }

    /// See [`ClusterBackend::up`].
    pub async fn up(&mut self, run: &Run, settings: &Settings) -> anyhow::Result<RegistryNeeds> {
        each_backend!(self, backend => backend.up(run, settings).await)
    }

    /// See [`ClusterBackend::connect`].
    pub async fn connect(&mut self, run: &Run, registry: &Registry) -> anyhow::Result<ClusterEnv> {
        each_backend!(self, backend => backend.connect(run, registry).await)
    }

    /// See [`ClusterBackend::down`].
    pub async fn down(&mut self, settings: &Settings) -> anyhow::Result<()> {
        each_backend!(self, backend => backend.down(settings).await)
    }

    /// See [`ClusterBackend::sweep`].
    pub async fn sweep(&self) -> anyhow::Result<String> {
        each_backend!(self, backend => backend.sweep().await)
    }
}

/// containerd's per-registry host configuration (`certs.d/<host>/hosts.toml`): trust `ca_path`
/// for `host`, TLS verification on.
pub fn containerd_hosts_toml(host: &str, ca_path: &str) -> String {
    format!(
        "server = \"https://{host}\"\n\n[host.\"https://{host}\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \"{ca_path}\"\n"
    )
}

#[cfg(test)]
mod tests {
    use super::containerd_hosts_toml;

    #[test]
    fn hosts_toml_trusts_the_ca_without_skipping_verification() {
        let toml = containerd_hosts_toml(
            "regcred-e2e-registry:5000",
            "/etc/containerd/certs.d/regcred-e2e-registry:5000/ca.crt",
        );

        assert!(toml.starts_with("server = \"https://regcred-e2e-registry:5000\"\n"));
        assert!(toml.contains("ca = \"/etc/containerd/certs.d/regcred-e2e-registry:5000/ca.crt\""));
        assert!(!toml.contains("skip_verify"));
    }
}
