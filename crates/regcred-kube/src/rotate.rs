//! `rotate`: new credentials into every managed copy of a pull Secret, in place.
//!
//! Copies are found by name and the managed-by label across all namespaces and updated by the
//! same server-side apply as `apply`, never deleted and recreated, so no namespace is ever
//! without its Secret. Entries for other registries in a copy are kept.

use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::ListParams;
use regcred_core::dockerconfig::{self, ConfigFile, Credentials};
use regcred_core::manifest::{self, SecretFormat, SecretSpec};
use regcred_core::matching;

use crate::apply::with_managed_label;
use crate::pullsecret::{self, config_of};
use crate::retry::{Backoff, with_backoff};
use crate::{Error, MANAGED_BY_LABEL, MANAGED_BY_VALUE, Result};

/// Every Secret called `name`, in any namespace, split into the copies regcred manages and the
/// others, each sorted by namespace. No `Debug`: the copies hold credentials.
#[derive(Default)]
pub struct Copies {
    /// Labelled `app.kubernetes.io/managed-by: regcred`.
    pub managed: Vec<Secret>,
    /// Same name, without the label: not touched.
    pub unmanaged: Vec<Secret>,
}

/// Finds every copy of `name` across namespaces.
///
/// # Errors
/// [`Error::Api`] when Secrets cannot be listed cluster-wide.
pub async fn find_copies(client: &kube::Client, name: &str) -> Result<Copies> {
    let api: Api<Secret> = Api::all(client.clone());
    let params = ListParams::default().fields(&format!("metadata.name={name}"));
    let list = with_backoff(Backoff::default(), || api.list(&params))
        .await
        .map_err(|source| {
            Error::api(
                format!("cannot list Secrets named '{name}' in all namespaces"),
                source,
            )
        })?;
    let (mut managed, mut unmanaged): (Vec<Secret>, Vec<Secret>) =
        list.items.into_iter().partition(is_managed);
    let by_namespace = |s: &Secret| s.metadata.namespace.clone().unwrap_or_default();
    managed.sort_by_key(by_namespace);
    unmanaged.sort_by_key(by_namespace);
    Ok(Copies { managed, unmanaged })
}

/// Whether regcred manages this Secret.
pub fn is_managed(secret: &Secret) -> bool {
    secret
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(MANAGED_BY_LABEL))
        .is_some_and(|value| value == MANAGED_BY_VALUE)
}

/// The copy with `new` in place of the entry for its registry; other registries' entries stay,
/// in their order, and the type stays.
///
/// # Errors
/// [`Error::Invalid`] when the copy cannot be read (wrong type, unparsable, an entry whose
/// `auth` the kubelet cannot read); [`Error::Manifest`] when the new Secret cannot be built.
pub fn rotated(existing: &Secret, new: &Credentials) -> Result<Secret> {
    let namespace = existing.metadata.namespace.clone().unwrap_or_default();
    let name = existing.metadata.name.clone().unwrap_or_default();
    let unreadable = |detail: String| {
        Error::Invalid(format!(
            "cannot rotate Secret '{name}' in namespace '{namespace}': {detail}; delete it (`kubectl delete secret {name} -n {namespace}`) and create it again with `regcred apply`"
        ))
    };
    let config = config_of(existing).map_err(|e| unreadable(e.to_string()))?;
    let format = pullsecret::format_of(existing).unwrap_or(SecretFormat::DockerConfigJson);

    let registries = merged_registries(&config, std::slice::from_ref(new))
        .map_err(|e| unreadable(e.to_string()))?;

    let spec = SecretSpec {
        name: &name,
        namespace: Some(&namespace),
        registries: &registries,
        format,
        append_hash: false,
        labels: existing.metadata.labels.clone().unwrap_or_default(),
    };
    Ok(with_managed_label(manifest::secret(&spec)?))
}

