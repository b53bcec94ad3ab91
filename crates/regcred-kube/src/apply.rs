//! `apply`: one pull Secret into many namespaces by server-side apply, concurrently.

use std::collections::BTreeMap;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde::Serialize;

use crate::retry::{Backoff, with_backoff};
use crate::{Error, MANAGED_BY_LABEL, MANAGED_BY_VALUE, Result};

/// Which namespaces get the Secret.
#[derive(Debug, Clone)]
pub enum NamespaceSelection {
    /// These, as given.
    Named(Vec<String>),
    /// Every namespace matching the label selector (all when `None`), minus the exclusions
    /// (names or globs such as `kube-*`).
    All {
        /// A label selector in kubectl syntax (`team=a,env!=dev`).
        selector: Option<String>,
        /// Names or globs to leave out.
        exclude: Vec<String>,
    },
}

/// `--dry-run`, as kubectl spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DryRun {
    /// Write.
    #[default]
    None,
    /// Send nothing; report what would be applied.
    Client,
    /// Send with `dryRun=All`: the server validates and admits, and stores nothing.
    Server,
}

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The field manager of the apply.
    pub field_manager: String,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Dry run mode.
    pub dry_run: DryRun,
    /// Retry policy for each request.
    pub backoff: Backoff,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            field_manager: crate::FIELD_MANAGER.to_owned(),
            concurrency: 16,
            dry_run: DryRun::None,
            backoff: Backoff::default(),
        }
    }
}

/// What happened to the Secret in one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// It did not exist and now does.
    Created,
    /// It existed and its content or labels changed.
    Configured,
    /// It already was exactly this.
    Unchanged,
    /// Dry run: nothing was written.
    DryRun,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Created => "created",
            Self::Configured => "configured",
            Self::Unchanged => "unchanged",
            Self::DryRun => "dry run",
        })
    }
}

/// The result for one namespace.
#[derive(Debug)]
pub struct Outcome {
    /// The namespace.
    pub namespace: String,
    /// The Secret's name.
    pub name: String,
    /// What happened, or why it failed.
    pub result: Result<Change>,
}

/// The namespaces `selection` names, sorted; named ones are taken as given (not looked up).
///
/// # Errors
/// [`Error::Api`] when namespaces cannot be listed; [`Error::Invalid`] for a bad glob.
pub async fn resolve_namespaces(
    client: &kube::Client,
    selection: &NamespaceSelection,
) -> Result<Vec<String>> {
    let (selector, exclude) = match selection {
        NamespaceSelection::Named(names) => return Ok(names.clone()),
        NamespaceSelection::All { selector, exclude } => (selector, exclude),
    };
    let patterns = exclusion_patterns(exclude)?;
    let mut params = ListParams::default();
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let api: Api<Namespace> = Api::all(client.clone());
    let list = with_backoff(Backoff::default(), || api.list_metadata(&params))
        .await
        .map_err(|source| Error::api("list namespaces", source))?;
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|ns| ns.metadata.name)
        .filter(|name| !patterns.iter().any(|p| p.matches(name)))
        .collect();
    names.sort();
    Ok(names)
}

/// Compiles `--exclude` names and globs.
///
/// # Errors
/// [`Error::Invalid`] naming the pattern that does not parse.
pub fn exclusion_patterns(exclude: &[String]) -> Result<Vec<glob::Pattern>> {
    exclude
        .iter()
        .map(|text| {
            glob::Pattern::new(text).map_err(|error| {
                Error::Invalid(format!(
                    "exclusion '{text}' is not a valid glob ({error}); use a name or a pattern like 'kube-*'"
                ))
            })
        })
        .collect()
}

/// Marks `secret` as managed by regcred, so `rotate` can find it by name and label.
pub fn with_managed_label(mut secret: Secret) -> Secret {
    secret
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(MANAGED_BY_LABEL.to_owned(), MANAGED_BY_VALUE.to_owned());
    secret
}

