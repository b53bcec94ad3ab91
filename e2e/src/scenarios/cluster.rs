//! Cluster flow: regcred-core's Secret, `ServiceAccount` patch and Deployment on a real node that
//! pulls from the private registry; the ways it goes wrong; and a password rotation.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use regcred_core::dockerconfig::Credentials;
use regcred_core::manifest::{
    self, Manifest, SecretSpec, WorkloadKind, WorkloadSpec, json_patches, patch_service_account,
};

use super::registry::Pushed;
use crate::cluster::ClusterEnv;
use crate::k8s::{self, Progress};
use crate::registry::Registry;
use crate::run::Run;
use crate::runner::Runner;

/// Check: the `ServiceAccount` keeps what it had.
pub const SA_PATCH: &str =
    "cluster: the default ServiceAccount is patched by appending; the existing entry stays";
/// Check: the main path.
pub const SA_PULL: &str =
    "cluster: a 2-replica Deployment pulls through the ServiceAccount (pods Ready, Pulled events)";
/// Check: negative, no secret.
pub const NO_SECRET: &str = "cluster: without the secret, pods sit in ErrImagePull/ImagePullBackOff, refused by the registry";
/// Check: negative, secret in another namespace.
pub const WRONG_NAMESPACE: &str =
    "cluster: a secret that exists only in another namespace is not found and the pull is refused";
/// Check: the workload-level variant.
pub const WORKLOAD_LEVEL: &str =
    "cluster: workload-level imagePullSecrets pulls with the ServiceAccount untouched";
/// Check: rotation, old secret.
pub const ROTATED_OLD: &str =
    "cluster: after a password rotation a new pod with the old secret fails with 401";
/// Check: rotation, recovery.
pub const ROTATED_NEW: &str =
    "cluster: the secret updated in place and a rollout restart bring the pods back Ready";

/// Every check of this part, in order.
pub const CHECKS: [&str; 7] = [
    SA_PATCH,
    SA_PULL,
    NO_SECRET,
    WRONG_NAMESPACE,
    WORKLOAD_LEVEL,
    ROTATED_OLD,
    ROTATED_NEW,
];

const SECRET: &str = "regcred-pull";
const OTHER_SECRET: &str = "other-team-pull";
const APP: &str = "hello";
const PROBE_POD: &str = "after-rotation";
const REPLICAS: i32 = 2;

const READY_LIMIT: Duration = Duration::from_secs(240);
const REFUSAL_LIMIT: Duration = Duration::from_secs(180);
const SHORT_LIMIT: Duration = Duration::from_secs(60);

/// Which refusal a failing pull must show.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// No credentials were sent. containerd reports the registry's 401 Basic challenge as
    /// `no basic auth credentials`; other runtimes print the 401.
    NothingSent,
    /// Credentials were sent and the registry answered 401.
    Rejected,
}

impl Refusal {
    fn matches(self, message: &str) -> bool {
        let has_401 = message.contains("401");
        match self {
            Self::NothingSent => has_401 || message.contains("no basic auth credentials"),
            Self::Rejected => has_401,
        }
    }
}

/// The namespaces of one run.
struct Namespaces {
    service_account: String,
    no_secret: String,
    wrong_namespace: String,
    workload: String,
}

/// One run's cluster flow.
struct Flow<'a> {
    run: &'a Run,
    env: &'a ClusterEnv,
    image: String,
    namespaces: Namespaces,
}

