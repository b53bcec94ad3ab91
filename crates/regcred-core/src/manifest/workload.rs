//! Workloads that pull with the Secret: the registry guide's Deployment and its siblings.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, LocalObjectReference, Pod, PodSpec, PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

use super::{Manifest, Result, refuse_errors};
use crate::finding::Finding;
use crate::{reference, validate};

/// The kinds of workload regcred writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum WorkloadKind {
    /// apps/v1 Deployment (the registry guide's example).
    #[default]
    Deployment,
    /// apps/v1 `StatefulSet`.
    StatefulSet,
    /// apps/v1 `DaemonSet`.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// batch/v1 `CronJob`.
    CronJob,
    /// v1 Pod.
    Pod,
}

impl WorkloadKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Self; 6] = [
        Self::Deployment,
        Self::StatefulSet,
        Self::DaemonSet,
        Self::Job,
        Self::CronJob,
        Self::Pod,
    ];

    /// The `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deployment => "Deployment",
            Self::StatefulSet => "StatefulSet",
            Self::DaemonSet => "DaemonSet",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
            Self::Pod => "Pod",
        }
    }

    /// Parses a kind the way kubectl accepts it: any case, singular, or short name.
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "deployment" | "deploy" | "deployments" => Some(Self::Deployment),
            "statefulset" | "sts" | "statefulsets" => Some(Self::StatefulSet),
            "daemonset" | "ds" | "daemonsets" => Some(Self::DaemonSet),
            "job" | "jobs" => Some(Self::Job),
            "cronjob" | "cj" | "cronjobs" => Some(Self::CronJob),
            "pod" | "po" | "pods" => Some(Self::Pod),
            _ => None,
        }
    }
}

/// What a workload is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadSpec {
    /// The kind.
    #[serde(default)]
    pub kind: WorkloadKind,
    /// Object and container name.
    pub name: String,
    /// The namespace, if any.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The image, with an immutable tag.
    pub image: String,
    /// Replicas (Deployment, `StatefulSet`); 2 in the guide.
    #[serde(default)]
    pub replicas: Option<i32>,
    /// The container port, if any.
    #[serde(default)]
    pub port: Option<i32>,
    /// Pod labels; `app: <name>` when empty.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Secrets listed in the pod's `imagePullSecrets`.
    #[serde(default)]
    pub pull_secrets: Vec<String>,
    /// The `ServiceAccount` the pods run as, when not `default`.
    #[serde(default)]
    pub service_account: Option<String>,
    /// `imagePullPolicy` (`Always`, `IfNotPresent`, `Never`), when set.
    #[serde(default)]
    pub image_pull_policy: Option<String>,
    /// The `CronJob` schedule; hourly when unset.
    #[serde(default)]
    pub schedule: Option<String>,
}

/// The workload name used when none is given: the image's last path component without tag or
/// digest (`registry.example.com/team/my-app:v1` gives `my-app`). The CLI and the web page share it.
pub fn default_workload_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split(['@', ':']).next().unwrap_or(last).to_owned()
}

/// Checks every field of a workload spec.
pub fn check(spec: &WorkloadSpec) -> Vec<Finding> {
    // The name is also the container name and the `app` label value: a DNS-1123 label.
    let mut findings = validate::check_label_name("workloadName", &spec.name);
    if spec.name.len() > 52 && spec.kind == WorkloadKind::CronJob {
        findings.push(
            Finding::error("name-too-long", format!("CronJob name '{}' is longer than 52 characters; the API refuses it because Job names get a suffix", spec.name))
                .with_field("workloadName")
                .with_fix("shorten it to 52 characters at most"),
        );
    }
    if let Some(namespace) = &spec.namespace {
        findings.extend(validate::check_namespace(namespace));
    }
    findings.extend(reference::check_image(&spec.image));
    findings.extend(
        spec.pull_secrets
            .iter()
            .flat_map(|name| validate::check_name("secretName", name)),
    );
    if let Some(account) = &spec.service_account {
        findings.extend(validate::check_name("serviceAccount", account));
    }
    findings.extend(validate::check_labels("labels", &spec.labels));
    if let Some(schedule) = spec
        .schedule
        .as_deref()
        .filter(|_| spec.kind == WorkloadKind::CronJob)
    {
        findings.extend(validate::check_schedule(schedule));
    }
    findings.extend(number_findings(spec));
    findings
}

