//! The live commands against a real API server, kubelet and private TLS registry.
//!
//! Every test is ignored by default: `just test-live` starts the local cluster and a registry
//! (crates/regcred-kube/scripts/live.sh), exports the `REGCRED_LIVE_*` variables and runs them.
//! Each test works in namespaces of its own, labelled `regcred-live=1`, deleted on drop.
#![allow(
    clippy::print_stderr,
    reason = "test diagnostics go to the test's captured output"
)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const NEEDS: &str = "needs a localkube cluster: just test-live";

/// What live.sh exported.
struct Live {
    kubeconfig: String,
    registry: String,
    ca: String,
    user: String,
    password_file: String,
    image: String,
}

fn live() -> Live {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: these tests need the cluster and registry of `just test-live`"
            )
        })
    };
    Live {
        kubeconfig: var("REGCRED_LIVE_KUBECONFIG"),
        registry: var("REGCRED_LIVE_REGISTRY"),
        ca: var("REGCRED_LIVE_CA"),
        user: var("REGCRED_LIVE_USER"),
        password_file: var("REGCRED_LIVE_PASSWORD_FILE"),
        image: var("REGCRED_LIVE_IMAGE"),
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn finish(output: &Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn regcred(live: &Live, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_regcred"))
        .args(args)
        .env("KUBECONFIG", &live.kubeconfig)
        .env_remove("SSL_CERT_FILE")
        .stdin(Stdio::null())
        .output()
        .expect("regcred runs");
    let run = finish(&output);
    eprintln!("$ regcred {}\n{}{}", args.join(" "), run.stdout, run.stderr);
    run
}

fn kubectl(live: &Live, args: &[&str]) -> String {
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&live.kubeconfig)
        .args(args)
        .output()
        .expect("kubectl runs");
    assert!(
        output.status.success(),
        "kubectl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn kubectl_stdin(live: &Live, args: &[&str], input: &str) {
    use std::io::Write as _;
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&live.kubeconfig)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("kubectl runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "kubectl {}",
        args.join(" ")
    );
}

/// A namespace of this test, deleted (without waiting) on drop.
struct Namespace {
    name: String,
    kubeconfig: String,
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("kubectl")
            .args([
                "--kubeconfig",
                &self.kubeconfig,
                "delete",
                "namespace",
                &self.name,
            ])
            .args(["--wait=false", "--ignore-not-found"])
            .output();
    }
}

fn namespace(live: &Live, tag: &str) -> Namespace {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "rl-{tag}-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    );
    kubectl(live, &["create", "namespace", &name]);
    kubectl(live, &["label", "namespace", &name, "regcred-live=1"]);
    wait_until(Duration::from_secs(30), || {
        let out = kubectl(live, &["get", "serviceaccount", "-n", &name, "-o", "name"]);
        out.contains("serviceaccount/default")
    });
    Namespace {
        name,
        kubeconfig: live.kubeconfig.clone(),
    }
}

fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "condition not met within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn wrong_password_file(tag: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("regcred-live-wrong-{tag}-{}", std::process::id()));
    std::fs::write(&path, "not-the-password\n").unwrap();
    path
}

/// `regcred apply NAME` with the registry's credentials (or the password file given).
fn apply(live: &Live, name: &str, password_file: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "apply",
        name,
        "--server",
        &live.registry,
        "--username",
        &live.user,
        "--password-file",
        password_file,
    ];
    args.extend_from_slice(extra);
    regcred(live, &args)
}

