//! The exports as the page calls them, in a real browser: headless Chromium, driven by its driver.
#![cfg(target_arch = "wasm32")]

use regcred_core::manifest::{self, BundleSpec};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PASSWORD: &str = "pa$$w:rd \"quoted\" & <tag>";

fn spec_json() -> Value {
    json!({
        "registries": [{
            "server": "registry.cloudraya.com",
            "username": "cr-registry",
            "password": PASSWORD,
            "email": "ops@example.com"
        }],
        "secretName": "cr-registry-secret",
        "namespaces": ["team-a", "team-b"],
        "serviceAccount": "default",
        "attach": "both",
        "workload": {
            "kind": "Deployment",
            "name": "my-app",
            "image": "registry.cloudraya.com/team/my-app:1.4.2",
            "replicas": 2,
            "port": 8080
        },
        "output": "yaml"
    })
}

/// A JavaScript object built the way the page builds it (JSON.parse gives plain objects).
fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).expect("test JSON parses")
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).expect("object has properties")
}

fn string_field(object: &JsValue, name: &str) -> String {
    field(object, name)
        .as_string()
        .unwrap_or_else(|| panic!("{name} is a string"))
}

fn error_message(error: JsValue) -> String {
    let error: js_sys::Error = error.dyn_into().expect("a JavaScript Error is thrown");
    String::from(error.message())
}

#[wasm_bindgen_test]
fn generate_gives_the_same_text_as_the_core() {
    let spec: BundleSpec = serde_json::from_value(spec_json()).unwrap();
    let native = manifest::generate(&spec).unwrap();

    let generated = regcred_wasm::generate(js(&spec_json())).unwrap();

    assert_eq!(string_field(&generated, "secrets"), native.secrets);
    assert_eq!(
        string_field(&generated, "workload"),
        native.workload.unwrap()
    );
    assert_eq!(string_field(&generated, "bundle"), native.bundle);
    assert_eq!(
        string_field(&generated, "kubectlCommands"),
        native.kubectl_commands
    );
    let patch = field(&generated, "serviceAccountPatch");
    assert_eq!(
        string_field(&patch, "append"),
        native.service_account_patch.unwrap().append
    );
}

#[wasm_bindgen_test]
fn kubectl_commands_never_carry_the_password() {
    let generated = regcred_wasm::generate(js(&spec_json())).unwrap();

    let commands = string_field(&generated, "kubectlCommands");

    assert!(!commands.contains(PASSWORD));
    assert!(commands.contains("kubectl apply -f cr-registry-secret.yaml"));
}

#[wasm_bindgen_test]
fn check_bundle_reports_every_error_with_its_field() {
    let mut spec = spec_json();
    spec["registries"][0]["username"] = json!("ali:ce");
    spec["secretName"] = json!("Cr_Secret");

    let findings = regcred_wasm::check_bundle(js(&spec)).unwrap();

    let findings: Vec<Value> = serde_wasm_bindgen::from_value(findings).unwrap();
    let fields: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert!(fields.contains(&"username"), "{findings:?}");
    assert!(fields.contains(&"secretName"), "{findings:?}");
    assert!(findings.iter().all(|f| f["fix"].is_string()));
}

