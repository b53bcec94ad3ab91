//! `doctor`: why does (or would) this pod fail to pull? Walks Pod → `ServiceAccount` →
//! `imagePullSecrets` → Secret → the key the kubelet uses per image → a live registry probe →
//! the pod's events, and names the cause in plain words with the fix.
//!
//! The judgements come from `regcred-core`: `lint` for references, types and key matching,
//! `matching` for the key per image, `explain` for the events; this module gathers the objects
//! and probes the registry.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodSpec, Secret, ServiceAccount};
use kube::Api;
use kube::api::ListParams;
use regcred_core::explain::Cause;
use serde::Serialize;
use serde_json::Value;

use crate::probe::{self, ProbeAuth, TlsOptions};
use crate::pullsecret::{self, PullSecret};
use crate::retry::{Backoff, with_backoff};
use crate::workloads::{self, WorkloadKind};

mod causes;

use crate::{Error, Result};
use causes::{
    anonymous_refusals, dedup_causes, drop_consequences, event_causes, lint_causes,
    missing_service_account, probe_causes, pull_secret_names, readable_secrets,
};

/// What to diagnose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A pod by name.
    Pod(String),
    /// A workload: its pods, or its template when it has none.
    Workload(WorkloadKind, String),
}

impl Target {
    /// Reads `NAME`, `pod/NAME` or `deployment/NAME` (also `statefulset/`, `daemonset/`, and
    /// kubectl's short names).
    ///
    /// # Errors
    /// [`Error::Invalid`] for another kind or an empty name.
    pub fn parse(text: &str) -> Result<Self> {
        let (kind, name) = text.split_once('/').unwrap_or(("pod", text));
        if name.is_empty() {
            return Err(Error::Invalid(format!(
                "'{text}' names nothing; write POD, pod/NAME or deployment/NAME"
            )));
        }
        if matches!(kind.to_ascii_lowercase().as_str(), "pod" | "pods" | "po") {
            return Ok(Self::Pod(name.to_owned()));
        }
        WorkloadKind::parse(kind)
            .map(|kind| Self::Workload(kind, name.to_owned()))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "kind '{kind}' in '{text}' is not supported; use pod/, deployment/, statefulset/ or daemonset/"
                ))
            })
    }
}

/// How to diagnose.
#[derive(Debug, Clone, Default)]
pub struct DoctorOptions {
    /// Trust for the registry probe.
    pub tls: TlsOptions,
    /// Skip the live registry probe.
    pub skip_probe: bool,
}

/// How one step of the walk went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Ok,
    /// Suspicious, or a step that could not be checked.
    Warn,
    /// Broken.
    Fail,
}

/// One step of the walk, for the trace a person reads.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// What was checked.
    pub check: String,
    /// How it went.
    pub status: Status,
    /// What was found.
    pub detail: String,
}

/// What the walk found for one image.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageCheck {
    /// The image.
    pub image: String,
    /// The keys the kubelet tries, as `secret/key`, in order; empty for an anonymous pull.
    pub keys: Vec<String>,
    /// The probes made, in order, until one could pull.
    pub probes: Vec<probe::Report>,
}

/// The diagnosis.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    /// The object diagnosed (`pod/x`, or `deployment/x` with the pod chosen).
    pub object: String,
    /// Its namespace.
    pub namespace: String,
    /// The walk, step by step.
    pub steps: Vec<Step>,
    /// Per image: keys and probes.
    pub images: Vec<ImageCheck>,
    /// The pod's events, oldest first, as `Type Reason: message`.
    pub events: Vec<String>,
    /// The causes, most fundamental first; empty when nothing is wrong.
    pub causes: Vec<Cause>,
}

impl Diagnosis {
    /// Whether a cause was found.
    pub fn has_causes(&self) -> bool {
        !self.causes.is_empty()
    }
}

