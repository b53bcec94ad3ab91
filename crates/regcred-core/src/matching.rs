//! The kubelet's choice of pull credentials for an image, as pure functions.
//!
//! This follows `pkg/credentialprovider` of Kubernetes 1.35, quirks included: keys get
//! `https://` in front and are parsed as URLs (a key Go cannot parse is skipped), `/v1/` and
//! `/v2/` path prefixes are dropped only with their trailing slash, ports compare as strings,
//! hosts match label by label as case-sensitive globs with the same label count, key paths
//! match as plain string prefixes, and Docker Hub keys are a fallback only when nothing matched.
//!
//! Because keys go through Go's URL parser, only `*` works as a host wildcard in practice: a
//! `?` starts the URL's query, and a `[` anywhere but first makes the key unparsable.

mod glob;
mod gourl;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::reference::{self, ImageRef};

/// The key Docker Hub credentials are stored under, as `docker login` writes it.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// What Docker Hub keys normalise to; the fallback reads the credentials stored there.
const DOCKER_HUB_FALLBACK_KEY: &[u8] = b"index.docker.io";

/// The result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a lookup could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The image does not parse, so the kubelet fails with `InvalidImageName` before any lookup.
    #[error(transparent)]
    Image(#[from] reference::Error),
}

/// The keys of one pull Secret, in the order the pod lists its `imagePullSecrets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullSecretKeys {
    /// The Secret's name.
    pub secret: String,
    /// The keys of its `auths` map (or of a `.dockercfg` map), as written.
    pub keys: Vec<String>,
}

/// One set of credentials the kubelet would try, in the order it tries them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedKey {
    /// The Secret the key is in.
    pub secret: String,
    /// The key as written in the Secret.
    pub key: String,
    /// The key as the keyring indexes it (`host[:port][/path]`).
    pub normalized: String,
    /// Whether it was chosen by the Docker Hub fallback rather than by matching.
    pub via_docker_hub_fallback: bool,
}

/// A secret key as the keyring indexes it: `host[:port]` plus any path beyond `/v1/`, `/v2/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NormalizedKey {
    bytes: Vec<u8>,
}

impl NormalizedKey {
    /// The normalised key as text (bytes that are not UTF-8 are shown as U+FFFD).
    #[must_use]
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// Whether this is where the Docker Hub fallback looks (`index.docker.io`).
    #[must_use]
    pub fn is_docker_hub_fallback(&self) -> bool {
        self.bytes == DOCKER_HUB_FALLBACK_KEY
    }

    /// Whether the key matches the repository (`domain/path`) by the kubelet's rules,
    /// without the Docker Hub fallback.
    #[must_use]
    pub fn matches_repository(&self, repository: &str) -> bool {
        urls_match(&self.bytes, repository.as_bytes())
    }
}

/// Normalises a secret key as the keyring does; `None` when the kubelet skips the key.
///
/// A key without `http://` or `https://` gets `https://` in front and is parsed as a URL. A
/// path starting `/v1/` or `/v2/` loses those three characters, and a remaining lone `/` is
/// dropped.
#[must_use]
pub fn normalize_key(key: &str) -> Option<NormalizedKey> {
    let with_scheme = if key.starts_with("https://") || key.starts_with("http://") {
        key.to_owned()
    } else {
        format!("https://{key}")
    };
    let url = gourl::parse(with_scheme.as_bytes())?;

    let path = if url.path.starts_with(b"/v2/") || url.path.starts_with(b"/v1/") {
        &url.path[3..]
    } else {
        &url.path[..]
    };
    let mut bytes = url.host;
    if !path.is_empty() && path != b"/" {
        bytes.extend_from_slice(path);
    }
    Some(NormalizedKey { bytes })
}