/// Server-side applies every Secret (each carries its namespace) with bounded concurrency,
/// calling `on_done` as each finishes. Outcomes come back in the order of `secrets`.
///
/// A failure in one namespace does not stop the others. With [`DryRun::Client`] nothing is
/// sent.
pub async fn apply_secrets(
    client: &kube::Client,
    secrets: Vec<Secret>,
    options: &ApplyOptions,
    on_done: impl Fn(&Outcome),
) -> Vec<Outcome> {
    let started = Timestamp::now();
    let mut indexed: Vec<(usize, Outcome)> =
        futures::stream::iter(secrets.into_iter().enumerate())
            .map(|(index, secret)| async move {
                (index, apply_one(client, secret, options, started).await)
            })
            .buffer_unordered(options.concurrency.max(1))
            .inspect(|(_, outcome)| on_done(outcome))
            .collect()
            .await;
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, outcome)| outcome).collect()
}

async fn apply_one(
    client: &kube::Client,
    secret: Secret,
    options: &ApplyOptions,
    started: Timestamp,
) -> Outcome {
    let namespace = secret.metadata.namespace.clone().unwrap_or_default();
    let name = secret.metadata.name.clone().unwrap_or_default();
    let result = match options.dry_run {
        DryRun::Client => Ok(Change::DryRun),
        DryRun::None | DryRun::Server => {
            server_side_apply(client, &secret, options, started, &namespace, &name).await
        }
    };
    Outcome {
        namespace,
        name,
        result,
    }
}

async fn server_side_apply(
    client: &kube::Client,
    secret: &Secret,
    options: &ApplyOptions,
    started: Timestamp,
    namespace: &str,
    name: &str,
) -> Result<Change> {
    let mut params = PatchParams::apply(&options.field_manager).force();
    params.dry_run = options.dry_run == DryRun::Server;
    tracing::debug!(%namespace, secret = %name, "applying");
    let (status, applied) = with_backoff(options.backoff, || {
        apply_with_status(client, secret, &params, namespace, name)
    })
    .await
    .map_err(|source| {
        Error::api(
            format!("cannot apply Secret '{name}' in namespace '{namespace}'"),
            source,
        )
    })?;
    if params.dry_run {
        return Ok(Change::DryRun);
    }
    if status == 201 {
        return Ok(Change::Created);
    }
    Ok(change_of(&applied, &options.field_manager, started))
}

/// The apply request, keeping the HTTP status: 201 says the server created the Secret.
async fn apply_with_status(
    client: &kube::Client,
    secret: &Secret,
    params: &PatchParams,
    namespace: &str,
    name: &str,
) -> std::result::Result<(u16, Secret), kube::Error> {
    use kube::Resource as _;
    let request = kube::core::Request::new(Secret::url_path(&(), Some(namespace)))
        .patch(name, params, &Patch::Apply(secret))
        .map_err(kube::Error::BuildRequest)?;
    let response = client.send(request.map(kube::client::Body::from)).await?;
    let status = response.status();
    let bytes = response.into_body().collect_bytes().await?;
    if status.is_client_error() || status.is_server_error() {
        let parsed = serde_json::from_slice::<kube::core::Status>(&bytes).unwrap_or_else(|_| {
            kube::core::Status::failure(&String::from_utf8_lossy(&bytes), "")
                .with_code(status.as_u16())
        });
        return Err(kube::Error::Api(parsed.boxed()));
    }
    let applied = serde_json::from_slice(&bytes).map_err(kube::Error::SerdeError)?;
    Ok((status.as_u16(), applied))
}

