//! Docker config JSON: building the `.dockerconfigjson` kubectl would build, and reading any.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::{gojson, validate};

/// The server kubectl uses when none is given: Docker Hub's legacy v1 key.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// Result of this module's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong building or reading a docker config.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No registry was given.
    #[error("no registry given; name at least one registry server")]
    NoRegistries,
    /// The same server was given twice.
    #[error("registry server '{0}' is given twice; a docker config holds one entry per server")]
    DuplicateServer(String),
    /// An input failed validation.
    #[error("{0}")]
    Invalid(Finding),
    /// The config could not be written as JSON.
    #[error("cannot encode the docker config as JSON")]
    Encode(#[source] serde_json::Error),
    /// The text is not JSON of the expected shape. The parser's words, with every value it
    /// quoted hidden: the text may hold a password.
    #[error("docker config is not valid JSON: {0}")]
    Json(String),
    /// The JSON is neither a `config.json` with `auths` nor a legacy host map.
    #[error("docker config has no 'auths' object and is not a legacy .dockercfg host map")]
    MissingAuths,
    /// An `auth` value is not base64.
    #[error("'auth' of '{server}' is not valid base64 (the kubelet fails every pull of the pod)")]
    AuthNotBase64 {
        /// The entry's key.
        server: String,
        /// The decoder's complaint.
        #[source]
        source: base64::DecodeError,
    },
    /// An `auth` value decodes to something without a `:`.
    #[error("'auth' of '{server}' does not decode to 'username:password' (no ':')")]
    AuthWithoutColon {
        /// The entry's key.
        server: String,
    },
    /// An entry has neither `auth` nor username and password.
    #[error("entry '{server}' has no credentials: no 'auth' and no username/password")]
    EmptyEntry {
        /// The entry's key.
        server: String,
    },
}

/// A password or token. Its `Debug` never shows the value.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The password itself, for encoding into a config.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the password is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The credentials for one registry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    /// The registry server, kept exactly as typed (kubectl does the same).
    #[serde(default = "docker_hub_server")]
    pub server: String,
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: Password,
    /// An optional e-mail address; the kubelet keeps it but never sends it.
    #[serde(default)]
    pub email: Option<String>,
}

fn docker_hub_server() -> String {
    DOCKER_HUB_SERVER.to_owned()
}

impl Credentials {
    /// Credentials for `server`.
    pub fn new(
        server: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            server: server.into(),
            username: username.into(),
            password: Password::new(password),
            email: None,
        }
    }

    /// The same credentials with an e-mail address.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Padded standard base64 of `username:password`, as every consumer expects.
    pub fn auth(&self) -> String {
        STANDARD.encode(format!("{}:{}", self.username, self.password.expose()))
    }
}

/// One `auths` entry as kubectl writes it: this field order, `email` only when given.
#[derive(Serialize)]
struct EntryOut<'a> {
    username: &'a str,
    password: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    email: &'a str,
    auth: String,
}

#[derive(Serialize)]
struct ConfigOut<'a> {
    auths: BTreeMap<&'a str, EntryOut<'a>>,
}

/// The `.dockerconfigjson` value for these registries: compact JSON, Go's escaping, no newline.
///
/// For one registry it is byte for byte what `kubectl create secret docker-registry` stores.
/// Several registries are ordered by server, as Go orders map keys.
///
/// # Errors
/// [`Error::NoRegistries`], [`Error::DuplicateServer`], or [`Error::Invalid`] with the first
/// error-severity finding of [`validate::check_credentials`].
pub fn build_dockerconfigjson(registries: &[Credentials]) -> Result<String> {
    let auths = entries(registries)?;
    gojson::to_string(&ConfigOut { auths }).map_err(Error::Encode)
}

/// The legacy `.dockercfg` value (type `kubernetes.io/dockercfg`): the bare server map.
///
/// # Errors
/// As [`build_dockerconfigjson`].
pub fn build_dockercfg(registries: &[Credentials]) -> Result<String> {
    let auths = entries(registries)?;
    gojson::to_string(&auths).map_err(Error::Encode)
}

