//! Inspecting Secrets and docker configs: entries listed with passwords masked, problems flagged.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use regcred_core::dockerconfig::Credentials;
use regcred_core::inspect::{Source, inspect};
use regcred_core::manifest::{self, SecretSpec};
use regcred_core::yaml;

fn codes(text: &str) -> Vec<&'static str> {
    inspect(text)
        .unwrap()
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| f.code))
        .collect()
}

fn secret_with_config(config: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: prod\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        STANDARD.encode(config)
    )
}

fn generated_secret(username: &str, password: &str) -> String {
    let registries = [Credentials::new("registry.example.com", username, password)];
    let spec = SecretSpec {
        name: "regcred",
        registries: &registries,
        ..SecretSpec::default()
    };
    yaml::to_yaml(&manifest::secret(&spec).unwrap()).unwrap()
}

#[test]
fn generated_secret_inspects_clean_with_password_masked() {
    let inspections = inspect(&generated_secret("alice", "S3cr3t-long")).unwrap();
    let inspection = &inspections[0];
    assert_eq!(inspection.source, Source::Secret);
    assert_eq!(inspection.object, "Secret/regcred");
    assert!(inspection.findings.is_empty(), "{:?}", inspection.findings);
    let entry = &inspection.entries[0];
    assert_eq!(entry.key, "registry.example.com");
    assert_eq!(entry.username.as_deref(), Some("alice"));
    let shown = serde_json::to_string(&inspections).unwrap();
    assert!(!shown.contains("S3cr3t-long"), "{shown}");
    assert!(
        !shown.contains(&STANDARD.encode("alice:S3cr3t-long")),
        "{shown}"
    );
}

#[test]
fn auth_disagreeing_with_username_is_flagged() {
    let auth = STANDARD.encode("bob:other");
    let config = format!(
        r#"{{"auths":{{"r.example.com":{{"username":"alice","password":"pw","auth":"{auth}"}}}}}}"#
    );
    assert_eq!(codes(&secret_with_config(&config)), ["auth-mismatch"]);
}

#[test]
fn auth_without_colon_is_flagged() {
    let config = format!(
        r#"{{"auths":{{"r.example.com":{{"auth":"{}"}}}}}}"#,
        STANDARD.encode("alice")
    );
    assert_eq!(codes(&secret_with_config(&config)), ["auth-unreadable"]);
}

#[test]
fn unpadded_auth_is_flagged_as_docker_cli_only_problem() {
    let config =
        r#"{"auths":{"r.example.com":{"username":"alice","password":"pw","auth":"YWxpY2U6cHc"}}}"#;
    assert_eq!(codes(&secret_with_config(config)), ["auth-unpadded"]);
}

fn wrapped_config() -> (String, String) {
    let long = format!(
        r#"{{"auths":{{"registry.example.com":{{"username":"alice","password":"{}"}}}}}}"#,
        "p".repeat(80)
    );
    let encoded = STANDARD.encode(long);
    (encoded[..76].to_owned(), encoded[76..].to_owned())
}

#[test]
fn wrapped_base64_folded_into_spaces_is_flagged() {
    // A plain YAML scalar continued on the next line folds the line break into a space.
    let (first, rest) = wrapped_config();
    let text = format!(
        "kind: Secret\nmetadata: {{name: x}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {first}\n    {rest}\n"
    );
    let found = codes(&text);
    assert_eq!(found, ["data-wrapped-base64"]);
    assert!(
        inspect(&text).unwrap()[0].findings[0]
            .message
            .contains("index 76")
    );
}

#[test]
fn wrapped_base64_kept_in_a_block_scalar_is_read_like_the_api_does() {
    // Go's base64 decoder skips line breaks, so the API accepts this form.
    let (first, rest) = wrapped_config();
    let text = format!(
        "kind: Secret\nmetadata: {{name: x}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: |\n    {first}\n    {rest}\n"
    );
    let inspections = inspect(&text).unwrap();
    assert!(
        inspections[0]
            .findings
            .iter()
            .all(|f| f.code != "data-wrapped-base64"),
        "{:?}",
        inspections[0].findings
    );
    assert_eq!(inspections[0].entries[0].username.as_deref(), Some("alice"));
}

