//! `probe`: try credentials against a registry for one image, the way a pull would start.
//!
//! Through oci-client: the `/v2/` ping that says which authentication the registry wants, a
//! bearer token (or basic auth), then a manifest HEAD for the image. The outcome tells apart
//! rejected credentials, a missing image, an unreachable registry and TLS problems.

use std::path::{Path, PathBuf};
use std::time::Duration;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};
use regcred_core::dockerconfig::Password;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use serde::Serialize;

/// The result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why no probe could be made at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The image reference does not parse.
    #[error(
        "image '{image}' is not a valid reference; write it like registry.example.com/team/app:v1"
    )]
    Image {
        /// The reference given.
        image: String,
        /// Why.
        #[source]
        source: oci_client::ParseError,
    },
    /// A CA file could not be read.
    #[error("cannot read the CA file '{}'", .path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A CA file holds no PEM certificate.
    #[error("the CA file '{}' holds no PEM certificate; give the registry's CA in PEM form", .path.display())]
    NoCertificates {
        /// The file.
        path: PathBuf,
    },
}

/// Which certificates to trust for the registry.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra CA files (PEM), on top of the system's roots and `SSL_CERT_FILE`.
    pub ca_files: Vec<PathBuf>,
    /// Skip certificate verification (the caller warns).
    pub insecure_skip_verify: bool,
}

/// The credentials to send.
#[derive(Debug, Clone, Default)]
pub enum ProbeAuth {
    /// None: an anonymous pull.
    #[default]
    Anonymous,
    /// A user name and password or token.
    Basic {
        /// The user name.
        username: String,
        /// The password or token.
        password: Password,
    },
}

/// What the registry said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// The credentials (or anonymous access) may pull the image.
    Pullable {
        /// The manifest digest.
        digest: String,
    },
    /// Credentials were sent and refused (wrong, rotated, expired, or not allowed this repo).
    CredentialsRejected {
        /// The registry's words.
        detail: String,
    },
    /// Nothing was sent and the registry wants credentials.
    AuthenticationRequired {
        /// The registry's words.
        detail: String,
    },
    /// Authenticated, and the repository or tag does not exist.
    ImageNotFound {
        /// The registry's words.
        detail: String,
    },
    /// No connection: wrong host or port, registry down, or a network in between.
    Unreachable {
        /// The connection error.
        detail: String,
    },
    /// The connection was made and TLS failed: unknown CA, wrong name, expired, or plain HTTP.
    Tls {
        /// The TLS error.
        detail: String,
    },
    /// Anything else the registry answered.
    RegistryError {
        /// The registry's words.
        detail: String,
    },
}

impl Outcome {
    /// Stable code, the same as `regcred explain` uses for the same kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pullable { .. } => "pullable",
            Self::CredentialsRejected { .. } => "credentials-rejected",
            Self::AuthenticationRequired { .. } => "no-credentials-sent",
            Self::ImageNotFound { .. } => "image-not-found",
            Self::Unreachable { .. } => "registry-unreachable",
            Self::Tls { .. } => "registry-tls",
            Self::RegistryError { .. } => "registry-error",
        }
    }

    /// Whether the pull would get past authentication and find the image.
    pub fn is_pullable(&self) -> bool {
        matches!(self, Self::Pullable { .. })
    }

    /// The registry's or the connection's own words.
    pub fn detail(&self) -> &str {
        match self {
            Self::Pullable { digest } => digest,
            Self::CredentialsRejected { detail }
            | Self::AuthenticationRequired { detail }
            | Self::ImageNotFound { detail }
            | Self::Unreachable { detail }
            | Self::Tls { detail }
            | Self::RegistryError { detail } => detail,
        }
    }

    /// One sentence for a person, with the fix.
    pub fn summary(&self, registry: &str, image: &str) -> String {
        match self {
            Self::Pullable { digest } => format!("{image} can be pulled ({digest})"),
            Self::CredentialsRejected { .. } => format!(
                "{registry} rejected the credentials: they are wrong, rotated or expired, or lack pull access to this repository; fix: check the user and password (a robot account's full name), then update the Secret (`regcred rotate`)"
            ),
            Self::AuthenticationRequired { .. } => format!(
                "{registry} wants credentials and none were sent; fix: reference a pull Secret with a key for '{registry}' from the pod or its ServiceAccount (`regcred link-sa`), creating it first where there is none (`regcred apply`)"
            ),
            Self::ImageNotFound { .. } => format!(
                "{registry} accepted the credentials but has no {image}; fix: check the repository path and tag (`skopeo list-tags`), or push the image"
            ),
            Self::Unreachable { .. } => format!(
                "{registry} cannot be reached: wrong host or port, registry down, or a firewall or proxy in between; fix: check the endpoint in the image and the Secret"
            ),
            Self::Tls { .. } => format!(
                "TLS to {registry} failed: the certificate is not trusted, does not name this host, has expired, or the port speaks plain HTTP; fix: pass the registry's CA with --ca-file (nodes need it in their runtime's trust store too)"
            ),
            Self::RegistryError { .. } => {
                format!("{registry} answered with an error; see the detail")
            }
        }
    }
}

