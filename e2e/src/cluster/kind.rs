//! kind: a throwaway cluster in Docker whose node trusts the registry through containerd's
//! `certs.d` (by CA; TLS verification stays on) and reaches it on kind's Docker network.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use super::process;
use super::{ClusterBackend, ClusterEnv, RegistryNeeds, containerd_hosts_toml};
use crate::registry::{CONTAINER_NAME, CONTAINER_PORT, Registry};
use crate::run::{Run, Settings, var};

/// The kind cluster's name (`kind get clusters`).
pub const CLUSTER_NAME: &str = "regcred-e2e";

/// The Docker network kind puts its nodes on.
const NETWORK: &str = "kind";

/// Where kind-config.yaml points containerd for per-registry host configuration.
const CERTS_D: &str = "/etc/containerd/certs.d";

/// Where kind itself writes and edits kubeconfig entries, so the user's ~/.kube/config is never
/// touched; the run reads its own copy through `kind get kubeconfig`.
fn kind_kubeconfig() -> String {
    std::env::temp_dir()
        .join("regcred-e2e-kind.kubeconfig")
        .to_string_lossy()
        .into_owned()
}

const CREATE_LIMIT: Duration = Duration::from_secs(420);
const TOOL_LIMIT: Duration = Duration::from_secs(120);

/// The kind backend.
#[derive(Debug, Default)]
pub struct Kind {
    kubeconfig: Option<PathBuf>,
}

impl Kind {
    fn config_file() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kind-config.yaml")
    }

    async fn cluster_exists() -> anyhow::Result<bool> {
        let clusters = process::output("kind", &["get", "clusters"], None, TOOL_LIMIT).await?;
        Ok(clusters.lines().any(|line| line.trim() == CLUSTER_NAME))
    }

    async fn delete_cluster() -> anyhow::Result<()> {
        let kubeconfig = kind_kubeconfig();
        let args = [
            "delete",
            "cluster",
            "--name",
            CLUSTER_NAME,
            "--kubeconfig",
            &kubeconfig,
        ];
        process::output("kind", &args, None, CREATE_LIMIT).await?;
        Ok(())
    }

    async fn create_cluster() -> anyhow::Result<()> {
        let config = Self::config_file();
        let config = config.to_string_lossy();
        let image = var("REGCRED_E2E_KIND_IMAGE");
        let mut args = vec![
            "create",
            "cluster",
            "--name",
            CLUSTER_NAME,
            "--config",
            &config,
        ];
        args.extend(["--wait", "240s"]);
        if let Some(image) = image.as_deref() {
            args.extend(["--image", image]);
        }
        process::output("kind", &args, None, CREATE_LIMIT).await?;
        Ok(())
    }

    /// Writes `contents` to `path` inside a node container, through stdin (no argv payload).
    async fn write_in_node(node: &str, path: &str, contents: &str) -> anyhow::Result<()> {
        let script = format!("mkdir -p \"$(dirname '{path}')\" && cat > '{path}'");
        process::output(
            "docker",
            &["exec", "-i", node, "sh", "-c", &script],
            Some(contents.as_bytes()),
            TOOL_LIMIT,
        )
        .await
        .with_context(|| format!("cannot write {path} in kind node {node}"))?;
        Ok(())
    }
}

impl ClusterBackend for Kind {
    async fn unavailable(&self, settings: &Settings) -> Option<String> {
        let hint = "install kind (`go install sigs.k8s.io/kind@v0.29.0`) or set REGCRED_E2E_CLUSTER=existing";
        if let Some(reason) = process::missing("kind", hint).await {
            return Some(reason);
        }
        if !settings.offline {
            return None;
        }
        let Some(image) = var("REGCRED_E2E_KIND_IMAGE") else {
            return Some("offline mode pulls nothing and no kind node image is named: `docker load` one and set REGCRED_E2E_KIND_IMAGE".to_owned());
        };
        let inspect = ["image", "inspect", "--format", "{{.Id}}", image.as_str()];
        match process::output("docker", &inspect, None, TOOL_LIMIT).await {
            Ok(_) => None,
            Err(_) => Some(format!(
                "kind node image {image} is not present locally and offline mode pulls nothing"
            )),
        }
    }

    async fn up(&mut self, run: &Run, settings: &Settings) -> anyhow::Result<RegistryNeeds> {
        let exists = Self::cluster_exists().await?;
        let reuse = exists && settings.keep_cluster;
        if exists && !reuse {
            tracing::info!(cluster = CLUSTER_NAME, "deleting a leftover kind cluster");
            Self::delete_cluster().await?;
        }
        if !reuse {
            Self::create_cluster().await?;
        }

        let kubeconfig = process::output(
            "kind",
            &["get", "kubeconfig", "--name", CLUSTER_NAME],
            None,
            TOOL_LIMIT,
        )
        .await?;
        self.kubeconfig = Some(run.write_private("kubeconfig", kubeconfig.as_bytes())?);
        Ok(RegistryNeeds {
            network: Some(NETWORK.to_owned()),
            dns_names: Vec::new(),
        })
    }

    async fn connect(&mut self, _run: &Run, registry: &Registry) -> anyhow::Result<ClusterEnv> {
        let host = format!("{CONTAINER_NAME}:{CONTAINER_PORT}");
        let dir = format!("{CERTS_D}/{host}");
        let ca_path = format!("{dir}/ca.crt");
        let nodes = process::output(
            "kind",
            &["get", "nodes", "--name", CLUSTER_NAME],
            None,
            TOOL_LIMIT,
        )
        .await?;
        for node in nodes.lines().map(str::trim).filter(|n| !n.is_empty()) {
            Self::write_in_node(node, &ca_path, registry.ca_pem()).await?;
            let hosts = containerd_hosts_toml(&host, &ca_path);
            Self::write_in_node(node, &format!("{dir}/hosts.toml"), &hosts).await?;
        }

        let path = self
            .kubeconfig
            .as_ref()
            .context("the kind cluster is not up")?;
        let client = client_from_kubeconfig(path).await?;
        Ok(ClusterEnv {
            client,
            registry_host: host,
        })
    }

    async fn down(&mut self, settings: &Settings) -> anyhow::Result<()> {
        if settings.keep_cluster {
            tracing::info!(cluster = CLUSTER_NAME, "kept (REGCRED_E2E_KEEP_CLUSTER=1)");
            return Ok(());
        }
        Self::delete_cluster().await
    }

    async fn sweep(&self) -> anyhow::Result<String> {
        if process::missing("kind", "").await.is_some() {
            return Ok("kind: not installed, no cluster to remove".to_owned());
        }
        if !Self::cluster_exists().await? {
            return Ok(format!("kind: no cluster named {CLUSTER_NAME}"));
        }
        Self::delete_cluster().await?;
        Ok(format!("kind: deleted cluster {CLUSTER_NAME}"))
    }
}

/// A client for the cluster a kubeconfig file describes (its current context).
///
/// # Errors
/// The file cannot be read or does not describe a usable cluster.
pub async fn client_from_kubeconfig(path: &std::path::Path) -> anyhow::Result<kube::Client> {
    let kubeconfig = kube::config::Kubeconfig::read_from(path)
        .with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
    let options = kube::config::KubeConfigOptions::default();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await?;
    Ok(kube::Client::try_from(config)?)
}
