//! The decoded `.dockerconfigjson` equals kubectl's, byte for byte, for inputs of every escaping
//! class. kubectl runs as a subprocess with arguments passed directly (no shell).

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regcred_core::dockerconfig::{Credentials, DOCKER_HUB_SERVER, build_dockerconfigjson};

/// A token as long as cloud registries hand out (2,000 characters).
const LONG_TOKEN: &str = concat!(
    "x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-",
    "x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-",
    "x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-",
    "x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-x9Z_-",
);

/// What it covers, server (None: kubectl's default), username, password, email.
type Case = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (
        "plain",
        Some("registry.example.com"),
        "alice",
        "S3cr3t",
        None,
    ),
    ("default server", None, "alice", "S3cr3t", None),
    (
        "email",
        Some("registry.example.com"),
        "alice",
        "S3cr3t",
        Some("alice@example.com"),
    ),
    (
        "email with plus",
        Some("registry.example.com"),
        "alice",
        "S3cr3t",
        Some("alice+ci@example.com"),
    ),
    (
        "scheme port and path kept",
        Some("https://registry.example.com:5000/v2/"),
        "alice",
        "S3cr3t",
        None,
    ),
    (
        "double quote",
        Some("r.example.com"),
        "alice",
        "pa\"ss",
        None,
    ),
    (
        "backslash",
        Some("r.example.com"),
        "alice",
        "pa\\ss\\",
        None,
    ),
    (
        "shell dollar",
        Some("r.example.com"),
        "alice",
        "S3cr$et$(id)`x`",
        None,
    ),
    (
        "html characters",
        Some("r.example.com"),
        "alice",
        "<tag>&amp;",
        None,
    ),
    (
        "line separators",
        Some("r.example.com"),
        "alice",
        "a\u{2028}b\u{2029}c",
        None,
    ),
    (
        "newline",
        Some("r.example.com"),
        "alice",
        "line1\nline2",
        None,
    ),
    (
        "carriage return",
        Some("r.example.com"),
        "alice",
        "a\rb",
        None,
    ),
    (
        "tab and control",
        Some("r.example.com"),
        "alice",
        "a\tb\u{1}c",
        None,
    ),
    (
        "backspace and form feed",
        Some("r.example.com"),
        "alice",
        "a\u{8}b\u{c}c",
        None,
    ),
    (
        "unit separator",
        Some("r.example.com"),
        "alice",
        "a\u{1f}b",
        None,
    ),
    (
        "delete stays raw",
        Some("r.example.com"),
        "alice",
        "a\u{7f}b",
        None,
    ),
    (
        "non-ascii",
        Some("r.example.com"),
        "alice",
        "pässwörd€🔑",
        None,
    ),
    (
        "single quote and percent",
        Some("r.example.com"),
        "alice",
        "it's 100%",
        None,
    ),
    (
        "json-looking password",
        Some("r.example.com"),
        "alice",
        "{\"auths\":{}}",
        None,
    ),
    (
        "padding characters",
        Some("r.example.com"),
        "alice",
        "abc==",
        None,
    ),
    (
        "inner spaces",
        Some("r.example.com"),
        "alice",
        "correct horse battery staple",
        None,
    ),
    (
        "long token",
        Some("r.example.com"),
        "alice",
        LONG_TOKEN,
        None,
    ),
    (
        "robot account",
        Some("harbor.example.com"),
        "robot$ci+pull",
        "tok",
        None,
    ),
    ("quay robot", Some("quay.io"), "org+robot", "TOKEN123", None),
    (
        "unicode username",
        Some("r.example.com"),
        "ユーザー",
        "pw",
        None,
    ),
    (
        "html in email",
        Some("r.example.com"),
        "alice",
        "pw",
        Some("a<b>@example.com"),
    ),
    (
        "wildcard server",
        Some("*.example.com"),
        "alice",
        "pw",
        None,
    ),
];

fn kubectl_config(
    server: Option<&str>,
    username: &str,
    password: &str,
    email: Option<&str>,
) -> Vec<u8> {
    let mut command = Command::new("kubectl");
    command.args([
        "create",
        "secret",
        "docker-registry",
        "oracle",
        "--dry-run=client",
    ]);
    command.arg(format!("--docker-username={username}"));
    command.arg(format!("--docker-password={password}"));
    if let Some(server) = server {
        command.arg(format!("--docker-server={server}"));
    }
    if let Some(email) = email {
        command.arg(format!("--docker-email={email}"));
    }
    command.args(["-o", "jsonpath={.data.\\.dockerconfigjson}"]);
    let output = command
        .output()
        .expect("kubectl runs (install kubectl to run these tests)");
    assert!(
        output.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    STANDARD
        .decode(output.stdout)
        .expect("kubectl prints base64")
}

#[test]
#[ignore = "needs kubectl on PATH; `just test` runs it"]
fn decoded_config_is_byte_identical_to_kubectl_for_every_case() {
    let mut failures = Vec::new();
    for (what, server, username, password, email) in CASES {
        let mut credentials =
            Credentials::new(server.unwrap_or(DOCKER_HUB_SERVER), *username, *password);
        credentials.email = email.map(str::to_owned);
        let ours = build_dockerconfigjson(&[credentials]).unwrap();
        let theirs = kubectl_config(*server, username, password, *email);
        if ours.as_bytes() != theirs {
            failures.push(format!(
                "{what}:\n  ours:    {ours}\n  kubectl: {}",
                String::from_utf8_lossy(&theirs)
            ));
        }
    }
    assert!(CASES.len() >= 20);
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "needs kubectl on PATH; `just test` runs it"]
fn append_hash_name_is_kubectl_s_for_several_inputs() {
    for (_, server, username, password, email) in CASES.iter().take(8) {
        let mut command = Command::new("kubectl");
        command.args([
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--append-hash",
            "--dry-run=client",
        ]);
        command
            .arg(format!("--docker-username={username}"))
            .arg(format!("--docker-password={password}"));
        if let Some(server) = server {
            command.arg(format!("--docker-server={server}"));
        }
        if let Some(email) = email {
            command.arg(format!("--docker-email={email}"));
        }
        let theirs = command
            .args(["-o", "jsonpath={.metadata.name}"])
            .output()
            .unwrap()
            .stdout;

        let mut credentials =
            Credentials::new(server.unwrap_or(DOCKER_HUB_SERVER), *username, *password);
        credentials.email = email.map(str::to_owned);
        let registries = [credentials];
        let spec = regcred_core::manifest::SecretSpec {
            name: "regcred",
            registries: &registries,
            append_hash: true,
            ..Default::default()
        };
        let ours = regcred_core::manifest::secret(&spec)
            .unwrap()
            .metadata
            .name
            .unwrap();
        assert_eq!(ours, String::from_utf8(theirs).unwrap());
    }
}