/// What the walk reads from the cluster about the pod (or template).
struct Subject {
    object: String,
    kind: &'static str,
    manifest: Value,
    spec: PodSpec,
    pod_name: Option<String>,
    /// For a pod: whether the template of the workload that made it lists `imagePullSecrets`
    /// (`Some(false)`: the pod's list was copied from its `ServiceAccount` at admission);
    /// `None` for a bare pod or a template.
    template_lists: Option<bool>,
}

impl Subject {
    /// The namespace the object says it is in.
    fn namespace(&self) -> &str {
        self.manifest
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Walks from the target to its pods, Secrets, keys, a live probe and events, and explains.
///
/// # Errors
/// When the target cannot be read from the API server (missing, forbidden, unreachable).
pub async fn diagnose(
    client: &kube::Client,
    namespace: &str,
    target: &Target,
    options: &DoctorOptions,
) -> Result<Diagnosis> {
    let mut steps = Vec::new();
    let subject = subject(client, namespace, target, &mut steps).await?;
    let account_name = workloads::service_account_of(&subject.spec);
    let account = service_account(client, namespace, &account_name, &mut steps).await?;
    let mut causes: Vec<_> =
        missing_service_account(&subject, namespace, &account_name, account.as_ref())
            .into_iter()
            .collect();
    let names = pull_secret_names(&subject, account.as_ref(), &mut steps, &mut causes);

    let gathered = gather_secrets(client, namespace, &names, &mut steps).await?;
    causes.extend(lint_causes(&subject, account.as_ref(), &gathered, &names));
    let readable = readable_secrets(&gathered, namespace, &names, &mut steps, &mut causes);
    drop_consequences(&mut causes);

    // A probe's "no credentials sent" only restates a cause the walk already found.
    let structural = !causes.is_empty();
    // A pod whose images were all pulled shows that the node reaches and trusts the registry:
    // a probe from this machine that fails says something about this machine only.
    let pulled = all_images_pulled(&subject.manifest);
    let mut images = Vec::new();
    for image in workloads::images(&subject.spec) {
        let check = check_image(&image, &readable, options, &mut steps).await;
        let found = probe_causes(&check);
        if pulled && !found.is_empty() {
            step(
                &mut steps,
                format!("probe {image}"),
                Status::Warn,
                "failed from this machine, but the node pulled the image: not a cause (pass --ca-file or check this machine's access to the registry)",
            );
        } else {
            causes.extend(
                found
                    .into_iter()
                    .filter(|c| !(structural && c.code == "no-credentials-sent")),
            );
        }
        images.push(check);
    }

    let events = match &subject.pod_name {
        Some(pod) => pod_events(client, namespace, pod).await?,
        None => Vec::new(),
    };
    let probed = images.iter().any(|i| !i.probes.is_empty());
    let anonymous = images.iter().all(|i| i.keys.is_empty());
    let mut from_events = event_causes(&events, &causes, probed);
    anonymous_refusals(&mut from_events, anonymous, structural);
    causes.extend(from_events);
    dedup_causes(&mut causes);
    Ok(Diagnosis {
        object: subject.object,
        namespace: namespace.to_owned(),
        steps,
        images,
        events,
        causes,
    })
}

fn step(
    steps: &mut Vec<Step>,
    check: impl Into<String>,
    status: Status,
    detail: impl Into<String>,
) {
    steps.push(Step {
        check: check.into(),
        status,
        detail: detail.into(),
    });
}

async fn subject(
    client: &kube::Client,
    namespace: &str,
    target: &Target,
    steps: &mut Vec<Step>,
) -> Result<Subject> {
    match target {
        Target::Pod(name) => {
            let pod = get_required::<Pod>(client, namespace, "pod", name).await?;
            step(steps, format!("pod/{name}"), Status::Ok, pod_state(&pod));
            Ok(pod_subject(client, namespace, pod, format!("pod/{name}")).await?)
        }
        Target::Workload(kind, name) => {
            workload_subject(client, namespace, *kind, name, steps).await
        }
    }
}

async fn pod_subject(
    client: &kube::Client,
    namespace: &str,
    pod: Pod,
    object: String,
) -> Result<Subject> {
    let manifest = serde_json::to_value(&pod).unwrap_or(Value::Null);
    let owners = pod.metadata.owner_references.as_deref();
    // Boxed: reading the owner's whole object makes a large future.
    let owner = Box::pin(workloads::owner_workload(client, namespace, owners)).await?;
    Ok(Subject {
        object,
        kind: "Pod",
        manifest,
        pod_name: pod.metadata.name.clone(),
        spec: pod.spec.unwrap_or_default(),
        template_lists: owner.map(|(_, lists)| lists),
    })
}

/// Whether `manifest` is a pod each of whose containers has an image pulled (an image ID) and
/// none waits on a pull.
fn all_images_pulled(manifest: &Value) -> bool {
    let statuses = ["initContainerStatuses", "containerStatuses"]
        .iter()
        .filter_map(|key| manifest.pointer(&format!("/status/{key}"))?.as_array())
        .flatten()
        .collect::<Vec<_>>();
    !statuses.is_empty()
        && statuses.iter().all(|status| {
            let waiting = status
                .pointer("/state/waiting/reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let has_image = status
                .get("imageID")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.is_empty());
            has_image && !waiting.contains("Image")
        })
}

/// The pod's phase and any container waiting on a pull.
fn pod_state(pod: &Pod) -> String {
    let status = pod.status.as_ref();
    let phase = status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Unknown".into());
    let waiting: Vec<String> = status
        .into_iter()
        .flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        })
        .filter_map(|c| {
            let waiting = c.state.as_ref()?.waiting.as_ref()?;
            Some(format!(
                "{} waiting: {}",
                c.name,
                waiting.reason.clone().unwrap_or_default()
            ))
        })
        .collect();
    if waiting.is_empty() {
        format!("phase {phase}")
    } else {
        format!("phase {phase}; {}", waiting.join(", "))
    }
}

