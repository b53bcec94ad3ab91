//! `doctor`: why does (or would) this pod fail to pull? Walks Pod → `ServiceAccount` →
//! `imagePullSecrets` → Secret → the key the kubelet uses per image → a live registry probe →
//! the pod's events, and names the cause in plain words with the fix.
//!
//! The judgements come from `regcred-core`: `lint` for references, types and key matching,
//! `matching` for the key per image, `explain` for the events; this module gathers the objects
//! and probes the registry.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodSpec, Secret, ServiceAccount};
use kube::Api;
use kube::api::ListParams;
use regcred_core::Finding;
use regcred_core::explain::{self, Cause};
use regcred_core::lint;
use serde::Serialize;
use serde_json::{Value, json};

use crate::probe::{self, ProbeAuth, TlsOptions};
use crate::pullsecret::{self, PullSecret};
use crate::retry::{Backoff, with_backoff};
use crate::workloads::{self, WorkloadKind};
use crate::{Error, Result, is_not_found};

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
}

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
    let mut causes = Vec::new();
    let names = pull_secret_names(&subject, account.as_ref(), &mut steps, &mut causes);

    let gathered = gather_secrets(client, namespace, &names, &mut steps).await?;
    causes.extend(lint_causes(&subject, account.as_ref(), &gathered, &names));
    let readable = readable_secrets(&gathered, namespace, &names, &mut steps, &mut causes);

    // A probe's "no credentials sent" only restates a cause the walk already found.
    let structural = !causes.is_empty();
    let mut images = Vec::new();
    for image in workloads::images(&subject.spec) {
        let check = check_image(&image, &readable, options, &mut steps).await;
        let found = probe_causes(&check);
        causes.extend(
            found
                .into_iter()
                .filter(|c| !(structural && c.code == "no-credentials-sent")),
        );
        images.push(check);
    }

    let events = match &subject.pod_name {
        Some(pod) => pod_events(client, namespace, pod).await?,
        None => Vec::new(),
    };
    let probed = images.iter().any(|i| !i.probes.is_empty());
    causes.extend(event_causes(&events, &causes, probed));
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
            Ok(pod_subject(pod, format!("pod/{name}")))
        }
        Target::Workload(kind, name) => {
            workload_subject(client, namespace, *kind, name, steps).await
        }
    }
}

fn pod_subject(pod: Pod, object: String) -> Subject {
    let manifest = serde_json::to_value(&pod).unwrap_or(Value::Null);
    Subject {
        object,
        kind: "Pod",
        manifest,
        pod_name: pod.metadata.name.clone(),
        spec: pod.spec.unwrap_or_default(),
    }
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
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    match with_backoff(Backoff::default(), || api.get(name)).await {
        Ok(object) => Ok(object),
        Err(error) if is_not_found(&error) => Err(Error::Invalid(format!(
            "{kind} '{name}' does not exist in namespace '{namespace}'; check with `kubectl get {kind} -n {namespace}` or pass -n"
        ))),
        Err(source) => Err(Error::api(
            format!("cannot read {kind} '{name}' in namespace '{namespace}'"),
            source,
        )),
    }
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
        return Ok(pod_subject(pod, format!("{object} (pod/{pod_name})")));
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

/// The Secret names the kubelet reads, and the pod-older-than-its-ServiceAccount cause.
fn pull_secret_names(
    subject: &Subject,
    account: Option<&ServiceAccount>,
    steps: &mut Vec<Step>,
    causes: &mut Vec<Cause>,
) -> Vec<String> {
    let own = workloads::names(&subject.spec);
    let from_account = account.map(workloads_pull_list).unwrap_or_default();
    let is_pod = subject.kind == "Pod";
    if !own.is_empty() {
        step(
            steps,
            "imagePullSecrets",
            Status::Ok,
            format!(
                "{}: {}",
                if is_pod {
                    "the pod lists"
                } else {
                    "the template lists"
                },
                own.join(", ")
            ),
        );
        return own;
    }
    if is_pod && !from_account.is_empty() {
        step(
            steps,
            "imagePullSecrets",
            Status::Fail,
            format!(
                "the pod lists none, but its ServiceAccount now lists {}",
                from_account.join(", ")
            ),
        );
        causes.push(Cause {
            code: "pod-predates-service-account",
            title: "The pod is older than its ServiceAccount's pull secrets".into(),
            detail: format!("Admission copies a ServiceAccount's imagePullSecrets into a pod only when the pod is created, and only if it lists none. This pod was created before {} was added, so the kubelet pulls without it.", from_account.join(", ")),
            fix: "Recreate the pod: `kubectl rollout restart` its workload, or `regcred link-sa --restart`.".into(),
            evidence: None,
        });
        return Vec::new();
    }
    if from_account.is_empty() {
        step(
            steps,
            "imagePullSecrets",
            Status::Warn,
            "neither the pod nor its ServiceAccount lists a pull secret: pulls are anonymous",
        );
    } else {
        step(
            steps,
            "imagePullSecrets",
            Status::Ok,
            format!("from the ServiceAccount: {}", from_account.join(", ")),
        );
    }
    from_account
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
                }))
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

