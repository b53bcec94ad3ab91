//! The cluster connection from a kubeconfig, with kubectl's `--kubeconfig` and `--context`.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::{Error, Result};

/// Where to find the cluster, as kubectl takes it.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// `--kubeconfig`; else `$KUBECONFIG`, else `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; else the current context.
    pub context: Option<String>,
    /// `-n`; else the context's namespace, else `default`.
    pub namespace: Option<String>,
}

/// A connected client and the namespace commands default to.
#[derive(Clone)]
pub struct Cluster {
    /// The client.
    pub client: Client,
    /// The namespace from `-n` or the context.
    pub namespace: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// Connects with the user's kubeconfig; no request is sent yet.
///
/// # Errors
/// [`Error::Kubeconfig`] when the file is missing, unreadable, or has no such context;
/// [`Error::Client`] when TLS or the auth plugin cannot be set up.
pub async fn connect(options: &ClusterOptions) -> Result<Cluster> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &options.kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path).map_err(|source| Error::Kubeconfig {
                path: Some(path.clone()),
                source,
            })?;
            Config::from_custom_kubeconfig(file, &kube_options).await
        }
        None => Config::from_kubeconfig(&kube_options).await,
    }
    .map_err(|source| match (&source, &options.context) {
        (kube::config::KubeconfigError::LoadContext(_), Some(context)) => Error::Invalid(format!(
            "context '{context}' is not in the kubeconfig; list its contexts with `kubectl config get-contexts`"
        )),
        _ => Error::Kubeconfig {
            path: options.kubeconfig.clone(),
            source,
        },
    })?;

    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let client = Client::try_from(config).map_err(Error::Client)?;
    Ok(Cluster { client, namespace })
}