async fn get_required<K>(
    client: &kube::Client,
    namespace: &str,
    kind: &str,
    name: &str,
) -> Result<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    workloads::read_opt(client, namespace, name)
        .await?
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{kind} '{name}' does not exist in namespace '{namespace}'; check with `kubectl get {kind} -n {namespace}` or pass -n"
            ))
        })
}

async fn workload_subject(
    client: &kube::Client,
    namespace: &str,
    kind: WorkloadKind,
    name: &str,
    steps: &mut Vec<Step>,
) -> Result<Subject> {
    let resource = kind.resource();
    let (manifest, template, selector) = match kind {
        WorkloadKind::Deployment => {
            let d: Deployment = get_required(client, namespace, resource, name).await?;
            let spec = d.spec.clone().unwrap_or_default();
            (serde_json::to_value(&d), spec.template, spec.selector)
        }
        WorkloadKind::StatefulSet => {
            let s: StatefulSet = get_required(client, namespace, resource, name).await?;
            let spec = s.spec.clone().unwrap_or_default();
            (serde_json::to_value(&s), spec.template, spec.selector)
        }
        WorkloadKind::DaemonSet => {
            let s: DaemonSet = get_required(client, namespace, resource, name).await?;
            let spec = s.spec.clone().unwrap_or_default();
            (serde_json::to_value(&s), spec.template, spec.selector)
        }
    };
    let object = format!("{resource}/{name}");
    let labels = selector.match_labels.unwrap_or_default();
    if let Some(pod) = pick_pod(client, namespace, &labels).await? {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        step(
            steps,
            object.clone(),
            Status::Ok,
            format!("diagnosing its pod {pod_name} ({})", pod_state(&pod)),
        );
        return pod_subject(client, namespace, pod, format!("{object} (pod/{pod_name})")).await;
    }
    step(
        steps,
        object.clone(),
        Status::Warn,
        "no pods: checking the pod template only, without events",
    );
    Ok(Subject {
        object,
        kind: match kind {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        },
        manifest: manifest.unwrap_or(Value::Null),
        spec: template.spec.unwrap_or_default(),
        pod_name: None,
        template_lists: None,
    })
}