fn number_findings(spec: &WorkloadSpec) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(port) = spec.port.filter(|port| !(1..=65535).contains(port)) {
        findings.push(
            Finding::error(
                "port-invalid",
                format!("container port {port} is outside 1-65535"),
            )
            .with_field("port")
            .with_fix("use a port between 1 and 65535, e.g. 8080"),
        );
    }
    if let Some(replicas) = spec.replicas.filter(|replicas| *replicas < 0) {
        findings.push(
            Finding::error(
                "replicas-invalid",
                format!("replicas {replicas} is negative"),
            )
            .with_field("replicas")
            .with_fix("use 0 or more (the guide uses 2)"),
        );
    }
    if let Some(policy) = spec
        .image_pull_policy
        .as_deref()
        .filter(|p| !["Always", "IfNotPresent", "Never"].contains(p))
    {
        findings.push(
            Finding::error(
                "pull-policy-invalid",
                format!("imagePullPolicy '{policy}' is not Always, IfNotPresent or Never"),
            )
            .with_field("imagePullPolicy")
            .with_fix("use Always to make every start check the registry"),
        );
    }
    findings
}

/// The workload for `spec`.
///
/// # Errors
/// [`super::Error::Invalid`] with the first error finding of [`check`].
pub fn workload(spec: &WorkloadSpec) -> Result<Manifest> {
    refuse_errors(check(spec))?;

    let labels = pod_labels(spec);
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels.clone()),
            ..ObjectMeta::default()
        }),
        spec: Some(pod_spec(spec)),
    };
    let metadata = ObjectMeta {
        name: Some(spec.name.clone()),
        namespace: spec.namespace.clone(),
        labels: Some(labels.clone()),
        ..ObjectMeta::default()
    };
    let selector = LabelSelector {
        match_labels: Some(labels),
        ..LabelSelector::default()
    };
    Ok(match spec.kind {
        WorkloadKind::Deployment => Manifest::Deployment(Deployment {
            metadata,
            spec: Some(DeploymentSpec {
                replicas: Some(spec.replicas.unwrap_or(2)),
                selector,
                template,
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        }),
        WorkloadKind::StatefulSet => Manifest::StatefulSet(StatefulSet {
            metadata,
            spec: Some(StatefulSetSpec {
                replicas: Some(spec.replicas.unwrap_or(2)),
                selector,
                service_name: Some(spec.name.clone()),
                template,
                ..StatefulSetSpec::default()
            }),
            ..StatefulSet::default()
        }),
        WorkloadKind::DaemonSet => Manifest::DaemonSet(DaemonSet {
            metadata,
            spec: Some(DaemonSetSpec {
                selector,
                template,
                ..DaemonSetSpec::default()
            }),
            ..DaemonSet::default()
        }),
        WorkloadKind::Job => Manifest::Job(Job {
            metadata,
            spec: Some(job_spec(template)),
            ..Job::default()
        }),
        WorkloadKind::CronJob => Manifest::CronJob(CronJob {
            metadata,
            spec: Some(CronJobSpec {
                schedule: spec
                    .schedule
                    .clone()
                    .unwrap_or_else(|| "0 * * * *".to_owned()),
                job_template: JobTemplateSpec {
                    metadata: None,
                    spec: Some(job_spec(template)),
                },
                ..CronJobSpec::default()
            }),
            ..CronJob::default()
        }),
        WorkloadKind::Pod => Manifest::Pod(Pod {
            metadata,
            spec: template.spec,
            ..Pod::default()
        }),
    })
}

fn job_spec(mut template: PodTemplateSpec) -> JobSpec {
    if let Some(spec) = template.spec.as_mut() {
        // The API refuses a Job whose pods restart Always (the Pod default).
        spec.restart_policy = Some("Never".to_owned());
    }
    JobSpec {
        backoff_limit: Some(2),
        template,
        ..JobSpec::default()
    }
}

fn pod_labels(spec: &WorkloadSpec) -> BTreeMap<String, String> {
    if spec.labels.is_empty() {
        BTreeMap::from([("app".to_owned(), spec.name.clone())])
    } else {
        spec.labels.clone()
    }
}

fn pod_spec(spec: &WorkloadSpec) -> PodSpec {
    let container = Container {
        name: spec.name.clone(),
        image: Some(spec.image.clone()),
        image_pull_policy: spec.image_pull_policy.clone(),
        ports: spec.port.map(|port| {
            vec![ContainerPort {
                container_port: port,
                ..ContainerPort::default()
            }]
        }),
        ..Container::default()
    };
    let pull_secrets: Vec<LocalObjectReference> = spec
        .pull_secrets
        .iter()
        .map(|name| LocalObjectReference { name: name.clone() })
        .collect();
    PodSpec {
        service_account_name: spec
            .service_account
            .clone()
            .filter(|account| account != "default"),
        image_pull_secrets: (!pull_secrets.is_empty()).then_some(pull_secrets),
        containers: vec![container],
        ..PodSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::default_workload_name;

    #[test]
    fn default_workload_name_is_the_last_path_component_without_tag_or_digest() {
        assert_eq!(
            default_workload_name("registry.example.com:5000/team/my-app:v1"),
            "my-app"
        );
        assert_eq!(default_workload_name("nginx@sha256:abc"), "nginx");
        assert_eq!(default_workload_name("busybox"), "busybox");
    }
}