/// The credentials the kubelet would try for `image`, in order, from the pod's pull Secrets.
///
/// Every matching key contributes, most specific first (keys in reverse byte order), and for
/// one normalised key in the order of the Secrets. When no key matches and the image looks
/// like a Docker Hub image, the keys that normalise to `index.docker.io` are used instead.
/// An empty result means an anonymous pull.
///
/// # Errors
/// When the image does not parse (the kubelet reports `InvalidImageName`).
///
/// # Caveats
/// Two keys of one Secret that normalise alike come in the order given here; the kubelet
/// reads them from a Go map, in no fixed order. Node credentials and credential-provider
/// plugins, tried after the pod's Secrets, are not modelled.
pub fn lookup(image: &str, secrets: &[PullSecretKeys]) -> Result<Vec<MatchedKey>> {
    let repository = ImageRef::parse(image)?.repository();
    let index = build_index(secrets);

    let matched: Vec<MatchedKey> = index
        .iter()
        .rev()
        .filter(|(key, _)| urls_match(key, repository.as_bytes()))
        .flat_map(|(key, sources)| matched_keys(key, sources, false))
        .collect();
    if !matched.is_empty() || !looks_like_docker_hub(&repository) {
        return Ok(matched);
    }

    let fallback = index.get(DOCKER_HUB_FALLBACK_KEY);
    Ok(fallback
        .map(|sources| matched_keys(DOCKER_HUB_FALLBACK_KEY, sources, true))
        .unwrap_or_default())
}

/// Why a key does not match an image directly (without the Docker Hub fallback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Mismatch {
    /// Go cannot parse the key as a URL, so the kubelet skips it.
    Unparsable,
    /// The ports differ as strings; an empty string is no port (not 443).
    Port {
        /// The key's port.
        key: String,
        /// The image's port.
        image: String,
    },
    /// The hosts have different numbers of dot-separated labels (`*` stands for one label).
    LabelCount {
        /// Labels in the key's host.
        key: usize,
        /// Labels in the image's host.
        image: usize,
    },
    /// The image's path does not start with the key's path.
    Path {
        /// The key's path.
        key: String,
        /// The image's path.
        image: String,
    },
    /// A host label does not match (`*` is a glob; matching is case-sensitive).
    Label {
        /// The key's label.
        key: String,
        /// The image's label.
        image: String,
    },
}

/// One sentence for lint output.
impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let port = |port: &str| {
            if port.is_empty() {
                "no port".to_owned()
            } else {
                format!("port {port}")
            }
        };
        match self {
            Self::Unparsable => {
                f.write_str("the key is not a valid URL, so the kubelet ignores it")
            }
            Self::Port { key, image } => {
                write!(
                    f,
                    "the key has {} but the image has {}",
                    port(key),
                    port(image)
                )
            }
            Self::LabelCount { key, image } => write!(
                f,
                "the key's host has {key} dot-separated labels but the image's has {image}"
            ),
            Self::Path { key, image } => {
                write!(
                    f,
                    "the image path '{image}' does not start with the key path '{key}'"
                )
            }
            Self::Label { key, image } => write!(
                f,
                "the host label '{key}' does not match '{image}' (matching is case-sensitive)"
            ),
        }
    }
}

/// Why `key` does not match `image` directly, or `None` when it does.
///
/// # Caveats
/// A Docker Hub key can still supply credentials through the fallback; see [`key_matches`].
#[must_use]
pub fn key_mismatch(key: &str, image: &ImageRef) -> Option<Mismatch> {
    let Some(normalized) = normalize_key(key) else {
        return Some(Mismatch::Unparsable);
    };
    mismatch_between(&normalized.bytes, image.repository().as_bytes())
}

/// Whether this one key would give credentials for the image if it were the only key:
/// by matching, or through the Docker Hub fallback. An image that does not parse matches nothing.
#[must_use]
pub fn key_matches(key: &str, image: &str) -> bool {
    let secrets = [PullSecretKeys {
        secret: String::new(),
        keys: vec![key.to_owned()],
    }];
    lookup(image, &secrets).is_ok_and(|matched| !matched.is_empty())
}

