//! Input checks that run before anything is produced; each finding names the value and the fix.
//!
//! Errors stop generation; warnings and infos ride along with the output. Servers are never
//! rewritten: like kubectl, the key is stored as typed, and the findings say what the kubelet
//! will make of it.

use crate::dockerconfig::Credentials;
use crate::finding::Finding;

/// Longest DNS-1123 subdomain: Secret, `ServiceAccount` and workload names.
pub const MAX_SUBDOMAIN: usize = 253;
/// Longest DNS-1123 label: namespaces.
pub const MAX_LABEL: usize = 63;

/// Checks an object name (Secret, `ServiceAccount`, workload) against the API's DNS-1123 subdomain
/// rule; `field` is the form field it came from.
pub fn check_name(field: &'static str, value: &str) -> Vec<Finding> {
    check_dns1123(field, value, MAX_SUBDOMAIN, true)
}

/// Checks a name that must be a DNS-1123 label (container names, `app` label values).
pub fn check_label_name(field: &'static str, value: &str) -> Vec<Finding> {
    check_dns1123(field, value, MAX_LABEL, false)
}

/// Checks labels against the API's rules: a key is an optional DNS subdomain prefix and `/`,
/// then a name of at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a
/// letter or digit; a value is empty or such a name.
pub fn check_labels<'a>(
    field: &'static str,
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (key, value) in labels {
        let (prefix, name) = key
            .rsplit_once('/')
            .map_or((None, key.as_str()), |(p, n)| (Some(p), n));
        let prefix_problem = prefix.and_then(|prefix| {
            if prefix.is_empty() {
                Some("has an empty prefix before '/'".to_owned())
            } else if prefix.len() > MAX_SUBDOMAIN {
                Some(format!(
                    "has a prefix longer than {MAX_SUBDOMAIN} characters"
                ))
            } else {
                dns1123_problem(prefix, true).map(|p| format!("has a prefix that {p}"))
            }
        });
        if let Some(problem) = prefix_problem.or_else(|| label_text_problem(name, false)) {
            findings.push(
                Finding::error("label-key-invalid", format!("label key '{}' {problem}", key.escape_debug()))
                    .with_field(field)
                    .with_fix("use letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/', e.g. 'app.kubernetes.io/name'"),
            );
        }
        if let Some(problem) = label_text_problem(value, true) {
            findings.push(
                Finding::error("label-value-invalid", format!("label value '{}' of '{}' {problem}", value.escape_debug(), key.escape_debug()))
                    .with_field(field)
                    .with_fix("use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or leave it empty)"),
            );
        }
    }
    findings
}

