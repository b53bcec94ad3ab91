//! Snapshots of every manifest kind regcred writes, as YAML text.

use k8s_openapi::api::core::v1::{LocalObjectReference, ServiceAccount};
use regcred_core::dockerconfig::Credentials;
use regcred_core::manifest::{
    self, Attach, BundleSpec, SecretFormat, SecretSpec, WorkloadKind, WorkloadSpec,
};
use regcred_core::yaml::{self, Format};

fn cloudraya() -> Vec<Credentials> {
    vec![Credentials::new(
        "registry.cloudraya.com",
        "cr-registry",
        "YOUR_PASSWORD",
    )]
}

fn guide_workload(kind: WorkloadKind) -> WorkloadSpec {
    WorkloadSpec {
        kind,
        name: "my-app".into(),
        image: "registry.cloudraya.com/my-app:v1.0.0".into(),
        replicas: Some(2),
        port: Some(8080),
        pull_secrets: vec!["cr-registry-secret".into()],
        ..WorkloadSpec::default()
    }
}

#[test]
fn secret_for_the_registry_guide() {
    let registries = cloudraya();
    let spec = SecretSpec {
        name: "cr-registry-secret",
        registries: &registries,
        ..SecretSpec::default()
    };
    let secret = manifest::secret(&spec).unwrap();
    insta::assert_snapshot!(yaml::to_yaml(&secret).unwrap());
}

#[test]
fn secrets_one_per_namespace() {
    let registries = cloudraya();
    let spec = SecretSpec {
        name: "cr-registry-secret",
        registries: &registries,
        ..SecretSpec::default()
    };
    let secrets = manifest::secrets(&spec, &["dev".into(), "prod".into()]).unwrap();
    insta::assert_snapshot!(yaml::to_yaml_documents(&secrets).unwrap());
}

#[test]
fn legacy_dockercfg_secret() {
    let registries = cloudraya();
    let spec = SecretSpec {
        name: "cr-registry-secret",
        registries: &registries,
        format: SecretFormat::DockerCfg,
        ..SecretSpec::default()
    };
    insta::assert_snapshot!(yaml::to_yaml(&manifest::secret(&spec).unwrap()).unwrap());
}

#[test]
fn secret_as_json_like_kubectl() {
    let registries = cloudraya();
    let spec = SecretSpec {
        name: "cr-registry-secret",
        registries: &registries,
        ..SecretSpec::default()
    };
    insta::assert_snapshot!(yaml::to_json(&[manifest::secret(&spec).unwrap()]).unwrap());
}

#[test]
fn deployment_from_the_registry_guide() {
    let deployment = manifest::workload(&guide_workload(WorkloadKind::Deployment)).unwrap();
    insta::assert_snapshot!(yaml::to_yaml(&deployment).unwrap());
}

#[test]
fn statefulset_with_pull_secret() {
    insta::assert_snapshot!(
        yaml::to_yaml(&manifest::workload(&guide_workload(WorkloadKind::StatefulSet)).unwrap())
            .unwrap()
    );
}

#[test]
fn daemonset_with_pull_secret() {
    insta::assert_snapshot!(
        yaml::to_yaml(&manifest::workload(&guide_workload(WorkloadKind::DaemonSet)).unwrap())
            .unwrap()
    );
}

#[test]
fn job_with_pull_secret() {
    insta::assert_snapshot!(
        yaml::to_yaml(&manifest::workload(&guide_workload(WorkloadKind::Job)).unwrap()).unwrap()
    );
}

#[test]
fn cronjob_with_pull_secret() {
    insta::assert_snapshot!(
        yaml::to_yaml(&manifest::workload(&guide_workload(WorkloadKind::CronJob)).unwrap())
            .unwrap()
    );
}

#[test]
fn pod_with_pull_secret() {
    insta::assert_snapshot!(
        yaml::to_yaml(&manifest::workload(&guide_workload(WorkloadKind::Pod)).unwrap()).unwrap()
    );
}

#[test]
fn service_account_patched_keeps_existing_entry() {
    let mut current = ServiceAccount::default();
    current.metadata.name = Some("default".into());
    current.metadata.namespace = Some("prod".into());
    current.image_pull_secrets = Some(vec![LocalObjectReference {
        name: "old-cred".into(),
    }]);
    let mut patched = serde_json::to_value(&current).unwrap();
    let changed = manifest::patch_service_account(&mut patched, "cr-registry-secret").unwrap();
    assert!(changed);
    insta::assert_snapshot!(yaml::to_yaml(&patched).unwrap());
}

#[test]
fn bundle_for_two_namespaces_attached_to_service_account() {
    let mut spec = BundleSpec::new("cr-registry-secret", cloudraya());
    spec.namespaces = vec!["staging".into(), "prod".into()];
    spec.workload = Some(WorkloadSpec {
        pull_secrets: Vec::new(),
        ..guide_workload(WorkloadKind::Deployment)
    });
    let generated = manifest::generate(&spec).unwrap();
    insta::assert_snapshot!("bundle_two_namespaces_bundle", generated.bundle);
    insta::assert_snapshot!("bundle_two_namespaces_commands", generated.kubectl_commands);
}

#[test]
fn bundle_attached_to_workload_lists_secret_in_pod_spec() {
    let mut spec = BundleSpec::new("cr-registry-secret", cloudraya());
    spec.attach = Attach::Workload;
    spec.workload = Some(WorkloadSpec {
        pull_secrets: Vec::new(),
        ..guide_workload(WorkloadKind::Deployment)
    });
    let generated = manifest::generate(&spec).unwrap();
    assert!(generated.service_account_patch.is_none());
    assert!(
        generated
            .workload
            .unwrap()
            .contains("imagePullSecrets:\n      - name: cr-registry-secret")
    );
}