/// Runs core `lint` over the live objects and keeps what concerns this pod and its Secrets.
fn lint_causes(
    subject: &Subject,
    account: Option<&ServiceAccount>,
    gathered: &Gathered,
    names: &[String],
) -> Vec<Cause> {
    let mut items = vec![subject.manifest.clone()];
    // A pod's list was fixed at admission: its ServiceAccount's list no longer applies to it.
    let account = account.map(|a| ServiceAccount {
        image_pull_secrets: if subject.kind == "Pod" {
            None
        } else {
            a.image_pull_secrets.clone()
        },
        ..a.clone()
    });
    items.extend(account.and_then(|a| serde_json::to_value(a).ok()));
    items.extend(
        gathered
            .in_namespace
            .iter()
            .filter_map(|s| serde_json::to_value(s).ok()),
    );
    // Copies elsewhere are known by metadata only: typed as pull Secrets so lint places them.
    items.extend(gathered.elsewhere.iter().map(|s| {
        json!({
            "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": { "name": s.metadata.name, "namespace": s.metadata.namespace },
            "data": { ".dockerconfigjson": "e30=" },
        })
    }));
    let text = json!({ "apiVersion": "v1", "kind": "List", "items": items }).to_string();
    let Ok(findings) = lint::lint(&text) else {
        return Vec::new();
    };
    let namespace = subject
        .manifest
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let referenced: BTreeSet<String> = names
        .iter()
        .map(|n| format!("Secret/{namespace}/{n}"))
        .collect();
    findings
        .into_iter()
        .filter(|f| f.is_error() || f.code == "image-not-covered")
        .filter(|f| {
            f.object
                .as_ref()
                .is_none_or(|o| o.starts_with(subject.kind) || referenced.contains(o))
        })
        .map(|f| cause_of_finding(&f, names.is_empty()))
        .collect()
}

fn cause_of_finding(finding: &Finding, none_referenced: bool) -> Cause {
    let (code, title) = match finding.code {
        "secret-wrong-namespace" => (
            "secret-wrong-namespace",
            "The pull secret is in another namespace",
        ),
        "secret-wrong-type" => ("secret-wrong-type", "The pull secret has the wrong type"),
        "image-not-covered" if none_referenced => (
            "secret-not-referenced",
            "A pull secret for this registry exists but is not referenced",
        ),
        "image-not-covered" => (
            "image-not-covered",
            "No key of the pull secrets matches the image's registry (wrong endpoint)",
        ),
        other => (other, "The pull secret will not work for this image"),
    };
    Cause {
        code,
        title: title.to_owned(),
        detail: finding.message.clone(),
        fix: finding.fix.clone().unwrap_or_default(),
        evidence: finding.object.clone(),
    }
}

/// The referenced Secrets that parse; a step for each, and a cause for each that does not.
fn readable_secrets(
    gathered: &Gathered,
    namespace: &str,
    names: &[String],
    steps: &mut Vec<Step>,
    causes: &mut Vec<Cause>,
) -> Vec<PullSecret> {
    let mut readable = Vec::new();
    for name in names {
        let Some(secret) = gathered
            .in_namespace
            .iter()
            .find(|s| s.metadata.name.as_ref() == Some(name))
        else {
            causes.extend(missing_secret(gathered, namespace, name, steps));
            continue;
        };
        match pullsecret::config_of(secret) {
            Ok(config) => {
                let detail = format!(
                    "type {}, keys: {}",
                    secret.type_.as_deref().unwrap_or("Opaque"),
                    config.keys().join(", ")
                );
                step(steps, format!("secret/{name}"), Status::Ok, detail);
                readable.push(PullSecret {
                    name: name.clone(),
                    config,
                });
            }
            Err(error) => {
                step(
                    steps,
                    format!("secret/{name}"),
                    Status::Fail,
                    error.to_string(),
                );
                if matches!(
                    error,
                    pullsecret::Error::Unparsable { .. } | pullsecret::Error::MissingKey { .. }
                ) {
                    causes.push(Cause {
                        code: "secret-unparsable",
                        title: "A pull secret cannot be read".into(),
                        detail: format!("{error}; the kubelet fails every pull of the pod that uses it"),
                        fix: "Regenerate it with `regcred apply` (encodes once, never wraps), or check it with `regcred inspect`.".into(),
                        evidence: None,
                    });
                }
            }
        }
    }
    readable
}