#[wasm_bindgen_test]
fn generate_throws_a_js_error_naming_the_value_and_never_the_password() {
    let mut spec = spec_json();
    spec["registries"][0]["username"] = json!("ali:ce");

    let error = regcred_wasm::generate(js(&spec))
        .map_err(JsValue::from)
        .unwrap_err();

    let message = error_message(error);
    assert!(message.contains("'ali:ce'"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
}

#[wasm_bindgen_test]
fn a_malformed_spec_throws_instead_of_panicking() {
    for bad in [
        json!(null),
        json!("text"),
        json!({ "secretName": "x" }),
        json!({ "registries": "one", "secretName": "x" }),
        json!({ "registries": [{ "username": "u", "password": 7 }], "secretName": "x" }),
    ] {
        let error = regcred_wasm::generate(js(&bad))
            .map_err(JsValue::from)
            .unwrap_err();
        assert!(error_message(error).contains("bundle spec"), "{bad}");
    }
}

#[wasm_bindgen_test]
fn inspect_masks_the_password() {
    let spec: BundleSpec = serde_json::from_value(spec_json()).unwrap();
    let secrets = manifest::generate(&spec).unwrap().secrets;

    let inspections = regcred_wasm::inspect(&secrets).unwrap();

    let inspections: Vec<Value> = serde_wasm_bindgen::from_value(inspections).unwrap();
    assert_eq!(inspections.len(), 2);
    let entry = &inspections[0]["entries"][0];
    assert_eq!(entry["username"], "cr-registry");
    assert!(!inspections[0].to_string().contains(PASSWORD));
}

#[wasm_bindgen_test]
fn inspect_throws_on_text_that_holds_no_secret() {
    let error = regcred_wasm::inspect("kind: ConfigMap\n")
        .map_err(JsValue::from)
        .unwrap_err();

    assert!(error_message(error).contains("no Secret"));
}

#[wasm_bindgen_test]
fn presets_start_with_cloudraya_and_kinds_with_deployment() {
    let presets: Vec<Value> =
        serde_wasm_bindgen::from_value(regcred_wasm::presets().unwrap()).unwrap();

    assert_eq!(presets[0]["id"], "cloudraya");
    assert_eq!(presets[0]["server"], "registry.cloudraya.com");
    assert_eq!(regcred_wasm::workload_kinds()[0], "Deployment");
    assert_eq!(
        regcred_wasm::default_workload_name("ghcr.io/acme/api:2.0"),
        "api"
    );
}

#[wasm_bindgen_test]
fn lint_gives_the_core_findings_for_a_port_the_key_lacks() {
    let spec: BundleSpec = serde_json::from_value(spec_json()).unwrap();
    let secrets = manifest::generate(&spec).unwrap().secrets;
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  imagePullSecrets:\n    - name: cr-registry-secret\n  containers:\n    - name: web\n      image: registry.cloudraya.com:5000/web:1.0\n";
    let manifests = format!("{secrets}---\n{pod}");

    let findings = regcred_wasm::lint(&manifests).unwrap();

    let findings: Vec<Value> = serde_wasm_bindgen::from_value(findings).unwrap();
    let native = regcred_core::lint::lint(&manifests).unwrap();
    assert!(!native.is_empty());
    assert_eq!(findings.len(), native.len());
    assert_eq!(findings[0]["code"], native[0].code);
    assert_eq!(findings[0]["object"], "Pod/team-a/web");
}

#[wasm_bindgen_test]
fn lint_throws_on_text_that_is_not_yaml() {
    let error = regcred_wasm::lint("kind: [unclosed")
        .map_err(JsValue::from)
        .unwrap_err();

    assert!(error_message(error).contains("not valid YAML"));
}

#[wasm_bindgen_test]
fn explain_names_the_anonymous_pull() {
    let events = "Warning  Failed  1m  kubelet  Failed to pull image \"registry.example.com/web:1.0\": no basic auth credentials\n";

    let explanation: Value =
        serde_wasm_bindgen::from_value(regcred_wasm::explain(events).unwrap()).unwrap();

    let native = regcred_core::explain::explain(events);
    assert_eq!(explanation["recognized"], true);
    assert_eq!(explanation["causes"][0]["code"], native.causes[0].code);
    assert_eq!(
        explanation["facts"]["image"],
        "registry.example.com/web:1.0"
    );
}

/// Two documents with comments and odd indentation; the Deployment already lists another secret.
const MANIFESTS: &str = concat!(
    "# app\n",
    "apiVersion: apps/v1\n",
    "kind: Deployment\n",
    "metadata:\n",
    "   name: web\n",
    "   namespace: shop\n",
    "spec:\n",
    "   template:\n",
    "      spec:\n",
    "         imagePullSecrets:\n",
    "         -   name: other   # kept\n",
    "         containers:\n",
    "         -   name: web\n",
    "             image: registry.example.com/web:1.0\n",
    "---\n",
    "apiVersion: v1\n",
    "kind: Pod\n",
    "metadata: {name: job, namespace: shop}\n",
    "spec:\n",
    "  containers: [{name: job, image: busybox}]\n",
);

fn inject_options(secret: &str) -> JsValue {
    js(&json!({
        "secret": secret,
        "kinds": [],
        "namespaces": ["shop"],
        "selector": null,
        "serviceAccounts": false
    }))
}

#[wasm_bindgen_test]
fn inject_gives_the_core_text_and_changes_and_a_second_run_changes_nothing() {
    let native = regcred_core::inject::inject(
        MANIFESTS,
        &regcred_core::inject::InjectOptions::new("regcred").with_namespaces(["shop"]),
    )
    .unwrap();

    let injected = regcred_wasm::inject(MANIFESTS, inject_options("regcred")).unwrap();

    let text = string_field(&injected, "text");
    assert_eq!(text, native.text);
    assert!(
        text.contains("-   name: other   # kept\n         -   name: regcred\n"),
        "{text}"
    );
    let changes: Vec<Value> = serde_wasm_bindgen::from_value(field(&injected, "changes")).unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["object"], "Deployment/shop/web");
    assert_eq!(changes[0]["path"], "spec.template.spec.imagePullSecrets");
    assert_eq!(changes[0]["line"], native.changes[0].line);
    let again = regcred_wasm::inject(&text, inject_options("regcred")).unwrap();
    assert_eq!(string_field(&again, "text"), text);
    let unchanged: Vec<String> =
        serde_wasm_bindgen::from_value(field(&again, "unchanged")).unwrap();
    assert_eq!(unchanged, ["Deployment/shop/web", "Pod/shop/job"]);
}

#[wasm_bindgen_test]
fn inject_throws_the_line_and_column_of_a_syntax_error_without_the_text() {
    let text = "kind: Pod\nspec:\n  containers: [{name: hunter2-secret-value\n";

    let error = regcred_wasm::inject(text, inject_options("regcred"))
        .map_err(JsValue::from)
        .unwrap_err();

    let message = error_message(error);
    assert!(message.starts_with("line "), "{message}");
    assert!(message.contains(", column "), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[wasm_bindgen_test]
fn inject_throws_on_a_bad_secret_name_or_malformed_options() {
    let error = regcred_wasm::inject(MANIFESTS, inject_options("Reg_Cred"))
        .map_err(JsValue::from)
        .unwrap_err();
    assert!(error_message(error).contains("'Reg_Cred'"));

    for bad in [json!(null), json!({ "secret": "x", "kinds": "Pod" })] {
        let error = regcred_wasm::inject(MANIFESTS, js(&bad))
            .map_err(JsValue::from)
            .unwrap_err();
        assert!(error_message(error).contains("inject options"), "{bad}");
    }
}
