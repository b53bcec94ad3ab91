//! `link-sa`: append the pull Secret to `ServiceAccounts`, keeping every existing entry.
//!
//! The new list comes from `regcred_core::manifest::patch_service_account` and is written with a
//! replace that carries the `resourceVersion` read: if anyone changed the `ServiceAccount` in
//! between, the server refuses with a conflict and the append is redone on the fresh object, so
//! no concurrent entry is ever lost. The object is read and written untyped, so a field of a
//! newer API server than this crate's Kubernetes types goes back as it came.

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::Api;
use kube::api::{ApiResource, DynamicObject, PostParams};
use regcred_core::manifest::patch_service_account;
use serde::Serialize;

use crate::retry::{Backoff, with_backoff};
use crate::{Error, Result};

/// Attempts when the `ServiceAccount` keeps changing under us, and the pause between them:
/// jittered, so that runs racing for one account spread out instead of colliding again.
const CONFLICT_ATTEMPTS: u32 = 10;
const CONFLICT_BACKOFF: Backoff = Backoff {
    attempts: CONFLICT_ATTEMPTS,
    initial: std::time::Duration::from_millis(50),
    max: std::time::Duration::from_secs(1),
};

/// What happened to one `ServiceAccount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkChange {
    /// The Secret was appended.
    Appended,
    /// It was already listed; nothing was written.
    AlreadyListed,
    /// Dry run: it would be appended.
    DryRun,
}

impl std::fmt::Display for LinkChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Appended => "appended",
            Self::AlreadyListed => "already listed",
            Self::DryRun => "would append (dry run)",
        })
    }
}

/// The result for one `ServiceAccount` (or one name that matched none).
#[derive(Debug)]
pub struct Linked {
    /// The namespace.
    pub namespace: String,
    /// The `ServiceAccount` name, or the pattern that matched nothing.
    pub account: String,
    /// What happened.
    pub result: Result<LinkChange>,
}

/// Whether `pattern` is a glob rather than a plain name.
fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Appends `secret` to the `ServiceAccounts` of `namespace` named by `patterns` (names or globs).
/// A plain name that does not exist is a failed outcome; a glob that matches nothing is not.
///
/// # Errors
/// [`Error::Api`] when the `ServiceAccounts` cannot be listed; [`Error::Invalid`] for a bad glob.
pub async fn link_service_accounts(
    client: &kube::Client,
    namespace: &str,
    patterns: &[String],
    secret: &str,
    dry_run: bool,
) -> Result<Vec<Linked>> {
    let compiled = crate::apply::glob_patterns("ServiceAccount pattern", "ci-*", patterns)?;
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        namespace,
        &ApiResource::erase::<ServiceAccount>(&()),
    );
    let existing: Vec<String> = crate::workloads::list_service_accounts(client, namespace)
        .await?
        .into_iter()
        .filter_map(|a| a.metadata.name)
        .collect();

    let mut outcomes = Vec::new();
    for (pattern, compiled) in patterns.iter().zip(&compiled) {
        if !is_glob(pattern) && !existing.contains(pattern) {
            outcomes.push(Linked {
                namespace: namespace.to_owned(),
                account: pattern.clone(),
                result: Err(Error::Invalid(format!(
                    "ServiceAccount '{pattern}' does not exist in namespace '{namespace}'; create it or check the name with `kubectl get serviceaccounts -n {namespace}`"
                ))),
            });
        }
        for name in existing.iter().filter(|name| compiled.matches(name)) {
            if outcomes.iter().any(|o: &Linked| &o.account == name) {
                continue;
            }
            let result = append_to(&api, namespace, name, secret, dry_run).await;
            outcomes.push(Linked {
                namespace: namespace.to_owned(),
                account: name.clone(),
                result,
            });
        }
    }
    Ok(outcomes)
}

/// Appends `secret` to one `ServiceAccount`, redoing the append after a conflict.
async fn append_to(
    api: &Api<DynamicObject>,
    namespace: &str,
    name: &str,
    secret: &str,
    dry_run: bool,
) -> Result<LinkChange> {
    let what = || format!("cannot update ServiceAccount '{name}' in namespace '{namespace}'");
    let params = PostParams {
        dry_run,
        field_manager: Some(crate::FIELD_MANAGER.to_owned()),
    };
    // Each process its own jitter (a pointer address alone repeats across processes).
    let seed = u64::from(std::process::id())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
    let mut attempt = 0;
    loop {
        let mut patched = with_backoff(Backoff::default(), || api.get(name))
            .await
            .map_err(|source| Error::api(what(), source))?;
        let changed = patch_service_account(&mut patched.data, secret)
            .map_err(|e| Error::Invalid(format!("{}: {e}", what())))?;
        if !changed {
            return Ok(LinkChange::AlreadyListed);
        }
        match with_backoff(Backoff::default(), || api.replace(name, &params, &patched)).await {
            Ok(_) if dry_run => return Ok(LinkChange::DryRun),
            Ok(_) => return Ok(LinkChange::Appended),
            Err(kube::Error::Api(status))
                if status.code == 409 && attempt + 1 < CONFLICT_ATTEMPTS =>
            {
                attempt += 1;
                let delay = CONFLICT_BACKOFF.delay(attempt, seed.wrapping_add(u64::from(attempt)));
                tracing::debug!(%namespace, account = %name, attempt, ?delay, "conflict, appending again");
                tokio::time::sleep(delay).await;
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                return Err(Error::Invalid(format!(
                    "{}: it changed under each of {CONFLICT_ATTEMPTS} attempts (others are writing it); nothing was lost, run the command again",
                    what()
                )));
            }
            Err(source) => return Err(Error::api(what(), source)),
        }
    }
}

/// The type of `secret` in `namespace`, `None` when it does not exist (a `ServiceAccount`
/// listing a missing Secret makes the kubelet report `FailedToRetrieveImagePullSecret` and
/// pull anonymously; one of another type than a docker config is skipped the same way).
///
/// # Errors
/// [`Error::Api`] when the read fails for another reason than absence.
pub async fn secret_type(
    client: &kube::Client,
    namespace: &str,
    secret: &str,
) -> Result<Option<String>> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    with_backoff(Backoff::default(), || api.get_opt(secret))
        .await
        .map(|found| found.map(|s| s.type_.unwrap_or_else(|| "Opaque".to_owned())))
        .map_err(|source| {
            Error::api(
                format!("cannot read Secret '{secret}' in namespace '{namespace}'"),
                source,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::is_glob;

    #[test]
    fn globs_are_told_from_names() {
        assert!(is_glob("ci-*"));
        assert!(is_glob("runner-?"));
        assert!(!is_glob("default"));
    }
}
