//! Live work for regcred: pull Secrets into many namespaces, `ServiceAccount` links, rotation,
//! registry probes and pull diagnosis, over the user's own kubeconfig.
//!
//! Everything that decides (the Secret's bytes, the `ServiceAccount` append, which key the
//! kubelet uses, what an event means) comes from `regcred-core`; this crate only reads and
//! writes the cluster and talks to the registry.

pub mod apply;
pub mod connect;
pub mod doctor;
pub mod link;
pub mod probe;
pub mod pullsecret;
pub mod restart;
pub mod retry;
pub mod rotate;
pub mod workloads;

pub use connect::{Cluster, ClusterOptions};
pub use kube::{Api, Client};

/// The label on every Secret regcred applies, so `rotate` finds the copies it manages.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// The value of [`MANAGED_BY_LABEL`].
pub const MANAGED_BY_VALUE: &str = "regcred";

/// The field manager of regcred's server-side applies.
pub const FIELD_MANAGER: &str = "regcred";

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong talking to the cluster or building what to send.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig could not be read or used.
    #[error("cannot use the kubeconfig{}", path_note(.path.as_deref()))]
    Kubeconfig {
        /// The file given with `--kubeconfig`, if any.
        path: Option<std::path::PathBuf>,
        /// Why.
        #[source]
        source: kube::config::KubeconfigError,
    },
    /// The client could not be built from the configuration.
    #[error("cannot build a Kubernetes client")]
    Client(#[source] kube::Error),
    /// An API request failed. The message carries the server's words, not kube's debug dump,
    /// so the error is not chained.
    #[error("{what}: {}", api_detail(.error))]
    Api {
        /// The request, in words (`cannot apply Secret 'x' in namespace 'y'`).
        what: String,
        /// The API error.
        error: kube::Error,
    },
    /// The Secret could not be generated.
    #[error(transparent)]
    Manifest(#[from] regcred_core::manifest::Error),
    /// An input was refused before anything was sent.
    #[error("{0}")]
    Invalid(String),
}

fn path_note(path: Option<&std::path::Path>) -> String {
    path.map(|p| format!(" '{}'", p.display()))
        .unwrap_or_default()
}

impl Error {
    /// An [`Error::Api`] for `what`.
    pub(crate) fn api(what: impl Into<String>, source: kube::Error) -> Self {
        Self::Api {
            what: what.into(),
            error: source,
        }
    }

    /// The HTTP status of an API error, if the server answered.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Api {
                error: kube::Error::Api(status),
                ..
            } => Some(status.code),
            _ => None,
        }
    }
}

/// The server's message and code for an API error; the error's own text otherwise.
fn api_detail(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) if status.message.is_empty() => format!("HTTP {}", status.code),
        kube::Error::Api(status) => format!("{} (HTTP {})", status.message, status.code),
        kube::Error::Service(_) | kube::Error::HyperError(_) => format!(
            "the API server cannot be reached ({}); check that the cluster is running and that \
             --kubeconfig and --context name it",
            error_chain(error)
        ),
        other => error_chain(other),
    }
}

pub use regcred_core::error_chain;
