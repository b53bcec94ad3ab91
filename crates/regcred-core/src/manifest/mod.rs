//! Kubernetes objects for pull secrets: the Secret, workloads that use it, `ServiceAccount` changes.

mod bundle;
mod environments;
mod secret;
mod service_account;
mod workload;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Pod, Secret, ServiceAccount};
use serde::Serialize;

pub use bundle::{Attach, BundleSpec, ENVIRONMENT_LABEL, Generated, generate};
pub use environments::{BundleFile, check_environments, generate_environments};
pub use secret::{SecretFormat, SecretSpec, content_hash, secret, secrets};
pub use service_account::{
    JsonPatches, json_patches, kubectl_patch_commands, patch_service_account,
};
pub use workload::{
    WorkloadKind, WorkloadSpec, check as check_workload, default_workload_name, workload,
};

use crate::finding::Finding;

/// Result of this module's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why nothing was generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input failed validation; the finding names the value and the fix.
    #[error("{0}")]
    Invalid(Finding),
    /// The docker config could not be built.
    #[error(transparent)]
    DockerConfig(#[from] crate::dockerconfig::Error),
    /// The objects could not be written out.
    #[error(transparent)]
    Render(#[from] crate::yaml::Error),
}

/// Turns the first error-severity finding into [`Error::Invalid`].
pub(crate) fn refuse_errors(findings: Vec<Finding>) -> Result<Vec<Finding>> {
    match findings.iter().position(Finding::is_error) {
        Some(index) => Err(Error::Invalid(findings[index].clone())),
        None => Ok(findings),
    }
}

/// Any object this module produces, serialized as itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(
    clippy::large_enum_variant,
    reason = "built a handful at a time for output; boxing buys nothing"
)]
pub enum Manifest {
    /// A pull Secret.
    Secret(Secret),
    /// A `ServiceAccount`, patched.
    ServiceAccount(ServiceAccount),
    /// A Deployment.
    Deployment(Deployment),
    /// A `StatefulSet`.
    StatefulSet(StatefulSet),
    /// A `DaemonSet`.
    DaemonSet(DaemonSet),
    /// A Job.
    Job(Job),
    /// A `CronJob`.
    CronJob(CronJob),
    /// A Pod.
    Pod(Pod),
}