/// The step for a referenced Secret absent from the namespace, and the cause when it exists
/// nowhere (lint names the wrong-namespace case).
fn missing_secret(
    gathered: &Gathered,
    namespace: &str,
    name: &str,
    steps: &mut Vec<Step>,
) -> Option<Cause> {
    let elsewhere: Vec<&str> = gathered
        .elsewhere
        .iter()
        .filter(|s| s.metadata.name.as_deref() == Some(name))
        .filter_map(|s| s.metadata.namespace.as_deref())
        .collect();
    if !elsewhere.is_empty() {
        let detail = format!("not in this namespace; found in: {}", elsewhere.join(", "));
        step(steps, format!("secret/{name}"), Status::Fail, detail);
        return None;
    }
    step(
        steps,
        format!("secret/{name}"),
        Status::Fail,
        "does not exist in this namespace, nor in any other",
    );
    Some(Cause {
        code: "secret-not-found",
        title: "A referenced pull secret does not exist".into(),
        detail: format!(
            "pull secret '{name}' does not exist in namespace '{namespace}': the kubelet reports FailedToRetrieveImagePullSecret and pulls without it"
        ),
        fix: format!(
            "create it there: `regcred apply {name} -n {namespace} --server ... --username ...`"
        ),
        evidence: None,
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

fn probe_causes(check: &ImageCheck) -> Vec<Cause> {
    if check.probes.iter().any(|p| p.outcome.is_pullable()) {
        return Vec::new();
    }
    check
        .probes
        .last()
        .map(|report| {
            let summary = report.summary();
            let (title, fix) = summary.split_once("; fix: ").unwrap_or((&summary, ""));
            Cause {
                code: report.outcome.code(),
                title: title.to_owned(),
                detail: format!(
                    "A live probe of {} for {} answered: {}",
                    report.registry,
                    report.image,
                    report.outcome.detail()
                ),
                fix: fix.to_owned(),
                evidence: None,
            }
        })
        .into_iter()
        .collect()
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

/// Causes from the events (through core `explain`) that the walk did not already name. After a
/// live probe, the registry's answers come from the probe (events may be older than a fix);
/// TLS and reachability stay, since nodes may trust or reach the registry differently.
fn event_causes(events: &[String], found: &[Cause], probed: bool) -> Vec<Cause> {
    const SETTLED_BY_PROBE: [&str; 4] = [
        "credentials-rejected",
        "no-credentials-sent",
        "access-denied",
        "image-not-found",
    ];
    if events.is_empty() {
        return Vec::new();
    }
    let explanation = explain::explain(&events.join("\n"));
    if !explanation.recognized {
        return Vec::new();
    }
    let known: BTreeSet<&str> = found.iter().map(|c| c.code).collect();
    explanation
        .causes
        .into_iter()
        .filter(|c| !known.contains(c.code))
        .filter(|c| !(probed && SETTLED_BY_PROBE.contains(&c.code)))
        .collect()
}

fn dedup_causes(causes: &mut Vec<Cause>) {
    let mut seen = BTreeSet::new();
    causes.retain(|c| seen.insert((c.code, c.detail.clone())));
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

    #[test]
    fn events_add_only_causes_the_walk_did_not_name() {
        let events = vec!["Warning Failed: Failed to pull image \"r.example.com/a:1\": failed to resolve reference: unexpected status from HEAD request: 401 Unauthorized".to_owned()];
        let from_events = event_causes(&events, &[], false);
        assert!(
            from_events.iter().any(|c| c.code == "credentials-rejected"),
            "{from_events:?}"
        );
        let already = vec![from_events[0].clone()];
        assert!(
            event_causes(&events, &already, false)
                .iter()
                .all(|c| c.code != from_events[0].code)
        );
        assert!(
            event_causes(&events, &[], true)
                .iter()
                .all(|c| c.code != "credentials-rejected")
        );
    }
}
