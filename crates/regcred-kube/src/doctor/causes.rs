//! The causes a walk names: from the references, from core `lint`, from the probes and from the
//! pod's events through core `explain`.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::ServiceAccount;
use regcred_core::Finding;
use regcred_core::explain::{self, Cause};
use regcred_core::lint;
use serde_json::json;

use super::{Gathered, ImageCheck, Status, Step, Subject, step, workloads_pull_list};
use crate::pullsecret::{self, PullSecret};
use crate::workloads;

/// The Secret names the kubelet reads, and the pod-older-than-its-ServiceAccount cause.
pub(super) fn pull_secret_names(
    subject: &Subject,
    account: Option<&ServiceAccount>,
    steps: &mut Vec<Step>,
    causes: &mut Vec<Cause>,
) -> Vec<String> {
    let own = workloads::names(&subject.spec);
    let from_account = account.map(workloads_pull_list).unwrap_or_default();
    let is_pod = subject.kind == "Pod";
    let copied = is_pod && subject.template_lists == Some(false);
    let added_since: Vec<String> = from_account
        .iter()
        .filter(|n| !own.contains(n))
        .cloned()
        .collect();
    if copied && !own.is_empty() && !added_since.is_empty() {
        // Its list is the one admission copied from the account when the pod was created.
        let added = added_since.join(", ");
        step(
            steps,
            "imagePullSecrets",
            Status::Fail,
            format!(
                "the pod lists {}, copied from its ServiceAccount when it was created; the ServiceAccount now also lists {added}",
                own.join(", ")
            ),
        );
        causes.push(predates_cause(subject, &added_since));
        return own;
    }
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
        causes.push(predates_cause(subject, &from_account));
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

/// A workload template naming a `ServiceAccount` that does not exist gets no pods at all: the
/// `ServiceAccount` admission plugin refuses them, so nothing is pulled. (A pod that exists was
/// admitted before the account went away; its own list is what the kubelet reads.)
pub(super) fn missing_service_account(
    subject: &Subject,
    namespace: &str,
    name: &str,
    account: Option<&ServiceAccount>,
) -> Option<Cause> {
    if account.is_some() || subject.kind == "Pod" {
        return None;
    }
    Some(Cause {
        code: "service-account-missing",
        title: "The workload's ServiceAccount does not exist".into(),
        detail: format!(
            "the pod template runs as ServiceAccount '{name}', which does not exist in namespace '{namespace}': admission refuses its pods (the ReplicaSet or controller shows FailedCreate events), so no image is pulled at all"
        ),
        fix: format!(
            "create it: `kubectl create serviceaccount {name} -n {namespace}`, then attach the Secret: `regcred link-sa --secret SECRET --service-account {name} -n {namespace}`; or correct serviceAccountName in the template"
        ),
        evidence: None,
    })
}

/// The pod was created before `added` joined its `ServiceAccount`'s list.
fn predates_cause(subject: &Subject, added: &[String]) -> Cause {
    let namespace = subject.namespace();
    let account = workloads::service_account_of(&subject.spec);
    let first = added.first().map_or("NAME", String::as_str);
    let added = added.join(", ");
    Cause {
        code: "pod-predates-service-account",
        title: "The pod is older than its ServiceAccount's pull secrets".into(),
        detail: format!(
            "Admission copies a ServiceAccount's imagePullSecrets into a pod only when the pod is created, and only if it lists none. This pod was created before {added} was added, so the kubelet pulls without it."
        ),
        fix: format!(
            "Recreate the pod: `regcred link-sa --secret {first} --service-account {account} -n {namespace} --restart` restarts every workload whose pods predate it (or `kubectl rollout restart` the workload)."
        ),
        evidence: None,
    }
}

/// Runs core `lint` over the live objects and keeps what concerns this pod and its Secrets.
pub(super) fn lint_causes(
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
    let namespace = subject.namespace();
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
        // Named as `explain` names the kubelet's InvalidImageName, so that its event, which
        // says the same, adds no second cause.
        "image-invalid" => ("invalid-image-name", "The image name is invalid"),
        other => (other, "The pull secret will not work for this image"),
    };
    let detail = if code == "invalid-image-name" {
        format!("The kubelet cannot parse the image: {}.", finding.message)
    } else {
        finding.message.clone()
    };
    Cause {
        code,
        title: title.to_owned(),
        detail,
        fix: finding.fix.clone().unwrap_or_default(),
        evidence: finding.object.clone(),
    }
}

