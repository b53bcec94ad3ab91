//! The parts of a manifest set that decide pulls: pull Secrets, ServiceAccounts, pod specs.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::finding::Finding;
use crate::inspect;

/// Where a namespace-less object lands when applied without `-n`.
const DEFAULT_NAMESPACE: &str = "default";

/// Label keys that name an environment.
const ENVIRONMENT_LABELS: &[&str] = &[
    "env",
    "environment",
    "stage",
    "tier",
    "app.kubernetes.io/environment",
];

/// A Secret of the set.
#[derive(Debug, Clone)]
pub struct PullSecret {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Its type (`Opaque` when unset).
    pub secret_type: String,
    /// Whether the kubelet reads it as a pull secret.
    pub is_pull_secret: bool,
    /// The registry keys, as written.
    pub keys: Vec<String>,
    /// One opaque digest per entry's username and password, to spot shared credentials.
    pub credential_fingerprints: Vec<String>,
    /// Values of labels that name an environment.
    pub environment_labels: Vec<String>,
}

/// A ServiceAccount of the set.
#[derive(Debug, Clone)]
pub struct ServiceAccountRef {
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// Its `imagePullSecrets`.
    pub pull_secrets: Vec<String>,
}

/// A pod spec, standing or inside a workload's template.
#[derive(Debug, Clone)]
pub struct PodSpecRef {
    /// `Kind/namespace/name` of the object that holds it.
    pub object: String,
    /// The namespace its pods run in.
    pub namespace: String,
    /// The ServiceAccount its pods run as.
    pub service_account: String,
    /// Its own `imagePullSecrets`.
    pub pull_secrets: Vec<String>,
    /// Every container, init container and ephemeral container image.
    pub images: Vec<String>,
}

/// What lint reads from a manifest set.
#[derive(Debug, Clone, Default)]
pub struct ManifestSet {
    /// Every Secret.
    pub secrets: Vec<PullSecret>,
    /// Every ServiceAccount.
    pub service_accounts: Vec<ServiceAccountRef>,
    /// Every pod spec.
    pub pods: Vec<PodSpecRef>,
    /// What inspecting the pull Secrets found.
    pub secret_findings: Vec<Finding>,
    /// Every registry key of every pull Secret with its host (no port), built once.
    pub registry_keys: Vec<(String, String)>,
    secret_index: HashMap<(String, String), usize>,
}

impl ManifestSet {
    /// Reads a multi-document YAML or JSON text; `List` items count as documents.
    ///
    /// # Errors
    /// When the text is not YAML or JSON.
    pub fn parse(text: &str) -> Result<Self, crate::yaml::SyntaxError> {
        let documents = crate::yaml::parse_documents(text)?;
        let mut set = Self::default();
        for document in &documents {
            set.add(document);
        }
        set.index();
        Ok(set)
    }

    fn add(&mut self, object: &Value) {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match kind {
            "Secret" => self.add_secret(object),
            "ServiceAccount" => self.service_accounts.push(ServiceAccountRef {
                name: name_of(object),
                namespace: namespace_of(object),
                pull_secrets: secret_names(object.get("imagePullSecrets")),
            }),
            _ if kind.ends_with("List") => {
                for item in object
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    self.add(item);
                }
            }
            _ => {
                if let Some(spec) = pod_spec(kind, object) {
                    self.pods.push(pod_spec_ref(kind, object, spec));
                }
            }
        }
    }

    fn add_secret(&mut self, object: &Value) {
        let secret_type = object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("Opaque")
            .to_owned();
        let is_pull_secret = matches!(
            secret_type.as_str(),
            "kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg"
        );
        let mut secret = PullSecret {
            name: name_of(object),
            namespace: namespace_of(object),
            secret_type,
            is_pull_secret,
            keys: Vec::new(),
            credential_fingerprints: Vec::new(),
            environment_labels: environment_labels(object),
        };
        if is_pull_secret && let Ok(mut inspections) = inspect::inspect(&object.to_string()) {
            let inspection = inspections.remove(0);
            self.secret_findings.extend(inspection.findings);
            if let Some(config) = inspection.config {
                secret.keys = config.keys();
                secret.credential_fingerprints = config
                    .auths
                    .iter()
                    .filter_map(|(key, entry)| entry.credentials(key).ok())
                    .filter(|(user, pass)| !user.is_empty() || !pass.is_empty())
                    .map(|(user, pass)| fingerprint(&user, &pass))
                    .collect();
            }
        }
        self.secrets.push(secret);
    }

    /// Builds the look-up tables, so linting stays linear in the size of the set.
    fn index(&mut self) {
        for (position, secret) in self.secrets.iter().enumerate() {
            self.secret_index
                .entry((secret.namespace.clone(), secret.name.clone()))
                .or_insert(position);
        }
        let mut keys: Vec<(String, String)> = self
            .secrets
            .iter()
            .filter(|s| s.is_pull_secret)
            .flat_map(|s| s.keys.iter())
            .filter_map(|key| {
                let normalized = crate::matching::normalize_key(key)?;
                let host = normalized
                    .as_str()
                    .split(['/', ':'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                Some((key.clone(), host))
            })
            .collect();
        keys.sort();
        keys.dedup();
        self.registry_keys = keys;
    }

    /// The Secret `name` in `namespace`.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<&PullSecret> {
        let position = self
            .secret_index
            .get(&(namespace.to_owned(), name.to_owned()))?;
        self.secrets.get(*position)
    }

    /// The ServiceAccount `name` in `namespace`.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccountRef> {
        self.service_accounts
            .iter()
            .find(|s| s.namespace == namespace && s.name == name)
    }
}

fn fingerprint(user: &str, pass: &str) -> String {
    let digest = Sha256::new()
        .chain_update(user)
        .chain_update([0])
        .chain_update(pass)
        .finalize();
    digest.iter().take(16).fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

fn name_of(object: &Value) -> String {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("(no name)")
        .to_owned()
}

fn namespace_of(object: &Value) -> String {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_NAMESPACE)
        .to_owned()
}

fn environment_labels(object: &Value) -> Vec<String> {
    let labels = object
        .pointer("/metadata/labels")
        .and_then(Value::as_object);
    ENVIRONMENT_LABELS
        .iter()
        .filter_map(|key| labels.and_then(|l| l.get(*key)).and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

fn secret_names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// The pod spec inside an object of this kind, if it has one.
fn pod_spec<'a>(kind: &str, object: &'a Value) -> Option<&'a Value> {
    let pointer = match kind {
        "Pod" => "/spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "/spec/template/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        "PodTemplate" => "/template/spec",
        _ => return None,
    };
    object.pointer(pointer)
}

fn pod_spec_ref(kind: &str, object: &Value, spec: &Value) -> PodSpecRef {
    let namespace = namespace_of(object);
    let images = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|list| spec.get(*list).and_then(Value::as_array))
        .flatten()
        .filter_map(|container| container.get("image").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    PodSpecRef {
        object: format!("{kind}/{namespace}/{}", name_of(object)),
        namespace,
        service_account: spec
            .get("serviceAccountName")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_owned(),
        pull_secrets: secret_names(spec.get("imagePullSecrets")),
        images,
    }
}