/// `regcred apply NAME -n NS` with the registry's credentials, which must succeed.
fn apply_ok(live: &Live, name: &str, ns: &str) {
    let run = apply(live, name, &live.password_file, &["-n", ns]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// An Opaque Secret (`kubectl create secret generic`) with one key, `key=value`.
fn opaque_secret(live: &Live, ns: &str, name: &str, literal: &str) {
    kubectl(
        live,
        &[
            "create",
            "secret",
            "generic",
            name,
            "-n",
            ns,
            &format!("--from-literal={literal}"),
        ],
    );
}

fn jsonpath(live: &Live, ns: &str, object: &str, path: &str) -> String {
    kubectl(
        live,
        &["get", object, "-n", ns, "-o", &format!("jsonpath={path}")],
    )
}

/// A Deployment of the registry's image, with the given pull Secrets in its template.
fn deployment(live: &Live, ns: &str, name: &str, image: &str, secrets: &[&str]) {
    let pull: Vec<String> = secrets
        .iter()
        .map(|s| format!("{{\"name\":\"{s}\"}}"))
        .collect();
    let manifest = format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"{name}","namespace":"{ns}"}},
        "spec":{{"replicas":1,"selector":{{"matchLabels":{{"app":"{name}"}}}},
        "template":{{"metadata":{{"labels":{{"app":"{name}"}}}},
        "spec":{{"imagePullSecrets":[{}],"containers":[{{"name":"app","image":"{image}"}}]}}}}}}}}"#,
        pull.join(",")
    );
    kubectl_stdin(live, &["apply", "-f", "-"], &manifest);
}

/// Waits until a pod of the Deployment shows `reason` (e.g. `ErrImagePull`) or runs.
fn wait_for_pod(live: &Live, ns: &str, app: &str, wanted: &[&str]) {
    wait_until(Duration::from_secs(90), || {
        let state = kubectl(
            live,
            &[
                "get",
                "pods",
                "-n",
                ns,
                "-l",
                &format!("app={app}"),
                "-o",
                "jsonpath={.items[*].status.containerStatuses[*].state}",
            ],
        );
        wanted.iter().any(|w| state.contains(w))
    });
}

