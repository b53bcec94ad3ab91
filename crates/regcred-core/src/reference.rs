//! Image references: the CNCF distribution grammar with Docker's normalising ("familiar") rules.
//!
//! [`ImageRef::parse`] accepts exactly what the kubelet accepts (it parses every image with
//! `ParseNormalizedNamed` from `github.com/distribution/reference`) and normalises the same way:
//! `nginx` is `docker.io/library/nginx`, `alice/app` is `docker.io/alice/app`, and
//! `index.docker.io` becomes `docker.io`. Errors say which part is wrong and how to fix it, where
//! the Go library only says "invalid reference format".

mod grammar;

use std::fmt;
use std::str::FromStr;

use crate::finding::Finding;

use grammar::{is_hex_identifier, parse_canonical};

/// The registry host of Docker Hub images.
pub const DOCKER_HUB_DOMAIN: &str = "docker.io";

/// The legacy Docker Hub host, rewritten to [`DOCKER_HUB_DOMAIN`] when parsing.
pub const LEGACY_DOCKER_HUB_DOMAIN: &str = "index.docker.io";

/// The namespace of official Docker Hub images (`nginx` is `library/nginx`).
const OFFICIAL_NAMESPACE: &str = "library/";

/// The longest repository path the grammar accepts.
pub const MAX_PATH_LENGTH: usize = 255;

