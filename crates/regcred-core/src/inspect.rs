//! Reading an existing pull Secret or docker `config.json`: who is in it, and what will break.
//!
//! Passwords are never shown: entries report the user, the key, and whether the stored pieces
//! agree with each other, the way the kubelet would read them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;

use crate::dockerconfig::{AuthEntry, ConfigFile, Layout};
use crate::finding::Finding;
use crate::validate;

/// Result of this module's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Neither YAML nor JSON.
    #[error("input is not YAML or JSON: {0}")]
    Syntax(crate::yaml::SyntaxError),
    /// Parsed, but holds no Secret and no docker config.
    #[error(
        "input holds no Secret and no docker config (expected kind: Secret, or a JSON object with 'auths')"
    )]
    NothingToInspect,
}

/// What was inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// A Kubernetes Secret.
    Secret,
    /// A docker config file on its own.
    DockerConfig,
}

/// One registry entry, password masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// The user the kubelet would send, if it can read the entry.
    pub username: Option<String>,
    /// The password, masked to its length.
    pub password: Option<String>,
    /// The e-mail, if any.
    pub email: Option<String>,
    /// Whether `auth` is present.
    pub has_auth: bool,
}

/// The result for one Secret or config.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// What it was.
    pub source: Source,
    /// `namespace/name` of the Secret, or `config.json`.
    pub object: String,
    /// The Secret type, when a Secret.
    pub secret_type: Option<String>,
    /// Entries in file order.
    pub entries: Vec<Entry>,
    /// Everything wrong or notable.
    pub findings: Vec<Finding>,
    /// The parsed config, for callers that need the credentials (never serialized).
    #[serde(skip)]
    pub config: Option<ConfigFile>,
}

/// Inspects every Secret in a (multi-document) YAML or JSON text, or a bare docker config.
///
/// # Errors
/// [`Error::Syntax`] for text that is neither YAML nor JSON; [`Error::NothingToInspect`] when it
/// holds no Secret and no docker config.
pub fn inspect(text: &str) -> Result<Vec<Inspection>> {
    let documents = crate::yaml::parse_documents(text).map_err(Error::Syntax)?;
    let secrets: Vec<&Value> = documents.iter().flat_map(secrets_in).collect();
    if !secrets.is_empty() {
        return Ok(secrets.into_iter().map(inspect_secret).collect());
    }
    match documents.as_slice() {
        [config @ Value::Object(map)] if !map.contains_key("kind") => {
            Ok(vec![inspect_config_value(config)])
        }
        _ => Err(Error::NothingToInspect),
    }
}

