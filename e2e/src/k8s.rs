//! Kubernetes steps the cluster scenarios share: labelled namespaces, objects created once,
//! pod states, events, and waits that always end.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use k8s_openapi::api::core::v1::{Event, Namespace, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, PostParams};

use crate::run::{LABEL, RUN_LABEL};

/// What one probe of a wait saw.
pub enum Progress<T> {
    /// The condition holds.
    Done(T),
    /// Not yet; what was seen, for the timeout message.
    Waiting(String),
}

/// Polls `probe` every second until it reports done, for at most `limit`.
///
/// # Errors
/// The limit passed (the message says what was awaited and the last state seen), or a probe
/// failed.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Progress<T>>>,
{
    let started = Instant::now();
    loop {
        let seen = match probe().await? {
            Progress::Done(value) => return Ok(value),
            Progress::Waiting(seen) => seen,
        };
        if started.elapsed() >= limit {
            bail!(
                "timed out after {}s waiting for {what}; last seen: {seen}",
                limit.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Creates an object; one that already exists is fine (a re-run of the same step).
///
/// # Errors
/// The API refused for another reason.
pub async fn create<K>(api: &Api<K>, object: &K) -> anyhow::Result<()>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    match api.create(&PostParams::default(), object).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.is_already_exists() => Ok(()),
        Err(error) => Err(error).with_context(|| {
            format!(
                "cannot create {}",
                object.meta().name.as_deref().unwrap_or_default()
            )
        }),
    }
}

/// Creates a namespace carrying the run's labels.
///
/// # Errors
/// The API refused.
pub async fn create_namespace(
    client: &kube::Client,
    name: &str,
    labels: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(labels.clone()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    create(&Api::all(client.clone()), &namespace).await
}

/// Deletes the namespaces labelled `regcred-e2e=1`, of this run only when `run_id` is given;
/// returns how many.
///
/// # Errors
/// The API refused.
pub async fn delete_namespaces(
    client: &kube::Client,
    run_id: Option<&str>,
) -> anyhow::Result<usize> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let selector = match run_id {
        Some(id) => format!("{LABEL}=1,{RUN_LABEL}={id}"),
        None => format!("{LABEL}=1"),
    };
    let found = namespaces
        .list(&ListParams::default().labels(&selector))
        .await?;
    for namespace in &found {
        let name = namespace.metadata.name.as_deref().unwrap_or_default();
        match namespaces.delete(name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.is_not_found() => {}
            Err(error) => {
                return Err(error).with_context(|| format!("cannot delete namespace {name}"));
            }
        }
    }
    Ok(found.items.len())
}

/// The pods of `app` in `namespace`.
///
/// # Errors
/// The API refused.
pub async fn app_pods(
    client: &kube::Client,
    namespace: &str,
    app: &str,
) -> anyhow::Result<Vec<Pod>> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let list = pods
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await?;
    Ok(list.items)
}

/// Whether the pod's `Ready` condition is true.
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|status| status.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// The waiting reason of the pod's first container that waits on a pull (`ErrImagePull`,
/// `ImagePullBackOff`).
pub fn pull_waiting_reason(pod: &Pod) -> Option<String> {
    pod.status
        .as_ref()?
        .container_statuses
        .as_ref()?
        .iter()
        .filter_map(|status| status.state.as_ref()?.waiting.as_ref()?.reason.clone())
        .find(|reason| reason == "ErrImagePull" || reason == "ImagePullBackOff")
}

/// A short state of each pod for timeout messages: `name: phase/reason`.
pub fn describe_pods(pods: &[Pod]) -> String {
    if pods.is_empty() {
        return "no pods".to_owned();
    }
    pods.iter()
        .map(|pod| {
            let name = pod.metadata.name.as_deref().unwrap_or("?");
            let status = pod.status.as_ref();
            let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("?");
            let waiting = status
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|c| c.first())
                .and_then(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone());
            match waiting {
                Some(reason) => format!("{name}: {phase}/{reason}"),
                None => format!("{name}: {phase}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Events about pods in `namespace`.
///
/// # Errors
/// The API refused.
pub async fn pod_events(client: &kube::Client, namespace: &str) -> anyhow::Result<Vec<Event>> {
    let events: Api<Event> = Api::namespaced(client.clone(), namespace);
    let list = events
        .list(&ListParams::default().fields("involvedObject.kind=Pod"))
        .await?;
    Ok(list.items)
}

/// Events with `reason` about the pod named `pod`.
pub fn events_for<'a>(events: &'a [Event], pod: &str, reason: &str) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|event| event.involved_object.name.as_deref() == Some(pod))
        .filter(|event| event.reason.as_deref() == Some(reason))
        .collect()
}
