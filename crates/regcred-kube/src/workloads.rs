//! Which workloads pull with a Secret, and which running pods predate a `ServiceAccount` change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, PodSpec, PodTemplateSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Api;
use kube::api::ListParams;
use serde::Serialize;

use crate::retry::{Backoff, with_backoff};
use crate::{Error, Result};

/// A kind `kubectl rollout restart` works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 `StatefulSet`.
    StatefulSet,
    /// apps/v1 `DaemonSet`.
    DaemonSet,
}

impl WorkloadKind {
    /// The kind from a name as kubectl accepts it (`deployment`, `deploy`, `sts`, `ds`, ...).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" => Some(Self::Deployment),
            "statefulset" | "statefulsets" | "sts" => Some(Self::StatefulSet),
            "daemonset" | "daemonsets" | "ds" => Some(Self::DaemonSet),
            _ => None,
        }
    }

    /// The resource name kubectl prints (`deployment`).
    pub fn resource(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::StatefulSet => "statefulset",
            Self::DaemonSet => "daemonset",
        }
    }
}

/// One workload.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WorkloadRef {
    /// Its kind.
    pub kind: WorkloadKind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} -n {}",
            self.kind.resource(),
            self.name,
            self.namespace
        )
    }
}

/// How a workload comes to use the Secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Via {
    /// Its pod template lists it.
    Template,
    /// Its pod template lists no pull Secret and its `ServiceAccount` lists it.
    ServiceAccount(String),
}

/// A workload that pulls with the Secret, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The workload.
    pub workload: WorkloadRef,
    /// How.
    pub via: Via,
    /// The images of its pod template.
    pub images: Vec<String>,
}

/// The pull Secrets a pod (or template) ends up with: its own list, or else, since admission
/// copies it only then, its `ServiceAccount`'s.
pub fn effective_pull_secrets(
    spec: &PodSpec,
    accounts: &BTreeMap<String, Vec<String>>,
) -> (Vec<String>, Option<String>) {
    let own = names(spec);
    if !own.is_empty() {
        return (own, None);
    }
    let account = service_account_of(spec);
    let listed = accounts.get(&account).cloned().unwrap_or_default();
    (listed, Some(account))
}

/// The pod spec's `serviceAccountName`, `default` when unset.
pub fn service_account_of(spec: &PodSpec) -> String {
    spec.service_account_name
        .clone()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "default".to_owned())
}

/// The names in the pod spec's own `imagePullSecrets`.
pub fn names(spec: &PodSpec) -> Vec<String> {
    spec.image_pull_secrets
        .iter()
        .flatten()
        .map(|reference| reference.name.clone())
        .collect()
}

/// Every container, init container and ephemeral container image of the spec.
pub fn images(spec: &PodSpec) -> Vec<String> {
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .filter_map(|c| c.image.clone());
    let main = spec.containers.iter().filter_map(|c| c.image.clone());
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .filter_map(|c| c.image.clone());
    init.chain(main).chain(ephemeral).collect()
}

/// Every `ServiceAccount` in `namespace`, with retries.
///
/// # Errors
/// [`Error::Api`] when they cannot be listed.
pub(crate) async fn list_service_accounts(
    client: &kube::Client,
    namespace: &str,
) -> Result<Vec<ServiceAccount>> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let all = ListParams::default();
    let list = with_backoff(Backoff::default(), || api.list(&all))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot list ServiceAccounts in namespace '{namespace}'"),
                source,
            )
        })?;
    Ok(list.items)
}

/// The pull-secret lists of every `ServiceAccount` in `namespace`.
///
/// # Errors
/// [`Error::Api`] when they cannot be listed.
pub async fn service_account_lists(
    client: &kube::Client,
    namespace: &str,
) -> Result<BTreeMap<String, Vec<String>>> {
    Ok(list_service_accounts(client, namespace)
        .await?
        .into_iter()
        .map(|account| {
            let listed = account
                .image_pull_secrets
                .iter()
                .flatten()
                .map(|r| r.name.clone())
                .collect();
            (account.metadata.name.unwrap_or_default(), listed)
        })
        .collect())
}

