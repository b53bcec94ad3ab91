//! Lint predicts, with the kubelet's rules, which pods of a manifest set will fail to pull.

use regcred_core::dockerconfig::Credentials;
use regcred_core::lint::lint;
use regcred_core::manifest::{self, SecretSpec};
use regcred_core::{Finding, Severity, yaml};

fn secret(name: &str, namespace: &str, server: &str, user: &str) -> String {
    let registries = [Credentials::new(server, user, "pw")];
    let spec = SecretSpec {
        name,
        namespace: Some(namespace),
        registries: &registries,
        ..SecretSpec::default()
    };
    yaml::to_yaml(&manifest::secret(&spec).unwrap()).unwrap()
}

fn deployment(namespace: &str, image: &str, pull_secret: Option<&str>) -> String {
    let secrets = pull_secret
        .map(|s| format!("      imagePullSecrets:\n      - name: {s}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-app\n  namespace: {namespace}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: my-app}}\n  template:\n    metadata:\n      labels: {{app: my-app}}\n    spec:\n{secrets}      containers:\n      - name: my-app\n        image: {image}\n"
    )
}

fn service_account(namespace: &str, pull_secret: Option<&str>) -> String {
    let secrets = pull_secret
        .map(|s| format!("imagePullSecrets:\n- name: {s}\n"))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: {namespace}\n{secrets}"
    )
}

fn set(documents: &[String]) -> String {
    documents.join("---\n")
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

fn the(findings: &[Finding], code: &str) -> Finding {
    findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {findings:?}"))
        .clone()
}

#[test]
fn registry_guide_set_is_clean() {
    let text = set(&[
        secret(
            "cr-registry-secret",
            "prod",
            "registry.cloudraya.com",
            "cr-registry",
        ),
        deployment(
            "prod",
            "registry.cloudraya.com/my-app:v1.0.0",
            Some("cr-registry-secret"),
        ),
    ]);
    assert_eq!(lint(&text).unwrap(), vec![]);
}

#[test]
fn latest_and_missing_tags_are_warned() {
    let text = set(&[
        secret("s", "prod", "registry.cloudraya.com", "u"),
        deployment("prod", "registry.cloudraya.com/my-app:latest", Some("s")),
        deployment("prod", "registry.cloudraya.com/my-app", Some("s")),
    ]);
    let findings = lint(&text).unwrap();
    assert_eq!(codes(&findings), ["image-latest-tag", "image-no-tag"]);
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
    assert_eq!(
        findings[0].object.as_deref(),
        Some("Deployment/prod/my-app")
    );
}

#[test]
fn port_mismatch_names_the_key_that_would_match() {
    let text = set(&[
        secret("s", "prod", "registry.example.com", "u"),
        deployment("prod", "registry.example.com:5000/team/app:v1", Some("s")),
    ]);
    let finding = the(&lint(&text).unwrap(), "image-not-covered");
    assert_eq!(finding.severity, Severity::Error);
    assert!(finding.message.contains("port"), "{finding}");
    assert!(finding.fix.unwrap().contains("'registry.example.com:5000'"));
}

#[test]
fn docker_hub_alias_key_does_not_cover_docker_hub_images() {
    let text = set(&[
        secret("hub", "prod", "registry-1.docker.io", "u"),
        deployment("prod", "alice/app:v1", Some("hub")),
    ]);
    let findings = lint(&text).unwrap();
    assert!(
        codes(&findings).contains(&"server-docker-hub-alias"),
        "{findings:?}"
    );
    let finding = the(&findings, "image-not-covered");
    assert!(finding.fix.unwrap().contains("https://index.docker.io/v1/"));
}

#[test]
fn secret_missing_from_the_set_is_warned() {
    let text = deployment("prod", "registry.example.com/app:v1", Some("regcred"));
    let finding = the(&lint(&text).unwrap(), "secret-not-in-set");
    assert_eq!(finding.severity, Severity::Warning);
    assert!(finding.message.contains("FailedToRetrieveImagePullSecret"));
}

#[test]
fn secret_in_another_namespace_is_an_error() {
    let text = set(&[
        secret("regcred", "dev", "registry.example.com", "u"),
        deployment("prod", "registry.example.com/app:v1", Some("regcred")),
    ]);
    let findings = lint(&text).unwrap();
    let finding = the(&findings, "secret-wrong-namespace");
    assert!(
        finding.message.contains("'dev'") && finding.message.contains("'prod'"),
        "{finding}"
    );
    assert!(codes(&findings).contains(&"image-not-covered"));
}

#[test]
fn opaque_secret_referenced_as_pull_secret_is_wrong_type() {
    let opaque = "apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: prod}\ntype: Opaque\ndata: {password: cHc=}\n".to_owned();
    let text = set(&[
        opaque,
        deployment("prod", "registry.example.com/app:v1", Some("regcred")),
    ]);
    assert!(codes(&lint(&text).unwrap()).contains(&"secret-wrong-type"));
}

#[test]
fn pod_on_service_account_without_pull_secret_is_an_error() {
    let text = set(&[
        secret("regcred", "prod", "registry.example.com", "u"),
        service_account("prod", None),
        deployment("prod", "registry.example.com/app:v1", None),
    ]);
    let finding = the(&lint(&text).unwrap(), "image-not-covered");
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding
            .message
            .contains("ServiceAccount 'default' has none"),
        "{finding}"
    );
}