/// Secrets in a document, looking inside `kind: List`.
fn secrets_in(document: &Value) -> Vec<&Value> {
    match document.get("kind").and_then(Value::as_str) {
        Some("Secret") => vec![document],
        Some(kind) if kind.ends_with("List") => document
            .get("items")
            .and_then(Value::as_array)
            .map(|items| items.iter().flat_map(secrets_in).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn inspect_config_value(value: &Value) -> Inspection {
    let mut inspection = empty(Source::DockerConfig, "config.json".to_owned(), None);
    fill_from_json(&mut inspection, &value.to_string(), None);
    inspection
}

fn empty(source: Source, object: String, secret_type: Option<String>) -> Inspection {
    Inspection {
        source,
        object,
        secret_type,
        entries: Vec::new(),
        findings: Vec::new(),
        config: None,
    }
}

fn inspect_secret(secret: &Value) -> Inspection {
    let meta = |key: &str| {
        secret
            .pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_str)
    };
    let object = match meta("namespace") {
        Some(ns) => format!("Secret/{ns}/{}", meta("name").unwrap_or("(no name)")),
        None => format!("Secret/{}", meta("name").unwrap_or("(no name)")),
    };
    let secret_type = secret
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Opaque")
        .to_owned();
    let mut inspection = empty(Source::Secret, object.clone(), Some(secret_type.clone()));

    let expected_key = match secret_type.as_str() {
        "kubernetes.io/dockerconfigjson" => ".dockerconfigjson",
        "kubernetes.io/dockercfg" => ".dockercfg",
        other => {
            let has_config = [".dockerconfigjson", ".dockercfg"]
                .iter()
                .any(|k| data_value(secret, k).is_some());
            inspection
                .findings
                .push(wrong_type(other, has_config).with_object(&object));
            if !has_config {
                return inspection;
            }
            if data_value(secret, ".dockerconfigjson").is_some() {
                ".dockerconfigjson"
            } else {
                ".dockercfg"
            }
        }
    };
    match decoded_config(secret, expected_key, &object) {
        Ok(json) => fill_from_json(&mut inspection, &json, Some(expected_key)),
        Err(finding) => inspection.findings.push(finding),
    }
    let object = inspection.object.clone();
    inspection
        .findings
        .iter_mut()
        .filter(|f| f.object.is_none())
        .for_each(|f| f.object = Some(object.clone()));
    inspection
}

fn wrong_type(secret_type: &str, has_config: bool) -> Finding {
    let message = if has_config {
        format!(
            "Secret type is '{secret_type}'; the kubelet only reads kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg and silently skips this one"
        )
    } else {
        format!(
            "Secret type is '{secret_type}' and it has no .dockerconfigjson or .dockercfg: it is not a pull secret"
        )
    };
    Finding::error("secret-wrong-type", message)
        .with_fix("recreate it with `regcred secret` (type kubernetes.io/dockerconfigjson, key .dockerconfigjson)")
}

/// Where a data key's value lives: `data` (base64) or `stringData` (plain).
enum Stored<'a> {
    Data(&'a str),
    StringData(&'a str),
}

fn data_value<'a>(secret: &'a Value, key: &str) -> Option<Stored<'a>> {
    let lookup = |section: &str| {
        secret
            .get(section)
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
    };
    lookup("data")
        .map(Stored::Data)
        .or_else(|| lookup("stringData").map(Stored::StringData))
}

/// The JSON text of the config, or the finding that says why it cannot be had.
fn decoded_config(secret: &Value, key: &str, object: &str) -> std::result::Result<String, Finding> {
    let other_key = if key == ".dockerconfigjson" {
        ".dockercfg"
    } else {
        ".dockerconfigjson"
    };
    match data_value(secret, key) {
        Some(Stored::Data(encoded)) => decode_data(encoded, key),
        Some(Stored::StringData(plain)) => check_string_data(plain, key),
        None if data_value(secret, other_key).is_some() => Err(Finding::error(
            "secret-wrong-key",
            format!("data key is '{other_key}' but the type needs '{key}'; the kubelet finds no credentials"),
        )
        .with_fix(format!("rename the key to '{key}' or change the type to match"))),
        None => Err(Finding::error("secret-missing-key", format!("{object} has no '{key}' data key"))
            .with_fix(format!("put the docker config under data.{key}"))),
    }
}

fn decode_data(encoded: &str, key: &str) -> std::result::Result<String, Finding> {
    // Go's decoder (the API server's) skips line breaks but not spaces: a wrapped value kept in
    // a YAML block scalar works, one folded into a plain scalar has spaces and is refused.
    let encoded = encoded.trim_end_matches(['\n', '\r']);
    if let Some(at) = encoded.find([' ', '\t']) {
        return Err(Finding::error("data-wrapped-base64", format!("data.{key} has a space at index {at}: base64 wrapped over several lines and folded by YAML; the API refuses it (illegal base64 data at input byte {at})"))
            .with_fix("encode without wrapping (base64 -w0), or let regcred write the Secret"));
    }
    let encoded: String = encoded
        .chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .collect();
    let bytes = STANDARD.decode(&encoded).map_err(|error| {
        Finding::error(
            "data-not-base64",
            format!("data.{key} is not valid base64: {error}"),
        )
        .with_fix("data values are base64 of the JSON; put plain JSON under stringData instead")
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Finding::error(
            "data-not-utf8",
            format!("data.{key} does not decode to text"),
        )
        .with_fix("regenerate the Secret")
    })?;
    if !text.trim_start().starts_with('{') && STANDARD.decode(text.trim()).is_ok() {
        return Err(Finding::error("data-double-base64", format!("data.{key} is base64 of base64: the JSON was encoded twice and the kubelet cannot parse it"))
            .with_fix("encode the JSON once; kubectl and regcred do it for you"));
    }
    Ok(text)
}

fn check_string_data(plain: &str, key: &str) -> std::result::Result<String, Finding> {
    if !plain.trim_start().starts_with('{') && STANDARD.decode(plain.trim()).is_ok() {
        return Err(Finding::error("string-data-base64", format!("stringData.{key} holds base64; stringData takes the plain JSON and the API encodes it (the API answers: invalid character looking for beginning of value)"))
            .with_fix(format!("move the value to data.{key}, or put the decoded JSON under stringData")));
    }
    Ok(plain.to_owned())
}

fn fill_from_json(inspection: &mut Inspection, json: &str, key: Option<&str>) {
    let config = match ConfigFile::parse(json) {
        Ok(config) => config,
        Err(error) => {
            let code = if matches!(error, crate::dockerconfig::Error::MissingAuths) {
                "config-missing-auths"
            } else {
                "config-invalid-json"
            };
            inspection.findings.push(
                Finding::error(code, format!("the docker config is unusable: {error}"))
                    .with_fix("regenerate it with `regcred secret`"),
            );
            return;
        }
    };
    inspection.findings.extend(layout_findings(&config, key));
    for (server, entry) in &config.auths {
        let (report, findings) = inspect_entry(server, entry);
        inspection.entries.push(report);
        inspection.findings.extend(findings);
    }
    inspection.config = Some(config);
}

fn layout_findings(config: &ConfigFile, key: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(store) = &config.creds_store {
        findings.push(Finding::error("config-creds-store", format!("the config uses credsStore '{store}': the credentials live in a helper on the machine that wrote it, not in the file"))
            .with_fix("create the Secret from username and password with `regcred secret` instead of from ~/.docker/config.json"));
    }
    if !config.cred_helpers.is_empty() {
        let hosts: Vec<_> = config.cred_helpers.keys().map(String::as_str).collect();
        findings.push(Finding::error("config-cred-helpers", format!("the config sends {} to credential helpers; the file holds no credentials for them", hosts.join(", ")))
            .with_fix("create the Secret from username and password with `regcred secret`"));
    }
    match (config.layout, key) {
        (Layout::Legacy, Some(".dockerconfigjson")) => findings.push(Finding::error("config-missing-auths", "the .dockerconfigjson is a legacy host map without 'auths'; the kubelet finds no credentials").with_fix("wrap the entries in {\"auths\": {...}} or use type kubernetes.io/dockercfg")),
        (Layout::Auths, Some(".dockercfg")) => findings.push(Finding::error("config-auths-in-dockercfg", "the .dockercfg holds an 'auths' object; that type expects the bare host map").with_fix("use type kubernetes.io/dockerconfigjson with key .dockerconfigjson")),
        _ => {}
    }
    if config.auths.is_empty() && config.creds_store.is_none() && config.cred_helpers.is_empty() {
        findings.push(
            Finding::error("config-empty", "the docker config has no registry entries")
                .with_fix("add the registry with `regcred secret`"),
        );
    }
    findings
}

fn inspect_entry(server: &str, entry: &AuthEntry) -> (Entry, Vec<Finding>) {
    let mut findings: Vec<Finding> = validate::check_server(server)
        .into_iter()
        .filter(|f| f.severity > crate::Severity::Info)
        .collect();
    let credentials = entry.credentials(server);
    let report = Entry {
        key: server.to_owned(),
        username: credentials.as_ref().ok().map(|(user, _)| user.clone()),
        password: credentials.as_ref().ok().map(|(_, pass)| mask(pass)),
        email: entry.email.clone(),
        has_auth: entry.auth.as_deref().is_some_and(|a| !a.is_empty()),
    };
    if !entry.has_credentials() {
        let token = entry.identitytoken.is_some() || entry.registrytoken.is_some();
        findings.push(empty_entry(server, token));
        return (report, findings);
    }
    if entry.identitytoken.is_some() || entry.registrytoken.is_some() {
        findings.push(Finding::warning("entry-token-ignored", format!("entry '{server}' has an identitytoken or registrytoken, which the kubelet ignores")).with_fix("use the username/password form"));
    }
    match credentials {
        Ok((user, pass)) => findings.extend(auth_findings(server, entry, &user, &pass)),
        Err(error) => findings.push(
            Finding::error("auth-unreadable", format!("{error}"))
                .with_fix("regenerate the entry; 'auth' must be base64 of 'username:password'"),
        ),
    }
    (report, findings)
}

fn empty_entry(server: &str, token: bool) -> Finding {
    if token {
        Finding::error("entry-token-only", format!("entry '{server}' holds only an identitytoken/registrytoken, which the kubelet ignores: pulls go out anonymous and get 401"))
            .with_fix("use a username and password (for Azure: a service principal or repository token, not `az acr login`'s identity token)")
    } else {
        Finding::error("entry-empty", format!("entry '{server}' has no credentials (no auth, username or password); pulls go out anonymous"))
            .with_fix("fill it with `regcred secret`; a config from a credsStore machine holds empty entries")
    }
}

fn auth_findings(server: &str, entry: &AuthEntry, user: &str, pass: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    if user.is_empty() || pass.is_empty() {
        findings.push(
            Finding::warning(
                "entry-incomplete",
                format!("entry '{server}' has an empty username or password"),
            )
            .with_fix("fill in both"),
        );
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        findings.push(Finding::info("auth-missing", format!("entry '{server}' has no 'auth'; the kubelet uses username/password, but the Docker CLI and some tools need 'auth'")).with_fix("regenerate it with `regcred secret`, which writes all four fields"));
        return findings;
    };
    if auth.contains(['\n', '\r', ' ']) {
        findings.push(
            Finding::warning(
                "auth-wrapped",
                format!("'auth' of '{server}' is wrapped over several lines"),
            )
            .with_fix("write it on one line"),
        );
    } else if !auth.ends_with('=') && auth.len() % 4 != 0 {
        findings.push(Finding::warning("auth-unpadded", format!("'auth' of '{server}' is unpadded base64: the kubelet reads it, the Docker CLI does not")).with_fix("pad it with '='"));
    }
    let field_user = entry.username.as_deref().unwrap_or_default();
    let field_pass = entry.password.as_deref().unwrap_or_default();
    if (!field_user.is_empty() && field_user != user)
        || (!field_pass.is_empty() && field_pass != pass)
    {
        findings.push(Finding::error("auth-mismatch", format!("'auth' of '{server}' disagrees with its username/password fields (auth says user '{user}', the field says '{field_user}'); the kubelet uses 'auth'"))
            .with_fix("regenerate the entry so both say the same"));
    }
    if field_user.contains(':') {
        findings.push(Finding::error("username-has-colon", format!("username '{field_user}' of '{server}' contains ':'; 'auth' is split at the first ':'")).with_fix("use a user name without ':'"));
    }
    findings
}

/// `****` of the password's length, so a reader can spot an empty or truncated one.
fn mask(password: &str) -> String {
    format!(
        "{} ({} characters)",
        "*".repeat(password.chars().count().min(8)),
        password.chars().count()
    )
}