/// The key a Secret should have for this image: `https://index.docker.io/v1/` for Docker Hub,
/// otherwise the registry host with its port, exactly as in the image.
#[must_use]
pub fn suggested_key(image: &ImageRef) -> String {
    if image.is_docker_hub() {
        return DOCKER_HUB_KEY.to_owned();
    }
    let repository = image.repository();
    repository.split('/').next().unwrap_or_default().to_owned()
}

/// Whether the kubelet treats a repository as Docker Hub for the fallback: one component, a
/// first component `docker.io` or `index.docker.io`, or one without `.` and `:`.
#[must_use]
pub fn looks_like_docker_hub(repository: &str) -> bool {
    let Some((first, _)) = repository.split_once('/') else {
        return !repository.is_empty();
    };
    if first.is_empty() {
        return false;
    }
    first == "docker.io" || first == "index.docker.io" || !first.contains(['.', ':'])
}

/// One raw key and the Secret it came from.
type Source<'a> = (&'a str, &'a str);

/// The keyring index: normalised key to its sources, in Secret order; unparsable keys dropped.
fn build_index(secrets: &[PullSecretKeys]) -> BTreeMap<Vec<u8>, Vec<Source<'_>>> {
    let mut index: BTreeMap<Vec<u8>, Vec<Source<'_>>> = BTreeMap::new();
    for secret in secrets {
        for key in &secret.keys {
            if let Some(normalized) = normalize_key(key) {
                index
                    .entry(normalized.bytes)
                    .or_default()
                    .push((&secret.secret, key));
            }
        }
    }
    index
}

/// The matched keys for one index entry.
fn matched_keys(normalized: &[u8], sources: &[Source<'_>], fallback: bool) -> Vec<MatchedKey> {
    let normalized = String::from_utf8_lossy(normalized).into_owned();
    sources
        .iter()
        .map(|(secret, key)| MatchedKey {
            secret: (*secret).to_owned(),
            key: (*key).to_owned(),
            normalized: normalized.clone(),
            via_docker_hub_fallback: fallback,
        })
        .collect()
}

/// The keyring's `URLsMatchStr`: both sides parsed as `https://` URLs, then port, label
/// count, path prefix and per-label glob must all agree.
fn urls_match(key: &[u8], target: &[u8]) -> bool {
    mismatch_between(key, target).is_none()
}

/// Why `key` does not match `target` under `URLsMatchStr`, checked in the kubelet's order.
fn mismatch_between(key: &[u8], target: &[u8]) -> Option<Mismatch> {
    let (Some(key_url), Some(target_url)) = (parse_schemeless(key), parse_schemeless(target))
    else {
        return Some(Mismatch::Unparsable);
    };
    let (key_host, key_port) = gourl::split_host_port(&key_url.host);
    let (target_host, target_port) = gourl::split_host_port(&target_url.host);
    if key_port != target_port {
        return Some(Mismatch::Port {
            key: lossy(key_port),
            image: lossy(target_port),
        });
    }

    let key_labels: Vec<&[u8]> = key_host.split(|&b| b == b'.').collect();
    let target_labels: Vec<&[u8]> = target_host.split(|&b| b == b'.').collect();
    if key_labels.len() != target_labels.len() {
        return Some(Mismatch::LabelCount {
            key: key_labels.len(),
            image: target_labels.len(),
        });
    }
    if !target_url.path.starts_with(&key_url.path) {
        return Some(Mismatch::Path {
            key: lossy(&key_url.path),
            image: lossy(&target_url.path),
        });
    }
    key_labels
        .iter()
        .zip(&target_labels)
        .find(|(pattern, label)| glob::matches(pattern, label) != Ok(true))
        .map(|(pattern, label)| Mismatch::Label {
            key: lossy(pattern),
            image: lossy(label),
        })
}

/// Bytes as text, with U+FFFD for what is not UTF-8.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The keyring's `ParseSchemelessURL`: `https://` in front, then Go's URL parser.
fn parse_schemeless(text: &[u8]) -> Option<gourl::Url> {
    gourl::parse(&[b"https://".as_slice(), text].concat())
}