#[test]
fn service_account_pull_secret_covers_pods_that_list_none() {
    let text = set(&[
        secret("regcred", "prod", "registry.example.com", "u"),
        service_account("prod", Some("regcred")),
        deployment("prod", "registry.example.com/app:v1", None),
    ]);
    assert_eq!(lint(&text).unwrap(), vec![]);
}

#[test]
fn pod_own_list_hides_the_service_account_list() {
    let text = set(&[
        secret("regcred", "prod", "registry.example.com", "u"),
        secret("other", "prod", "other.example.com", "u"),
        service_account("prod", Some("regcred")),
        deployment("prod", "registry.example.com/app:v1", Some("other")),
    ]);
    assert!(codes(&lint(&text).unwrap()).contains(&"image-not-covered"));
}

#[test]
fn public_images_without_credentials_anywhere_are_fine() {
    let text = set(&[
        service_account("prod", None),
        deployment("prod", "nginx:1.27", None),
    ]);
    assert_eq!(lint(&text).unwrap(), vec![]);
}

#[test]
fn same_credentials_in_dev_and_prod_are_warned() {
    let text = set(&[
        secret("regcred", "dev", "registry.example.com", "shared-user"),
        secret("regcred", "prod", "registry.example.com", "shared-user"),
        secret("regcred", "staging", "registry.example.com", "staging-user"),
    ]);
    let finding = the(
        &lint(&text).unwrap(),
        "credentials-shared-across-environments",
    );
    assert!(
        finding.message.contains("development, production"),
        "{finding}"
    );
    assert!(finding.message.contains("dev/regcred") && finding.message.contains("prod/regcred"));
    assert!(!finding.message.contains("staging/regcred"));
}

#[test]
fn cronjob_and_list_items_are_linted() {
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: prod}\nspec:\n  schedule: '0 0 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - {name: c, image: 'registry.example.com/job:latest'}\n";
    let list = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{}]}}",
        serde_json::to_string(
            &serde_saphyr::from_str::<serde_json::Value>(&deployment(
                "prod",
                "registry.example.com/app",
                None
            ))
            .unwrap()
        )
        .unwrap()
    );
    let findings = lint(&set(&[cron.to_owned(), list])).unwrap();
    assert!(findings.iter().any(
        |f| f.object.as_deref() == Some("CronJob/prod/nightly") && f.code == "image-latest-tag"
    ));
    assert!(
        findings
            .iter()
            .any(|f| f.object.as_deref() == Some("Deployment/prod/my-app")
                && f.code == "image-no-tag")
    );
}

#[test]
fn errors_sort_before_warnings() {
    let text = set(&[
        secret("regcred", "dev", "registry.example.com", "u"),
        deployment("prod", "registry.example.com/app:latest", Some("regcred")),
    ]);
    let findings = lint(&text).unwrap();
    assert_eq!(findings[0].severity, Severity::Error);
    assert!(findings.windows(2).all(|w| w[0].severity >= w[1].severity));
}

#[test]
fn invalid_yaml_is_an_error() {
    assert!(lint("kind: [unclosed").is_err());
}

#[test]
fn public_images_next_to_private_ones_are_not_flagged() {
    let text = set(&[
        secret("regcred", "prod", "registry.example.com", "u"),
        deployment("prod", "nginx:1.27", Some("regcred")),
        deployment(
            "prod",
            "quay.io/prometheus/node-exporter:v1.8.0",
            Some("regcred"),
        ),
    ]);
    assert_eq!(lint(&text).unwrap(), vec![]);
}

#[test]
fn lint_stays_fast_on_thousands_of_objects() {
    // 2,000 Secrets and 2,000 Deployments: a quadratic pass would take tens of seconds.
    let mut documents = Vec::new();
    for i in 0..2000 {
        let ns = format!("team-{i}");
        documents.push(secret("regcred", &ns, "registry.example.com", "u"));
        documents.push(deployment(
            &ns,
            "registry.example.com/app:v1",
            Some("regcred"),
        ));
    }
    let findings = lint(&set(&documents)).unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f.code == "credentials-shared-across-environments"
                || f.severity < Severity::Error),
        "{:?}",
        &findings[..findings.len().min(3)]
    );
}

#[test]
fn unreferenced_secret_fix_names_the_secret_whose_key_matches() {
    let text = set(&[
        secret("near-miss", "prod", "registry.example.com:5000", "u"),
        secret("good", "prod", "registry.example.com", "u"),
        service_account("prod", None),
        deployment("prod", "registry.example.com/team/app:v1", None),
    ]);
    let finding = the(&lint(&text).unwrap(), "image-not-covered");
    let fix = finding.fix.unwrap();
    assert!(
        fix.contains("reference Secret 'good' (its key 'registry.example.com' matches"),
        "{fix}"
    );
    assert!(
        fix.contains("regcred link-sa --secret good --service-account default"),
        "{fix}"
    );
}

#[test]
fn unreferenced_fix_without_a_matching_secret_says_to_create_one() {
    let text = set(&[
        secret("near-miss", "prod", "registry.example.com:5000", "u"),
        service_account("prod", None),
        deployment("prod", "registry.example.com/team/app:v1", None),
    ]);
    let fix = the(&lint(&text).unwrap(), "image-not-covered").fix.unwrap();
    assert!(
        fix.contains("no pull secret in namespace 'prod' has a key"),
        "{fix}"
    );
    assert!(fix.contains("'registry.example.com'"), "{fix}");
}