/// What breaks the API's rule for a label name or value, if anything.
fn label_text_problem(text: &str, empty_ok: bool) -> Option<String> {
    if text.is_empty() {
        return (!empty_ok).then(|| "is empty".to_owned());
    }
    if text.len() > MAX_LABEL {
        return Some(format!("is longer than {MAX_LABEL} characters"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if let Some(c) = text.chars().find(|c| !allowed(*c)) {
        return Some(format!(
            "has the character '{}', which the API refuses",
            c.escape_debug()
        ));
    }
    let edges_ok = text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && text.ends_with(|c: char| c.is_ascii_alphanumeric());
    (!edges_ok).then(|| "must start and end with a letter or digit".to_owned())
}

/// Checks a `CronJob` schedule the way the API reads it: five fields (minute, hour, day of
/// month, month, day of week) or a descriptor such as `@hourly`; no `TZ=` prefix.
pub fn check_schedule(schedule: &str) -> Vec<Finding> {
    const DESCRIPTORS: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    let trimmed = schedule.trim();
    let problem = if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
        Some("sets a time zone, which the API refuses in the schedule".to_owned())
    } else if trimmed.starts_with('@') {
        let every = trimmed.strip_prefix("@every ").is_some();
        (!DESCRIPTORS.contains(&trimmed) && !every)
            .then(|| format!("is not a known descriptor ({})", DESCRIPTORS.join(", ")))
    } else {
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        let allowed =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/' | '?');
        if fields.len() == 5 {
            fields
                .iter()
                .find(|field| !field.chars().all(allowed))
                .map(|field| format!("has the field '{field}', which is not a cron field"))
        } else {
            Some(format!(
                "has {} fields; a cron schedule has 5",
                fields.len()
            ))
        }
    };
    problem
        .map(|problem| {
            Finding::error("schedule-invalid", format!("CronJob schedule '{}' {problem}", schedule.escape_debug()))
                .with_field("schedule")
                .with_fix("write five fields, minute hour day-of-month month day-of-week, e.g. '0 * * * *' (hourly), or a descriptor like '@daily'; set a time zone with the CronJob's timeZone field")
        })
        .into_iter()
        .collect()
}

/// Checks a label selector as kubectl reads it (`team=a,env!=dev`, `tier in (web,api)`).
pub fn check_selector(field: &'static str, selector: &str) -> Vec<Finding> {
    match crate::inject::selector::Selector::parse(selector.trim()) {
        Ok(_) => Vec::new(),
        Err(reason) => vec![
            Finding::error(
                "selector-invalid",
                format!("label selector '{selector}' cannot be read: {reason}"),
            )
            .with_field(field)
            .with_fix(
                "write it as kubectl -l takes it, e.g. 'team=a,env!=dev' or 'tier in (web,api)'",
            ),
        ],
    }
}

/// Checks a namespace name against the API's DNS-1123 label rule.
pub fn check_namespace(value: &str) -> Vec<Finding> {
    check_dns1123("namespace", value, MAX_LABEL, false)
}

fn check_dns1123(field: &'static str, value: &str, max: usize, dots: bool) -> Vec<Finding> {
    let what = field_label(field);
    let rule = if dots {
        ""
    } else {
        " (no dots: it is also used as a DNS label)"
    };
    if value.is_empty() {
        return vec![
            Finding::error("name-empty", format!("{what} is empty"))
                .with_field(field)
                .with_fix("give a name of lower-case letters, digits and '-', e.g. 'regcred'"),
        ];
    }
    if value.contains('@') {
        return vec![
            Finding::error("name-has-at", format!("{what} '{value}' contains '@'"))
                .with_field(field)
                .with_fix(
                    "an e-mail or user@host in a name is almost always a shifted argument: \
                     check the order of the arguments (the e-mail goes to --email)",
                ),
        ];
    }
    let mut findings = Vec::new();
    if value.len() > max {
        findings.push(
            Finding::error(
                "name-too-long",
                format!(
                    "{what} '{value}' is {} characters long; the API allows {max}",
                    value.len()
                ),
            )
            .with_field(field)
            .with_fix(format!("shorten it to at most {max} characters")),
        );
    }
    if let Some(problem) = dns1123_problem(value, dots).map(|p| format!("{p}{rule}")) {
        let fixed = suggested_name(value, dots);
        let fix = if fixed.is_empty() {
            "use lower-case letters, digits and '-'".to_owned()
        } else {
            format!("use lower-case letters, digits and '-', for example '{fixed}'")
        };
        findings.push(
            Finding::error("name-invalid", format!("{what} '{value}' {problem}"))
                .with_field(field)
                .with_fix(fix),
        );
    }
    findings
}

/// How a form field is called in messages.
fn field_label(field: &str) -> &str {
    match field {
        "secretName" => "Secret name",
        "workloadName" => "workload name",
        "serviceAccount" => "ServiceAccount name",
        "namespace" => "namespace",
        other => other,
    }
}

/// What makes `value` break the DNS-1123 rule, if anything.
fn dns1123_problem(value: &str, dots: bool) -> Option<String> {
    if let Some(c) = value.chars().find(char::is_ascii_uppercase) {
        return Some(format!(
            "has the upper-case letter '{c}'; the API accepts lower case only"
        ));
    }
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.');
    if let Some(c) = value.chars().find(|c| !allowed(*c)) {
        return Some(format!(
            "has the character '{}', which the API refuses",
            c.escape_debug()
        ));
    }
    let labels: Vec<&str> = if dots {
        value.split('.').collect()
    } else {
        vec![value]
    };
    if labels.iter().any(|label| label.is_empty()) {
        return Some("has an empty part between dots".to_owned());
    }
    let edge_ok = |label: &&str| {
        label.starts_with(|c: char| c.is_ascii_alphanumeric())
            && label.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    if !labels.iter().all(edge_ok) {
        return Some("must start and end with a letter or digit".to_owned());
    }
    None
}

/// A name the API would accept that is closest to `value`, or nothing when there is none:
/// lower case, other characters as '-', and each dot-separated part trimmed of the '-' and
/// dropped when empty (`a..b` becomes `a.b`).
fn suggested_name(value: &str, dots: bool) -> String {
    let mapped: String = value
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || (dots && c == '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let fixed = mapped
        .split('.')
        .map(|part| part.trim_matches('-'))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(".");
    if dns1123_problem(&fixed, dots).is_some() {
        return String::new();
    }
    fixed
}

/// Registry keys that look like Docker Hub but that no Docker Hub image ever matches.
const DOCKER_HUB_MISSPELLINGS: &[&str] = &[
    "registry-1.docker.io",
    "hub.docker.com",
    "registry.hub.docker.com",
    "www.docker.com",
];

/// The parts of a server string as the kubelet splits it.
struct ServerParts<'a> {
    scheme: Option<&'a str>,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
}

fn server_parts(server: &str) -> ServerParts<'_> {
    let (scheme, rest) = match server.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, server),
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    ServerParts {
        scheme,
        host,
        port,
        path,
    }
}

/// Checks a registry server string; the string is kept as typed, so most findings are warnings.
pub fn check_server(server: &str) -> Vec<Finding> {
    let field = "server";
    if server.trim().is_empty() {
        return vec![
            Finding::error("server-empty", "registry server is empty")
                .with_field(field)
                .with_fix(format!(
                    "give the registry host, for example 'registry.example.com' (Docker Hub: '{}')",
                    crate::dockerconfig::DOCKER_HUB_SERVER
                )),
        ];
    }
    if server.chars().any(char::is_whitespace) {
        return vec![
            Finding::error(
                "server-whitespace",
                format!(
                    "registry server '{}' contains whitespace",
                    server.escape_debug()
                ),
            )
            .with_field(field)
            .with_fix("remove the spaces or line breaks; the kubelet cannot parse such a key"),
        ];
    }
    let parts = server_parts(server);
    if parts.host.contains('@') {
        // Never quoted: what stands before '@' is usually a user name and password.
        return vec![
            Finding::error(
                "server-userinfo",
                "registry server has 'user:password@' before the host; the kubelet matches \
                 hosts only, so no image would ever match this key",
            )
            .with_field(field)
            .with_fix(
                "give the host alone as the server; the user goes to --username and the \
                 password to --password-stdin",
            ),
        ];
    }
    let mut findings = Vec::new();
    if let Some(scheme) = parts.scheme.filter(|s| *s != "https" && *s != "http") {
        findings.push(
            Finding::error(
                "server-bad-scheme",
                format!("registry server '{server}' starts with '{scheme}://'"),
            )
            .with_field(field)
            .with_fix(format!(
                "use '{}'; the kubelet only understands http:// and https:// keys",
                authority(&parts).to_ascii_lowercase()
            )),
        );
    }
    findings.extend(host_findings(server, &parts));
    findings.extend(path_findings(server, &parts));
    for finding in &mut findings {
        finding.field = Some(field);
    }
    findings
}

fn host_findings(server: &str, parts: &ServerParts<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if parts.host.is_empty() {
        findings.push(
            Finding::error(
                "server-no-host",
                format!("registry server '{server}' has no host"),
            )
            .with_fix("give the registry host, for example 'registry.example.com'"),
        );
        return findings;
    }
    if parts.host.chars().any(|c| c.is_ascii_uppercase()) {
        findings.push(
            Finding::warning("server-upper-case", format!("registry host '{}' has upper-case letters; the kubelet matches hosts case-sensitively", parts.host))
                .with_fix(format!("write it as '{}', the way image references spell it", parts.host.to_ascii_lowercase())),
        );
    }
    if DOCKER_HUB_MISSPELLINGS.contains(&parts.host) {
        findings.push(
            Finding::warning("server-docker-hub-alias", format!("registry server '{server}' never matches Docker Hub images (the kubelet looks up 'docker.io/...')"))
                .with_fix(format!("use '{}' (what kubectl uses) or 'docker.io'", crate::dockerconfig::DOCKER_HUB_SERVER)),
        );
    }
    let authority = authority(parts);
    let unbracketed = authority.matches(':').count() > 1 && !authority.starts_with('[');
    if unbracketed && authority.parse::<std::net::Ipv6Addr>().is_err() {
        findings.push(
            Finding::error(
                "server-bad-port",
                format!("registry server '{server}' has more than one ':' after the host"),
            )
            .with_fix("write one port after the host, e.g. 'registry.example.com:5000'"),
        );
        return findings;
    }
    if let Some(port) = parts.port
        && !unbracketed
        && port.parse::<u16>().map_or(true, |p| p == 0)
    {
        findings.push(
            Finding::error(
                "server-bad-port",
                format!("registry server '{server}' has port {port}, which no TCP port is"),
            )
            .with_fix("give a port from 1 to 65535, e.g. 'registry.example.com:5000'"),
        );
        return findings;
    }
    if unbracketed {
        // "::1" or "fe80::1:5000": image references bracket IPv6 hosts, so this key is never
        // the host of any image; and where its port ends cannot be told.
        findings.push(
            Finding::warning("server-ipv6-unbracketed", format!("registry server '{server}' looks like an IPv6 address without brackets: image references write IPv6 hosts in brackets, so no image matches this key"))
                .with_fix(format!("write the address in brackets, e.g. '[{authority}]', or '[ADDRESS]:PORT' with a port")),
        );
        findings.extend(wildcard_findings(server, parts.host));
        return findings;
    }
    if let Some(port) = parts.port {
        findings.push(
            Finding::info("server-port", format!("registry server '{server}' has port {port}: only images written with ':{port}' match it"))
                .with_fix(format!("reference images as '{}:{port}/...'; add a second key without the port if images omit it", parts.host)),
        );
    }
    findings.extend(wildcard_findings(server, parts.host));
    findings
}

fn wildcard_findings(server: &str, host: &str) -> Option<Finding> {
    if !host.contains('*') {
        return None;
    }
    let partial = host
        .split('.')
        .any(|label| label.contains('*') && label != "*");
    Some(if partial {
        Finding::warning("server-wildcard-partial", format!("registry server '{server}' has a wildcard inside a label: it matches within that one label only"))
            .with_fix("use '*.' followed by the domain to match one subdomain level, e.g. '*.example.com'")
    } else {
        Finding::info(
            "server-wildcard",
            format!(
                "registry server '{server}' matches hosts with exactly {} dot-separated parts; '*' never spans a dot",
                host.split('.').count()
            ),
        )
    })
}

fn path_findings(server: &str, parts: &ServerParts<'_>) -> Option<Finding> {
    let path = parts.path;
    if path == "/v2" || path == "/v1" {
        return Some(
            Finding::warning("server-version-no-slash", format!("registry server '{server}' ends in '{path}' without a slash: the kubelet keeps '{path}' as a path and no image matches"))
                .with_fix(format!("use '{}' or add the trailing slash ('{server}/')", authority(parts))),
        );
    }
    let rest = path
        .strip_prefix("/v1/")
        .or_else(|| path.strip_prefix("/v2/"))
        .unwrap_or(path);
    let rest = rest.trim_matches('/');
    (!rest.is_empty()).then(|| {
        Finding::info("server-path-scoped", format!("registry server '{server}' is scoped to the path '{rest}': it matches images whose repository starts with '{rest}' as plain text (also '{rest}-other/...')"))
            .with_fix(format!("use '{}' to cover every repository on the registry", authority(parts)))
    })
}

fn authority(parts: &ServerParts<'_>) -> String {
    match parts.port {
        Some(port) => format!("{}:{port}", parts.host),
        None => parts.host.to_owned(),
    }
}

/// Checks a registry user name.
pub fn check_username(username: &str) -> Vec<Finding> {
    let field = "username";
    let finding = if username.is_empty() {
        Finding::error("username-empty", "username is empty").with_fix("give the registry user name (for token logins, the name the registry documents, e.g. '<token>' or the robot account)")
    } else if username.contains(':') {
        Finding::error("username-has-colon", format!("username '{username}' contains ':'; every consumer splits 'auth' at the first ':', so the user would be read as '{}'", username.split(':').next().unwrap_or_default()))
            .with_fix("use the registry's user name without ':' (robot accounts like 'robot$ci' are fine)")
    } else if username.trim() != username {
        Finding::error(
            "username-whitespace",
            format!(
                "username '{}' has leading or trailing whitespace",
                username.escape_debug()
            ),
        )
        .with_fix(format!("remove it: '{}'", username.trim()))
    } else if username.chars().any(char::is_control) {
        Finding::error(
            "username-control",
            format!(
                "username '{}' contains a control character",
                username.escape_debug()
            ),
        )
        .with_fix("remove line breaks and control characters")
    } else {
        return Vec::new();
    };
    vec![finding.with_field(field)]
}

/// Checks a password or token; never puts the value in a message.
pub fn check_password(password: &str) -> Vec<Finding> {
    let field = "password";
    let finding = if password.is_empty() {
        Finding::error("password-empty", "password is empty")
            .with_fix("give the registry password or access token")
    } else if password.trim() != password {
        Finding::warning("password-whitespace", format!("password has leading or trailing whitespace ({} characters in all)", password.chars().count()))
            .with_fix("if the spaces or line breaks are not part of the password, remove them; regcred keeps the password exactly as given")
    } else {
        return Vec::new();
    };
    vec![finding.with_field(field)]
}

/// Checks an optional e-mail address (kept by the kubelet, never sent).
pub fn check_email(email: &str) -> Vec<Finding> {
    if email.is_empty() || (email.contains('@') && !email.chars().any(char::is_whitespace)) {
        return Vec::new();
    }
    vec![
        Finding::warning(
            "email-invalid",
            format!(
                "e-mail '{}' does not look like an address",
                email.escape_debug()
            ),
        )
        .with_field("email")
        .with_fix("leave it out: registries and the kubelet do not use it"),
    ]
}

/// Every check for one registry's credentials.
pub fn check_credentials(credentials: &Credentials) -> Vec<Finding> {
    let mut findings = check_server(&credentials.server);
    findings.extend(check_username(&credentials.username));
    findings.extend(check_password(credentials.password.expose()));
    findings.extend(check_email(
        credentials.email.as_deref().unwrap_or_default(),
    ));
    findings
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn unbracketed_ipv6_server_is_warned_about_and_not_read_as_a_port() {
        for server in ["::1", "fe80::1", "2001:db8::1:5000", "https://::1/v1/"] {
            let findings = check_server(server);
            assert_eq!(codes(&findings), ["server-ipv6-unbracketed"], "{server}");
            assert!(findings[0].message.contains(&format!("'{server}'")));
        }
        assert!(
            check_server("fe80::1")
                .remove(0)
                .fix
                .unwrap()
                .contains("'[fe80::1]'"),
        );
        // Bracketed addresses are what image references use: only the port note remains.
        assert!(check_server("[::1]").is_empty());
        assert_eq!(codes(&check_server("[::1]:5000")), ["server-port"]);
    }

    #[test]
    fn servers_with_a_broken_port_are_refused() {
        for server in [
            "127.0.0.1:5000:99",
            "reg.example.com:99999",
            "reg.example.com:0",
        ] {
            let findings = check_server(server);
            assert_eq!(codes(&findings), ["server-bad-port"], "{server}");
            assert!(findings[0].is_error(), "{server}");
        }
        assert_eq!(
            codes(&check_server("reg.example.com:65535")),
            ["server-port"]
        );
    }

    #[test]
    fn a_server_with_user_and_password_is_refused_without_quoting_them() {
        for server in [
            "user:s3cret@reg.example.com",
            "https://user:s3cret@reg.example.com:5000/",
        ] {
            let findings = check_server(server);
            assert_eq!(codes(&findings), ["server-userinfo"], "{server}");
            assert!(findings[0].is_error());
            let text = findings[0].to_string();
            assert!(!text.contains("s3cret"), "{text}");
        }
    }

    #[test]
    fn labels_follow_the_api_rules() {
        let ok = BTreeMap::from([
            ("app".to_owned(), "web".to_owned()),
            (
                "app.kubernetes.io/managed-by".to_owned(),
                "regcred".to_owned(),
            ),
            ("tier".to_owned(), String::new()),
            ("a_b.c-d".to_owned(), "X_1.y-2".to_owned()),
        ]);
        assert!(check_labels("labels", &ok).is_empty());
        let cases = [
            ("bad key", "v", "label-key-invalid", "' '"),
            ("-app", "v", "label-key-invalid", "start and end"),
            ("/app", "v", "label-key-invalid", "empty prefix"),
            ("Example.COM/app", "v", "label-key-invalid", "upper-case"),
            ("", "v", "label-key-invalid", "is empty"),
            ("app", "-x", "label-value-invalid", "start and end"),
            ("app", "a/b", "label-value-invalid", "'/'"),
        ];
        for (key, value, code, needle) in cases {
            let labels = BTreeMap::from([(key.to_owned(), value.to_owned())]);
            let findings = check_labels("labels", &labels);
            assert_eq!(codes(&findings), [code], "{key}={value}");
            assert!(
                findings[0].message.contains(needle),
                "{}",
                findings[0].message
            );
        }
        let long = BTreeMap::from([("app".to_owned(), "v".repeat(64))]);
        assert_eq!(
            codes(&check_labels("labels", &long)),
            ["label-value-invalid"]
        );
    }

    #[test]
    fn schedules_are_read_like_the_api() {
        for ok in [
            "0 * * * *",
            "*/5 1-3 * JAN mon-fri",
            "@hourly",
            "@every 1h",
            "0 0 ? * *",
        ] {
            assert!(check_schedule(ok).is_empty(), "{ok}");
        }
        for (bad, needle) in [
            ("0 * * *", "4 fields"),
            ("* * * * * *", "6 fields"),
            ("@sometimes", "descriptor"),
            ("TZ=UTC 0 * * * *", "time zone"),
            ("0 * * * ;", "';'"),
            ("", "0 fields"),
        ] {
            let findings = check_schedule(bad);
            assert_eq!(codes(&findings), ["schedule-invalid"], "{bad}");
            assert!(
                findings[0].message.contains(needle),
                "{}",
                findings[0].message
            );
        }
    }

    #[test]
    fn valid_names_pass() {
        assert!(check_name("secretName", "cr-registry-secret").is_empty());
        assert!(check_name("secretName", "a.b-c.d").is_empty());
        assert!(check_namespace("prod-1").is_empty());
    }

    #[test]
    fn upper_case_name_is_refused_with_a_lower_case_suggestion() {
        let findings = check_name("secretName", "RegCred");
        assert_eq!(codes(&findings), ["name-invalid"]);
        assert!(findings[0].message.contains("'RegCred'"));
        assert!(findings[0].fix.as_deref().unwrap().contains("'regcred'"));
    }

    #[test]
    fn suggestion_is_a_name_the_api_accepts_or_none() {
        let fix = |value: &str| check_name("secretName", value)[0].fix.clone().unwrap();
        assert!(fix("a..b").contains("'a.b'"), "{}", fix("a..b"));
        assert!(fix("-a.-b-.").contains("'a.b'"), "{}", fix("-a.-b-."));
        assert!(fix("My_Secret").contains("'my-secret'"));
        assert!(!fix("..").contains("for example"), "{}", fix(".."));
        let ns = check_namespace("team.a")[0].fix.clone().unwrap();
        assert!(ns.contains("'team-a'"), "{ns}");
    }

    #[test]
    fn name_with_at_sign_is_called_a_shifted_argument() {
        let findings = check_name("secretName", "alice@example.com");
        assert_eq!(codes(&findings), ["name-has-at"]);
        assert!(
            findings[0]
                .fix
                .as_deref()
                .unwrap()
                .contains("shifted argument")
        );
    }

    #[test]
    fn name_longer_than_253_is_refused() {
        assert_eq!(
            codes(&check_name("secretName", &"a".repeat(254))),
            ["name-too-long"]
        );
        assert!(check_name("secretName", &"a".repeat(253)).is_empty());
    }

    #[test]
    fn namespace_with_dot_is_refused() {
        assert_eq!(codes(&check_namespace("team.prod")), ["name-invalid"]);
        assert_eq!(codes(&check_namespace(&"a".repeat(64))), ["name-too-long"]);
    }

    #[test]
    fn name_starting_with_dash_is_refused() {
        assert_eq!(codes(&check_name("secretName", "-x")), ["name-invalid"]);
        assert_eq!(codes(&check_name("secretName", "a..b")), ["name-invalid"]);
    }

    #[test]
    fn username_with_colon_is_refused_and_the_misreading_shown() {
        let findings = check_username("ali:ce");
        assert_eq!(codes(&findings), ["username-has-colon"]);
        assert!(findings[0].message.contains("'ali'"));
    }

    #[test]
    fn padded_username_is_refused() {
        assert_eq!(codes(&check_username(" alice")), ["username-whitespace"]);
        assert_eq!(codes(&check_username("")), ["username-empty"]);
    }

    #[test]
    fn password_findings_never_show_the_password() {
        let findings = check_password(" s3cret-value ");
        assert_eq!(codes(&findings), ["password-whitespace"]);
        assert!(!findings[0].to_string().contains("s3cret-value"));
        assert_eq!(codes(&check_password("")), ["password-empty"]);
    }

    #[test]
    fn server_findings_explain_what_the_kubelet_does() {
        assert!(check_server("registry.example.com").is_empty());
        assert!(check_server("https://index.docker.io/v1/").is_empty());
        assert_eq!(
            codes(&check_server("https://registry.example.com/v2")),
            ["server-version-no-slash"]
        );
        assert!(check_server("https://registry.example.com/v2/").is_empty());
        assert_eq!(
            codes(&check_server("registry.example.com:5000")),
            ["server-port"]
        );
        assert_eq!(
            codes(&check_server("Registry.Example.com")),
            ["server-upper-case"]
        );
        assert_eq!(
            codes(&check_server("registry-1.docker.io")),
            ["server-docker-hub-alias"]
        );
        assert_eq!(codes(&check_server("*.example.com")), ["server-wildcard"]);
        assert_eq!(
            codes(&check_server("*example.com")),
            ["server-wildcard-partial"]
        );
        assert_eq!(
            codes(&check_server("registry.example.com/team")),
            ["server-path-scoped"]
        );
        assert_eq!(
            codes(&check_server("docker://registry.example.com")),
            ["server-bad-scheme"]
        );
        assert_eq!(codes(&check_server(" ")), ["server-empty"]);
        assert_eq!(
            codes(&check_server("registry .example.com")),
            ["server-whitespace"]
        );
    }
}