// ---- apply ----

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_creates_in_several_namespaces_then_is_idempotent() {
    let live = live();
    let (a, b) = (namespace(&live, "apply-a"), namespace(&live, "apply-b"));

    let first = apply(
        &live,
        "regcred",
        &live.password_file,
        &["-n", &a.name, "-n", &b.name],
    );
    assert_eq!(first.code, 0, "{NEEDS}");
    assert_eq!(first.stdout.matches("secret/regcred created").count(), 2);
    let version = jsonpath(
        &live,
        &a.name,
        "secret/regcred",
        "{.metadata.resourceVersion}",
    );
    let labels = jsonpath(&live, &a.name, "secret/regcred", "{.metadata.labels}");
    assert!(
        labels.contains("\"app.kubernetes.io/managed-by\":\"regcred\""),
        "{labels}"
    );

    // At once: a no-op apply is told by the resource version, not by timestamps.
    let second = apply(
        &live,
        "regcred",
        &live.password_file,
        &["-n", &a.name, "-n", &b.name],
    );
    assert_eq!(second.code, 0);
    assert_eq!(
        second.stdout.matches("secret/regcred unchanged").count(),
        2,
        "{}",
        second.stdout
    );
    let after = jsonpath(
        &live,
        &a.name,
        "secret/regcred",
        "{.metadata.resourceVersion}",
    );
    assert_eq!(version, after, "a second apply must not write");
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_stores_what_regcred_secret_prints() {
    let live = live();
    let ns = namespace(&live, "apply-bytes");
    apply_ok(&live, "regcred", &ns.name);

    let stored = jsonpath(
        &live,
        &ns.name,
        "secret/regcred",
        "{.data.\\.dockerconfigjson}",
    );
    let printed = regcred(
        &live,
        &[
            "secret",
            "regcred",
            "--server",
            &live.registry,
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
            "-o",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(value["data"][".dockerconfigjson"].as_str().unwrap(), stored);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_all_namespaces_honours_selector_and_exclusions() {
    let live = live();
    let (a, b, c) = (
        namespace(&live, "sel-a"),
        namespace(&live, "sel-b"),
        namespace(&live, "sel-c"),
    );
    let tag = format!("regcred-sel-{}", std::process::id());
    for ns in [&a, &b, &c] {
        kubectl(
            &live,
            &["label", "namespace", &ns.name, &format!("{tag}=yes")],
        );
    }

    let run = apply(
        &live,
        "regcred",
        &live.password_file,
        &[
            "-A",
            "--namespace-selector",
            &format!("{tag}=yes"),
            "--exclude",
            &c.name,
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(&a.name) && run.stdout.contains(&b.name));
    assert!(!run.stdout.contains(&c.name), "{}", run.stdout);
    assert!(
        run.stdout.contains("2 namespaces: 2 created"),
        "{}",
        run.stdout
    );
    let none = kubectl(&live, &["get", "secret", "-n", &c.name, "-o", "name"]);
    assert!(!none.contains("regcred"));
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_reports_partial_failure_per_namespace_and_exits_1() {
    let live = live();
    let ns = namespace(&live, "partial");
    let missing = format!("rl-missing-{}", std::process::id());

    let run = apply(
        &live,
        "regcred",
        &live.password_file,
        &["-n", &ns.name, "-n", &missing],
    );
    assert_eq!(run.code, 1);
    let created = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&ns.name))
        .unwrap();
    assert!(created.ends_with("secret/regcred created"), "{created}");
    let failed = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&missing))
        .unwrap();
    assert!(
        failed.contains("failed") && failed.contains("not found"),
        "{failed}"
    );
    assert!(run.stdout.contains("1 failed"));
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_server_dry_run_stores_nothing() {
    let live = live();
    let ns = namespace(&live, "dry");
    let run = apply(
        &live,
        "regcred",
        &live.password_file,
        &["-n", &ns.name, "--dry-run=server"],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("dry run"));
    let secrets = kubectl(&live, &["get", "secret", "-n", &ns.name, "-o", "name"]);
    assert!(!secrets.contains("regcred"), "{secrets}");
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_over_a_kubectl_secret_keeps_its_other_registries() {
    let live = live();
    let ns = namespace(&live, "apply-over");
    kubectl(
        &live,
        &[
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "-n",
            &ns.name,
            "--docker-server=docker.io",
            "--docker-username=hub",
            "--docker-password=hub-password",
        ],
    );

    let run = apply(&live, "regcred", &live.password_file, &["-n", &ns.name]);

    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("secret/regcred configured, keeping its entries for docker.io"),
        "{}",
        run.stdout
    );
    let data = jsonpath(
        &live,
        &ns.name,
        "secret/regcred",
        "{.data.\\.dockerconfigjson}",
    );
    let config = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data.trim()).unwrap(),
    )
    .unwrap();
    assert!(
        config.contains("\"docker.io\"") && config.contains("hub-password"),
        "kept"
    );
    assert!(config.contains(&format!("\"{}\"", live.registry)), "added");
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_apply_refuses_a_secret_of_another_type_and_changes_nothing() {
    let live = live();
    let ns = namespace(&live, "apply-type");
    opaque_secret(&live, &ns.name, "regcred", "k=v");
    let version = jsonpath(
        &live,
        &ns.name,
        "secret/regcred",
        "{.metadata.resourceVersion}",
    );

    let run = apply(&live, "regcred", &live.password_file, &["-n", &ns.name]);

    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("already exists with type 'Opaque'")
            && run.stdout.contains("kubectl delete secret regcred"),
        "{}",
        run.stdout
    );
    let after = jsonpath(
        &live,
        &ns.name,
        "secret/regcred",
        "{.metadata.resourceVersion}",
    );
    assert_eq!(version, after);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_namespace_selector_and_exclude_need_all_namespaces() {
    let live = live();
    let ns = namespace(&live, "apply-exclude");
    let run = apply(
        &live,
        "regcred",
        &live.password_file,
        &["-n", &ns.name, "--exclude", &ns.name],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("add -A"), "{}", run.stderr);
    let secrets = kubectl(&live, &["get", "secret", "-n", &ns.name, "-o", "name"]);
    assert!(!secrets.contains("regcred"), "{secrets}");
}

// ---- link-sa ----

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_link_sa_appends_keeps_existing_entries_and_never_duplicates() {
    let live = live();
    let ns = namespace(&live, "link");
    kubectl(
        &live,
        &["create", "serviceaccount", "ci-one", "-n", &ns.name],
    );
    kubectl(
        &live,
        &["create", "serviceaccount", "ci-two", "-n", &ns.name],
    );
    kubectl(&live, &["create", "serviceaccount", "web", "-n", &ns.name]);
    kubectl(
        &live,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-n",
            &ns.name,
            "-p",
            r#"{"imagePullSecrets":[{"name":"team-cred"}]}"#,
        ],
    );

    let args = [
        "link-sa",
        "--secret",
        "regcred",
        "-n",
        &ns.name,
        "--service-account",
        "default",
        "--service-account",
        "ci-*",
    ];
    let run = regcred(&live, &args);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.matches("appended").count(), 3, "{}", run.stdout);
    let list = jsonpath(
        &live,
        &ns.name,
        "serviceaccount/default",
        "{.imagePullSecrets[*].name}",
    );
    assert_eq!(list, "team-cred regcred");
    let web = jsonpath(&live, &ns.name, "serviceaccount/web", "{.imagePullSecrets}");
    assert!(
        web.is_empty(),
        "a glob must not reach other accounts: {web}"
    );

    let again = regcred(&live, &args);
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout.matches("already listed").count(), 3);
    let list = jsonpath(
        &live,
        &ns.name,
        "serviceaccount/default",
        "{.imagePullSecrets[*].name}",
    );
    assert_eq!(list, "team-cred regcred");
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_link_sa_fails_for_a_missing_account_and_changes_the_rest() {
    let live = live();
    let ns = namespace(&live, "link-missing");
    let run = regcred(
        &live,
        &[
            "link-sa",
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--service-account",
            "nosuch",
            "--service-account",
            "default",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("serviceaccount/nosuch  failed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("serviceaccount/default  appended"));
    assert!(
        run.stderr.contains("does not exist in namespace"),
        "warns the Secret is missing"
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_link_sa_matching_nothing_is_an_error_and_an_opaque_secret_is_warned_about() {
    let live = live();
    let ns = namespace(&live, "link-none");
    let run = regcred(
        &live,
        &[
            "link-sa",
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--service-account",
            "nomatch-*",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no ServiceAccount matches nomatch-*"),
        "{}",
        run.stderr
    );

    opaque_secret(&live, &ns.name, "opaque", "k=v");
    let run = regcred(&live, &["link-sa", "--secret", "opaque", "-n", &ns.name]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("has type 'Opaque'"), "{}", run.stderr);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_link_sa_lists_pods_that_predate_it_and_restarts_their_workload() {
    let live = live();
    let ns = namespace(&live, "link-restart");
    apply_ok(&live, "regcred", &ns.name);
    failing_deployment(&live, &ns.name, &live.image, &[]);

    let dry = regcred(
        &live,
        &[
            "link-sa",
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--restart",
            "--dry-run",
        ],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("would restart deployment/app"),
        "{}",
        dry.stdout
    );
    let untouched = jsonpath(
        &live,
        &ns.name,
        "deployment/app",
        "{.spec.template.metadata.annotations}",
    );
    assert!(!untouched.contains("restartedAt"), "{untouched}");

    let listed = regcred(&live, &["link-sa", "--secret", "regcred", "-n", &ns.name]);
    assert_eq!(listed.code, 0);
    assert!(
        listed
            .stdout
            .contains(&format!("deployment/app -n {}: 1 pod(s)", ns.name)),
        "{}",
        listed.stdout
    );

    let restarted = regcred(
        &live,
        &[
            "link-sa",
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--restart",
        ],
    );
    assert_eq!(restarted.code, 0);
    assert!(restarted.stdout.contains("restarted deployment/app"));
    let annotation = jsonpath(
        &live,
        &ns.name,
        "deployment/app",
        "{.spec.template.metadata.annotations}",
    );
    assert!(
        annotation.contains("kubectl.kubernetes.io/restartedAt"),
        "{annotation}"
    );
    wait_for_pod(&live, &ns.name, "app", &["running"]);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_link_sa_restarts_pods_whose_list_was_copied_from_their_service_account() {
    // The pods got the account's old list at admission; the template lists none. Their list
    // is not their own: a restart gives the new pods the account's list, new Secret included.
    let live = live();
    let ns = namespace(&live, "link-copied");
    apply_ok(&live, "regcred", &ns.name);
    kubectl(
        &live,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-n",
            &ns.name,
            "-p",
            r#"{"imagePullSecrets":[{"name":"old-gone"}]}"#,
        ],
    );
    failing_deployment(&live, &ns.name, &live.image, &[]);
    let pod = kubectl(
        &live,
        &["get", "pods", "-n", &ns.name, "-l", "app=app", "-o", "name"],
    );
    kubectl(
        &live,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-n",
            &ns.name,
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"regcred"}}]"#,
        ],
    );

    let run = doctor(&live, &ns.name, pod.trim());
    assert_diagnosed(&run, "pod-predates-service-account");
    assert!(
        run.stdout.contains("copied from its ServiceAccount"),
        "{}",
        run.stdout
    );

    let restarted = regcred(
        &live,
        &[
            "link-sa",
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--restart",
        ],
    );
    assert_eq!(
        restarted.code, 0,
        "{}{}",
        restarted.stdout, restarted.stderr
    );
    assert!(
        restarted.stdout.contains("restarted deployment/app"),
        "{}{}",
        restarted.stdout,
        restarted.stderr
    );
    wait_for_pod(&live, &ns.name, "app", &["running"]);
}

// ---- probe ----// ---- probe ----

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_probe_tells_apart_success_rejection_missing_image_tls_and_unreachable() {
    let live = live();
    let wrong = wrong_password_file("probe");
    let wrong = wrong.to_str().unwrap();
    let good = [
        "--username",
        &live.user,
        "--password-file",
        &live.password_file,
        "--ca-file",
        &live.ca,
    ];

    let ok = regcred(&live, &[&["probe", &live.image][..], &good].concat());
    assert_eq!(ok.code, 0);
    assert!(ok.stdout.contains("[pullable]"));

    let rejected = regcred(
        &live,
        &[
            "probe",
            &live.image,
            "--username",
            &live.user,
            "--password-file",
            wrong,
            "--ca-file",
            &live.ca,
        ],
    );
    assert_eq!(rejected.code, 1);
    assert!(
        rejected.stdout.contains("[credentials-rejected]"),
        "{}",
        rejected.stdout
    );

    let missing_image = format!("{}/regcred-live/app:does-not-exist", live.registry);
    let missing = regcred(&live, &[&["probe", &missing_image][..], &good].concat());
    assert!(
        missing.stdout.contains("[image-not-found]"),
        "{}",
        missing.stdout
    );

    let untrusted = regcred(
        &live,
        &[
            "probe",
            &live.image,
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
        ],
    );
    assert!(
        untrusted.stdout.contains("[registry-tls]"),
        "{}",
        untrusted.stdout
    );

    let anonymous = regcred(&live, &["probe", &live.image, "--ca-file", &live.ca]);
    assert!(
        anonymous.stdout.contains("[no-credentials-sent]"),
        "{}",
        anonymous.stdout
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let nowhere = format!("127.0.0.1:{port}/regcred-live/app:v1");
    let unreachable = regcred(&live, &["probe", &nowhere, "--ca-file", &live.ca]);
    assert_eq!(unreachable.code, 1);
    assert!(
        unreachable.stdout.contains("[registry-unreachable]"),
        "{}",
        unreachable.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_probe_uses_the_key_the_kubelet_picks_from_a_cluster_secret() {
    let live = live();
    let ns = namespace(&live, "probe-secret");
    apply_ok(&live, "regcred", &ns.name);
    let run = regcred(
        &live,
        &[
            "probe",
            &live.image,
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--ca-file",
            &live.ca,
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("[pullable]"));

    let other = "registry.invalid/app:v1";
    let none = regcred(
        &live,
        &[
            "probe",
            other,
            "--secret",
            "regcred",
            "-n",
            &ns.name,
            "--ca-file",
            &live.ca,
        ],
    );
    assert!(
        none.stderr.contains("no key of Secret 'regcred' matches"),
        "{}",
        none.stderr
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_probe_never_prints_a_password_from_a_broken_secret() {
    let live = live();
    let ns = namespace(&live, "probe-broken");
    let config = format!(
        r#"{{"auths":{{"{}":{{"username":"u","password":12345678}}}}}}"#,
        live.registry
    );
    kubectl_stdin(
        &live,
        &["apply", "-f", "-"],
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: broken, namespace: {}}}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{config}'\n",
            ns.name
        ),
    );
    for json in [false, true] {
        let mut args = vec![
            "probe",
            &live.image,
            "--secret",
            "broken",
            "-n",
            &ns.name,
            "--ca-file",
            &live.ca,
        ];
        if json {
            args.push("--json");
        }
        let run = regcred(&live, &args);
        assert_ne!(run.code, 0);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains("12345678"), "{all}");
        assert!(all.contains("value hidden"), "{all}");
    }
}

// ---- rotate ----

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_rotate_refuses_credentials_the_registry_rejects_and_changes_nothing() {
    let live = live();
    let ns = namespace(&live, "rotate-refuse");
    apply_ok(&live, "rl-refuse", &ns.name);
    let before = jsonpath(
        &live,
        &ns.name,
        "secret/rl-refuse",
        "{.metadata.resourceVersion}",
    );
    let wrong = wrong_password_file("rotate");

    let run = regcred(
        &live,
        &[
            "rotate",
            "rl-refuse",
            "--server",
            &live.registry,
            "--username",
            &live.user,
            "--password-file",
            wrong.to_str().unwrap(),
            "--image",
            &live.image,
            "--ca-file",
            &live.ca,
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nothing was changed") && run.stderr.contains("rejected"),
        "{}",
        run.stderr
    );
    let after = jsonpath(
        &live,
        &ns.name,
        "secret/rl-refuse",
        "{.metadata.resourceVersion}",
    );
    assert_eq!(before, after);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_rotate_updates_every_managed_copy_in_place_and_restarts_users() {
    let live = live();
    let (a, b) = (namespace(&live, "rot-a"), namespace(&live, "rot-b"));
    let wrong = wrong_password_file("rot-old");
    let name = format!("rl-rot-{}", std::process::id());
    // The copies hold credentials the registry no longer accepts, as after a password reset.
    assert_eq!(
        apply(
            &live,
            &name,
            wrong.to_str().unwrap(),
            &["-n", &a.name, "-n", &b.name]
        )
        .code,
        0
    );
    let uid = jsonpath(&live, &a.name, &format!("secret/{name}"), "{.metadata.uid}");
    deployment(&live, &a.name, "app", &live.image, &[&name]);
    wait_for_pod(&live, &a.name, "app", &["ErrImagePull", "ImagePullBackOff"]);

    // No --image: the image comes from the workload that uses the Secret.
    let run = regcred(
        &live,
        &[
            "rotate",
            &name,
            "--server",
            &live.registry,
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
            "--ca-file",
            &live.ca,
            "--restart",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("new credentials accepted"));
    assert_eq!(
        run.stdout
            .matches(&format!("secret/{name} configured"))
            .count(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("restarted deployment/app -n {}", a.name))
    );
    assert_eq!(
        uid,
        jsonpath(&live, &a.name, &format!("secret/{name}"), "{.metadata.uid}"),
        "updated in place, never recreated"
    );
    wait_for_pod(&live, &a.name, "app", &["running"]);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_rotate_reports_unmanaged_copies_as_lagging() {
    let live = live();
    let (managed, manual) = (namespace(&live, "lag-m"), namespace(&live, "lag-u"));
    let name = format!("rl-lag-{}", std::process::id());
    apply_ok(&live, &name, &managed.name);
    kubectl(
        &live,
        &[
            "create",
            "secret",
            "docker-registry",
            &name,
            "-n",
            &manual.name,
            "--docker-server",
            &live.registry,
            "--docker-username",
            "old",
            "--docker-password",
            "old",
        ],
    );

    let run = regcred(
        &live,
        &[
            "rotate",
            &name,
            "--server",
            &live.registry,
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
            "--image",
            &live.image,
            "--ca-file",
            &live.ca,
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("namespaces that lag behind"));
    assert!(
        run.stdout
            .contains(&format!("{}: has a Secret", manual.name)),
        "{}",
        run.stdout
    );
    let untouched = jsonpath(
        &live,
        &manual.name,
        &format!("secret/{name}"),
        "{.metadata.labels}",
    );
    assert!(untouched.is_empty(), "the unmanaged copy is left alone");
}

// ---- doctor ----

fn doctor(live: &Live, ns: &str, target: &str) -> Run {
    regcred(live, &["doctor", target, "-n", ns, "--ca-file", &live.ca])
}

/// A Deployment `app` whose pod is expected to fail its pull.
fn failing_deployment(live: &Live, ns: &str, image: &str, secrets: &[&str]) {
    deployment(live, ns, "app", image, secrets);
    wait_for_pod(live, ns, "app", &["ErrImagePull", "ImagePullBackOff"]);
}

/// Doctor found a problem (exit 1) and named `cause` among the causes.
fn assert_diagnosed(run: &Run, cause: &str) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("[{cause}]")),
        "[{cause}] not in: {}",
        run.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_finds_nothing_wrong_with_a_pod_that_pulls() {
    let live = live();
    let ns = namespace(&live, "doc-ok");
    apply_ok(&live, "regcred", &ns.name);
    deployment(&live, &ns.name, "app", &live.image, &["regcred"]);
    wait_for_pod(&live, &ns.name, "app", &["running"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("no problem found"));
    assert!(run.stdout.contains("the kubelet tries regcred/"));
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_secret_that_exists_but_is_not_referenced() {
    let live = live();
    let ns = namespace(&live, "doc-unref");
    // A near miss that sorts first: same host, another port. The fix must name the Secret
    // whose key matches, not this one's.
    let decoy = regcred(
        &live,
        &[
            "apply",
            "decoy",
            "--server",
            "127.0.0.1:5000",
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
            "-n",
            &ns.name,
        ],
    );
    assert_eq!(decoy.code, 0, "{}", decoy.stderr);
    apply_ok(&live, "regcred", &ns.name);
    failing_deployment(&live, &ns.name, &live.image, &[]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "secret-not-referenced");
    assert!(
        run.stdout.contains(&format!(
            "reference Secret 'regcred' (its key '{}' matches this image)",
            live.registry
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("regcred link-sa --secret regcred"));
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_secret_in_the_wrong_namespace() {
    let live = live();
    let (home, elsewhere) = (namespace(&live, "doc-home"), namespace(&live, "doc-else"));
    let name = format!("rl-wrongns-{}", std::process::id());
    apply_ok(&live, &name, &elsewhere.name);
    failing_deployment(&live, &home.name, &live.image, &[&name]);

    let run = doctor(&live, &home.name, "deployment/app");
    assert_diagnosed(&run, "secret-wrong-namespace");
    assert!(run.stdout.contains(&elsewhere.name));
    // The kubelet's FailedToRetrieveImagePullSecret says the same: one cause.
    assert!(!run.stdout.contains("[secret-not-found]"), "{}", run.stdout);
    // Nothing is sent, so the registry's 401 is no rejected password.
    let offline = regcred(
        &live,
        &["doctor", "deployment/app", "-n", &home.name, "--no-probe"],
    );
    assert!(
        !offline.stdout.contains("[credentials-rejected]"),
        "{}",
        offline.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_rejected_credentials_from_a_live_probe() {
    let live = live();
    let ns = namespace(&live, "doc-creds");
    let wrong = wrong_password_file("doc");
    assert_eq!(
        apply(&live, "regcred", wrong.to_str().unwrap(), &["-n", &ns.name]).code,
        0
    );
    failing_deployment(&live, &ns.name, &live.image, &["regcred"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "credentials-rejected");
    assert!(
        run.stdout.contains("401 Unauthorized"),
        "the registry's answer is shown"
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_wrong_endpoint_in_the_secret() {
    let live = live();
    let ns = namespace(&live, "doc-endpoint");
    let host = live.registry.split(':').next().unwrap();
    // The registry guide's "incorrect registry endpoint": the key lacks the port.
    let run = regcred(
        &live,
        &[
            "apply",
            "regcred",
            "--server",
            host,
            "--username",
            &live.user,
            "--password-file",
            &live.password_file,
            "-n",
            &ns.name,
        ],
    );
    assert_eq!(run.code, 0);
    failing_deployment(&live, &ns.name, &live.image, &["regcred"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "image-not-covered");
    assert!(
        run.stdout
            .contains(&format!("add the key '{}'", live.registry)),
        "{}",
        run.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_missing_image() {
    let live = live();
    let ns = namespace(&live, "doc-image");
    apply_ok(&live, "regcred", &ns.name);
    let image = format!("{}/regcred-live/app:v404", live.registry);
    failing_deployment(&live, &ns.name, &image, &["regcred"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "image-not-found");
    // containerd's x509 error from its fallback endpoint after the 404 is not a second cause.
    assert!(!run.stdout.contains("[registry-tls]"), "{}", run.stdout);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_secret_of_the_wrong_type() {
    let live = live();
    let ns = namespace(&live, "doc-type");
    opaque_secret(&live, &ns.name, "regcred", ".dockerconfigjson={}");
    failing_deployment(&live, &ns.name, &live.image, &["regcred"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "secret-wrong-type");
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_an_upper_case_image_once() {
    let live = live();
    let ns = namespace(&live, "doc-upper");
    apply_ok(&live, "regcred", &ns.name);
    let (host, path) = live.image.split_once('/').unwrap();
    let (repository, tag) = path.rsplit_once(':').unwrap();
    let image = format!("{host}/{}:{tag}", repository.to_uppercase());
    deployment(&live, &ns.name, "app", &image, &["regcred"]);
    wait_for_pod(&live, &ns.name, "app", &["InvalidImageName"]);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "invalid-image-name");
    // Lint and the kubelet's event say the same thing: one cause, not two.
    assert_eq!(
        run.stdout.matches("invalid-image-name]").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("[image-invalid]"), "{}", run.stdout);
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_service_account_that_does_not_exist() {
    let live = live();
    let ns = namespace(&live, "doc-nosa");
    apply_ok(&live, "regcred", &ns.name);
    let manifest = format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"app","namespace":"{ns}"}},
        "spec":{{"replicas":1,"selector":{{"matchLabels":{{"app":"app"}}}},
        "template":{{"metadata":{{"labels":{{"app":"app"}}}},
        "spec":{{"serviceAccountName":"ghost","containers":[{{"name":"app","image":"{image}"}}]}}}}}}}}"#,
        ns = ns.name,
        image = live.image,
    );
    kubectl_stdin(&live, &["apply", "-f", "-"], &manifest);

    let run = doctor(&live, &ns.name, "deployment/app");
    assert_diagnosed(&run, "service-account-missing");
    assert!(
        run.stdout.contains("kubectl create serviceaccount ghost"),
        "{}",
        run.stdout
    );
    // Not also "exists but is not referenced": attaching it to the new account is the fix.
    assert!(
        !run.stdout.contains("[secret-not-referenced]"),
        "{}",
        run.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_names_a_pod_older_than_its_service_account_change() {
    let live = live();
    let ns = namespace(&live, "doc-older");
    apply_ok(&live, "regcred", &ns.name);
    failing_deployment(&live, &ns.name, &live.image, &[]);
    kubectl(
        &live,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-n",
            &ns.name,
            "-p",
            r#"{"imagePullSecrets":[{"name":"regcred"}]}"#,
        ],
    );
    let pod = kubectl(
        &live,
        &["get", "pods", "-n", &ns.name, "-l", "app=app", "-o", "name"],
    );

    let run = doctor(&live, &ns.name, pod.trim());
    assert_diagnosed(&run, "pod-predates-service-account");
    // The ServiceAccount does list it now: no cause may say it lists none.
    assert!(
        !run.stdout.contains("[secret-not-referenced]") && !run.stdout.contains("has none"),
        "{}",
        run.stdout
    );
}

#[test]
#[ignore = "needs a localkube cluster: just test-live"]
fn live_doctor_refuses_a_pod_that_does_not_exist() {
    let live = live();
    let ns = namespace(&live, "doc-none");
    let run = doctor(&live, &ns.name, "pod/nosuch");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("pod 'nosuch' does not exist"),
        "{}",
        run.stderr
    );
}