/// Runs the cluster checks in order, then deletes this run's namespaces.
pub async fn run_checks(
    runner: &mut Runner,
    run: &Run,
    env: &ClusterEnv,
    registry: &mut Registry,
    pushed: &Pushed,
) {
    let flow = Flow {
        run,
        env,
        image: pushed.image_at(&env.registry_host),
        namespaces: Namespaces {
            service_account: run.namespace("sa"),
            no_secret: run.namespace("nosecret"),
            wrong_namespace: run.namespace("wrongns"),
            workload: run.namespace("workload"),
        },
    };
    let swept = k8s::delete_namespaces(&env.client, None);
    if runner
        .setup("cluster: sweep namespaces of earlier runs", swept)
        .await
        .is_none()
        || runner
            .setup(
                "cluster: namespaces and regcred-core secrets",
                flow.prepare(registry),
            )
            .await
            .is_none()
    {
        runner.not_run(&CHECKS, "the cluster could not be prepared");
        return;
    }

    flow.run_checks(runner, registry).await;

    let own = k8s::delete_namespaces(&env.client, Some(&run.id));
    runner
        .setup("cluster: delete this run's namespaces", own)
        .await;
}

impl Flow<'_> {
    async fn run_checks(&self, runner: &mut Runner, registry: &mut Registry) {
        let ns = &self.namespaces;
        runner.check(SA_PATCH, self.patch_service_account()).await;
        runner
            .check(SA_PULL, self.deploy_and_pull(&ns.service_account, &[]))
            .await;
        runner
            .check(NO_SECRET, async {
                self.deploy_expecting_refusal(&ns.no_secret, &[], Refusal::NothingSent)
                    .await
                    .map(drop)
            })
            .await;
        runner.check(WRONG_NAMESPACE, self.wrong_namespace()).await;
        runner.check(WORKLOAD_LEVEL, self.workload_level()).await;

        let rotated = runner
            .setup(
                "cluster: rotate the registry password (restart, same storage)",
                registry.rotate_password(),
            )
            .await;
        if rotated.is_none() {
            runner.not_run(
                &[ROTATED_OLD, ROTATED_NEW],
                "the registry could not be rotated",
            );
            return;
        }
        runner.check(ROTATED_OLD, self.old_secret_refused()).await;
        runner
            .check(ROTATED_NEW, self.update_secret_and_restart(registry))
            .await;
    }

    /// Namespaces for every scenario; the pull secret (and another team's, for the append
    /// check) where the scenario needs one.
    async fn prepare(&self, registry: &Registry) -> anyhow::Result<()> {
        let labels = self.run.labels();
        let ns = &self.namespaces;
        for name in [
            &ns.service_account,
            &ns.no_secret,
            &ns.wrong_namespace,
            &ns.workload,
        ] {
            k8s::create_namespace(&self.env.client, name, &labels).await?;
        }

        let credentials = registry.credentials_for(&self.env.registry_host);
        for namespace in [&ns.service_account, &ns.workload] {
            let secret = self.pull_secret(SECRET, namespace, &credentials)?;
            k8s::create(
                &Api::namespaced(self.env.client.clone(), namespace),
                &secret,
            )
            .await?;
        }
        let other = Credentials::new("other-registry.invalid", "other-team", "unused-here");
        let secret = self.pull_secret(OTHER_SECRET, &ns.service_account, &other)?;
        let secrets = Api::namespaced(self.env.client.clone(), &ns.service_account);
        k8s::create(&secrets, &secret).await
    }

    async fn patch_service_account(&self) -> anyhow::Result<()> {
        let accounts: Api<ServiceAccount> =
            Api::namespaced(self.env.client.clone(), &self.namespaces.service_account);
        k8s::wait_for("the default ServiceAccount", SHORT_LIMIT, || async {
            Ok(match accounts.get_opt("default").await? {
                Some(_) => Progress::Done(()),
                None => Progress::Waiting("not created yet".to_owned()),
            })
        })
        .await?;

        // Another team's entry first (the list does not exist yet), then ours appended.
        let params = PatchParams::default();
        let create: json_patch::Patch = serde_json::from_str(&json_patches(OTHER_SECRET).create)?;
        accounts
            .patch("default", &params, &Patch::Json::<()>(create))
            .await?;
        let append: json_patch::Patch = serde_json::from_str(&json_patches(SECRET).append)?;
        let patched = accounts
            .patch("default", &params, &Patch::Json::<()>(append))
            .await?;

        let names = pull_secret_names(patched.image_pull_secrets.as_deref());
        ensure!(
            names == [OTHER_SECRET, SECRET],
            "the ServiceAccount lists {names:?}, expected [{OTHER_SECRET:?}, {SECRET:?}]"
        );
        let mut patched = serde_json::to_value(&patched)?;
        let changed = patch_service_account(&mut patched, SECRET)?;
        ensure!(!changed, "regcred-core would append {SECRET} a second time");
        Ok(())
    }

    async fn workload_level(&self) -> anyhow::Result<()> {
        let namespace = &self.namespaces.workload;
        let accounts: Api<ServiceAccount> = Api::namespaced(self.env.client.clone(), namespace);
        let account = k8s::wait_for("the default ServiceAccount", SHORT_LIMIT, || async {
            Ok(match accounts.get_opt("default").await? {
                Some(account) => Progress::Done(account),
                None => Progress::Waiting("not created yet".to_owned()),
            })
        })
        .await?;
        let listed = pull_secret_names(account.image_pull_secrets.as_deref());
        ensure!(
            listed.is_empty(),
            "the ServiceAccount in {namespace} lists {listed:?}; this check needs it untouched"
        );

        self.deploy_and_pull(namespace, &[SECRET]).await
    }

    async fn wrong_namespace(&self) -> anyhow::Result<()> {
        let namespace = &self.namespaces.wrong_namespace;
        let pod = self
            .deploy_expecting_refusal(namespace, &[SECRET], Refusal::NothingSent)
            .await?;

        let events = k8s::pod_events(&self.env.client, namespace).await?;
        let missing = k8s::events_for(&events, &pod, "FailedToRetrieveImagePullSecret");
        ensure!(
            !missing.is_empty(),
            "no FailedToRetrieveImagePullSecret event for pod {pod} in {namespace}"
        );
        Ok(())
    }

    async fn old_secret_refused(&self) -> anyhow::Result<()> {
        let namespace = &self.namespaces.service_account;
        let pod = self.pod(PROBE_POD, namespace)?;
        let pods: Api<Pod> = Api::namespaced(self.env.client.clone(), namespace);
        pods.create(&PostParams::default(), &pod).await?;

        let refused = self
            .refusal_of(namespace, PROBE_POD, Refusal::Rejected)
            .await;
        pods.delete(PROBE_POD, &DeleteParams::default()).await?;
        refused.map(drop)
    }

    async fn update_secret_and_restart(&self, registry: &Registry) -> anyhow::Result<()> {
        let namespace = &self.namespaces.service_account;
        let secrets: Api<Secret> = Api::namespaced(self.env.client.clone(), namespace);
        let current = secrets.get(SECRET).await?;
        let credentials = registry.credentials_for(&self.env.registry_host);
        let mut renewed = self.pull_secret(SECRET, namespace, &credentials)?;
        renewed.metadata.resource_version = current.metadata.resource_version;
        secrets
            .replace(SECRET, &PostParams::default(), &renewed)
            .await?;

        let deployments: Api<Deployment> = Api::namespaced(self.env.client.clone(), namespace);
        let restarted_at = k8s_openapi::jiff::Timestamp::now().to_string();
        let restart = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": restarted_at
        }}}}});
        deployments
            .patch(APP, &PatchParams::default(), &Patch::Merge(&restart))
            .await?;

        k8s::wait_for("the rollout to finish", READY_LIMIT, || async {
            let deployment = deployments.get(APP).await?;
            Ok(rollout_progress(&deployment))
        })
        .await?;
        self.wait_ready_and_pulled(namespace).await
    }

    /// Creates the app Deployment in `namespace` and proves its pods pulled and are Ready.
    async fn deploy_and_pull(&self, namespace: &str, pull_secrets: &[&str]) -> anyhow::Result<()> {
        let deployment = self.deployment(namespace, REPLICAS, pull_secrets)?;
        k8s::create(
            &Api::namespaced(self.env.client.clone(), namespace),
            &deployment,
        )
        .await?;
        self.wait_ready_and_pulled(namespace).await
    }

    async fn wait_ready_and_pulled(&self, namespace: &str) -> anyhow::Result<()> {
        let client = &self.env.client;
        let what = format!("{REPLICAS} Ready pods of {APP} in {namespace}");
        let pods = k8s::wait_for(&what, READY_LIMIT, || async {
            let pods: Vec<Pod> = k8s::app_pods(client, namespace, APP)
                .await?
                .into_iter()
                .filter(|pod| pod.metadata.deletion_timestamp.is_none())
                .collect();
            let ready = pods.iter().filter(|pod| k8s::is_ready(pod)).count();
            Ok(
                if ready == pods.len() && ready == usize::try_from(REPLICAS)? {
                    Progress::Done(pods)
                } else {
                    Progress::Waiting(k8s::describe_pods(&pods))
                },
            )
        })
        .await?;

        for pod in &pods {
            let listed = pull_secret_names(
                pod.spec
                    .as_ref()
                    .and_then(|s| s.image_pull_secrets.as_deref()),
            );
            ensure!(
                listed.contains(&SECRET),
                "pod {} lists pull secrets {listed:?}, not {SECRET}",
                pod.metadata.name.as_deref().unwrap_or("?")
            );
        }
        let names: Vec<String> = pods
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        k8s::wait_for("a Pulled event for every pod", SHORT_LIMIT, || async {
            let events = k8s::pod_events(client, namespace).await?;
            Ok(
                match names.iter().find(|pod| !pulled_from_registry(&events, pod)) {
                    None => Progress::Done(()),
                    Some(pod) => Progress::Waiting(format!("no fresh pull recorded for {pod}")),
                },
            )
        })
        .await
    }

    /// Creates a 1-replica app Deployment and waits for its pull to be refused; returns the
    /// pod's name.
    async fn deploy_expecting_refusal(
        &self,
        namespace: &str,
        pull_secrets: &[&str],
        refusal: Refusal,
    ) -> anyhow::Result<String> {
        let deployment = self.deployment(namespace, 1, pull_secrets)?;
        k8s::create(
            &Api::namespaced(self.env.client.clone(), namespace),
            &deployment,
        )
        .await?;
        let pod = k8s::wait_for("the app pod", SHORT_LIMIT, || async {
            let pods = k8s::app_pods(&self.env.client, namespace, APP).await?;
            Ok(
                match pods.first().and_then(|pod| pod.metadata.name.clone()) {
                    Some(name) => Progress::Done(name),
                    None => Progress::Waiting("no pod yet".to_owned()),
                },
            )
        })
        .await?;
        self.refusal_of(namespace, &pod, refusal).await?;
        Ok(pod)
    }

    /// Waits until `pod` waits in ErrImagePull/ImagePullBackOff and an event shows `refusal`;
    /// returns that event's message.
    async fn refusal_of(
        &self,
        namespace: &str,
        pod: &str,
        refusal: Refusal,
    ) -> anyhow::Result<String> {
        let client = &self.env.client;
        let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
        let what = format!("pod {pod} to fail its pull ({refusal:?})");
        let message = k8s::wait_for(&what, REFUSAL_LIMIT, || async {
            let current = pods.get(pod).await?;
            if k8s::is_ready(&current) {
                bail!("pod {pod} became Ready: the pull was not refused");
            }
            let events = k8s::pod_events(client, namespace).await?;
            let failures: Vec<String> = k8s::events_for(&events, pod, "Failed")
                .into_iter()
                .filter_map(|event| event.message.clone())
                .collect();
            let reason = k8s::pull_waiting_reason(&current);
            Ok(match failures.iter().find(|m| refusal.matches(m)) {
                Some(message) if reason.is_some() => Progress::Done(message.clone()),
                _ => Progress::Waiting(format!(
                    "waiting reason {reason:?}, Failed events {failures:?}"
                )),
            })
        })
        .await?;
        tracing::info!(%namespace, %pod, %message, "pull refused as expected");
        Ok(message)
    }

    fn pull_secret(
        &self,
        name: &str,
        namespace: &str,
        credentials: &Credentials,
    ) -> anyhow::Result<Secret> {
        let spec = SecretSpec {
            name,
            namespace: Some(namespace),
            registries: std::slice::from_ref(credentials),
            labels: self.run.labels(),
            ..SecretSpec::default()
        };
        Ok(manifest::secret(&spec)?)
    }

    fn workload_spec(&self, kind: WorkloadKind, name: &str, namespace: &str) -> WorkloadSpec {
        let mut labels: BTreeMap<String, String> = self.run.labels();
        labels.insert("app".to_owned(), name.to_owned());
        WorkloadSpec {
            kind,
            name: name.to_owned(),
            namespace: Some(namespace.to_owned()),
            image: self.image.clone(),
            labels,
            // Always: a node that already has the image must still ask the registry.
            image_pull_policy: Some("Always".to_owned()),
            ..WorkloadSpec::default()
        }
    }

    fn deployment(
        &self,
        namespace: &str,
        replicas: i32,
        pull_secrets: &[&str],
    ) -> anyhow::Result<Deployment> {
        let spec = WorkloadSpec {
            replicas: Some(replicas),
            pull_secrets: pull_secrets.iter().map(|s| (*s).to_owned()).collect(),
            ..self.workload_spec(WorkloadKind::Deployment, APP, namespace)
        };
        match manifest::workload(&spec)? {
            Manifest::Deployment(deployment) => Ok(deployment),
            other => bail!("regcred-core made {other:?} for a Deployment spec"),
        }
    }

    fn pod(&self, name: &str, namespace: &str) -> anyhow::Result<Pod> {
        let spec = self.workload_spec(WorkloadKind::Pod, name, namespace);
        match manifest::workload(&spec).context("the probe pod")? {
            Manifest::Pod(pod) => Ok(pod),
            other => bail!("regcred-core made {other:?} for a Pod spec"),
        }
    }
}