/// One probe's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The image as given.
    pub image: String,
    /// The registry host contacted.
    pub registry: String,
    /// Whether credentials were sent.
    pub authenticated: bool,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Report {
    /// One line for a person.
    pub fn summary(&self) -> String {
        self.outcome.summary(&self.registry, &self.image)
    }
}

/// Probes `image` with `auth`.
///
/// # Errors
/// [`Error`] when the image does not parse or a CA file is unusable; registry answers and
/// network failures are [`Outcome`]s, not errors.
pub async fn probe(image: &str, auth: &ProbeAuth, tls: &TlsOptions) -> Result<Report> {
    let reference: Reference = image.parse().map_err(|source| Error::Image {
        image: image.to_owned(),
        source,
    })?;
    let client = oci_client::Client::new(client_config(tls)?);
    let (registry_auth, authenticated) = match auth {
        ProbeAuth::Anonymous => (RegistryAuth::Anonymous, false),
        ProbeAuth::Basic { username, password } => (
            RegistryAuth::Basic(username.clone(), password.expose().to_owned()),
            true,
        ),
    };
    tracing::debug!(%image, registry = %reference.resolve_registry(), authenticated, "probing");

    let outcome = match client
        .auth(&reference, &registry_auth, RegistryOperation::Pull)
        .await
    {
        Err(error) => classify(&error, authenticated),
        Ok(_) => match client
            .fetch_manifest_digest(&reference, &registry_auth)
            .await
        {
            Ok(digest) => Outcome::Pullable { digest },
            Err(error) => classify(&error, authenticated),
        },
    };
    Ok(Report {
        image: image.to_owned(),
        registry: reference.resolve_registry().to_owned(),
        authenticated,
        outcome,
    })
}

/// Reads the CA files now, so that a bad one is refused before any other work.
///
/// # Errors
/// A CA file (given or `SSL_CERT_FILE`) that cannot be read or holds no PEM certificate.
pub fn check_tls(tls: &TlsOptions) -> Result<()> {
    client_config(tls).map(drop)
}

fn client_config(tls: &TlsOptions) -> Result<ClientConfig> {
    // reqwest is built without a default crypto provider; kube already links ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = Vec::new();
    let env_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    for path in tls.ca_files.iter().chain(env_file.as_ref()) {
        roots.extend(read_certificates(path)?);
    }
    Ok(ClientConfig {
        protocol: ClientProtocol::Https,
        extra_root_certificates: roots,
        accept_invalid_certificates: tls.insecure_skip_verify,
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(30)),
        ..ClientConfig::default()
    })
}

/// Every certificate in a PEM file (a bundle gives several).
fn read_certificates(path: &Path) -> Result<Vec<Certificate>> {
    let bytes = std::fs::read(path).map_err(|source| Error::CaFile {
        path: path.to_owned(),
        source,
    })?;
    let certificates: Vec<Certificate> = CertificateDer::pem_slice_iter(&bytes)
        .filter_map(std::result::Result::ok)
        .map(|der| Certificate {
            encoding: CertificateEncoding::Der,
            data: der.to_vec(),
        })
        .collect();
    if certificates.is_empty() {
        return Err(Error::NoCertificates {
            path: path.to_owned(),
        });
    }
    Ok(certificates)
}

/// Sorts an oci-client error into what it means for a pull.
fn classify(error: &OciDistributionError, authenticated: bool) -> Outcome {
    let denied = |detail: String| {
        if authenticated {
            Outcome::CredentialsRejected { detail }
        } else {
            Outcome::AuthenticationRequired { detail }
        }
    };
    match error {
        OciDistributionError::AuthenticationFailure(reason) => {
            denied(format!("token request refused: {}", reason.trim()))
        }
        OciDistributionError::UnauthorizedError { url } => {
            denied(format!("401 Unauthorized from {url}"))
        }
        OciDistributionError::ImageManifestNotFoundError(detail) => Outcome::ImageNotFound {
            detail: detail.clone(),
        },
        OciDistributionError::RegistryError { envelope, .. } => {
            let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
            let detail = envelope.to_string();
            if codes
                .iter()
                .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
            {
                denied(detail)
            } else if codes.iter().any(|c| {
                matches!(
                    c,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::NotFound
                )
            }) {
                Outcome::ImageNotFound { detail }
            } else {
                Outcome::RegistryError { detail }
            }
        }
        OciDistributionError::ServerError { code, message, .. } => {
            let detail = format!("HTTP {code}: {}", one_line(message, 200));
            match code {
                401 => denied(detail),
                // Registries refuse with an error envelope (DENIED, UNAUTHORIZED), read above;
                // a bare 403 comes from something else on that port (a proxy, an API server).
                403 => Outcome::RegistryError {
                    detail: format!(
                        "{detail} (no registry error in the answer: is this port a container registry?)"
                    ),
                },
                404 => Outcome::ImageNotFound { detail },
                _ => Outcome::RegistryError { detail },
            }
        }
        OciDistributionError::RequestError(request) => classify_transport(request),
        other => Outcome::RegistryError {
            detail: other.to_string(),
        },
    }
}

