//! Reading pull Secrets from the cluster: their docker config, and the credentials the kubelet
//! would send for an image (chosen by `regcred_core::matching`).

use k8s_openapi::api::core::v1::Secret;
use regcred_core::dockerconfig::{self, ConfigFile, Credentials};
use regcred_core::manifest::SecretFormat;
use regcred_core::matching::{self, MatchedKey, PullSecretKeys};

/// Why a Secret cannot serve as a pull Secret.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Its type is not a docker config type; the kubelet skips it.
    #[error(
        "Secret '{name}' has type '{secret_type}'; the kubelet only reads kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg"
    )]
    WrongType {
        /// The Secret.
        name: String,
        /// Its type.
        secret_type: String,
    },
    /// The data key for its type is missing.
    #[error("Secret '{name}' has no '{key}' key, which its type requires")]
    MissingKey {
        /// The Secret.
        name: String,
        /// The key.
        key: &'static str,
    },
    /// The docker config does not parse.
    #[error("Secret '{name}' holds a docker config the kubelet cannot parse")]
    Unparsable {
        /// The Secret.
        name: String,
        /// Why.
        #[source]
        source: Box<dockerconfig::Error>,
    },
}

/// The Secret's format, from its type.
pub fn format_of(secret: &Secret) -> Option<SecretFormat> {
    match secret.type_.as_deref() {
        Some("kubernetes.io/dockerconfigjson") => Some(SecretFormat::DockerConfigJson),
        Some("kubernetes.io/dockercfg") => Some(SecretFormat::DockerCfg),
        _ => None,
    }
}

/// The parsed docker config of a pull Secret.
///
/// # Errors
/// [`Error`] for a wrong type, a missing key or a config that does not parse.
pub fn config_of(secret: &Secret) -> Result<ConfigFile, Error> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    let format = format_of(secret).ok_or_else(|| Error::WrongType {
        name: name.clone(),
        secret_type: secret.type_.clone().unwrap_or_else(|| "Opaque".to_owned()),
    })?;
    let key = format.data_key();
    let bytes = secret
        .data
        .as_ref()
        .and_then(|data| data.get(key))
        .ok_or_else(|| Error::MissingKey {
            name: name.clone(),
            key,
        })?;
    let text = String::from_utf8_lossy(&bytes.0);
    ConfigFile::parse(&text).map_err(|source| Error::Unparsable {
        name,
        source: Box::new(source),
    })
}

/// A parsed pull Secret.
#[derive(Clone)]
pub struct PullSecret {
    /// Its name.
    pub name: String,
    /// Its docker config.
    pub config: ConfigFile,
}

/// Names and keys only: the config holds passwords.
impl std::fmt::Debug for PullSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PullSecret")
            .field("name", &self.name)
            .field("keys", &self.config.keys())
            .finish_non_exhaustive()
    }
}

/// The credentials the kubelet would try for `image`, in its order, each with the user and
/// password it would send (or why the entry cannot be read).
///
/// A key the kubelet would try, with its credentials or why they cannot be read.
pub type KeyCredentials = (MatchedKey, Result<Credentials, dockerconfig::Error>);

/// # Errors
/// When the image does not parse.
pub fn credentials_for(
    image: &str,
    secrets: &[PullSecret],
) -> Result<Vec<KeyCredentials>, matching::Error> {
    let keys: Vec<PullSecretKeys> = secrets
        .iter()
        .map(|s| PullSecretKeys {
            secret: s.name.clone(),
            keys: s.config.keys(),
        })
        .collect();
    let matched = matching::lookup(image, &keys)?;
    Ok(matched
        .into_iter()
        .map(|m| {
            let credentials = entry_credentials(secrets, &m);
            (m, credentials)
        })
        .collect())
}

fn entry_credentials(
    secrets: &[PullSecret],
    matched: &MatchedKey,
) -> Result<Credentials, dockerconfig::Error> {
    let entry = secrets
        .iter()
        .filter(|s| s.name == matched.secret)
        .flat_map(|s| s.config.auths.iter())
        .find(|(key, _)| *key == matched.key)
        .map(|(_, entry)| entry.clone())
        .unwrap_or_default();
    entry.to_credentials(&matched.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;
    use std::collections::BTreeMap;

    fn pull_secret(name: &str, json: &str) -> Secret {
        let mut secret = Secret {
            type_: Some("kubernetes.io/dockerconfigjson".into()),
            data: Some(BTreeMap::from([(
                ".dockerconfigjson".into(),
                ByteString(json.as_bytes().to_vec()),
            )])),
            ..Secret::default()
        };
        secret.metadata.name = Some(name.into());
        secret
    }

    #[test]
    fn credentials_come_from_the_key_the_kubelet_matches() {
        let secret = pull_secret(
            "cred",
            r#"{"auths":{"other.example.com":{"username":"x","password":"y"},"127.0.0.1:5000":{"username":"u","password":"p"}}}"#,
        );
        let parsed = PullSecret {
            name: "cred".into(),
            config: config_of(&secret).unwrap(),
        };
        let found = credentials_for("127.0.0.1:5000/team/app:v1", &[parsed]).unwrap();
        assert_eq!(found.len(), 1);
        let credentials = found[0].1.as_ref().unwrap();
        assert_eq!(found[0].0.key, "127.0.0.1:5000");
        assert_eq!(credentials.username, "u");
        assert_eq!(credentials.password.expose(), "p");
    }

    #[test]
    fn debug_shows_keys_never_passwords() {
        let secret = pull_secret(
            "cred",
            r#"{"auths":{"r.example.com":{"username":"u","password":"hunter2-secret","auth":"dTpodW50ZXIyLXNlY3JldA=="}}}"#,
        );
        let parsed = PullSecret {
            name: "cred".into(),
            config: config_of(&secret).unwrap(),
        };
        let shown = format!("{parsed:?}");
        assert!(shown.contains("r.example.com"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("dTpod"),
            "{shown}"
        );
    }

    #[test]
    fn opaque_secret_is_refused_with_its_type() {
        let mut secret = pull_secret("cred", "{}");
        secret.type_ = Some("Opaque".into());
        let error = config_of(&secret).unwrap_err();
        assert!(error.to_string().contains("'Opaque'"), "{error}");
    }
}