/// The referenced Secrets that parse; a step for each, and a cause for each that does not.
pub(super) fn readable_secrets(
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

pub(super) fn probe_causes(check: &ImageCheck) -> Vec<Cause> {
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

/// Causes from the events (through core `explain`) that the walk did not already name. After a
/// live probe, the registry's answers come from the probe (events may be older than a fix);
/// TLS and reachability stay, since nodes may trust or reach the registry differently.
pub(super) fn event_causes(events: &[String], found: &[Cause], probed: bool) -> Vec<Cause> {
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
    let mut known: BTreeSet<&str> = found.iter().map(|c| c.code).collect();
    // The kubelet's FailedToRetrieveImagePullSecret for a Secret the walk found elsewhere.
    if known.contains("secret-wrong-namespace") {
        known.insert("secret-not-found");
    }
    // After a 404 from the host configured for a registry, containerd tries the registry's
    // default endpoint too, without that host's CA: its x509 error follows from the missing
    // image, which the probe established over verified TLS.
    if known.contains("image-not-found") {
        known.insert("registry-tls");
    }
    explanation
        .causes
        .into_iter()
        .filter(|c| !known.contains(c.code))
        .filter(|c| !(probed && SETTLED_BY_PROBE.contains(&c.code)))
        .collect()
}

/// When no key matches any image nothing is sent, so a 401 in the events is the registry
/// refusing an anonymous pull, not rejecting credentials (containerd 1.6 words both alike):
/// left out when the walk already named why nothing is sent, else said as such.
pub(super) fn anonymous_refusals(causes: &mut Vec<Cause>, anonymous: bool, structural: bool) {
    if !anonymous {
        return;
    }
    if structural {
        causes.retain(|c| c.code != "credentials-rejected");
        return;
    }
    for cause in causes
        .iter_mut()
        .filter(|c| c.code == "credentials-rejected")
    {
        cause.code = "no-credentials-sent";
        cause.title = "The registry refused a pull without credentials".into();
        cause.detail = "No key of the pod's pull secrets matches the image, so the kubelet sent no credentials, and the registry requires them.".into();
        cause.fix = "Create a pull Secret for this registry in the pod's namespace and reference it: `regcred apply NAME -n NAMESPACE --server HOST --username USER --password-stdin`, then `regcred link-sa --secret NAME -n NAMESPACE`.".into();
    }
}

/// Leaves out what only follows from a cause already named: no key matching the image, or no
/// Secret referenced, when a referenced Secret is missing, elsewhere, of the wrong type or
/// unreadable, or when the pod predates its ServiceAccount's list.
pub(super) fn drop_consequences(causes: &mut Vec<Cause>) {
    const ROOTS: [&str; 5] = [
        "pod-predates-service-account",
        "secret-wrong-namespace",
        "secret-wrong-type",
        "secret-not-found",
        "secret-unparsable",
    ];
    if causes.iter().any(|c| ROOTS.contains(&c.code)) {
        causes.retain(|c| c.code != "image-not-covered" && c.code != "secret-not-referenced");
    }
    // Once the missing account is created and the Secret attached to it, it is referenced.
    if causes.iter().any(|c| c.code == "service-account-missing") {
        causes.retain(|c| c.code != "secret-not-referenced");
    }
}

pub(super) fn dedup_causes(causes: &mut Vec<Cause>) {
    let mut seen = BTreeSet::new();
    causes.retain(|c| seen.insert((c.code, c.detail.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(code: &'static str) -> Cause {
        Cause {
            code,
            title: String::new(),
            detail: String::new(),
            fix: String::new(),
            evidence: None,
        }
    }

    fn codes(causes: &[Cause]) -> Vec<&'static str> {
        causes.iter().map(|c| c.code).collect()
    }

    #[test]
    fn consequences_of_a_root_cause_are_dropped_and_nothing_else() {
        let mut causes = vec![
            cause("secret-not-found"),
            cause("image-not-covered"),
            cause("secret-not-referenced"),
            cause("credentials-rejected"),
        ];
        drop_consequences(&mut causes);
        assert_eq!(codes(&causes), ["secret-not-found", "credentials-rejected"]);

        let mut causes = vec![
            cause("service-account-missing"),
            cause("secret-not-referenced"),
            cause("image-not-covered"),
        ];
        drop_consequences(&mut causes);
        assert_eq!(
            codes(&causes),
            ["service-account-missing", "image-not-covered"]
        );

        let mut alone = vec![cause("secret-not-referenced"), cause("image-not-covered")];
        drop_consequences(&mut alone);
        assert_eq!(alone.len(), 2);
    }

    #[test]
    fn an_invalid_image_is_one_cause_whether_lint_or_the_kubelet_says_so() {
        let image = "r.example.com/Team/App:1";
        let finding = regcred_core::reference::check_image(image)
            .into_iter()
            .find(regcred_core::Finding::is_error)
            .unwrap();
        let from_lint = cause_of_finding(&finding, false);
        assert_eq!(from_lint.code, "invalid-image-name");
        assert_eq!(from_lint.title, "The image name is invalid");
        let events = vec![format!(
            "Warning InspectFailed: Failed to apply default image tag \"{image}\": couldn't parse image name \"{image}\": invalid reference format: repository name (Team/App) must be lowercase"
        )];
        let from_events = event_causes(&events, &[], false);
        assert_eq!(codes(&from_events), ["invalid-image-name"]);
        assert!(event_causes(&events, &[from_lint], false).is_empty());
    }

    #[test]
    fn events_saying_what_the_walk_found_in_other_words_add_nothing() {
        let missing = vec!["Warning FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (other); attempting to pull the image may not succeed.".to_owned()];
        assert_eq!(
            codes(&event_causes(&missing, &[], false)),
            ["secret-not-found"]
        );
        let elsewhere = [cause("secret-wrong-namespace")];
        assert!(event_causes(&missing, &elsewhere, false).is_empty());

        let x509 = vec!["Warning Failed: Failed to pull image \"r.example.com/a:v404\": failed to resolve reference \"r.example.com/a:v404\": failed to do request: Head \"https://r.example.com/v2/a/manifests/v404\": x509: certificate signed by unknown authority".to_owned()];
        assert_eq!(codes(&event_causes(&x509, &[], false)), ["registry-tls"]);
        assert!(event_causes(&x509, &[cause("image-not-found")], true).is_empty());
    }

    #[test]
    fn a_401_with_nothing_sent_is_no_rejected_password() {
        let mut walked = vec![cause("credentials-rejected"), cause("registry-tls")];
        anonymous_refusals(&mut walked, true, true);
        assert_eq!(codes(&walked), ["registry-tls"]);

        let mut bare = vec![cause("credentials-rejected")];
        anonymous_refusals(&mut bare, true, false);
        assert_eq!(codes(&bare), ["no-credentials-sent"]);
        assert!(bare[0].detail.contains("sent no credentials"));

        let mut sent = vec![cause("credentials-rejected")];
        anonymous_refusals(&mut sent, false, false);
        assert_eq!(codes(&sent), ["credentials-rejected"]);
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