/// The entries of `config` with each of `new` in place of the entry for its registry (keys
/// compared as the kubelet normalises them), in the config's order; registries `config` lacks
/// come after, in their order.
///
/// # Errors
/// An entry of `config` whose credentials cannot be read.
pub fn merged_registries(
    config: &ConfigFile,
    new: &[Credentials],
) -> std::result::Result<Vec<Credentials>, dockerconfig::Error> {
    let targets: Vec<_> = new
        .iter()
        .map(|c| matching::normalize_key(&c.server))
        .collect();
    let mut placed = vec![false; new.len()];
    let mut registries = Vec::new();
    for (key, entry) in &config.auths {
        let normalized = matching::normalize_key(key);
        let hit = normalized
            .is_some()
            .then(|| targets.iter().position(|t| *t == normalized))
            .flatten();
        if let Some(at) = hit {
            if !placed[at] {
                registries.push(new[at].clone());
                placed[at] = true;
            }
            continue;
        }
        registries.push(entry.to_credentials(key)?);
    }
    for (credentials, done) in new.iter().zip(placed) {
        if !done {
            registries.push(credentials.clone());
        }
    }
    Ok(registries)
}

/// Whether two Secrets carry the same pull data.
pub fn same_data(a: &Secret, b: &Secret) -> bool {
    a.type_ == b.type_ && a.data == b.data
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn existing(json: &str) -> Secret {
        let mut secret = Secret {
            type_: Some("kubernetes.io/dockerconfigjson".into()),
            data: Some(BTreeMap::from([(
                ".dockerconfigjson".into(),
                k8s_openapi::ByteString(json.as_bytes().to_vec()),
            )])),
            ..Secret::default()
        };
        secret.metadata.name = Some("regcred".into());
        secret.metadata.namespace = Some("team-a".into());
        secret.metadata.labels = Some(BTreeMap::from([
            (MANAGED_BY_LABEL.to_owned(), MANAGED_BY_VALUE.to_owned()),
            ("team".to_owned(), "a".to_owned()),
        ]));
        secret
    }

    fn keys_and_users(secret: &Secret) -> Vec<(String, String)> {
        let config = config_of(secret).unwrap();
        config
            .auths
            .iter()
            .map(|(key, entry)| (key.clone(), entry.credentials(key).unwrap().0))
            .collect()
    }

    #[test]
    fn entry_for_the_registry_is_replaced_and_others_kept_in_order() {
        let old = existing(
            r#"{"auths":{"a.example.com":{"username":"a","password":"1"},"https://reg.example.com":{"username":"old","password":"2"},"z.example.com":{"username":"z","password":"3"}}}"#,
        );
        let new = Credentials::new("reg.example.com", "new", "s3cr$t");
        let rotated = rotated(&old, &new).unwrap();
        assert_eq!(
            keys_and_users(&rotated),
            [
                ("a.example.com".to_owned(), "a".to_owned()),
                ("reg.example.com".to_owned(), "new".to_owned()),
                ("z.example.com".to_owned(), "z".to_owned()),
            ]
        );
        assert_eq!(rotated.metadata.namespace.as_deref(), Some("team-a"));
        assert_eq!(
            rotated
                .metadata
                .labels
                .unwrap()
                .get("team")
                .map(String::as_str),
            Some("a")
        );
    }

    #[test]
    fn rotated_single_registry_secret_is_what_core_generates() {
        let old = existing(r#"{"auths":{"reg.example.com":{"username":"old","password":"2"}}}"#);
        let new = Credentials::new("reg.example.com", "new", "pw");
        let rotated = rotated(&old, &new).unwrap();
        let registries = [new];
        let expected = manifest::secret(&SecretSpec {
            name: "regcred",
            namespace: Some("team-a"),
            registries: &registries,
            ..SecretSpec::default()
        })
        .unwrap();
        assert!(same_data(&rotated, &expected));
    }

    #[test]
    fn unreadable_copy_is_refused_with_its_namespace() {
        let old = existing(r#"{"auths":{"x.example.com":{"auth":"bm9jb2xvbg=="}}}"#);
        let error = rotated(&old, &Credentials::new("reg.example.com", "u", "p")).unwrap_err();
        assert!(error.to_string().contains("'team-a'"), "{error}");
    }
}