#[test]
fn double_base64_is_flagged() {
    let once = STANDARD.encode(r#"{"auths":{}}"#);
    let text = format!(
        "kind: Secret\nmetadata: {{name: x}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        STANDARD.encode(once)
    );
    assert_eq!(codes(&text), ["data-double-base64"]);
}

#[test]
fn base64_in_string_data_is_flagged() {
    let text = format!(
        "kind: Secret\nmetadata: {{name: x}}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: {}\n",
        STANDARD.encode(r#"{"auths":{}}"#)
    );
    assert_eq!(codes(&text), ["string-data-base64"]);
}

#[test]
fn plain_json_in_string_data_is_read() {
    let text = "kind: Secret\nmetadata: {name: x}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"r.example.com\":{\"username\":\"a\",\"password\":\"b\",\"auth\":\"YTpi\"}}}'\n";
    let inspections = inspect(text).unwrap();
    assert!(
        inspections[0].findings.is_empty(),
        "{:?}",
        inspections[0].findings
    );
    assert_eq!(inspections[0].entries[0].username.as_deref(), Some("a"));
}

#[test]
fn opaque_secret_with_config_is_wrong_type() {
    let text = secret_with_config(r#"{"auths":{"r.example.com":{"auth":"YTpi"}}}"#)
        .replace("kubernetes.io/dockerconfigjson", "Opaque");
    assert_eq!(codes(&text), ["secret-wrong-type"]);
}

#[test]
fn dockercfg_key_in_dockerconfigjson_secret_is_wrong_key() {
    let text = "kind: Secret\nmetadata: {name: x}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockercfg: e30=\n";
    assert_eq!(codes(text), ["secret-wrong-key"]);
}

#[test]
fn legacy_map_in_dockerconfigjson_is_missing_auths() {
    let config = r#"{"r.example.com":{"username":"a","password":"b","auth":"YTpi"}}"#;
    assert!(codes(&secret_with_config(config)).contains(&"config-missing-auths"));
}

#[test]
fn identity_token_only_entry_is_flagged() {
    let config = r#"{"auths":{"myreg.azurecr.io":{"identitytoken":"eyJ..."}}}"#;
    assert_eq!(codes(&secret_with_config(config)), ["entry-token-only"]);
}

#[test]
fn creds_store_config_json_is_refused_with_explanation() {
    let config = r#"{"auths":{"registry.example.com":{}},"credsStore":"desktop"}"#;
    let found = codes(config);
    assert!(found.contains(&"config-creds-store"), "{found:?}");
    assert!(found.contains(&"entry-empty"), "{found:?}");
    assert_eq!(inspect(config).unwrap()[0].source, Source::DockerConfig);
}

#[test]
fn cred_helpers_are_flagged() {
    assert!(codes(r#"{"credHelpers":{"gcr.io":"gcloud"}}"#).contains(&"config-cred-helpers"));
}

#[test]
fn docker_hub_alias_key_is_flagged() {
    let config =
        r#"{"auths":{"registry-1.docker.io":{"username":"a","password":"b","auth":"YTpi"}}}"#;
    assert_eq!(
        codes(&secret_with_config(config)),
        ["server-docker-hub-alias"]
    );
}

#[test]
fn secrets_inside_a_list_are_all_inspected() {
    let one = generated_secret("a", "b");
    let value: serde_json::Value = serde_saphyr::from_str(&one).unwrap();
    let list =
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [value.clone(), value]});
    assert_eq!(inspect(&list.to_string()).unwrap().len(), 2);
}

#[test]
fn text_without_secret_or_config_is_an_error() {
    assert!(inspect("kind: ConfigMap\nmetadata: {name: x}\n").is_err());
    assert!(inspect("a: [unclosed").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_username_and_password_round_trip_through_generate_and_inspect(
        username in "[^:\\s\\p{Cc}][^:\\p{Cc}]{0,20}[^:\\s\\p{Cc}]",
        password in "\\PC{1,40}|[\\x00-\\x7f]{1,40}",
    ) {
        prop_assume!(!password.is_empty());
        let text = generated_secret(&username, &password);
        let inspection = &inspect(&text).unwrap()[0];
        let errors: Vec<_> = inspection.findings.iter().filter(|f| f.is_error()).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let (server, entry) = &inspection.config.as_ref().unwrap().auths[0];
        prop_assert_eq!(server, "registry.example.com");
        prop_assert_eq!(entry.credentials(server).unwrap(), (username.clone(), password.clone()));
        prop_assert_eq!(entry.username.as_deref(), Some(username.as_str()));
        prop_assert_eq!(entry.password.as_deref(), Some(password.as_str()));
    }
}
