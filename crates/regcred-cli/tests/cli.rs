//! The `regcred` binary driven as a subprocess: every command, and every refusal.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

fn regcred(args: &[&str], stdin: &str) -> Output {
    run(env!("CARGO_BIN_EXE_regcred"), args, stdin, &[])
}

fn run(bin: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(bin)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A refusal may exit before reading stdin; a broken pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts a refusal: exit 2, nothing on stdout, one error line naming `needle`.
fn assert_refused(output: &Output, needle: &str) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(
        output.stdout.is_empty(),
        "stdout not empty: {}",
        stdout(output)
    );
    let err = stderr(output);
    let error_lines: Vec<_> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(error_lines.len(), 1, "{err}");
    assert!(err.contains(needle), "'{needle}' not in: {err}");
}

fn decoded_config(yaml: &str) -> String {
    let value: serde_json::Value = serde_saphyr::from_str(yaml).unwrap();
    let data = value["data"][".dockerconfigjson"].as_str().unwrap();
    String::from_utf8(STANDARD.decode(data).unwrap()).unwrap()
}

#[test]
fn secret_from_stdin_decodes_to_kubectl_bytes() {
    let out = regcred(
        &[
            "secret",
            "regcred",
            "--server",
            "registry.example.com",
            "--username",
            "alice",
            "--password-stdin",
            "--email",
            "alice@example.com",
        ],
        "S3cr3t\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        decoded_config(&stdout(&out)),
        r#"{"auths":{"registry.example.com":{"username":"alice","password":"S3cr3t","email":"alice@example.com","auth":"YWxpY2U6UzNjcjN0"}}}"#
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn secret_accepts_kubectl_flag_names() {
    let out = regcred(
        &[
            "secret",
            "regcred",
            "--docker-server",
            "r.example.com",
            "--docker-username",
            "alice",
            "--password-stdin",
        ],
        "pw",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(decoded_config(&stdout(&out)).contains("r.example.com"));
}

#[test]
fn secret_password_from_file_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "from-file\r\n").unwrap();
    let out = regcred(
        &[
            "secret",
            "x",
            "--server",
            "r.example.com",
            "--username",
            "u",
            "--password-file",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        decoded_config(&stdout(&out)).contains(r#""password":"from-file""#),
        "{}",
        stderr(&out)
    );

    let out = run(
        env!("CARGO_BIN_EXE_regcred"),
        &[
            "secret",
            "x",
            "--server",
            "r.example.com",
            "--username",
            "u",
            "--password-env",
            "REGCRED_TEST_PW",
        ],
        "",
        &[("REGCRED_TEST_PW", "from-env")],
    );
    assert!(
        decoded_config(&stdout(&out)).contains(r#""password":"from-env""#),
        "{}",
        stderr(&out)
    );
}

#[test]
fn password_in_argv_works_but_is_warned_about() {
    let out = regcred(
        &[
            "secret",
            "x",
            "--server",
            "r.example.com",
            "--username",
            "u",
            "--password",
            "S3cr$et",
        ],
        "",
    );
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("warning: a password on the command line"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("S3cr$et"));
}

#[test]
fn secret_per_namespace_and_json_output() {
    let out = regcred(
        &[
            "secret",
            "--preset",
            "cloudraya",
            "--username",
            "cr-registry",
            "--password-stdin",
            "-n",
            "dev",
            "-n",
            "prod",
            "-o",
            "json",
        ],
        "pw",
    );
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["kind"], "List");
    let items = value["items"].as_array().unwrap();
    assert_eq!(items[0]["metadata"]["namespace"], "dev");
    assert_eq!(items[1]["metadata"]["name"], "cr-registry-secret");
}

#[test]
fn secret_append_hash_names_like_kubectl() {
    let out = regcred(
        &[
            "secret",
            "regcred",
            "--server",
            "x.example.com",
            "--username",
            "u",
            "--password-stdin",
            "--append-hash",
        ],
        "p",
    );
    assert!(
        stdout(&out).contains("name: regcred-g6m7mdc7tk"),
        "{}",
        stdout(&out)
    );
}

/// Arguments, stdin, and the text the one error line must contain.
type Refusal = (&'static [&'static str], &'static str, &'static str);

const SECRET_REFUSALS: &[Refusal] = &[
    (
        &[
            "secret",
            "x",
            "--username",
            "u",
            "--password-stdin",
            "-l",
            "bad key=v",
        ],
        "pw",
        "label key 'bad key'",
    ),
    (
        &[
            "workload",
            "cronjob",
            "nightly",
            "--image",
            "r.example.com/a:1",
            "--schedule",
            "0 * * *",
        ],
        "",
        "CronJob schedule '0 * * *' has 4 fields",
    ),
    (
        &[
            "workload",
            "deploy",
            "web",
            "--image",
            "r.example.com/a:1",
            "--secret",
            "s",
            "-l",
            "app=-web",
        ],
        "",
        "label value '-web'",
    ),
    (
        &["secret", "RegCred", "--username", "u", "--password-stdin"],
        "pw",
        "'RegCred'",
    ),
    (
        &[
            "secret",
            "alice@example.com",
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
        "shifted argument",
    ),
    (
        &["secret", "x", "--username", "ali:ce", "--password-stdin"],
        "pw",
        "'ali:ce'",
    ),
    (
        &["secret", "x", "--username", " alice", "--password-stdin"],
        "pw",
        "whitespace",
    ),
    (
        &["secret", "x", "--username", "u", "--password-stdin"],
        "",
        "password is empty",
    ),
    (
        &[
            "secret",
            "x",
            "--username",
            "u",
            "--password-stdin",
            "-n",
            "Prod",
        ],
        "pw",
        "'Prod'",
    ),
    (
        &[
            "secret",
            "x",
            "--server",
            "docker://r.example.com",
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
        "docker://",
    ),
    (
        &[
            "secret",
            "x",
            "--server",
            "",
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
        "server is empty",
    ),
    (
        &[
            "secret",
            "--preset",
            "nope",
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
        "'nope'",
    ),
    (
        &[
            "secret",
            "--preset",
            "ecr",
            "--username",
            "AWS",
            "--password-stdin",
        ],
        "pw",
        "--server",
    ),
    (
        &["secret", "--username", "u", "--password-stdin"],
        "pw",
        "no Secret name",
    ),
    (&["secret", "x", "--username", "u"], "", "--password-stdin"),
    (
        &[
            "secret",
            "x",
            "--username",
            "u",
            "--password-env",
            "REGCRED_UNSET_VAR",
        ],
        "",
        "REGCRED_UNSET_VAR",
    ),
    (
        &[
            "secret",
            "x",
            "--username",
            "u",
            "--password-file",
            "/nonexistent/pw",
        ],
        "",
        "/nonexistent/pw",
    ),
];

#[test]
fn secret_refusals_exit_2_with_one_line_naming_the_value() {
    for (args, stdin, needle) in SECRET_REFUSALS {
        assert_refused(&regcred(args, stdin), needle);
    }
}

#[test]
fn missing_arguments_are_named_on_the_one_error_line() {
    let output = regcred(&["inject", "-f", "-"], "kind: Pod\n");
    assert_refused(&output, "--secret");
    let line = stderr(&output);
    assert!(
        line.contains("required arguments were not provided: --secret"),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
}

#[test]
fn non_utf8_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, b"pa\xffss").unwrap();
    assert_refused(
        &regcred(
            &[
                "secret",
                "x",
                "--username",
                "u",
                "--password-file",
                file.to_str().unwrap(),
            ],
            "",
        ),
        "UTF-8",
    );
}

#[test]
fn server_warnings_go_to_stderr_and_the_string_is_kept() {
    let out = regcred(
        &[
            "secret",
            "x",
            "--server",
            "https://registry.example.com/v2",
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
    );
    assert!(out.status.success());
    assert!(stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(decoded_config(&stdout(&out)).contains(r#""https://registry.example.com/v2""#));
}

#[test]
fn workload_for_every_kind() {
    for kind in ["deployment", "sts", "DaemonSet", "job", "cronjob", "pod"] {
        let out = regcred(
            &[
                "workload",
                kind,
                "my-app",
                "--image",
                "registry.cloudraya.com/my-app:v1.0.0",
                "--secret",
                "cr-registry-secret",
            ],
            "",
        );
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("- name: cr-registry-secret"),
            "{kind}"
        );
    }
    assert_refused(
        &regcred(&["workload", "service", "x", "--image", "nginx:1"], ""),
        "'service'",
    );
    assert_refused(
        &regcred(&["workload", "deploy", "My_App", "--image", "nginx:1"], ""),
        "'My_App'",
    );
    assert_refused(
        &regcred(
            &[
                "workload", "deploy", "x", "--image", "nginx:1", "--port", "70000",
            ],
            "",
        ),
        "70000",
    );
}

#[test]
fn patch_sa_keeps_existing_entries() {
    let current = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: prod\n  resourceVersion: \"42\"\nimagePullSecrets:\n- name: old-cred\n";
    let out = regcred(
        &["patch-sa", "--secret", "cr-registry-secret", "-f", "-"],
        current,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_saphyr::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        value["imagePullSecrets"],
        serde_json::json!([{"name": "old-cred"}, {"name": "cr-registry-secret"}])
    );
    assert_eq!(value["metadata"]["resourceVersion"], "42");

    let again = regcred(
        &[
            "patch-sa",
            "--secret",
            "cr-registry-secret",
            "-f",
            "-",
            "-o",
            "json",
        ],
        &stdout(&out),
    );
    assert!(stderr(&again).contains("already lists"));
    let value: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(value["imagePullSecrets"].as_array().unwrap().len(), 2);
}

#[test]
fn patch_sa_keeps_fields_this_kubernetes_version_does_not_know() {
    // `kubectl replace` writes the object back whole: a field of a newer API server that a typed
    // round trip dropped would be deleted on the cluster.
    let current = r#"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","futureMeta":"m"},"futureField":{"keep":[1,2]},"automountServiceAccountToken":false}"#;
    let out = regcred(
        &["patch-sa", "--secret", "regcred", "-f", "-", "-o", "json"],
        current,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected: serde_json::Value = serde_json::from_str(current).unwrap();
    expected["imagePullSecrets"] = serde_json::json!([{"name": "regcred"}]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value, expected);
}

#[test]
fn patch_sa_takes_the_namespace_from_n_when_the_file_has_none_and_needs_api_version() {
    let current = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n";
    let out = regcred(
        &[
            "patch-sa", "--secret", "s", "-n", "prod", "-f", "-", "-o", "json",
        ],
        current,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["metadata"]["namespace"], "prod");
    assert!(
        stderr(&out).contains("set to 'prod' from -n"),
        "{}",
        stderr(&out)
    );

    let bare = "kind: ServiceAccount\nmetadata:\n  name: default\n";
    let out = regcred(&["patch-sa", "--secret", "s", "-f", "-"], bare);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("no apiVersion"), "{}", stderr(&out));
}

#[test]
fn patch_sa_refuses_a_pull_secret_list_that_is_not_a_list() {
    let current = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\nimagePullSecrets: regcred\n";
    let out = regcred(&["patch-sa", "--secret", "regcred", "-f", "-"], current);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("imagePullSecrets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn patch_sa_without_file_prints_json_patch_commands() {
    let out = regcred(
        &["patch-sa", "--secret", "cr-registry-secret", "-n", "prod"],
        "",
    );
    let text = stdout(&out);
    assert!(text.contains("--type=json"));
    assert!(text.contains("/imagePullSecrets/-"));
    assert!(text.contains("-n prod"));
    assert_refused(
        &regcred(
            &["patch-sa", "--secret", "x", "-f", "-"],
            "kind: Pod\nmetadata: {name: p}\n",
        ),
        "'Pod'",
    );
}

#[test]
fn bundle_from_flags_and_from_file_agree() {
    let flags = regcred(
        &[
            "bundle",
            "--preset",
            "cloudraya",
            "--username",
            "cr-registry",
            "--password-stdin",
            "-n",
            "dev",
            "-n",
            "prod",
            "--image",
            "registry.cloudraya.com/my-app:v1.0.0",
            "--port",
            "8080",
        ],
        "pw",
    );
    assert!(flags.status.success(), "{}", stderr(&flags));

    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "pw\n").unwrap();
    let config = format!(
        "registries:\n- server: registry.cloudraya.com\n  username: cr-registry\n  passwordFile: {}\nsecretName: cr-registry-secret\nnamespaces: [dev, prod]\nworkload:\n  name: my-app\n  image: registry.cloudraya.com/my-app:v1.0.0\n  replicas: 2\n  port: 8080\n",
        "pw" // relative to the bundle file
    );
    let file = dir.path().join("bundle.yaml");
    std::fs::write(&file, config).unwrap();
    let from_file = regcred(&["bundle", "-f", file.to_str().unwrap()], "");
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert_eq!(stdout(&flags), stdout(&from_file));
    assert_eq!(stdout(&flags).matches("kind: Secret").count(), 2);
    assert_eq!(stdout(&flags).matches("kind: Deployment").count(), 2);

    let commands = regcred(
        &["bundle", "-f", file.to_str().unwrap(), "--show", "commands"],
        "",
    );
    assert!(stdout(&commands).contains("kubectl patch serviceaccount default -n prod --type=json"));
    assert!(
        !stdout(&commands).contains("pw"),
        "password leaked into commands"
    );
}

#[test]
fn bundle_file_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.yaml");
    std::fs::write(
        &file,
        "registries:\n- server: r.example.com\n  username: u\nsecretName: x\n",
    )
    .unwrap();
    assert_refused(
        &regcred(&["bundle", "-f", file.to_str().unwrap()], ""),
        "no password",
    );
    std::fs::write(&file, "registries: []\nsecretName: x\nbogus: 1\n").unwrap();
    assert_refused(
        &regcred(&["bundle", "-f", file.to_str().unwrap()], ""),
        "bogus",
    );
    assert_refused(
        &regcred(&["bundle", "-f", "/nonexistent/b.yaml"], ""),
        "/nonexistent/b.yaml",
    );
}

#[test]
fn inspect_reports_and_exits_1_on_errors() {
    let secret = regcred(
        &[
            "secret",
            "x",
            "--server",
            "r.example.com",
            "--username",
            "alice",
            "--password-stdin",
        ],
        "hunter2hunter2",
    );
    let out = regcred(&["inspect", "-f", "-"], &stdout(&secret));
    assert!(out.status.success());
    assert!(stdout(&out).contains("user=alice"));
    assert!(!stdout(&out).contains("hunter2"));

    let broken = regcred(&["inspect", "-f", "-"], r#"{"auths":{"r.example.com":{}}}"#);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stdout(&broken).contains("entry-empty"));
}

#[test]
fn presets_lists_cloudraya_and_completions_render() {
    let out = regcred(&["presets"], "");
    assert!(stdout(&out).contains("registry.cloudraya.com"));
    let json = regcred(&["presets", "--json"], "");
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert!(value.as_array().unwrap().len() >= 9);
    for shell in ["bash", "zsh", "fish"] {
        let out = regcred(&["completions", shell], "");
        assert!(
            out.status.success() && stdout(&out).contains("regcred"),
            "{shell}"
        );
    }
}

#[test]
fn kubectl_plugin_binary_calls_itself_kubectl_regcred() {
    let out = run(env!("CARGO_BIN_EXE_kubectl-regcred"), &["--help"], "", &[]);
    assert!(stdout(&out).contains("kubectl regcred"), "{}", stdout(&out));
}

fn secret_yaml(name: &str, server: &str) -> String {
    stdout(&regcred(
        &[
            "secret",
            name,
            "--server",
            server,
            "--username",
            "u",
            "--password-stdin",
        ],
        "pw",
    ))
}

#[test]
fn match_prints_keys_in_kubelet_order_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.yaml");
    let second = dir.path().join("b.yaml");
    std::fs::write(&first, secret_yaml("a", "registry.example.com")).unwrap();
    std::fs::write(&second, secret_yaml("b", "registry.example.com/team")).unwrap();
    let (a, b) = (first.to_str().unwrap(), second.to_str().unwrap());

    let out = regcred(
        &[
            "match",
            "registry.example.com/team/app:v1",
            "-f",
            a,
            "-f",
            b,
        ],
        "",
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "registry.example.com/team\tSecret/b\nregistry.example.com\tSecret/a\n"
    );

    let none = regcred(&["match", "registry.example.com:5000/app", "-f", a], "");
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(stdout(&none), "none\n");

    assert_refused(
        &regcred(&["match", "Registry/App", "-f", a], ""),
        "Registry/App",
    );
}

#[test]
fn lint_exits_1_on_errors_and_0_when_clean() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.yaml");
    std::fs::write(&secret, secret_yaml("regcred", "registry.example.com")).unwrap();
    let workload = |image: &str| {
        stdout(&regcred(
            &[
                "workload", "deploy", "app", "--image", image, "--secret", "regcred",
            ],
            "",
        ))
    };
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, workload("registry.example.com/app:v1")).unwrap();
    let out = regcred(
        &[
            "lint",
            "-f",
            secret.to_str().unwrap(),
            "-f",
            good.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(stdout(&out), "no problems found\n");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, workload("registry.example.com:5000/app:v1")).unwrap();
    let out = regcred(
        &[
            "lint",
            "-f",
            secret.to_str().unwrap(),
            "-f",
            bad.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(findings[0]["code"], "image-not-covered");

    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "kind: [unclosed").unwrap();
    assert_refused(
        &regcred(&["lint", "-f", broken.to_str().unwrap()], ""),
        "broken.yaml",
    );
}

#[test]
fn explain_reads_stdin_and_names_the_cause() {
    let events = "Events:\n  Warning  FailedToRetrieveImagePullSecret  3s  kubelet  Unable to retrieve some image pull secrets (cr-registry-secret); attempting to pull the image may not succeed.\n";
    let out = regcred(&["explain"], events);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("cr-registry-secret"),
        "{}",
        stdout(&out)
    );

    let unknown = regcred(&["explain", "--json"], "nothing to see here");
    assert_eq!(unknown.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&unknown)).unwrap();
    assert_eq!(value["recognized"], false);
}

#[test]
fn bundle_file_with_environments_reads_passwords_from_env() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("envs.yaml");
    std::fs::write(
        &file,
        "environments:\n- environment: staging\n  registries: [{server: staging-registry.example.com, username: stg, passwordEnv: STG_PW}]\n  secretName: regcred\n  namespaces: [staging]\n- environment: prod\n  registries: [{server: registry.example.com, username: prd, passwordEnv: PRD_PW}]\n  secretName: regcred\n  namespaces: [prod]\n",
    )
    .unwrap();
    let out = run(
        env!("CARGO_BIN_EXE_regcred"),
        &["bundle", "-f", file.to_str().unwrap(), "--show", "secrets"],
        "",
        &[("STG_PW", "s1"), ("PRD_PW", "p1")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("kind: Secret").count(), 2);
    assert!(text.contains("app.kubernetes.io/environment: staging"));
}

#[test]
fn parse_errors_never_quote_the_file() {
    let leaky = "apiVersion: v1\nkind: Secret\nstringData:\n  .dockerconfigjson: |\n    {\"auths\":{\"r.example.com\":{\"password\":\"LeakedPw123!\"}}}\nbad: [unclosed\n";
    for command in [
        &["lint", "-f", "-"][..],
        &["inspect", "-f", "-"],
        &["patch-sa", "--secret", "s", "-f", "-"],
    ] {
        let out = regcred(command, leaky);
        assert_refused(&out, "line 6");
        assert!(
            !stderr(&out).contains("LeakedPw123!"),
            "{command:?} leaked: {}",
            stderr(&out)
        );
    }
}

#[test]
fn usage_mistakes_are_one_line_with_exit_2() {
    assert_refused(&regcred(&["secret", "x", "-o", "xml"], ""), "'xml'");
    assert_refused(
        &regcred(
            &["secret", "x", "--password-stdin", "--password-file", "f"],
            "",
        ),
        "cannot be used with",
    );
    let help = regcred(&["secret", "--help"], "");
    assert!(help.status.success() && stdout(&help).contains("--password-stdin"));
}

#[test]
fn patch_sa_accepts_a_trailing_separator_and_explains_lists() {
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default}\n---\n";
    let out = regcred(&["patch-sa", "--secret", "s", "-f", "-"], sa);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = "apiVersion: v1\nkind: List\nitems: []\n";
    assert_refused(
        &regcred(&["patch-sa", "--secret", "s", "-f", "-"], list),
        "give one ServiceAccount",
    );
    assert_refused(
        &regcred(
            &[
                "patch-sa",
                "--secret",
                "s",
                "--service-account",
                "builder",
                "-f",
                "-",
            ],
            sa,
        ),
        "'builder'",
    );
}

#[test]
fn names_the_api_would_refuse_after_generation_are_refused() {
    let long = "a".repeat(250);
    assert_refused(
        &regcred(
            &[
                "secret",
                &long,
                "--server",
                "r.example.com",
                "--username",
                "u",
                "--password-stdin",
                "--append-hash",
            ],
            "pw",
        ),
        "hash suffix",
    );
    assert_refused(
        &regcred(
            &[
                "workload",
                "deploy",
                "my.app",
                "--image",
                "r.example.com/x:v1",
            ],
            "",
        ),
        "'my.app'",
    );
}

#[test]
fn live_commands_refuse_empty_names_and_credentials_before_any_request() {
    for (args, stdin, needle) in [
        (&["link-sa", "--secret", ""][..], "", "Secret name is empty"),
        (
            &[
                "probe",
                "registry.example.com/app:v1",
                "--username",
                "",
                "--password-stdin",
            ][..],
            "pw",
            "username is empty",
        ),
        (
            &[
                "probe",
                "registry.example.com/app:v1",
                "--username",
                "u",
                "--password-stdin",
            ][..],
            "",
            "password is empty",
        ),
    ] {
        assert_refused(&regcred(args, stdin), needle);
    }
}
