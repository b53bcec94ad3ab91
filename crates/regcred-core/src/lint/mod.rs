//! Lint of a manifest set: will every pod be able to pull its images with the pull Secrets it has?
//!
//! The set is read as the API server would store it (namespaces defaulting to `default`), and
//! pulls are predicted with the kubelet's own rules from [`crate::matching`].

mod model;

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::Finding;
use crate::matching::{self, PullSecretKeys};
use crate::reference::{self, ImageRef};

pub use model::{ManifestSet, PodSpecRef, PullSecret, ServiceAccountRef};

/// Result of this module's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A manifest set that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not YAML or JSON.
    #[error("manifests are not valid YAML or JSON: {0}")]
    Syntax(crate::yaml::SyntaxError),
}

/// Every finding for a multi-document YAML (or JSON) manifest set, most severe first.
///
/// # Errors
/// [`Error::Syntax`] when the text does not parse.
pub fn lint(text: &str) -> Result<Vec<Finding>> {
    let set = ManifestSet::parse(text).map_err(Error::Syntax)?;
    let mut findings = lint_set(&set);
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    Ok(findings)
}

/// Every finding for a parsed manifest set, in object order.
pub fn lint_set(set: &ManifestSet) -> Vec<Finding> {
    let mut findings: Vec<Finding> = set.secret_findings.clone();
    for pod in &set.pods {
        findings.extend(lint_pod(set, pod));
    }
    findings.extend(shared_credentials(set));
    findings
}

fn lint_pod(set: &ManifestSet, pod: &PodSpecRef) -> Vec<Finding> {
    let mut findings = Vec::new();
    let names = effective_pull_secrets(set, pod, &mut findings);
    let usable: Vec<PullSecretKeys> = names
        .iter()
        .filter_map(|name| set.secret(&pod.namespace, name))
        .filter(|secret| secret.is_pull_secret)
        .map(|secret| PullSecretKeys {
            secret: secret.name.clone(),
            keys: secret.keys.clone(),
        })
        .collect();
    for image in &pod.images {
        findings.extend(lint_image(set, pod, image, &names, &usable));
    }
    findings
}

/// The Secret names the kubelet will read for this pod: its own list, or else its
/// ServiceAccount's (admission copies it only when the pod lists none).
fn effective_pull_secrets(
    set: &ManifestSet,
    pod: &PodSpecRef,
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let mut names = pod.pull_secrets.clone();
    if names.is_empty()
        && let Some(account) = set.service_account(&pod.namespace, &pod.service_account)
    {
        names.clone_from(&account.pull_secrets);
    }
    for name in &names {
        if let Some(finding) = missing_secret(set, pod, name) {
            findings.push(finding);
        }
    }
    names
}

fn missing_secret(set: &ManifestSet, pod: &PodSpecRef, name: &str) -> Option<Finding> {
    if let Some(secret) = set.secret(&pod.namespace, name) {
        return (!secret.is_pull_secret).then(|| {
            Finding::error("secret-wrong-type", format!("pull secret '{name}' has type '{}'; the kubelet silently skips it", secret.secret_type))
                .with_object(&pod.object)
                .with_fix(format!("a Secret's type cannot change: delete it and create it as a pull secret (`kubectl delete secret {name} -n {ns}`, then `regcred apply {name} -n {ns} --server HOST --username USER --password-stdin`)", ns = pod.namespace))
        });
    }
    let elsewhere: Vec<&str> = set
        .secrets
        .iter()
        .filter(|s| s.name == name)
        .map(|s| s.namespace.as_str())
        .collect();
    Some(if elsewhere.is_empty() {
        Finding::warning("secret-not-in-set", format!("pull secret '{name}' is not in these manifests; if it does not exist in namespace '{}' the kubelet reports FailedToRetrieveImagePullSecret and pulls anonymously", pod.namespace))
            .with_object(&pod.object)
            .with_fix(format!("create it in '{ns}' (`regcred apply {name} -n {ns} --server HOST --username USER --password-stdin`, or `regcred secret` for a manifest) or add it to the set", ns = pod.namespace))
    } else {
        Finding::error("secret-wrong-namespace", format!("pull secret '{name}' is in namespace '{}' but the pod runs in '{}'; Secrets are not shared across namespaces", elsewhere.join("', '"), pod.namespace))
            .with_object(&pod.object)
            .with_fix(format!("create a copy in '{ns}' (`regcred apply {name} -n {ns} --server HOST --username USER --password-stdin`, or `regcred secret` for a manifest)", ns = pod.namespace))
    })
}

fn lint_image(
    set: &ManifestSet,
    pod: &PodSpecRef,
    image: &str,
    names: &[String],
    usable: &[PullSecretKeys],
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = reference::check_image(image)
        .into_iter()
        .map(|finding| finding.with_object(&pod.object))
        .collect();
    let Ok(parsed) = ImageRef::parse(image) else {
        return findings;
    };
    let tried = matching::lookup(image, usable).unwrap_or_default();
    if !tried.is_empty() {
        return findings;
    }
    // Only registries this set holds credentials for are known to be private; an image from
    // anywhere else (a public base image, an init container) may well pull anonymously.
    let candidates = keys_for_registry(set, &parsed);
    if candidates.is_empty() {
        return findings;
    }
    findings.push(uncovered(
        set,
        pod,
        image,
        &parsed,
        names,
        usable,
        &candidates,
    ));
    findings
}

