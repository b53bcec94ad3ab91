//! The pull Secret, with the same `.dockerconfigjson` kubectl would store.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Result, refuse_errors};
use crate::dockerconfig::{self, Credentials};
use crate::{gojson, validate};

/// Which Secret type to produce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretFormat {
    /// `kubernetes.io/dockerconfigjson` with data key `.dockerconfigjson` (what kubectl makes).
    #[default]
    DockerConfigJson,
    /// The legacy `kubernetes.io/dockercfg` with data key `.dockercfg`.
    DockerCfg,
}

impl SecretFormat {
    /// The Secret `type`.
    pub fn secret_type(self) -> &'static str {
        match self {
            Self::DockerConfigJson => "kubernetes.io/dockerconfigjson",
            Self::DockerCfg => "kubernetes.io/dockercfg",
        }
    }

    /// The data key the kubelet reads for this type.
    pub fn data_key(self) -> &'static str {
        match self {
            Self::DockerConfigJson => ".dockerconfigjson",
            Self::DockerCfg => ".dockercfg",
        }
    }
}

/// What a pull Secret is made of.
#[derive(Debug, Clone, Default)]
pub struct SecretSpec<'a> {
    /// The Secret name (before any hash suffix).
    pub name: &'a str,
    /// The namespace; `None` leaves it to `kubectl -n` or the current context.
    pub namespace: Option<&'a str>,
    /// One entry per registry.
    pub registries: &'a [Credentials],
    /// The Secret type.
    pub format: SecretFormat,
    /// Append kubectl's 10-character content hash to the name.
    pub append_hash: bool,
    /// Labels to set.
    pub labels: BTreeMap<String, String>,
}

/// The pull Secret for `spec`.
///
/// # Errors
/// [`super::Error::Invalid`] for an invalid name, namespace or credential;
/// [`super::Error::DockerConfig`] for no or duplicate registries.
pub fn secret(spec: &SecretSpec<'_>) -> Result<Secret> {
    let mut findings = validate::check_name("secretName", spec.name);
    if spec.append_hash && spec.name.len() + 11 > validate::MAX_SUBDOMAIN {
        findings.push(
            crate::finding::Finding::error("name-too-long", format!("Secret name '{}' is {} characters long; with the 11-character hash suffix it passes the API's limit of {}", spec.name, spec.name.len(), validate::MAX_SUBDOMAIN))
                .with_field("secretName")
                .with_fix(format!("shorten it to at most {} characters", validate::MAX_SUBDOMAIN - 11)),
        );
    }
    if let Some(namespace) = spec.namespace {
        findings.extend(validate::check_namespace(namespace));
    }
    findings.extend(validate::check_labels("labels", &spec.labels));
    refuse_errors(findings)?;

    let config = match spec.format {
        SecretFormat::DockerConfigJson => dockerconfig::build_dockerconfigjson(spec.registries)?,
        SecretFormat::DockerCfg => dockerconfig::build_dockercfg(spec.registries)?,
    };
    let mut secret = Secret {
        metadata: ObjectMeta {
            name: Some(spec.name.to_owned()),
            namespace: spec.namespace.map(str::to_owned),
            labels: (!spec.labels.is_empty()).then(|| spec.labels.clone()),
            ..ObjectMeta::default()
        },
        type_: Some(spec.format.secret_type().to_owned()),
        data: Some(BTreeMap::from([(
            spec.format.data_key().to_owned(),
            ByteString(config.into_bytes()),
        )])),
        ..Secret::default()
    };
    if spec.append_hash {
        let hash = content_hash(&secret);
        secret.metadata.name = Some(format!("{}-{hash}", spec.name));
    }
    Ok(secret)
}

/// One Secret per namespace (or one without a namespace when the list is empty).
///
/// # Errors
/// As [`secret`], for the first namespace that fails.
pub fn secrets(spec: &SecretSpec<'_>, namespaces: &[String]) -> Result<Vec<Secret>> {
    if namespaces.is_empty() {
        return Ok(vec![secret(spec)?]);
    }
    namespaces
        .iter()
        .map(|namespace| {
            secret(&SecretSpec {
                namespace: Some(namespace),
                ..spec.clone()
            })
        })
        .collect()
}

/// kubectl's `--append-hash` suffix: the SHA-256 of the Secret's kind, name, type and data as Go
/// JSON, its first 10 hex digits with `0 1 3 a e` swapped for `g h k m t` so it never reads as a
/// number or a word.
///
/// # Panics
/// Never: a map of strings to bytes always serializes.
pub fn content_hash(secret: &Secret) -> String {
    #[derive(Serialize)]
    struct Hashed<'a> {
        data: BTreeMap<&'a str, &'a ByteString>,
        kind: &'static str,
        name: &'a str,
        #[serde(rename = "type")]
        type_: &'a str,
    }
    let hashed = Hashed {
        data: secret
            .data
            .iter()
            .flatten()
            .map(|(key, value)| (key.as_str(), value))
            .collect(),
        kind: "Secret",
        name: secret.metadata.name.as_deref().unwrap_or_default(),
        type_: secret.type_.as_deref().unwrap_or_default(),
    };
    let encoded = gojson::to_string(&hashed).expect("a map of strings to bytes always serializes");
    let digest = Sha256::digest(encoded.as_bytes());
    let hex = digest.iter().take(5).fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_hash_matches_kubectl() {
        // kubectl create secret docker-registry regcred --docker-server=x.example.com
        //   --docker-username=u --docker-password=p --append-hash --dry-run=client
        let registries = [Credentials::new("x.example.com", "u", "p")];
        let spec = SecretSpec {
            name: "regcred",
            registries: &registries,
            append_hash: true,
            ..SecretSpec::default()
        };
        assert_eq!(
            secret(&spec).unwrap().metadata.name.as_deref(),
            Some("regcred-g6m7mdc7tk")
        );
    }

    #[test]
    fn invalid_namespace_is_refused_before_anything_is_built() {
        let registries = [Credentials::new("x.example.com", "u", "p")];
        let spec = SecretSpec {
            name: "regcred",
            registries: &registries,
            ..SecretSpec::default()
        };
        let error = secrets(&spec, &["Prod".to_owned()]).unwrap_err();
        assert!(error.to_string().contains("'Prod'"), "{error}");
    }
}
