//! `local`: one real node (etcd, API server, controller manager, scheduler, containerd, kubelet
//! on this host, all on 127.0.0.1) built from the Kubernetes Go modules by e2e/localkube.
//!
//! The launcher is called like kind: `localkube.sh up --state-dir DIR --registry HOST:PORT
//! --registry-ca CA.pem`, `status --state-dir DIR` (prints the kubeconfig path), `down
//! --state-dir DIR`. Its node pulls on the host network, so it dials the registry at its
//! loopback endpoint; the launcher installs the CA for that host in its containerd.

use std::path::PathBuf;
use std::time::Duration;

use super::kind::client_from_kubeconfig;
use super::process;
use super::{ClusterBackend, ClusterEnv, RegistryNeeds};
use crate::registry::Registry;
use crate::run::{Run, Settings, var};

const UP_LIMIT: Duration = Duration::from_secs(600);
const TOOL_LIMIT: Duration = Duration::from_secs(180);

/// The local single-node backend.
#[derive(Debug)]
pub struct Local {
    launcher: PathBuf,
    state_dir: PathBuf,
}

impl Default for Local {
    fn default() -> Self {
        let launcher = var("REGCRED_E2E_LOCALKUBE").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("localkube/localkube.sh"),
            PathBuf::from,
        );
        Self {
            launcher,
            // Fixed, so a crashed run's node is found and stopped by the next run.
            state_dir: std::env::temp_dir().join("regcred-e2e-localkube"),
        }
    }
}

impl Local {
    async fn launch(
        &self,
        command: &str,
        extra: &[&str],
        limit: Duration,
    ) -> anyhow::Result<String> {
        let launcher = self.launcher.to_string_lossy();
        let state_dir = self.state_dir.to_string_lossy();
        let mut args = vec![
            launcher.as_ref(),
            command,
            "--state-dir",
            state_dir.as_ref(),
        ];
        args.extend(extra);
        process::output("bash", &args, None, limit).await
    }
}

impl ClusterBackend for Local {
    async fn unavailable(&self, _settings: &Settings) -> Option<String> {
        if !self.launcher.is_file() {
            return Some(format!(
                "the local backend is not built yet: no launcher at {} (set REGCRED_E2E_LOCALKUBE to one)",
                self.launcher.display()
            ));
        }
        None
    }

    async fn up(&mut self, _run: &Run, _settings: &Settings) -> anyhow::Result<RegistryNeeds> {
        // A node left by a crashed run goes first; the node itself starts in `connect`, once
        // the registry's address and CA exist.
        self.launch("down", &[], TOOL_LIMIT).await?;
        Ok(RegistryNeeds::default())
    }

    async fn connect(&mut self, _run: &Run, registry: &Registry) -> anyhow::Result<ClusterEnv> {
        let host = registry.endpoint();
        let ca = registry.ca_path();
        let ca = ca.to_string_lossy();
        self.launch("up", &["--registry", &host, "--registry-ca", &ca], UP_LIMIT)
            .await?;
        let kubeconfig = self.launch("status", &[], TOOL_LIMIT).await?;
        let client = client_from_kubeconfig(std::path::Path::new(kubeconfig.trim())).await?;
        Ok(ClusterEnv {
            client,
            registry_host: host,
        })
    }

    async fn down(&mut self, settings: &Settings) -> anyhow::Result<()> {
        if settings.keep_cluster {
            tracing::info!(state_dir = %self.state_dir.display(), "local node kept (REGCRED_E2E_KEEP_CLUSTER=1)");
            return Ok(());
        }
        self.launch("down", &[], TOOL_LIMIT).await.map(drop)
    }

    async fn sweep(&self) -> anyhow::Result<String> {
        if !self.launcher.is_file() {
            return Ok("local: no launcher, nothing to remove".to_owned());
        }
        self.launch("down", &[], TOOL_LIMIT).await?;
        Ok(format!(
            "local: stopped the node in {}",
            self.state_dir.display()
        ))
    }
}
