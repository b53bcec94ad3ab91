//! The known kinds of pull failure: the text fragments that reveal each, and its explanation.

use super::Cause;
use super::extract::Facts;
use crate::matching::suggested_key;
use crate::reference::{ImageRef, check_image};

/// One kind of failure and the lower-case fragments that reveal it.
struct Signal {
    /// The cause code.
    code: &'static str,
    /// Fragments of event or runtime text, lower case.
    fragments: &'static [&'static str],
}

/// The kinds of failure in the order they are reported: a missing or broken Secret explains
/// the authentication errors after it, so it comes first.
const SIGNALS: &[Signal] = &[
    Signal {
        code: "secret-not-found",
        fragments: &[
            "failedtoretrieveimagepullsecret",
            "unable to retrieve some image pull secrets",
        ],
    },
    Signal {
        code: "secret-unparsable",
        fragments: &[
            "unable to parse auth field",
            "illegal base64 data at input byte",
            "looking for beginning of value",
        ],
    },
    Signal {
        code: "invalid-image-name",
        fragments: &[
            "invalidimagename",
            "failed to apply default image tag",
            "couldn't parse image name",
            "invalid reference format",
        ],
    },
    Signal {
        code: "image-never-pulled",
        fragments: &[
            "errimageneverpull",
            "is not present with pull policy of never",
        ],
    },
    Signal {
        code: "no-credentials-sent",
        fragments: &[
            "no basic auth credentials",
            "failed to fetch anonymous token",
        ],
    },
    Signal {
        code: "credentials-rejected",
        fragments: &[
            "failed to fetch oauth token",
            "incorrect username or password",
            "invalid username/password",
            "authentication required",
            "401 unauthorized",
            "unauthorized:",
        ],
    },
    Signal {
        code: "access-denied",
        fragments: &[
            "pull access denied",
            "may require authorization",
            "insufficient_scope",
            "requested access to the resource is denied",
            "403 forbidden",
        ],
    },
    Signal {
        code: "image-not-found",
        fragments: &[
            "manifest unknown",
            ": not found",
            "404 not found",
            "code = notfound",
        ],
    },
    Signal {
        code: "rate-limited",
        fragments: &["toomanyrequests", "429 too many requests", "rate limit"],
    },
    Signal {
        code: "registry-tls",
        fragments: &[
            "x509:",
            "certificate signed by unknown authority",
            "server gave http response to https client",
            "tls: ",
        ],
    },
    Signal {
        code: "registry-unreachable",
        fragments: &[
            "no such host",
            "connection refused",
            "i/o timeout",
            "network is unreachable",
            "no route to host",
            "registry is unavailable",
        ],
    },
];

/// Every known cause the text shows, each once, with the line that shows it.
pub(super) fn detect(text: &str, facts: &Facts) -> Vec<Cause> {
    let lines: Vec<(&str, String)> = text.lines().map(|l| (l, l.to_ascii_lowercase())).collect();
    SIGNALS
        .iter()
        .filter_map(|signal| evidence(signal, &lines).map(|line| explain(signal.code, facts, line)))
        .collect()
}