#[test]
fn bundle_as_json_is_a_list() {
    let mut spec = BundleSpec::new("cr-registry-secret", cloudraya());
    spec.namespaces = vec!["a".into(), "b".into()];
    spec.output = Format::Json;
    let generated = manifest::generate(&spec).unwrap();
    let value: serde_json::Value = serde_json::from_str(&generated.secrets).unwrap();
    assert_eq!(value["kind"], "List");
    assert_eq!(value["items"].as_array().unwrap().len(), 2);
}

#[test]
fn bundle_refuses_bad_input_and_names_the_value() {
    let spec = BundleSpec::new("RegCred", cloudraya());
    let error = manifest::generate(&spec).unwrap_err();
    assert!(error.to_string().contains("'RegCred'"), "{error}");
}

#[test]
fn bundle_spec_reads_from_camel_case_yaml() {
    let text = "registries:\n- server: registry.cloudraya.com\n  username: cr-registry\n  password: pw\nsecretName: cr-registry-secret\nnamespaces: [dev]\nworkload:\n  kind: Deployment\n  name: my-app\n  image: registry.cloudraya.com/my-app:v1.0.0\n";
    let spec: BundleSpec = serde_saphyr::from_str(text).unwrap();
    assert_eq!(spec.namespaces, ["dev"]);
    assert_eq!(spec.service_account, "default");
    assert!(manifest::generate(&spec).is_ok());
}

#[test]
fn bundle_warns_when_the_image_is_not_on_the_secret_registry() {
    let mut spec = BundleSpec::new(
        "regcred",
        vec![Credentials::new("registry.example.com", "u", "p")],
    );
    spec.workload = Some(WorkloadSpec {
        name: "app".into(),
        image: "registry.example.com:5000/app:v1".into(),
        ..WorkloadSpec::default()
    });
    let generated = manifest::generate(&spec).unwrap();
    let finding = generated
        .findings
        .iter()
        .find(|f| f.code == "image-not-covered")
        .unwrap();
    assert_eq!(finding.field, Some("image"));
    assert!(
        finding
            .fix
            .as_deref()
            .unwrap()
            .contains("registry.example.com:5000"),
        "{finding}"
    );

    spec.workload.as_mut().unwrap().image = "registry.example.com/app:v1".into();
    assert!(manifest::generate(&spec).unwrap().findings.is_empty());
}

fn environment(name: &str, server: &str, user: &str, namespaces: &[&str]) -> BundleSpec {
    let mut spec = BundleSpec::new("regcred", vec![Credentials::new(server, user, "pw")]);
    spec.environment = Some(name.into());
    spec.namespaces = namespaces.iter().map(|n| (*n).to_owned()).collect();
    spec
}

#[test]
fn environments_generate_labelled_secrets_in_order() {
    let file = manifest::BundleFile::Environments {
        environments: vec![
            environment("dev", "dev-registry.example.com", "dev-bot", &["dev"]),
            environment(
                "prod",
                "registry.example.com",
                "prod-bot",
                &["prod-a", "prod-b"],
            ),
        ],
    };
    let generated = manifest::generate_environments(&file).unwrap();
    assert!(generated.findings.is_empty(), "{:?}", generated.findings);
    assert_eq!(generated.secrets.matches("kind: Secret").count(), 3);
    assert!(
        generated.secrets.find("namespace: dev").unwrap()
            < generated.secrets.find("namespace: prod-a").unwrap()
    );
    assert_eq!(
        generated
            .secrets
            .matches("app.kubernetes.io/environment: prod")
            .count(),
        2
    );
    assert!(
        generated
            .kubectl_commands
            .contains("# ===== environment prod =====")
    );
}

#[test]
fn environments_sharing_credentials_are_warned() {
    let file = manifest::BundleFile::Environments {
        environments: vec![
            environment("dev", "registry.example.com", "bot", &["dev"]),
            environment("prod", "registry.example.com", "bot", &["prod"]),
        ],
    };
    let generated = manifest::generate_environments(&file).unwrap();
    let codes: Vec<_> = generated.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["credentials-shared-across-environments"]);
    assert!(generated.findings[0].message.contains("dev, prod"));
}

#[test]
fn environments_claiming_one_namespace_are_refused() {
    let file = manifest::BundleFile::Environments {
        environments: vec![
            environment("dev", "dev.example.com", "a", &["shared"]),
            environment("prod", "prod.example.com", "b", &["shared"]),
        ],
    };
    let error = manifest::generate_environments(&file).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("'dev' and 'prod' both write Secret 'regcred' into shared"),
        "{error}"
    );
}

#[test]
fn bundle_file_reads_one_setup_or_environments() {
    let one: serde_json::Value = serde_saphyr::from_str(
        "registries: [{server: r.example.com, username: u, password: p}]\nsecretName: s\n",
    )
    .unwrap();
    assert!(matches!(
        manifest::BundleFile::from_value(one).unwrap(),
        manifest::BundleFile::One(_)
    ));
    let many: serde_json::Value = serde_saphyr::from_str("environments:\n- environment: dev\n  registries: [{server: r.example.com, username: u, password: p}]\n  secretName: s\n").unwrap();
    assert_eq!(
        manifest::BundleFile::from_value(many)
            .unwrap()
            .specs()
            .len(),
        1
    );
    let typo: serde_json::Value =
        serde_saphyr::from_str("environments: []\nsecretname: s\n").unwrap();
    assert!(
        manifest::BundleFile::from_value(typo)
            .unwrap_err()
            .to_string()
            .contains("secretname")
    );
}
