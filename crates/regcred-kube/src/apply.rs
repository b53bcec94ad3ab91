//! `apply`: one pull Secret into many namespaces by server-side apply, concurrently.

use std::collections::BTreeMap;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Api;
use kube::api::{ListParams, Patch, PatchParams};
use serde::Serialize;

use regcred_core::manifest::{self, SecretFormat, SecretSpec};

use crate::pullsecret::{self, config_of};
use crate::retry::{Backoff, with_backoff};
use crate::rotate::merged_registries;
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
    /// Registries of the Secret that was there whose entries were kept beside the new one.
    pub kept: Vec<String>,
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
    glob_patterns("exclusion", "kube-*", exclude)
}

/// Compiles names and globs given for `what` (an example pattern shown in the fix).
///
/// # Errors
/// [`Error::Invalid`] naming the pattern that does not parse.
pub fn glob_patterns(what: &str, example: &str, texts: &[String]) -> Result<Vec<glob::Pattern>> {
    texts
        .iter()
        .map(|text| {
            glob::Pattern::new(text).map_err(|error| {
                Error::Invalid(format!(
                    "{what} '{text}' is not a valid glob ({error}); use a name or a pattern like '{example}'"
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
    let mut indexed: Vec<(usize, Outcome)> = futures::stream::iter(secrets.into_iter().enumerate())
        .map(|(index, secret)| async move { (index, apply_one(client, secret, options).await) })
        .buffer_unordered(options.concurrency.max(1))
        .inspect(|(_, outcome)| on_done(outcome))
        .collect()
        .await;
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, outcome)| outcome).collect()
}

async fn apply_one(client: &kube::Client, secret: Secret, options: &ApplyOptions) -> Outcome {
    let namespace = secret.metadata.namespace.clone().unwrap_or_default();
    let name = secret.metadata.name.clone().unwrap_or_default();
    let mut kept = Vec::new();
    let result = match options.dry_run {
        DryRun::Client => Ok(Change::DryRun),
        DryRun::None | DryRun::Server => {
            server_side_apply(client, secret, options, &namespace, &name, &mut kept).await
        }
    };
    Outcome {
        namespace,
        name,
        result,
        kept,
    }
}

/// Reads the Secret that is there, merges into it, applies, and tells what changed by the
/// HTTP status (201: created) and the resource version (the same: a no-op).
async fn server_side_apply(
    client: &kube::Client,
    secret: Secret,
    options: &ApplyOptions,
    namespace: &str,
    name: &str,
    kept: &mut Vec<String>,
) -> Result<Change> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let existing = with_backoff(options.backoff, || api.get_opt(name))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot read Secret '{name}' in namespace '{namespace}'"),
                source,
            )
        })?;
    let secret = match &existing {
        Some(old) => {
            let (merged, others) = merge_into(old, secret)?;
            *kept = others;
            merged
        }
        None => secret,
    };

    let mut params = PatchParams::apply(&options.field_manager).force();
    params.dry_run = options.dry_run == DryRun::Server;
    tracing::debug!(%namespace, secret = %name, "applying");
    let (status, applied) = with_backoff(options.backoff, || {
        apply_with_status(client, &secret, &params, namespace, name)
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
    Ok(change_of(status, existing.as_ref(), &applied))
}

/// The Secret to apply over `old`: `new`, plus the entries `old` holds for other registries,
/// so that applying over a Secret made by hand or by kubectl never drops a registry.
///
/// # Errors
/// [`Error::Invalid`] when `old` has another type (the API refuses to change it) or holds a
/// docker config that cannot be read; either way nothing is sent.
fn merge_into(old: &Secret, new: Secret) -> Result<(Secret, Vec<String>)> {
    let name = new.metadata.name.clone().unwrap_or_default();
    let namespace = new.metadata.namespace.clone().unwrap_or_default();
    let delete_hint = format!(
        "delete it first (`kubectl delete secret {name} -n {namespace}`) or choose another name"
    );
    let old_type = old.type_.as_deref().unwrap_or("Opaque");
    let new_type = new.type_.as_deref().unwrap_or("Opaque");
    if old_type != new_type {
        return Err(Error::Invalid(format!(
            "Secret '{name}' in namespace '{namespace}' already exists with type '{old_type}', \
             and the API never changes a Secret's type to '{new_type}'; {delete_hint}"
        )));
    }
    let old_config = config_of(old).map_err(|e| {
        Error::Invalid(format!(
            "Secret '{name}' in namespace '{namespace}' already exists and cannot be read as a \
             pull Secret ({e}); {delete_hint}"
        ))
    })?;
    let new_config = config_of(&new).map_err(|e| Error::Invalid(e.to_string()))?;
    let registries = new_config
        .auths
        .iter()
        .map(|(key, entry)| entry.to_credentials(key))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let merged = merged_registries(&old_config, &registries).map_err(|e| {
        Error::Invalid(format!(
            "Secret '{name}' in namespace '{namespace}' already exists with an entry the \
             kubelet cannot read ({e}); {delete_hint}"
        ))
    })?;
    if merged.len() == registries.len() {
        return Ok((new, Vec::new()));
    }
    let kept = merged
        .iter()
        .filter(|c| !new_config.auths.iter().any(|(key, _)| *key == c.server))
        .map(|c| c.server.clone())
        .collect();
    let spec = SecretSpec {
        name: &name,
        namespace: Some(&namespace),
        registries: &merged,
        format: pullsecret::format_of(&new).unwrap_or(SecretFormat::DockerConfigJson),
        append_hash: false,
        labels: new.metadata.labels.clone().unwrap_or_default(),
    };
    Ok((manifest::secret(&spec)?, kept))
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

/// Whether the apply created the Secret (HTTP 201), changed it, or found it as it wanted it:
/// a no-op apply writes nothing, so the resource version stays what it was before.
fn change_of(status: u16, existing: Option<&Secret>, applied: &Secret) -> Change {
    match existing {
        _ if status == 201 => Change::Created,
        None => Change::Created,
        Some(old) if old.metadata.resource_version == applied.metadata.resource_version => {
            Change::Unchanged
        }
        Some(_) => Change::Configured,
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
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use regcred_core::dockerconfig::{Credentials, Password};

    fn with_version(version: &str) -> Secret {
        Secret {
            metadata: ObjectMeta {
                resource_version: Some(version.to_owned()),
                ..ObjectMeta::default()
            },
            ..Secret::default()
        }
    }

    #[test]
    fn change_is_told_by_status_and_resource_version() {
        let (old, same, newer) = (with_version("7"), with_version("7"), with_version("8"));
        assert_eq!(change_of(201, None, &newer), Change::Created);
        assert_eq!(change_of(200, Some(&old), &same), Change::Unchanged);
        assert_eq!(change_of(200, Some(&old), &newer), Change::Configured);
        // Deleted and made again by someone else between our read and our apply.
        assert_eq!(change_of(201, Some(&old), &newer), Change::Created);
    }

    fn pull_secret(config: &str, type_: &str) -> Secret {
        Secret {
            metadata: ObjectMeta {
                name: Some("regcred".to_owned()),
                namespace: Some("team".to_owned()),
                ..ObjectMeta::default()
            },
            type_: Some(type_.to_owned()),
            data: Some(BTreeMap::from([(
                if type_.ends_with("dockercfg") {
                    ".dockercfg".to_owned()
                } else {
                    ".dockerconfigjson".to_owned()
                },
                k8s_openapi::ByteString(config.as_bytes().to_vec()),
            )])),
            ..Secret::default()
        }
    }

    fn new_secret(server: &str) -> Secret {
        let registries = [Credentials {
            server: server.to_owned(),
            username: "new".to_owned(),
            password: Password::new("pw".to_owned()),
            email: None,
        }];
        let spec = SecretSpec {
            name: "regcred",
            namespace: Some("team"),
            registries: &registries,
            format: SecretFormat::DockerConfigJson,
            append_hash: false,
            labels: BTreeMap::from([(MANAGED_BY_LABEL.to_owned(), MANAGED_BY_VALUE.to_owned())]),
        };
        manifest::secret(&spec).unwrap()
    }

    fn keys(secret: &Secret) -> Vec<String> {
        config_of(secret).unwrap().keys()
    }

    const JSON: &str = "kubernetes.io/dockerconfigjson";

    #[test]
    fn applying_over_a_kubectl_secret_keeps_its_other_registries() {
        let old = pull_secret(
            r#"{"auths":{"docker.io":{"username":"hub","password":"a","auth":"aHViOmE="},"https://reg.example.com/":{"username":"old","password":"b","auth":"b2xkOmI="}}}"#,
            JSON,
        );
        let (merged, kept) = merge_into(&old, new_secret("reg.example.com")).unwrap();
        assert_eq!(kept, ["docker.io"]);
        assert_eq!(keys(&merged), ["docker.io", "reg.example.com"]);
        let config = config_of(&merged).unwrap();
        assert_eq!(
            config.auths[1].1.credentials("reg.example.com").unwrap().0,
            "new"
        );
        assert_eq!(config.auths[0].1.credentials("docker.io").unwrap().0, "hub");
        assert_eq!(
            merged
                .metadata
                .labels
                .unwrap()
                .get(MANAGED_BY_LABEL)
                .map(String::as_str),
            Some(MANAGED_BY_VALUE)
        );
    }

    #[test]
    fn applying_over_the_same_registry_sends_the_new_secret_as_it_is() {
        let old = pull_secret(
            r#"{"auths":{"reg.example.com":{"username":"old","password":"b"}}}"#,
            JSON,
        );
        let new = new_secret("reg.example.com");
        let (merged, kept) = merge_into(&old, new.clone()).unwrap();
        assert!(kept.is_empty());
        assert_eq!(merged.data, new.data);
    }

    #[test]
    fn applying_over_another_type_or_an_unreadable_secret_is_refused_naming_it() {
        let opaque = pull_secret("{}", "Opaque");
        let error = merge_into(&opaque, new_secret("r.io"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("already exists with type 'Opaque'"),
            "{error}"
        );
        assert!(
            error.contains("kubectl delete secret regcred -n team"),
            "{error}"
        );

        let broken = pull_secret(r#"{"auths":{"r.io":{"password":12345678}}}"#, JSON);
        let error = merge_into(&broken, new_secret("r.io"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("cannot be read as a pull Secret"), "{error}");
        assert!(!error.contains("12345678"), "{error}");
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