/// The first line showing the signal. A 401 from the anonymous-token request proves nothing
/// was sent, so those lines do not count as rejected credentials.
fn evidence<'a>(signal: &Signal, lines: &'a [(&'a str, String)]) -> Option<&'a str> {
    lines
        .iter()
        .filter(|(_, lower)| {
            signal.code != "credentials-rejected" || !lower.contains("anonymous token")
        })
        .find(|(_, lower)| {
            signal
                .fragments
                .iter()
                .any(|fragment| lower.contains(fragment))
        })
        .map(|(line, _)| line.trim())
}

/// The cause for a code, worded with the facts at hand.
fn explain(code: &'static str, facts: &Facts, evidence: &str) -> Cause {
    let (title, detail, fix) = match code {
        "secret-not-found" => secret_not_found(facts),
        "secret-unparsable" => secret_unparsable(),
        "invalid-image-name" => invalid_image_name(facts),
        "image-never-pulled" => image_never_pulled(),
        "no-credentials-sent" => no_credentials_sent(facts),
        "credentials-rejected" => credentials_rejected(facts),
        "access-denied" => access_denied(facts),
        "image-not-found" => image_not_found(facts),
        "rate-limited" => rate_limited(),
        "registry-tls" => registry_tls(facts),
        _ => registry_unreachable(facts),
    };
    Cause::new(code, title, detail, fix).with_evidence(shorten(evidence))
}

/// Title, detail and fix of one cause.
type Text = (String, String, String);

/// A referenced Secret is missing from the pod's namespace.
fn secret_not_found(facts: &Facts) -> Text {
    let names = quoted_list(&facts.missing_secrets).unwrap_or_else(|| "a Secret".into());
    let namespace = facts
        .namespace
        .as_deref()
        .map_or(String::new(), |ns| format!(" '{ns}'"));
    (
        "A pull Secret the pod names does not exist in its namespace".into(),
        format!(
            "The pod lists {names} in imagePullSecrets, but the kubelet could not read it from \
             the pod's namespace{namespace}. Secrets are namespaced: one in another namespace \
             does not count. The kubelet pulls without it, usually anonymously, so a 401 or 'no \
             basic auth credentials' error typically follows."
        ),
        format!(
            "Create the Secret in the pod's namespace{namespace} (one copy per namespace), or \
             fix the name in imagePullSecrets, then delete the pod so it is recreated."
        ),
    )
}

/// A pull Secret's JSON or `auth` field cannot be decoded.
fn secret_unparsable() -> Text {
    (
        "A pull Secret cannot be parsed".into(),
        "The kubelet could not decode a pull Secret: an 'auth' value that is not base64 of \
         user:password, base64 applied twice, or JSON that is not valid. While any Secret of \
         the pod fails to parse, every image pull of the pod fails."
            .into(),
        "Regenerate the Secret with a tool that encodes it once (regcred bundle), and check the \
         existing one with regcred inspect."
            .into(),
    )
}

/// The image string itself is rejected.
fn invalid_image_name(facts: &Facts) -> Text {
    let finding = facts
        .image
        .as_deref()
        .and_then(|image| check_image(image).into_iter().next());
    let (detail, fix) = match finding.filter(crate::Finding::is_error) {
        Some(finding) => (
            format!("The kubelet cannot parse the image: {}.", finding.message),
            finding.fix.unwrap_or_default(),
        ),
        None => (
            "The kubelet cannot parse the image reference, so it never tries to pull.".into(),
            "Write the image as host[:port]/path[:tag][@digest] with a lower-case path.".into(),
        ),
    };
    ("The image name is invalid".into(), detail, fix)
}

/// The pull policy forbids pulling and the image is not on the node.
fn image_never_pulled() -> Text {
    (
        "The pull policy is Never and the image is not on the node".into(),
        "With imagePullPolicy: Never the kubelet only uses images already on the node.".into(),
        "Set imagePullPolicy to IfNotPresent or Always, or load the image onto the node.".into(),
    )
}

/// The pull went out without credentials.
fn no_credentials_sent(facts: &Facts) -> Text {
    let key = expected_key(facts);
    (
        "No credentials were sent to the registry".into(),
        format!(
            "The registry asked for credentials and the pull had none. Usual reasons: no key in \
             the pod's pull Secrets matches the image (host, port and path must match: \
             registry.example.com does not match registry.example.com:5000), the Secret is not \
             referenced by the pod or its ServiceAccount, the Secret is in another namespace, \
             its entry is empty, or its type is not kubernetes.io/dockerconfigjson.{key}"
        ),
        "Check that the pod (or its ServiceAccount) lists the Secret in imagePullSecrets, that \
         the Secret is in the pod's namespace, and that its key matches the image (regcred lint \
         shows which key matches)."
            .into(),
    )
}

/// Credentials were sent and refused.
fn credentials_rejected(facts: &Facts) -> Text {
    let registry = registry_phrase(facts);
    (
        "The registry rejected the credentials".into(),
        format!(
            "Credentials were sent to {registry} and refused: a wrong or rotated password, an \
             expired token, or a user without pull rights. A password cut short by the shell \
             (a '$' inside double quotes) looks the same."
        ),
        "Reset the registry credentials, recreate the Secret with the password read from stdin \
         or a file, and confirm the registry endpoint and username."
            .into(),
    )
}

/// The registry refused access without saying whether the repository exists.
fn access_denied(facts: &Facts) -> Text {
    let image = image_phrase(facts);
    (
        "Access denied, or the repository does not exist".into(),
        format!(
            "The registry refused {image}. Registries do not tell a missing repository apart \
             from missing or rejected credentials."
        ),
        "Check the repository name for typos, that the account can pull it, and that the pod's \
         pull Secret has a key matching the image."
            .into(),
    )
}

/// The tag or repository does not exist.
fn image_not_found(facts: &Facts) -> Text {
    let image = image_phrase(facts);
    (
        "The image or tag does not exist".into(),
        format!(
            "The registry answered that {image} is not there. This is not an authentication problem."
        ),
        "Check the tag and repository in the registry and correct the image in the pod spec."
            .into(),
    )
}

/// Docker Hub's anonymous pull limit.
fn rate_limited() -> Text {
    (
        "The registry's pull rate limit was reached".into(),
        "The registry (usually Docker Hub) refuses more pulls for now; anonymous pulls share a \
         low limit per address."
            .into(),
        "Pull with an account: add a pull Secret with the key https://index.docker.io/v1/ for \
         Docker Hub, or use a mirror."
            .into(),
    )
}

/// TLS trust or plain-HTTP registries.
fn registry_tls(facts: &Facts) -> Text {
    let registry = registry_phrase(facts);
    (
        "The node does not trust the registry's TLS, or the registry speaks plain HTTP".into(),
        format!(
            "The container runtime could not set up HTTPS with {registry}. Pull Secrets do not change this."
        ),
        "Give the registry a certificate the nodes trust, or configure the runtime on each node \
         (containerd: a hosts.toml with the CA or the http endpoint)."
            .into(),
    )
}

/// DNS or network failures: usually a wrong endpoint.
fn registry_unreachable(facts: &Facts) -> Text {
    let registry = registry_phrase(facts);
    (
        "The registry could not be reached".into(),
        format!(
            "The node could not resolve or connect to {registry}: a wrong registry endpoint in \
             the image (host or port), DNS, or a firewall."
        ),
        "Check the registry host and port in the image against the registry's documented \
         endpoint, and that nodes can resolve and reach it."
            .into(),
    )
}

/// A sentence naming the key a Secret needs for the image, when the image is known.
fn expected_key(facts: &Facts) -> String {
    let Some(image) = facts
        .image
        .as_deref()
        .and_then(|image| ImageRef::parse(image).ok())
    else {
        return String::new();
    };
    format!(
        " For this image the Secret needs a key matching it, such as '{}'.",
        suggested_key(&image)
    )
}

/// "the registry 'host'" or "the registry".
fn registry_phrase(facts: &Facts) -> String {
    facts
        .registry
        .as_deref()
        .map_or("the registry".into(), |host| {
            format!("the registry '{host}'")
        })
}

/// "the image 'x'" or "the image".
fn image_phrase(facts: &Facts) -> String {
    facts
        .image
        .as_deref()
        .map_or("the image".into(), |image| format!("the image '{image}'"))
}

/// `'a', 'b'`, or `None` for an empty list.
fn quoted_list(names: &[String]) -> Option<String> {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    (!quoted.is_empty()).then(|| quoted.join(", "))
}

/// The evidence line, cut to a readable length on a character boundary.
fn shorten(line: &str) -> String {
    const LIMIT: usize = 400;
    match line.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}