fn entries(registries: &[Credentials]) -> Result<BTreeMap<&str, EntryOut<'_>>> {
    if registries.is_empty() {
        return Err(Error::NoRegistries);
    }
    let mut auths = BTreeMap::new();
    for credentials in registries {
        if let Some(finding) = validate::check_credentials(credentials)
            .into_iter()
            .find(Finding::is_error)
        {
            return Err(Error::Invalid(finding));
        }
        let entry = EntryOut {
            username: &credentials.username,
            password: credentials.password.expose(),
            email: credentials.email.as_deref().unwrap_or_default(),
            auth: credentials.auth(),
        };
        if auths.insert(credentials.server.as_str(), entry).is_some() {
            return Err(Error::DuplicateServer(credentials.server.clone()));
        }
    }
    Ok(auths)
}

/// Which file layout a parsed config had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Layout {
    /// `{"auths": {...}}`: `.dockerconfigjson` and `~/.docker/config.json`.
    Auths,
    /// A bare server map: the legacy `.dockercfg`.
    Legacy,
}

/// One entry of a docker config, every field as found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct AuthEntry {
    /// `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `password`; never printed.
    #[serde(default, skip_serializing)]
    pub password: Option<String>,
    /// `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `auth`: base64 of `username:password`; never printed.
    #[serde(default, skip_serializing)]
    pub auth: Option<String>,
    /// `identitytoken`: an OAuth refresh token the kubelet ignores.
    #[serde(default, skip_serializing)]
    pub identitytoken: Option<String>,
    /// `registrytoken`: a bearer token the kubelet ignores.
    #[serde(default, skip_serializing)]
    pub registrytoken: Option<String>,
    /// `serveraddress`, ignored by the kubelet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serveraddress: Option<String>,
}

impl AuthEntry {
    /// The entry as [`Credentials`] for `server`, its key: user and password as the kubelet
    /// reads them (see [`AuthEntry::credentials`]), and the e-mail.
    ///
    /// # Errors
    /// As [`AuthEntry::credentials`].
    pub fn to_credentials(&self, server: &str) -> Result<Credentials> {
        let (username, password) = self.credentials(server)?;
        Ok(Credentials {
            server: server.to_owned(),
            username,
            password: Password::new(password),
            email: self.email.clone(),
        })
    }