/// The result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an image reference does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The reference is the empty string.
    #[error("image reference is empty")]
    Empty,
    /// The reference contains white space (often a pasted newline or trailing space).
    #[error("image '{value}' contains white space at byte {position}")]
    Whitespace {
        /// The whole reference.
        value: String,
        /// Byte offset of the first white-space character.
        position: usize,
    },
    /// The reference starts with a URL scheme such as `https://`.
    #[error("image '{value}' starts with the URL scheme '{scheme}'; image references have none")]
    Scheme {
        /// The whole reference.
        value: String,
        /// The scheme with its `://`.
        scheme: String,
    },
    /// The reference is 64 hexadecimal characters, which the grammar reserves for image IDs.
    #[error("image '{value}' is 64 hexadecimal characters, which is reserved for image IDs")]
    HexIdentifier {
        /// The whole reference.
        value: String,
    },
    /// The repository path has upper-case letters.
    #[error("image '{value}' has upper-case letters in its repository path '{path}'")]
    UppercasePath {
        /// The whole reference.
        value: String,
        /// The repository path as written.
        path: String,
    },
    /// The registry host or port is malformed.
    #[error("image '{value}' has an invalid registry host '{domain}': {reason}")]
    InvalidDomain {
        /// The whole reference.
        value: String,
        /// The host with its port, as written.
        domain: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `/`-separated component of the repository path is malformed.
    #[error("image '{value}' has an invalid repository path component '{component}': {reason}")]
    InvalidPathComponent {
        /// The whole reference.
        value: String,
        /// The offending component (empty for `//`).
        component: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The repository path is longer than [`MAX_PATH_LENGTH`].
    #[error(
        "image '{value}' has a repository path of {length} characters; at most 255 are allowed"
    )]
    NameTooLong {
        /// The whole reference.
        value: String,
        /// Length of the normalised path.
        length: usize,
    },
    /// The tag is malformed.
    #[error("image '{value}' has an invalid tag '{tag}': {reason}")]
    InvalidTag {
        /// The whole reference.
        value: String,
        /// The tag as written.
        tag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The digest is malformed or uses an unsupported algorithm.
    #[error("image '{value}' has an invalid digest '{digest}': {reason}")]
    InvalidDigest {
        /// The whole reference.
        value: String,
        /// The digest as written.
        digest: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// What the user can do about this error, in one sentence.
    #[must_use]
    pub fn fix(&self) -> String {
        match self {
            Self::Empty => "give an image such as registry.example.com/team/app:v1.0.0".into(),
            Self::Whitespace { value, .. } => {
                let cleaned: String = value.split_whitespace().collect();
                format!("remove the white space: '{cleaned}'")
            }
            Self::Scheme { value, scheme } => {
                format!(
                    "drop the scheme: '{}'",
                    value.strip_prefix(scheme.as_str()).unwrap_or(value)
                )
            }
            Self::HexIdentifier { .. } => "refer to the image by repository and tag".into(),
            Self::UppercasePath { path, .. } => {
                format!("use the lower-case path '{}'", path.to_lowercase())
            }
            Self::InvalidDomain { .. } => {
                "write the host as a DNS name or IP address, optionally with ':port'".into()
            }
            Self::NameTooLong { .. } => "shorten the repository path to 255 characters".into(),
            Self::InvalidPathComponent { .. } => {
                "repository paths are '/'-separated components of a-z, 0-9 and single '.', '_', \
                 '__' or dashes between them"
                    .into()
            }
            Self::InvalidTag { .. } => {
                "tags are up to 128 letters, digits, '_', '.' and '-', not starting with '.' or \
                 '-'"
                .into()
            }
            Self::InvalidDigest { .. } => {
                "digests look like sha256: followed by 64 lower-case hexadecimal digits".into()
            }
        }
    }
}

/// A parsed, normalised image reference, as the kubelet sees it.
///
/// # Caveats
/// A first component that contains `.` or `:` but is not a valid host name (for example one
/// with `_`) is read by the grammar as part of the path: then [`ImageRef::domain`] is empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageRef {
    /// Parses and normalises an image reference the way the kubelet does.
    ///
    /// # Errors
    /// When the kubelet would reject the image (`InvalidImageName`); the error names the part.
    pub fn parse(value: &str) -> Result<Self> {
        check_obvious_mistakes(value)?;
        if is_hex_identifier(value) {
            return Err(Error::HexIdentifier {
                value: value.to_owned(),
            });
        }

        let (domain, remainder) = split_docker_domain(value);
        check_lower_case(value, &remainder)?;

        let canonical = format!("{domain}/{remainder}");
        let parts = parse_canonical(&canonical, value)?;
        Ok(Self {
            domain: parts.domain.to_owned(),
            path: parts.path.to_owned(),
            tag: parts.tag.map(str::to_owned),
            digest: parts.digest.map(str::to_owned),
        })
    }

    /// The registry host with its port (`docker.io` for Docker Hub images).
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path inside the registry (`library/nginx` for `nginx`).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The repository name the kubelet looks credentials up for: `domain/path`.
    #[must_use]
    pub fn repository(&self) -> String {
        if self.domain.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The tag, when one is written.
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:…`), when one is written.
    #[must_use]
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// Whether the image is on Docker Hub.
    #[must_use]
    pub fn is_docker_hub(&self) -> bool {
        self.domain == DOCKER_HUB_DOMAIN
    }

    /// Whether the image floats: no digest, and the tag is `latest` or missing.
    #[must_use]
    pub fn is_latest_or_untagged(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|tag| tag == "latest")
    }
}

/// The canonical form: `domain/path[:tag][@digest]`.
impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repository())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Checks an image as typed into a form: errors for what the kubelet rejects, warnings for
/// what pulls but surprises (floating tags, upper-case hosts, missing repository paths).
#[must_use]
pub fn check_image(value: &str) -> Vec<Finding> {
    match ImageRef::parse(value) {
        Ok(image) => image_warnings(value, &image),
        Err(err) => {
            vec![
                Finding::error("image-invalid", err.to_string())
                    .with_field("image")
                    .with_fix(err.fix()),
            ]
        }
    }
}

/// Warnings about an image that parses.
fn image_warnings(value: &str, image: &ImageRef) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(finding) = floating_tag_warning(value, image) {
        findings.push(finding);
    }
    if let Some(finding) = host_warning(value, image) {
        findings.push(finding);
    }
    findings
        .into_iter()
        .map(|finding| finding.with_field("image"))
        .collect()
}

/// A warning when the image has no digest and its tag is `latest` or missing.
fn floating_tag_warning(value: &str, image: &ImageRef) -> Option<Finding> {
    const FIX: &str = "use an immutable tag such as v1.0.0, or pin a digest";
    if !image.is_latest_or_untagged() {
        return None;
    }
    let message = if image.tag().is_some() {
        format!(
            "image '{value}' uses the tag 'latest', which can point at a different image tomorrow"
        )
    } else {
        format!("image '{value}' has no tag, so 'latest' is pulled, which can change under you")
    };
    let code = if image.tag().is_some() {
        "image-latest-tag"
    } else {
        "image-no-tag"
    };
    Some(Finding::warning(code, message).with_fix(FIX))
}

/// A warning when the registry host is read in a surprising way.
fn host_warning(value: &str, image: &ImageRef) -> Option<Finding> {
    let first = value.split('/').next().unwrap_or_default();
    if image.domain().is_empty() {
        let message = format!(
            "image '{value}': '{first}' is not a valid host name, so the reference grammar reads \
             it as part of a repository path with no registry host"
        );
        let fix = "use the registry's DNS name (host names cannot contain '_')";
        return Some(Finding::warning("image-host-not-a-domain", message).with_fix(fix));
    }
    if image.domain().chars().any(|c| c.is_ascii_uppercase()) {
        let message = format!(
            "registry host '{}' has upper-case letters; the kubelet matches hosts to secret keys \
             case-sensitively",
            image.domain()
        );
        let fix = "write the host in lower case, here and in the secret";
        return Some(Finding::warning("image-host-upper-case", message).with_fix(fix));
    }
    looks_like_bare_host(value, image)
}

/// A warning for `registry.example.com:5000` alone, which is a Docker Hub image named after it.
fn looks_like_bare_host(value: &str, image: &ImageRef) -> Option<Finding> {
    let name = value.split(['@', ':']).next().unwrap_or_default();
    if value.contains('/') || !name.contains('.') {
        return None;
    }
    let message = format!(
        "image '{value}' has no repository path, so it is read as the Docker Hub image '{image}'"
    );
    let fix = format!("add the repository: {name}/<repository>:<tag>");
    Some(Finding::warning("image-looks-like-host", message).with_fix(fix))
}

/// Rejects empty input, white space and URL schemes with a precise message.
///
/// Each of these also fails the grammar, so this changes messages, never the verdict.
fn check_obvious_mistakes(value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(position) = value.find(char::is_whitespace) {
        return Err(Error::Whitespace {
            value: value.to_owned(),
            position,
        });
    }
    if let Some(scheme) = url_scheme(value) {
        return Err(Error::Scheme {
            value: value.to_owned(),
            scheme: scheme.to_owned(),
        });
    }
    Ok(())
}

/// The `scheme://` prefix of a value, when it has one.
fn url_scheme(value: &str) -> Option<&str> {
    let end = value.find("://")?;
    let scheme = &value[..end];
    let mut chars = scheme.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    (first_is_letter && rest_ok).then(|| &value[..end + 3])
}

/// Splits off the registry host the way Docker's "familiar" names are read.
///
/// The first component is a host when it is `localhost`, contains `.` or `:`, or has upper-case
/// letters; otherwise the image is on Docker Hub. Single-component Docker Hub names get
/// `library/` in front, and `index.docker.io` becomes `docker.io`.
fn split_docker_domain(value: &str) -> (&str, String) {
    let Some((first, rest)) = value.split_once('/') else {
        return (DOCKER_HUB_DOMAIN, format!("{OFFICIAL_NAMESPACE}{value}"));
    };

    let (domain, remainder) = if first == "localhost"
        || first.contains(['.', ':'])
        || first.chars().any(|c| c.is_ascii_uppercase())
    {
        (first, rest)
    } else {
        (DOCKER_HUB_DOMAIN, value)
    };
    let domain = if domain == LEGACY_DOCKER_HUB_DOMAIN {
        DOCKER_HUB_DOMAIN
    } else {
        domain
    };

    if domain == DOCKER_HUB_DOMAIN && !remainder.contains('/') {
        return (domain, format!("{OFFICIAL_NAMESPACE}{remainder}"));
    }
    (domain, remainder.to_owned())
}

/// The normaliser's own check: the part before the first `:` must be lower case.
fn check_lower_case(value: &str, remainder: &str) -> Result<()> {
    let remote = remainder.split(':').next().unwrap_or_default();
    if !remote.chars().any(|c| c.is_ascii_uppercase()) {
        return Ok(());
    }

    let (path, digest) = remote.split_once('@').unwrap_or((remote, ""));
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        let added_namespace = !value.contains(OFFICIAL_NAMESPACE);
        let written = path
            .strip_prefix(OFFICIAL_NAMESPACE)
            .filter(|_| added_namespace);
        let path = written.unwrap_or(path).to_owned();
        return Err(Error::UppercasePath {
            value: value.to_owned(),
            path,
        });
    }
    let digest = value.rsplit_once('@').map_or(digest, |(_, d)| d);
    Err(Error::InvalidDigest {
        value: value.to_owned(),
        digest: digest.to_owned(),
        reason: "the algorithm must be lower case (sha256, sha384 or sha512)".into(),
    })
}
