//! Facts pulled out of pasted event text: image, registry, missing Secrets, HTTP status.

use serde::Serialize;

use crate::reference::ImageRef;

/// What the pasted text says about the failing pull, as far as it can be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// The image the kubelet tried to pull, as written in the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The registry host (with port) the pull went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// The pod's namespace, when `kubectl describe pod` output shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Secrets named in `FailedToRetrieveImagePullSecret` events.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_secrets: Vec<String>,
    /// The first HTTP error status the registry answered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Event and waiting reasons seen (`Failed`, `ErrImagePull`, `ImagePullBackOff`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// Event reasons and container waiting reasons that concern image pulls.
pub(super) const PULL_REASONS: &[&str] = &[
    "FailedToRetrieveImagePullSecret",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "InspectFailed",
    "BackOff",
    "Failed",
    "Pulling",
    "Pulled",
];

/// HTTP statuses registries answer with, as they appear in runtime errors.
const HTTP_STATUSES: &[(u16, &str)] = &[
    (401, "401 unauthorized"),
    (403, "403 forbidden"),
    (404, "404 not found"),
    (429, "429 too many requests"),
    (500, "500 internal server error"),
    (502, "502 bad gateway"),
    (503, "503 service unavailable"),
];

/// Reads every fact the text offers.
pub(super) fn facts(text: &str) -> Facts {
    let image = image(text);
    let registry = image
        .as_deref()
        .and_then(|image| ImageRef::parse(image).ok())
        .map(|image| image.domain().to_owned())
        .filter(|domain| !domain.is_empty())
        .or_else(|| registry_from_urls(text));
    Facts {
        image,
        registry,
        namespace: field_value(text, "Namespace:"),
        missing_secrets: missing_secrets(text),
        http_status: http_status(text),
        reasons: reasons(text),
    }
}

/// The image from the first `image "…"` or `reference "…"` quote, else a describe `Image:` line.
fn image(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    ["image \"", "image tag \"", "reference \""]
        .iter()
        .filter_map(|marker| lower.find(marker).map(|at| at + marker.len()))
        .min()
        .and_then(|start| quoted_until(&text[start..]))
        .or_else(|| field_value(text, "Image:"))
}

/// The text up to the closing `"`, when it is a plausible image (no white space, not empty).
fn quoted_until(text: &str) -> Option<String> {
    let value = &text[..text.find('"')?];
    (!value.is_empty() && !value.contains(char::is_whitespace)).then(|| value.to_owned())
}

/// The value after `name` at the start of a line, as `kubectl describe` prints fields.
fn field_value(text: &str, name: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix(name))
        .map(str::trim)
        .find(|value| !value.is_empty() && !value.contains(char::is_whitespace))
        .map(str::to_owned)
}

/// The host of the first `https://` or `http://` URL in the text.
fn registry_from_urls(text: &str) -> Option<String> {
    let start = ["https://", "http://"]
        .iter()
        .filter_map(|scheme| text.find(scheme).map(|at| at + scheme.len()))
        .min()?;
    let host: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    (!host.is_empty()).then_some(host)
}

/// Secret names from `Unable to retrieve some image pull secrets (a, b)`, without repeats.
fn missing_secrets(text: &str) -> Vec<String> {
    const MARKER: &str = "image pull secrets (";
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let rest = &line[at + MARKER.len()..];
        let Some(end) = rest.find(')') else { continue };
        for name in rest[..end]
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The HTTP error status that appears first in the text.
fn http_status(text: &str) -> Option<u16> {
    let lower = text.to_ascii_lowercase();
    HTTP_STATUSES
        .iter()
        .filter_map(|(status, phrase)| lower.find(phrase).map(|at| (at, *status)))
        .min()
        .map(|(_, status)| status)
}

/// The pull-related reasons that appear as whole words, in [`PULL_REASONS`] order.
fn reasons(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    PULL_REASONS
        .iter()
        .filter(|reason| words.contains(reason))
        .map(|reason| (*reason).to_owned())
        .collect()
}