fn pull_secret_names(
    list: Option<&[k8s_openapi::api::core::v1::LocalObjectReference]>,
) -> Vec<&str> {
    list.unwrap_or_default()
        .iter()
        .map(|entry| entry.name.as_str())
        .collect()
}

/// Whether the kubelet recorded a pull from the registry for `pod` (not "already present on
/// machine", which a node cache would give).
fn pulled_from_registry(events: &[k8s_openapi::api::core::v1::Event], pod: &str) -> bool {
    k8s::events_for(events, pod, "Pulled").iter().any(|event| {
        event
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("Successfully pulled image"))
    })
}

fn rollout_progress(deployment: &Deployment) -> Progress<()> {
    let generation = deployment.metadata.generation.unwrap_or(0);
    let Some(status) = deployment.status.as_ref() else {
        return Progress::Waiting("no status yet".to_owned());
    };
    let done = status.observed_generation.unwrap_or(0) >= generation
        && status.updated_replicas == Some(REPLICAS)
        && status.ready_replicas == Some(REPLICAS)
        && status.replicas == Some(REPLICAS);
    if done {
        Progress::Done(())
    } else {
        Progress::Waiting(format!(
            "generation {generation}, observed {:?}, replicas {:?}, updated {:?}, ready {:?}",
            status.observed_generation,
            status.replicas,
            status.updated_replicas,
            status.ready_replicas
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    #[test]
    fn rejected_credentials_need_the_401() {
        let containerd = "failed to pull and unpack image \"r:5000/a:b\": failed to resolve reference \"r:5000/a:b\": unexpected status from HEAD request to https://r:5000/v2/a/manifests/b: 401 Unauthorized";

        assert!(Refusal::Rejected.matches(containerd));
        assert!(!Refusal::Rejected.matches(
            "failed to resolve reference: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials"
        ));
    }

    #[test]
    fn nothing_sent_accepts_containerd_wording_but_not_a_missing_tag() {
        assert!(Refusal::NothingSent.matches(
            "pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials"
        ));
        assert!(!Refusal::NothingSent.matches("failed to resolve reference: not found"));
    }
}
