//! `kubectl rollout restart`: a new pod-template annotation makes the controller roll the pods.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use crate::retry::{Backoff, with_backoff};
use crate::workloads::{WorkloadKind, WorkloadRef};
use crate::{Error, Result};

/// The annotation kubectl sets, so either tool's restarts read the same in `kubectl describe`.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The merge patch that restarts a workload at `at`.
pub fn restart_patch(at: Timestamp) -> serde_json::Value {
    json!({ "spec": { "template": { "metadata": { "annotations": { RESTARTED_AT: at.to_string() } } } } })
}

/// Restarts `workload` the way `kubectl rollout restart` does.
///
/// # Errors
/// [`Error::Api`] when the patch fails.
pub async fn restart(client: &kube::Client, workload: &WorkloadRef, at: Timestamp) -> Result<()> {
    let body = restart_patch(at);
    let patch = Patch::Merge(&body);
    let params = PatchParams::default();
    let ns = workload.namespace.as_str();
    let name = workload.name.as_str();
    let sent = match workload.kind {
        WorkloadKind::Deployment => {
            let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
            with_backoff(Backoff::default(), || api.patch(name, &params, &patch))
                .await
                .map(drop)
        }
        WorkloadKind::StatefulSet => {
            let api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
            with_backoff(Backoff::default(), || api.patch(name, &params, &patch))
                .await
                .map(drop)
        }
        WorkloadKind::DaemonSet => {
            let api: Api<DaemonSet> = Api::namespaced(client.clone(), ns);
            with_backoff(Backoff::default(), || api.patch(name, &params, &patch))
                .await
                .map(drop)
        }
    };
    sent.map_err(|source| Error::api(format!("cannot restart {workload}"), source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_sets_the_template_annotation_kubectl_uses() {
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let patch = restart_patch(at);
        assert_eq!(
            patch["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT],
            "2023-11-14T22:13:20Z"
        );
    }
}