/// `text` on one line, whitespace runs as one space, cut to `max` characters with an ellipsis.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    format!("{cut}...")
}

/// A request that got no HTTP answer: TLS or the connection.
fn classify_transport(error: &reqwest::Error) -> Outcome {
    let chain = crate::error_chain(error);
    let lower = chain.to_ascii_lowercase();
    let tls_words = [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "unknownissuer",
        "x509",
    ];
    if tls_words.iter().any(|word| lower.contains(word)) {
        Outcome::Tls { detail: chain }
    } else if error.is_connect() || error.is_timeout() {
        Outcome::Unreachable { detail: chain }
    } else {
        Outcome::RegistryError { detail: chain }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_client::errors::{OciEnvelope, OciError};

    fn envelope(code: OciErrorCode) -> OciDistributionError {
        OciDistributionError::RegistryError {
            envelope: OciEnvelope {
                errors: vec![OciError {
                    code,
                    message: "m".into(),
                    detail: serde_json::Value::Null,
                }],
            },
            url: "https://r/v2/x/manifests/v1".into(),
        }
    }

    #[test]
    fn refusals_are_rejected_credentials_when_sent_and_required_auth_when_not() {
        let unauthorized = OciDistributionError::UnauthorizedError { url: "u".into() };
        assert_eq!(classify(&unauthorized, true).code(), "credentials-rejected");
        assert_eq!(classify(&unauthorized, false).code(), "no-credentials-sent");
        assert_eq!(
            classify(&envelope(OciErrorCode::Denied), true).code(),
            "credentials-rejected"
        );
        let token = OciDistributionError::AuthenticationFailure("bad".into());
        assert_eq!(classify(&token, true).code(), "credentials-rejected");
    }

    #[test]
    fn unknown_manifest_or_name_is_a_missing_image() {
        assert_eq!(
            classify(&envelope(OciErrorCode::ManifestUnknown), true).code(),
            "image-not-found"
        );
        assert_eq!(
            classify(&envelope(OciErrorCode::NameUnknown), true).code(),
            "image-not-found"
        );
        let plain = OciDistributionError::ServerError {
            code: 404,
            url: "u".into(),
            message: String::new(),
        };
        assert_eq!(classify(&plain, true).code(), "image-not-found");
        let down = OciDistributionError::ServerError {
            code: 503,
            url: "u".into(),
            message: String::new(),
        };
        assert_eq!(classify(&down, true).code(), "registry-error");
    }

    #[test]
    fn a_bare_403_is_not_called_rejected_credentials_and_its_body_stays_on_one_line() {
        let api_server = OciDistributionError::ServerError {
            code: 403,
            url: "u".into(),
            message: format!(
                "{{\n  \"kind\": \"Status\",\n  \"message\": \"{}\"\n}}",
                "x".repeat(400)
            ),
        };
        let outcome = classify(&api_server, true);
        assert_eq!(outcome.code(), "registry-error");
        assert!(
            outcome
                .detail()
                .contains("is this port a container registry?")
        );
        assert!(!outcome.detail().contains('\n'));
        assert!(outcome.detail().len() < 320, "{}", outcome.detail());
        let unauthorized = OciDistributionError::ServerError {
            code: 401,
            url: "u".into(),
            message: String::new(),
        };
        assert_eq!(classify(&unauthorized, true).code(), "credentials-rejected");
        assert_eq!(
            classify(&envelope(OciErrorCode::Denied), true).code(),
            "credentials-rejected"
        );
    }

    #[test]
    fn ca_file_without_certificates_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("regcred-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let error = read_certificates(&path).unwrap_err();
        assert!(error.to_string().contains("empty.pem"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn password_never_shows_in_debug() {
        let auth = ProbeAuth::Basic {
            username: "u".into(),
            password: Password::new("hunter2-secret"),
        };
        assert!(!format!("{auth:?}").contains("hunter2-secret"));
    }
}
