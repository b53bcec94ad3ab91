//! The `local` slot: a single real node (kubelet, API server, containerd on this host) built from
//! the Kubernetes Go modules under e2e/localkube. Not built yet; every call says so.

use super::{ClusterBackend, ClusterEnv, RegistryNeeds};
use crate::registry::Registry;
use crate::run::{Run, Settings};

const NOT_BUILT: &str = "the local backend (e2e/localkube) is not built yet; use REGCRED_E2E_CLUSTER=kind or existing";

/// The local single-node backend.
#[derive(Debug, Default)]
pub struct Local;

impl ClusterBackend for Local {
    // TODO: start the e2e/localkube launcher like `kind`: `up` starts the node with its
    // containerd certs.d directory, `connect` writes hosts.toml + ca.crt for 127.0.0.1:<port>.
    async fn unavailable(&self, _settings: &Settings) -> Option<String> {
        Some(NOT_BUILT.to_owned())
    }

    async fn up(&mut self, _run: &Run, _settings: &Settings) -> anyhow::Result<RegistryNeeds> {
        anyhow::bail!(NOT_BUILT)
    }

    async fn connect(&mut self, _run: &Run, _registry: &Registry) -> anyhow::Result<ClusterEnv> {
        anyhow::bail!(NOT_BUILT)
    }

    async fn down(&mut self, _settings: &Settings) -> anyhow::Result<()> {
        Ok(())
    }

    async fn sweep(&self) -> anyhow::Result<String> {
        Ok("local: nothing to remove (not built yet)".to_owned())
    }
}