/// The Deployments, `StatefulSets` and `DaemonSets` in `namespace` whose pods pull with `secret`.
///
/// # Errors
/// [`Error::Api`] when a list fails.
pub async fn using_secret(
    client: &kube::Client,
    namespace: &str,
    secret: &str,
) -> Result<Vec<Usage>> {
    let accounts = service_account_lists(client, namespace).await?;
    let mut usages = Vec::new();
    for (kind, template) in templates(client, namespace).await? {
        let (effective, account) = effective_pull_secrets(&template.1, &accounts);
        if !effective.iter().any(|name| name == secret) {
            continue;
        }
        usages.push(Usage {
            workload: WorkloadRef {
                kind,
                namespace: namespace.to_owned(),
                name: template.0,
            },
            via: account.map_or(Via::Template, Via::ServiceAccount),
            images: images(&template.1),
        });
    }
    Ok(usages)
}

type NamedSpec = (String, PodSpec);

/// The pod templates of every restartable workload in `namespace`.
async fn templates(
    client: &kube::Client,
    namespace: &str,
) -> Result<Vec<(WorkloadKind, NamedSpec)>> {
    let mut all = Vec::new();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    for item in list_all(&deployments, namespace, "Deployments").await? {
        let spec = item.spec.and_then(|s| s.template.spec);
        all.extend(spec.map(|s| (WorkloadKind::Deployment, (name_of(&item.metadata), s))));
    }
    let sets: Api<StatefulSet> = Api::namespaced(client.clone(), namespace);
    for item in list_all(&sets, namespace, "StatefulSets").await? {
        let spec = item.spec.and_then(|s| s.template.spec);
        all.extend(spec.map(|s| (WorkloadKind::StatefulSet, (name_of(&item.metadata), s))));
    }
    let daemons: Api<DaemonSet> = Api::namespaced(client.clone(), namespace);
    for item in list_all(&daemons, namespace, "DaemonSets").await? {
        let spec = item.spec.and_then(|s| s.template.spec);
        all.extend(spec.map(|s| (WorkloadKind::DaemonSet, (name_of(&item.metadata), s))));
    }
    Ok(all)
}

fn name_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

async fn list_all<K>(api: &Api<K>, namespace: &str, plural: &str) -> Result<Vec<K>>
where
    K: Clone + serde::de::DeserializeOwned + fmt::Debug,
{
    let all = ListParams::default();
    let list = with_backoff(Backoff::default(), || api.list(&all))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot list {plural} in namespace '{namespace}'"),
                source,
            )
        })?;
    Ok(list.items)
}

/// Pods that run without a Secret their `ServiceAccount` now lists, grouped by what owns them.
#[derive(Debug, Clone, Serialize)]
pub struct StalePods {
    /// Pods owned (through a `ReplicaSet` for Deployments) by a restartable workload.
    pub workloads: BTreeMap<WorkloadRef, Vec<String>>,
    /// Pods with no restartable owner (bare pods, Jobs): recreate them by hand.
    pub unowned: Vec<String>,
    /// Pods whose workload's template lists its own `imagePullSecrets`, so the
    /// `ServiceAccount`'s list never applies to them: add the Secret to the workload instead.
    pub own_list: Vec<String>,
}

/// Pods in `namespace` running under one of `accounts` whose pull Secrets lack `secret`: they
/// were admitted before the `ServiceAccount` listed it, and admission copies the list only at
/// creation.
///
/// # Errors
/// [`Error::Api`] when pods or `ReplicaSets` cannot be read.
pub async fn pods_predating(
    client: &kube::Client,
    namespace: &str,
    accounts: &BTreeSet<String>,
    secret: &str,
) -> Result<StalePods> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let pods = list_all(&api, namespace, "pods").await?;
    let mut stale = StalePods {
        workloads: BTreeMap::new(),
        unowned: Vec::new(),
        own_list: Vec::new(),
    };
    // The pods of one workload share their controller: it is read once, not once a pod.
    let mut owners: BTreeMap<(String, String), Option<(WorkloadRef, bool)>> = BTreeMap::new();
    for pod in pods {
        let Some(spec) = &pod.spec else { continue };
        let name = name_of(&pod.metadata);
        if !accounts.contains(&service_account_of(spec)) || names(spec).iter().any(|n| n == secret)
        {
            continue;
        }
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        // A pod's list is its template's, or, when the template lists none, the one admission
        // copied from the ServiceAccount at creation: a new pod then gets the account's list.
        let references = pod.metadata.owner_references.as_deref();
        let owner = match controller(references) {
            None => None,
            Some(c) => {
                let key = (c.kind.clone(), c.name.clone());
                if !owners.contains_key(&key) {
                    let found = owner_workload(client, namespace, references).await?;
                    owners.insert(key.clone(), found);
                }
                owners[&key].clone()
            }
        };
        match owner {
            Some((_, template_lists)) if template_lists => stale.own_list.push(name),
            Some((workload, _)) => stale.workloads.entry(workload).or_default().push(name),
            None => stale.unowned.push(name),
        }
    }
    Ok(stale)
}