/// The workload's pod most worth diagnosing: one waiting on a pull, else the newest.
async fn pick_pod(
    client: &kube::Client,
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> Result<Option<Pod>> {
    if labels.is_empty() {
        return Ok(None);
    }
    let selector: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let params = ListParams::default().labels(&selector.join(","));
    let mut pods = with_backoff(Backoff::default(), || api.list(&params))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot list pods in namespace '{namespace}'"),
                source,
            )
        })?
        .items;
    pods.sort_by_key(|p| std::cmp::Reverse(p.metadata.creation_timestamp.clone().map(|t| t.0)));
    let waiting_on_pull = pods
        .iter()
        .position(|p| pod_state(p).contains("Image") || pod_state(p).contains("ErrImage"));
    Ok(match waiting_on_pull {
        Some(index) => Some(pods.swap_remove(index)),
        None => pods.into_iter().next(),
    })
}

async fn service_account(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    steps: &mut Vec<Step>,
) -> Result<Option<ServiceAccount>> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let found = with_backoff(Backoff::default(), || api.get_opt(name))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot read ServiceAccount '{name}' in namespace '{namespace}'"),
                source,
            )
        })?;
    match &found {
        Some(account) => {
            let listed = workloads_pull_list(account);
            let detail = if listed.is_empty() {
                "lists no imagePullSecrets".to_owned()
            } else {
                format!("lists imagePullSecrets: {}", listed.join(", "))
            };
            step(steps, format!("serviceaccount/{name}"), Status::Ok, detail);
        }
        None => step(
            steps,
            format!("serviceaccount/{name}"),
            Status::Fail,
            "does not exist: pods using it are not created",
        ),
    }
    Ok(found)
}

fn workloads_pull_list(account: &ServiceAccount) -> Vec<String> {
    account
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|r| r.name.clone())
        .collect()
}

/// Pull Secrets in the namespace, and Secrets of the referenced names elsewhere.
struct Gathered {
    in_namespace: Vec<Secret>,
    elsewhere: Vec<Secret>,
}

async fn gather_secrets(
    client: &kube::Client,
    namespace: &str,
    names: &[String],
    steps: &mut Vec<Step>,
) -> Result<Gathered> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let mut in_namespace = Vec::new();
    for name in names {
        if let Some(secret) = with_backoff(Backoff::default(), || api.get_opt(name))
            .await
            .map_err(|source| {
                Error::api(
                    format!("cannot read Secret '{name}' in namespace '{namespace}'"),
                    source,
                )
            })?
        {
            in_namespace.push(secret);
        }
    }
    // Other pull Secrets here show a Secret that exists but is not referenced.
    for secret_type in ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"] {
        let params = ListParams::default().fields(&format!("type={secret_type}"));
        match with_backoff(Backoff::default(), || api.list(&params)).await {
            Ok(list) => {
                in_namespace.extend(list.items.into_iter().filter(|s| {
                    !names.contains(s.metadata.name.as_ref().unwrap_or(&String::new()))
                }));
            }
            Err(error) => step(
                steps,
                format!("pull secrets in {namespace}"),
                Status::Warn,
                format!("cannot list them ({error}); unreferenced Secrets are not checked"),
            ),
        }
    }
    let mut elsewhere = Vec::new();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            !in_namespace
                .iter()
                .any(|s| s.metadata.name.as_ref() == Some(n))
        })
        .collect();
    for name in missing {
        let all: Api<Secret> = Api::all(client.clone());
        let params = ListParams::default().fields(&format!("metadata.name={name}"));
        match with_backoff(Backoff::default(), || all.list_metadata(&params)).await {
            Ok(list) => elsewhere.extend(list.items.into_iter().map(|m| Secret {
                metadata: m.metadata,
                ..Secret::default()
            })),
            Err(error) => step(
                steps,
                format!("secret/{name} elsewhere"),
                Status::Warn,
                format!("cannot search other namespaces ({error})"),
            ),
        }
    }
    Ok(Gathered {
        in_namespace,
        elsewhere,
    })
}