/// Reads from the applied object whether this run created, changed or left it.
///
/// Creation is told by the HTTP status; here the Secret existed. The server sets our
/// managed-fields entry's `time` on every apply that changed something and leaves it on a no-op
/// apply.
///
/// # Caveats
/// The time has second precision: a Secret changed by an earlier run within the same second
/// reads as configured, not unchanged.
fn change_of(applied: &Secret, field_manager: &str, started: Timestamp) -> Change {
    // The API server stamps whole seconds, hence the floor.
    let floor = Timestamp::from_second(started.as_second()).unwrap_or(started);
    let touched = applied
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter(|entry| entry.manager.as_deref() == Some(field_manager))
        .filter_map(|entry| entry.time.as_ref())
        .any(|time| time.0 >= floor);
    if touched {
        Change::Configured
    } else {
        Change::Unchanged
    }
}

/// Counts of outcomes for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Created.
    pub created: usize,
    /// Configured.
    pub configured: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Dry run.
    pub dry_run: usize,
    /// Failed.
    pub failed: usize,
}

impl Summary {
    /// Counts `outcomes`.
    pub fn of(outcomes: &[Outcome]) -> Self {
        let mut summary = Self::default();
        for outcome in outcomes {
            match outcome.result {
                Ok(Change::Created) => summary.created += 1,
                Ok(Change::Configured) => summary.configured += 1,
                Ok(Change::Unchanged) => summary.unchanged += 1,
                Ok(Change::DryRun) => summary.dry_run += 1,
                Err(_) => summary.failed += 1,
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta, Time};

    fn applied(created: i64, managed: &[(&str, i64)]) -> Secret {
        let at = |s: i64| Time(Timestamp::from_second(s).unwrap());
        Secret {
            metadata: ObjectMeta {
                creation_timestamp: Some(at(created)),
                managed_fields: Some(
                    managed
                        .iter()
                        .map(|(manager, time)| ManagedFieldsEntry {
                            manager: Some((*manager).to_owned()),
                            time: Some(at(*time)),
                            ..ManagedFieldsEntry::default()
                        })
                        .collect(),
                ),
                ..ObjectMeta::default()
            },
            ..Secret::default()
        }
    }

    #[test]
    fn change_is_read_from_managed_fields_times_only() {
        let started = Timestamp::from_second(1000).unwrap();
        // A recent creation time alone is not "created": only HTTP 201 says that, since a
        // re-apply in the same second as the creation would otherwise read as created again.
        assert_eq!(
            change_of(&applied(1000, &[("regcred", 1000)]), "regcred", started),
            Change::Configured
        );
        assert_eq!(
            change_of(&applied(1000, &[("regcred", 10)]), "regcred", started),
            Change::Unchanged
        );
        assert_eq!(
            change_of(&applied(10, &[("regcred", 1001)]), "regcred", started),
            Change::Configured
        );
        assert_eq!(
            change_of(&applied(10, &[("regcred", 500)]), "regcred", started),
            Change::Unchanged
        );
        assert_eq!(
            change_of(&applied(10, &[("kubectl", 1001)]), "regcred", started),
            Change::Unchanged
        );
    }

    #[test]
    fn managed_label_is_added_and_other_labels_kept() {
        let mut secret = Secret::default();
        secret.metadata.labels = Some(BTreeMap::from([("team".to_owned(), "a".to_owned())]));
        let labels = with_managed_label(secret).metadata.labels.unwrap();
        assert_eq!(labels.get("team").map(String::as_str), Some("a"));
        assert_eq!(
            labels.get(MANAGED_BY_LABEL).map(String::as_str),
            Some(MANAGED_BY_VALUE)
        );
    }

    #[test]
    fn exclusions_accept_names_and_globs_and_refuse_broken_ones() {
        let patterns = exclusion_patterns(&["kube-*".into(), "default".into()]).unwrap();
        assert!(patterns.iter().any(|p| p.matches("kube-system")));
        assert!(patterns.iter().any(|p| p.matches("default")));
        assert!(!patterns.iter().any(|p| p.matches("team-a")));
        let error = exclusion_patterns(&["[oops".into()]).unwrap_err();
        assert!(error.to_string().contains("'[oops'"), "{error}");
    }
}