/// The restartable workload that controls a pod, following a `ReplicaSet` to its Deployment,
/// and whether the pod template it creates pods from lists `imagePullSecrets` of its own.
///
/// # Errors
/// [`Error::Api`] when the owner cannot be read.
pub(crate) async fn owner_workload(
    client: &kube::Client,
    namespace: &str,
    owners: Option<&[OwnerReference]>,
) -> Result<Option<(WorkloadRef, bool)>> {
    let Some(owner) = controller(owners) else {
        return Ok(None);
    };
    let workload = |kind, name: &str| WorkloadRef {
        kind,
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    };
    let lists = |template: Option<PodTemplateSpec>| {
        template
            .and_then(|t| t.spec)
            .is_some_and(|spec| !names(&spec).is_empty())
    };
    let (kind, template) = match owner.kind.as_str() {
        "StatefulSet" => {
            let set: Option<StatefulSet> = read_opt(client, namespace, &owner.name).await?;
            let Some(set) = set else { return Ok(None) };
            (
                WorkloadKind::StatefulSet,
                set.spec.map(|spec| spec.template),
            )
        }
        "DaemonSet" => {
            let set: Option<DaemonSet> = read_opt(client, namespace, &owner.name).await?;
            let Some(set) = set else { return Ok(None) };
            (WorkloadKind::DaemonSet, set.spec.map(|spec| spec.template))
        }
        "ReplicaSet" => {
            let set: Option<ReplicaSet> = read_opt(client, namespace, &owner.name).await?;
            let Some(set) = set else { return Ok(None) };
            let deployment = controller(set.metadata.owner_references.as_deref())
                .filter(|o| o.kind == "Deployment")
                .map(|o| workload(WorkloadKind::Deployment, &o.name));
            let template = set.spec.and_then(|spec| spec.template);
            return Ok(deployment.map(|d| (d, lists(template))));
        }
        _ => return Ok(None),
    };
    Ok(Some((workload(kind, &owner.name), lists(template))))
}

/// One namespaced object by name, `None` when it does not exist.
///
/// # Errors
/// [`Error::Api`] when the read fails for another reason than absence.
pub(crate) async fn read_opt<K>(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<K>>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    with_backoff(Backoff::default(), || api.get_opt(name))
        .await
        .map_err(|source| {
            Error::api(
                format!(
                    "cannot read {} '{name}' in namespace '{namespace}'",
                    K::kind(&K::DynamicType::default())
                ),
                source,
            )
        })
}

fn controller(owners: Option<&[OwnerReference]>) -> Option<&OwnerReference> {
    owners?.iter().find(|o| o.controller == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::LocalObjectReference;

    fn spec(own: &[&str], account: Option<&str>) -> PodSpec {
        PodSpec {
            image_pull_secrets: (!own.is_empty()).then(|| {
                own.iter()
                    .map(|n| LocalObjectReference {
                        name: (*n).to_owned(),
                    })
                    .collect()
            }),
            service_account_name: account.map(str::to_owned),
            ..PodSpec::default()
        }
    }

    #[test]
    fn own_list_wins_over_the_service_account() {
        let accounts = BTreeMap::from([("default".to_owned(), vec!["sa-cred".to_owned()])]);
        let (names, via) = effective_pull_secrets(&spec(&["own"], None), &accounts);
        assert_eq!(names, ["own"]);
        assert_eq!(via, None);
    }

    #[test]
    fn empty_list_takes_the_service_account_default_when_unnamed() {
        let accounts = BTreeMap::from([("default".to_owned(), vec!["sa-cred".to_owned()])]);
        let (names, via) = effective_pull_secrets(&spec(&[], None), &accounts);
        assert_eq!(names, ["sa-cred"]);
        assert_eq!(via.as_deref(), Some("default"));
        let (names, _) = effective_pull_secrets(&spec(&[], Some("builder")), &accounts);
        assert!(names.is_empty());
    }

    #[test]
    fn kinds_parse_as_kubectl_spells_them() {
        assert_eq!(
            WorkloadKind::parse("deploy"),
            Some(WorkloadKind::Deployment)
        );
        assert_eq!(
            WorkloadKind::parse("StatefulSet"),
            Some(WorkloadKind::StatefulSet)
        );
        assert_eq!(WorkloadKind::parse("ds"), Some(WorkloadKind::DaemonSet));
        assert_eq!(WorkloadKind::parse("job"), None);
    }
}