async fn check_image(
    image: &str,
    secrets: &[PullSecret],
    options: &DoctorOptions,
    steps: &mut Vec<Step>,
) -> ImageCheck {
    let mut check = ImageCheck {
        image: image.to_owned(),
        keys: Vec::new(),
        probes: Vec::new(),
    };
    let Ok(matched) = pullsecret::credentials_for(image, secrets) else {
        step(
            steps,
            format!("image {image}"),
            Status::Fail,
            "does not parse as an image reference",
        );
        return check;
    };
    check.keys = matched
        .iter()
        .map(|(m, _)| format!("{}/{}", m.secret, m.key))
        .collect();
    let detail = if check.keys.is_empty() {
        "no key matches: the kubelet pulls anonymously".to_owned()
    } else {
        format!("the kubelet tries {}", check.keys.join(", "))
    };
    step(
        steps,
        format!("image {image}"),
        if check.keys.is_empty() && !secrets.is_empty() {
            Status::Warn
        } else {
            Status::Ok
        },
        detail,
    );
    if options.skip_probe {
        return check;
    }
    let mut auths: Vec<ProbeAuth> = matched
        .into_iter()
        .filter_map(|(_, credentials)| credentials.ok())
        .map(|c| ProbeAuth::Basic {
            username: c.username,
            password: c.password,
        })
        .collect();
    if auths.is_empty() {
        auths.push(ProbeAuth::Anonymous);
    }
    for auth in auths {
        match probe::probe(image, &auth, &options.tls).await {
            Ok(report) => {
                let pullable = report.outcome.is_pullable();
                step(
                    steps,
                    format!("registry {}", report.registry),
                    if pullable { Status::Ok } else { Status::Fail },
                    if pullable {
                        report.summary()
                    } else {
                        format!("{} ({})", report.summary(), report.outcome.detail())
                    },
                );
                check.probes.push(report);
                if pullable {
                    break;
                }
            }
            Err(error) => {
                step(
                    steps,
                    format!("registry probe for {image}"),
                    Status::Warn,
                    error.to_string(),
                );
                break;
            }
        }
    }
    check
}

async fn pod_events(client: &kube::Client, namespace: &str, pod: &str) -> Result<Vec<String>> {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let params = ListParams::default().fields(&format!(
        "involvedObject.kind=Pod,involvedObject.name={pod}"
    ));
    let mut events = with_backoff(Backoff::default(), || api.list(&params))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot list events of pod '{pod}' in namespace '{namespace}'"),
                source,
            )
        })?
        .items;
    events.sort_by_key(|e| {
        e.last_timestamp
            .clone()
            .or_else(|| e.first_timestamp.clone())
            .map(|t| t.0)
    });
    Ok(events
        .into_iter()
        .map(|e| {
            format!(
                "{} {}: {}",
                e.type_.unwrap_or_default(),
                e.reason.unwrap_or_default(),
                e.message.unwrap_or_default()
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_like_kubectl() {
        assert_eq!(Target::parse("web-1").unwrap(), Target::Pod("web-1".into()));
        assert_eq!(
            Target::parse("pod/web-1").unwrap(),
            Target::Pod("web-1".into())
        );
        assert_eq!(
            Target::parse("deploy/web").unwrap(),
            Target::Workload(WorkloadKind::Deployment, "web".into())
        );
        assert!(
            Target::parse("job/x")
                .unwrap_err()
                .to_string()
                .contains("'job'")
        );
        assert!(Target::parse("pod/").is_err());
    }
}
