//! `existing`: whatever cluster the current kubeconfig points at, used as it is. The nodes must
//! be able to reach the registry; where they run on this host, `REGCRED_E2E_CERTS_D` lets the run
//! install the CA into their containerd's `certs.d`.

use std::path::PathBuf;

use anyhow::Context as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ListParams};

use super::{ClusterBackend, ClusterEnv, RegistryNeeds, containerd_hosts_toml};
use crate::registry::Registry;
use crate::run::{LABEL, Run, Settings, var};

/// The existing-cluster backend.
#[derive(Debug, Default)]
pub struct Existing {
    /// `REGCRED_E2E_REGISTRY_HOST`: the registry as nodes dial it (default `127.0.0.1:<port>`,
    /// right for nodes on this host).
    registry_host: Option<String>,
    /// `REGCRED_E2E_CERTS_D`: a containerd `certs.d` directory on this host to install the CA in.
    certs_d: Option<PathBuf>,
    /// `REGCRED_E2E_REGISTRY_NETWORK`: a Docker network the registry joins.
    network: Option<String>,
}

impl Existing {
    /// Reads the optional `REGCRED_E2E_*` settings of this backend.
    pub fn from_env() -> Self {
        Self {
            registry_host: var("REGCRED_E2E_REGISTRY_HOST"),
            certs_d: var("REGCRED_E2E_CERTS_D").map(PathBuf::from),
            network: var("REGCRED_E2E_REGISTRY_NETWORK"),
        }
    }

    fn install_ca(&self, host: &str, ca_pem: &str) -> anyhow::Result<()> {
        let Some(certs_d) = &self.certs_d else {
            tracing::warn!(
                %host,
                "REGCRED_E2E_CERTS_D is unset: the nodes must already trust this run's CA for the registry"
            );
            return Ok(());
        };
        let dir = certs_d.join(host);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let ca_path = dir.join("ca.crt");
        std::fs::write(&ca_path, ca_pem)?;
        let hosts = containerd_hosts_toml(host, &ca_path.to_string_lossy());
        std::fs::write(dir.join("hosts.toml"), hosts)?;
        Ok(())
    }
}

impl ClusterBackend for Existing {
    async fn unavailable(&self, _settings: &Settings) -> Option<String> {
        match kube::Config::infer().await {
            Ok(_) => None,
            Err(error) => Some(format!(
                "no usable kubeconfig or in-cluster config ({error})"
            )),
        }
    }

    async fn up(&mut self, _run: &Run, _settings: &Settings) -> anyhow::Result<RegistryNeeds> {
        let dns_names = self
            .registry_host
            .as_deref()
            .map(host_name)
            .filter(|name| name.parse::<std::net::IpAddr>().is_err())
            .map(str::to_owned)
            .into_iter()
            .collect();
        Ok(RegistryNeeds {
            network: self.network.clone(),
            dns_names,
        })
    }

    async fn connect(&mut self, _run: &Run, registry: &Registry) -> anyhow::Result<ClusterEnv> {
        let host = self
            .registry_host
            .clone()
            .unwrap_or_else(|| registry.endpoint());
        self.install_ca(&host, registry.ca_pem())?;
        let client = kube::Client::try_default().await?;
        Ok(ClusterEnv {
            client,
            registry_host: host,
        })
    }

    async fn down(&mut self, _settings: &Settings) -> anyhow::Result<()> {
        Ok(())
    }

    async fn sweep(&self) -> anyhow::Result<String> {
        let client = kube::Client::try_default().await?;
        let namespaces: Api<Namespace> = Api::all(client);
        let labelled = ListParams::default().labels(&format!("{LABEL}=1"));
        let found = namespaces.list(&labelled).await?;
        for namespace in &found {
            let name = namespace.metadata.name.as_deref().unwrap_or_default();
            namespaces.delete(name, &DeleteParams::default()).await?;
        }
        Ok(format!(
            "existing: deleted {} labelled namespaces",
            found.items.len()
        ))
    }
}

/// The host part of `host:port` (or of a bare host).
fn host_name(host: &str) -> &str {
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}