/// Keys anywhere in the set that are about this image's registry host (a near miss or a match).
fn keys_for_registry(set: &ManifestSet, image: &ImageRef) -> BTreeSet<String> {
    let host = image.domain().split(':').next().unwrap_or_default();
    // Keys people write for Docker Hub under other names are near misses for its images.
    let hub_aliases = [
        "registry-1.docker.io",
        "registry.hub.docker.com",
        "hub.docker.com",
    ];
    set.registry_keys
        .iter()
        .filter(|(key, key_host)| {
            key_host == host
                || (image.is_docker_hub() && hub_aliases.contains(&key_host.as_str()))
                || (key_host.contains('*') && matching::key_matches(key, &image.repository()))
        })
        .map(|(key, _)| key.clone())
        .collect()
}

fn uncovered(
    set: &ManifestSet,
    pod: &PodSpecRef,
    image: &str,
    parsed: &ImageRef,
    names: &[String],
    usable: &[PullSecretKeys],
    candidates: &BTreeSet<String>,
) -> Finding {
    let sa_in_set = set
        .service_account(&pod.namespace, &pod.service_account)
        .is_some();
    let want = matching::suggested_key(parsed);
    let reasons: Vec<String> = usable
        .iter()
        .flat_map(|s| s.keys.iter())
        .filter_map(|key| matching::key_mismatch(key, parsed).map(|why| format!("'{key}': {why}")))
        .collect();
    let message = if names.is_empty() && !sa_in_set {
        format!(
            "image '{image}' comes from a registry this set has credentials for, but the pod lists no pull secret and ServiceAccount '{}' is not in the set: unless it lists one in the cluster, the pull is anonymous",
            pod.service_account
        )
    } else if names.is_empty() {
        format!(
            "image '{image}' comes from a registry this set has credentials for, but the pod lists no pull secret and its ServiceAccount '{}' has none: it pulls anonymously",
            pod.service_account
        )
    } else if reasons.is_empty() {
        format!(
            "image '{image}' is pulled anonymously: none of the pod's pull secrets ({}) could be read for it",
            names.join(", ")
        )
    } else {
        format!(
            "image '{image}' is pulled anonymously: no key of the pod's pull secrets matches it ({})",
            reasons.join("; ")
        )
    };
    let repository = parsed.repository();
    let listable = set
        .secrets
        .iter()
        .filter(|s| s.is_pull_secret && s.namespace == pod.namespace)
        .find_map(|s| {
            s.keys
                .iter()
                .find(|key| matching::key_matches(key, &repository))
                .map(|key| (s.name.as_str(), key.as_str()))
        });
    let fix = if let (true, Some((secret, key))) = (names.is_empty(), listable) {
        format!(
            "reference Secret '{secret}' (its key '{key}' matches this image): add it to the pod's imagePullSecrets, or attach it to ServiceAccount '{}' (`regcred link-sa --secret {secret} --service-account {} -n {}`)",
            pod.service_account, pod.service_account, pod.namespace
        )
    } else if names.is_empty() {
        format!(
            "no pull secret in namespace '{}' has a key that matches this image (nearest: '{}'): create one with the key '{want}' there (`regcred apply`), then reference it from the pod or ServiceAccount '{}' (`regcred link-sa`)",
            pod.namespace,
            candidates
                .iter()
                .next()
                .map_or(want.as_str(), String::as_str),
            pod.service_account
        )
    } else if reasons.is_empty() {
        "make the pod's pull secrets readable first: the findings about them say what is wrong"
            .to_owned()
    } else {
        format!(
            "add the key '{want}' to the pull secret (the kubelet matches host, port and path exactly)"
        )
    };
    let finding = if names.is_empty() && !sa_in_set {
        Finding::warning("image-not-covered", message)
    } else {
        Finding::error("image-not-covered", message)
    };
    finding.with_object(&pod.object).with_fix(fix)
}

/// The environment a namespace or label set marks, if any.
fn environment(secret: &PullSecret) -> Option<&'static str> {
    let words = std::iter::once(secret.namespace.as_str())
        .chain(secret.environment_labels.iter().map(String::as_str));
    for word in words {
        let lower = word.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split(['-', '_', '.']).collect();
        let has = |names: &[&str]| parts.iter().any(|p| names.contains(p));
        if has(&["prod", "production", "prd", "live"]) {
            return Some("production");
        }
        if has(&["staging", "stage", "stg", "preprod", "uat"]) {
            return Some("staging");
        }
        if has(&["dev", "development", "develop", "test", "qa", "sandbox"]) {
            return Some("development");
        }
    }
    None
}

fn shared_credentials(set: &ManifestSet) -> Vec<Finding> {
    let mut by_credentials: BTreeMap<&str, Vec<&PullSecret>> = BTreeMap::new();
    for secret in &set.secrets {
        for fingerprint in &secret.credential_fingerprints {
            by_credentials
                .entry(fingerprint.as_str())
                .or_default()
                .push(secret);
        }
    }
    by_credentials
        .values()
        .filter_map(|secrets| {
            let envs: BTreeSet<&str> = secrets.iter().filter_map(|s| environment(s)).collect();
            (envs.len() > 1).then(|| {
                let objects: Vec<String> = secrets.iter().map(|s| format!("{}/{}", s.namespace, s.name)).collect();
                Finding::warning("credentials-shared-across-environments", format!("the same registry credentials are used in {} ({})", envs.into_iter().collect::<Vec<_>>().join(", "), objects.join(", ")))
                    .with_object(format!("Secret/{}", objects[0]))
                    .with_fix("give each environment its own registry or robot account, so a leaked development credential cannot pull production images")
            })
        })
        .collect()
}