    /// The username and password the kubelet would send for this entry.
    ///
    /// A non-empty `auth` wins over `username`/`password`. It is decoded as padded base64 when it
    /// ends in `=`, otherwise as unpadded, with line breaks skipped as Go's decoder does, and split
    /// at the first `:`.
    ///
    /// # Errors
    /// [`Error::AuthNotBase64`] or [`Error::AuthWithoutColon`] for an `auth` the kubelet cannot
    /// read (it then fails every pull of the pod).
    pub fn credentials(&self, server: &str) -> Result<(String, String)> {
        let Some(auth) = self.auth.as_deref().filter(|auth| !auth.is_empty()) else {
            return Ok((
                self.username.clone().unwrap_or_default(),
                self.password.clone().unwrap_or_default(),
            ));
        };
        let decoded = decode_auth(auth).map_err(|source| Error::AuthNotBase64 {
            server: server.to_owned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&decoded);
        let (username, password) = text
            .split_once(':')
            .ok_or_else(|| Error::AuthWithoutColon {
                server: server.to_owned(),
            })?;
        Ok((username.to_owned(), password.to_owned()))
    }

    /// Whether the entry carries anything the kubelet would send.
    pub fn has_credentials(&self) -> bool {
        let filled =
            |field: &Option<String>| field.as_deref().is_some_and(|value| !value.is_empty());
        filled(&self.auth) || filled(&self.username) || filled(&self.password)
    }
}

/// Decodes an `auth` value the way the kubelet does.
///
/// # Errors
/// The decoder's error when the value is not base64 under the kubelet's rule.
pub fn decode_auth(auth: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let cleaned: String = auth.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    if cleaned.trim().ends_with('=') {
        STANDARD.decode(cleaned)
    } else {
        STANDARD_NO_PAD.decode(cleaned)
    }
}

/// A docker config as read from a Secret or a `config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigFile {
    /// How the file was laid out.
    pub layout: Layout,
    /// The entries, in file order.
    pub auths: Vec<(String, AuthEntry)>,
    /// `credsStore`: credentials live in a helper on the machine, not in the file.
    pub creds_store: Option<String>,
    /// `credHelpers`: per-registry helpers, likewise not in the file.
    pub cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConfig {
    auths: Option<serde_json::Map<String, serde_json::Value>>,
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

impl ConfigFile {
    /// Reads a `.dockerconfigjson`, a `config.json`, or a legacy `.dockercfg` body.
    ///
    /// # Errors
    /// [`Error::Json`] when the text is not JSON of either shape; [`Error::MissingAuths`] when it
    /// is a JSON object with neither `auths` nor entry-shaped values.
    pub fn parse(text: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::Json(without_values(&e)))?;
        let raw: RawConfig =
            serde_json::from_value(value.clone()).map_err(|e| Error::Json(without_values(&e)))?;
        if let Some(auths) = raw.auths {
            return Ok(Self {
                layout: Layout::Auths,
                auths: entries_from(auths)?,
                creds_store: raw.creds_store,
                cred_helpers: raw.cred_helpers,
            });
        }
        if raw.creds_store.is_some() || !raw.cred_helpers.is_empty() {
            return Ok(Self {
                layout: Layout::Auths,
                auths: Vec::new(),
                creds_store: raw.creds_store,
                cred_helpers: raw.cred_helpers,
            });
        }
        let serde_json::Value::Object(map) = value else {
            return Err(Error::MissingAuths);
        };
        if map.is_empty() || !map.values().all(serde_json::Value::is_object) {
            return Err(Error::MissingAuths);
        }
        Ok(Self {
            layout: Layout::Legacy,
            auths: entries_from(map)?,
            creds_store: None,
            cred_helpers: BTreeMap::new(),
        })
    }

    /// The entry keys, in file order.
    pub fn keys(&self) -> Vec<String> {
        self.auths.iter().map(|(key, _)| key.clone()).collect()
    }
}

fn entries_from(
    map: serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<(String, AuthEntry)>> {
    map.into_iter()
        .map(|(key, value)| {
            let entry = serde_json::from_value(value)
                .map_err(|e| Error::Json(format!("entry '{key}': {}", without_values(&e))))?;
            Ok((key, entry))
        })
        .collect()
}

/// A JSON error's message with each value it quotes (`` `12345678` ``, `"s3cret"`) replaced
/// by `(value hidden)`, so that a password in the wrong place is never printed.
fn without_values(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        if c != '`' && c != '"' {
            out.push(c);
            continue;
        }
        let mut escaped = false;
        for inner in chars.by_ref() {
            match inner {
                '\\' if c == '"' && !escaped => escaped = true,
                _ if inner == c && !escaped => break,
                _ => escaped = false,
            }
        }
        out.push_str("(value hidden)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_debug_is_redacted() {
        let credentials = Credentials::new("registry.example.com", "alice", "hunter2-secret");
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn single_registry_matches_kubectl_worked_value() {
        let config =
            build_dockerconfigjson(
                &[Credentials::new("registry.example.com", "alice", "S3cr3t")
                    .with_email("alice@example.com")],
            )
            .unwrap();
        assert_eq!(
            config,
            r#"{"auths":{"registry.example.com":{"username":"alice","password":"S3cr3t","email":"alice@example.com","auth":"YWxpY2U6UzNjcjN0"}}}"#
        );
    }

    #[test]
    fn several_registries_are_ordered_by_server() {
        let config = build_dockerconfigjson(&[
            Credentials::new("b.example.com", "u", "p"),
            Credentials::new("a.example.com", "u", "p"),
        ])
        .unwrap();
        assert!(config.find("a.example.com").unwrap() < config.find("b.example.com").unwrap());
    }

    #[test]
    fn duplicate_server_is_refused() {
        let same = Credentials::new("r.example.com", "u", "p");
        let error = build_dockerconfigjson(&[same.clone(), same]).unwrap_err();
        assert!(matches!(error, Error::DuplicateServer(server) if server == "r.example.com"));
    }

    #[test]
    fn legacy_dockercfg_is_the_bare_server_map() {
        let config =
            build_dockercfg(&[Credentials::new("r.example.com", "alice", "S3cr3t")]).unwrap();
        assert_eq!(
            config,
            r#"{"r.example.com":{"username":"alice","password":"S3cr3t","auth":"YWxpY2U6UzNjcjN0"}}"#
        );
        assert_eq!(ConfigFile::parse(&config).unwrap().layout, Layout::Legacy);
    }

    #[test]
    fn auth_overrides_username_and_password_when_read() {
        let entry = AuthEntry {
            username: Some("ignored".into()),
            auth: Some("YWxpY2U6UzNjcjN0".into()),
            ..AuthEntry::default()
        };
        assert_eq!(
            entry.credentials("r").unwrap(),
            ("alice".into(), "S3cr3t".into())
        );
    }

    #[test]
    fn unpadded_auth_is_read_as_unpadded() {
        // "alice:pw" is 8 bytes: padded form ends in "=", unpadded drops it.
        let entry = AuthEntry {
            auth: Some("YWxpY2U6cHc".into()),
            ..AuthEntry::default()
        };
        assert_eq!(
            entry.credentials("r").unwrap(),
            ("alice".into(), "pw".into())
        );
    }

    #[test]
    fn auth_without_colon_is_an_error() {
        let entry = AuthEntry {
            auth: Some(STANDARD.encode("alice")),
            ..AuthEntry::default()
        };
        assert!(matches!(
            entry.credentials("r"),
            Err(Error::AuthWithoutColon { .. })
        ));
    }

    #[test]
    fn config_without_auths_is_refused() {
        assert!(matches!(
            ConfigFile::parse(r#"{"foo": 1}"#),
            Err(Error::MissingAuths)
        ));
        assert!(matches!(
            ConfigFile::parse("[1]"),
            Err(Error::Json(_) | Error::MissingAuths)
        ));
    }

    #[test]
    fn json_errors_never_quote_a_value() {
        for (text, secret) in [
            (
                r#"{"auths":{"r.io":{"username":"u","password":12345678}}}"#,
                "12345678",
            ),
            (r#"{"auths":"SECRETPW"}"#, "SECRETPW"),
            (
                r#"{"auths":{"r.io":{"username":"u","email":7,"password":"S3\"cr"}}}"#,
                "7,",
            ),
            (r#"{"auths":{"r.io":{"password":true}}}"#, "true"),
        ] {
            let error = ConfigFile::parse(text).err().unwrap().to_string();
            assert!(!error.contains(secret), "{error}");
            assert!(error.contains("(value hidden)"), "{error}");
        }
        let error = ConfigFile::parse(r#"{"auths":{"r.io":{"password":1}}}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("entry 'r.io'"), "{error}");
        let syntax = ConfigFile::parse("{\"auths\": {,}}")
            .err()
            .unwrap()
            .to_string();
        assert!(syntax.contains("line 1 column"), "{syntax}");
    }

    #[test]
    fn creds_store_config_parses_with_no_entries() {
        let config = ConfigFile::parse(r#"{"credsStore":"desktop"}"#).unwrap();
        assert_eq!(config.creds_store.as_deref(), Some("desktop"));
        assert!(config.auths.is_empty());
    }
}
