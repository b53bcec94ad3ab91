//! Behaviour of `inject::inject` on small inputs, with the exact expected text.

use std::fmt::Write as _;

use regcred_core::Severity;
use regcred_core::inject::{Error, InjectOptions, inject};

fn injected(input: &str) -> String {
    inject(input, &InjectOptions::new("regcred")).unwrap().text
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
";

#[test]
fn deployment_without_list_gets_a_key_at_pod_spec_indentation() {
    let expected = format!("{DEPLOYMENT}      imagePullSecrets:\n      - name: regcred\n");
    assert_eq!(injected(DEPLOYMENT), expected);
}

#[test]
fn change_reports_object_path_and_output_line() {
    let out = inject(DEPLOYMENT, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.changes.len(), 1);
    let change = &out.changes[0];
    assert_eq!(change.object, "Deployment/web");
    assert_eq!(change.path, "spec.template.spec.imagePullSecrets");
    assert_eq!(
        out.text.lines().nth(change.line - 1),
        Some("      imagePullSecrets:")
    );
}

#[test]
fn second_run_is_a_no_op_and_reports_the_object_unchanged() {
    let once = injected(DEPLOYMENT);
    let twice = inject(&once, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(twice.text, once);
    assert!(!twice.is_changed());
    assert_eq!(twice.unchanged, ["Deployment/web"]);
}

#[test]
fn a_different_secret_is_appended_after_the_first() {
    let once = injected(DEPLOYMENT);
    let out = inject(&once, &InjectOptions::new("mirror")).unwrap().text;
    assert!(
        out.ends_with("      - name: regcred\n      - name: mirror\n"),
        "{out}"
    );
}

#[test]
fn crlf_input_gets_crlf_insertions() {
    let input = DEPLOYMENT.replace('\n', "\r\n");
    let out = injected(&input);
    assert!(
        out.ends_with("      imagePullSecrets:\r\n      - name: regcred\r\n"),
        "{out:?}"
    );
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "a bare LF crept in: {out:?}"
    );
}

#[test]
fn bom_stays_first_and_untouched() {
    let input = format!("\u{feff}{DEPLOYMENT}");
    let out = injected(&input);
    assert!(out.starts_with("\u{feff}apiVersion"));
    assert_eq!(out.matches('\u{feff}').count(), 1);
}

#[test]
fn names_that_yaml_would_read_as_numbers_or_booleans_are_quoted() {
    let out = inject(DEPLOYMENT, &InjectOptions::new("123")).unwrap().text;
    assert!(out.ends_with("- name: \"123\"\n"), "{out}");
    let out = inject(DEPLOYMENT, &InjectOptions::new("yes")).unwrap().text;
    assert!(out.ends_with("- name: \"yes\"\n"), "{out}");
}

#[test]
fn invalid_yaml_is_an_error_with_line_and_column() {
    let input = "apiVersion: v1\nkind: Pod\nspec:\n  containers: [a, b\n  other: x\n";
    let err = inject(input, &InjectOptions::new("regcred")).unwrap_err();
    let Error::Syntax { line, column, .. } = err else {
        panic!("{err:?}")
    };
    assert!(line >= 4, "line {line}");
    assert!(column >= 1);
    assert!(
        err.to_string()
            .starts_with(&format!("line {line}, column {column}: ")),
        "{err}"
    );
}

#[test]
fn an_error_in_a_later_document_is_reported_there() {
    let input = format!("{DEPLOYMENT}---\nkind: Pod\nspec: {{containers: [}}\n");
    let err = inject(&input, &InjectOptions::new("regcred")).unwrap_err();
    assert!(err.location().unwrap().0 >= 12, "{err}");
}

#[test]
fn unknown_alias_is_a_syntax_error() {
    let err = inject("a: *nowhere\n", &InjectOptions::new("regcred")).unwrap_err();
    assert!(matches!(err, Error::Syntax { line: 1, .. }), "{err:?}");
}

#[test]
fn invalid_secret_name_is_refused_before_reading() {
    let err = inject(DEPLOYMENT, &InjectOptions::new("Reg_Cred")).unwrap_err();
    assert!(matches!(err, Error::InvalidSecret(_)), "{err:?}");
    assert!(err.to_string().contains("Reg_Cred"), "{err}");
    assert!(inject(DEPLOYMENT, &InjectOptions::new("")).is_err());
}

#[test]
fn invalid_selector_is_refused_naming_it() {
    let opts = InjectOptions::new("regcred").with_selector("app in web");
    let err = inject(DEPLOYMENT, &opts).unwrap_err();
    assert!(err.to_string().contains("'app in web'"), "{err}");
}

const MIXED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: prod, labels: {app: web, tier: fe}}
spec: {template: {spec: {containers: []}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: b, namespace: dev, labels: {app: web}}
spec: {template: {spec: {containers: []}}}
---
apiVersion: v1
kind: Pod
metadata: {name: c}
spec: {containers: []}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: d, namespace: prod, labels: {app: web}}
";

fn changed_objects(opts: &InjectOptions) -> Vec<String> {
    inject(MIXED, opts)
        .unwrap()
        .changes
        .into_iter()
        .map(|c| c.object)
        .collect()
}

#[test]
fn all_pod_spec_kinds_by_default_and_service_accounts_only_when_asked() {
    let base = InjectOptions::new("regcred");
    assert_eq!(
        changed_objects(&base),
        ["Deployment/prod/a", "Job/dev/b", "Pod/c"]
    );
    let with_sa = base.with_service_accounts(true);
    assert_eq!(
        changed_objects(&with_sa),
        [
            "Deployment/prod/a",
            "Job/dev/b",
            "Pod/c",
            "ServiceAccount/prod/d"
        ]
    );
}

#[test]
fn kind_filter_is_case_insensitive() {
    let opts = InjectOptions::new("regcred").with_kinds(["deployment", "POD"]);
    assert_eq!(changed_objects(&opts), ["Deployment/prod/a", "Pod/c"]);
}

#[test]
fn kind_filter_takes_kubectl_plurals_and_short_names() {
    let opts = InjectOptions::new("regcred").with_kinds(["deploy", "pods"]);
    assert_eq!(changed_objects(&opts), ["Deployment/prod/a", "Pod/c"]);
    let opts = InjectOptions::new("regcred").with_kinds(["jobs", "po"]);
    assert_eq!(changed_objects(&opts), ["Job/dev/b", "Pod/c"]);
}

#[test]
fn kind_filter_naming_a_kind_without_a_pod_spec_is_refused_naming_it() {
    for kind in ["Foo", "Service", "", "deployment s"] {
        let opts = InjectOptions::new("regcred").with_kinds([kind]);
        let err = inject(MIXED, &opts).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidKind(k) if k == kind),
            "{err:?}"
        );
        assert!(err.to_string().contains(&format!("kind '{kind}'")), "{err}");
        assert!(err.to_string().contains("CronJob"), "{err}");
    }
}

#[test]
fn service_accounts_come_with_a_kind_filter_either_way() {
    let by_kind = InjectOptions::new("regcred").with_kinds(["sa"]);
    assert_eq!(changed_objects(&by_kind), ["ServiceAccount/prod/d"]);
    let by_switch = InjectOptions::new("regcred")
        .with_kinds(["Pod"])
        .with_service_accounts(true);
    assert_eq!(
        changed_objects(&by_switch),
        ["Pod/c", "ServiceAccount/prod/d"]
    );
}

#[test]
fn namespace_filter_that_is_not_a_namespace_name_is_refused() {
    for namespace in ["", "bad ns", "Prod"] {
        let opts = InjectOptions::new("regcred").with_namespaces([namespace]);
        let err = inject(MIXED, &opts).unwrap_err();
        assert!(matches!(err, Error::InvalidNamespace(_)), "{err:?}");
    }
}

#[test]
fn namespace_filter_skips_objects_without_a_namespace() {
    let opts = InjectOptions::new("regcred")
        .with_namespaces(["prod"])
        .with_service_accounts(true);
    assert_eq!(
        changed_objects(&opts),
        ["Deployment/prod/a", "ServiceAccount/prod/d"]
    );
}

#[test]
fn label_selector_filters_on_object_labels() {
    let opts = InjectOptions::new("regcred").with_selector("app=web,tier notin (db)");
    assert_eq!(changed_objects(&opts), ["Deployment/prod/a", "Job/dev/b"]);
    let opts = InjectOptions::new("regcred").with_selector("tier");
    assert_eq!(changed_objects(&opts), ["Deployment/prod/a"]);
}

#[test]
fn filtered_out_objects_are_left_byte_for_byte() {
    let opts = InjectOptions::new("regcred").with_kinds(["Pod"]);
    let out = inject(MIXED, &opts).unwrap().text;
    let (before, after) = MIXED.split_once("kind: Pod").unwrap();
    assert!(out.starts_with(before));
    assert_eq!(out.matches("imagePullSecrets").count(), 1);
    assert!(
        out.ends_with(
            after
                .replacen(
                    "{containers: []}",
                    "{containers: [], imagePullSecrets: [{name: regcred}]}",
                    1
                )
                .as_str()
        )
    );
}

#[test]
fn pod_spec_reached_through_an_alias_is_left_alone_with_a_warning() {
    let input = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: &pod
    containers: [{name: a, image: x}]
- apiVersion: v1
  kind: Pod
  metadata: {name: b}
  spec: *pod
";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    let objects: Vec<_> = out
        .findings
        .iter()
        .map(|f| f.object.clone().unwrap())
        .collect();
    assert_eq!(objects, ["Pod/a", "Pod/b"]);
    assert!(
        out.findings
            .iter()
            .all(|f| f.code == "inject-shared-anchor")
    );
    assert!(out.findings.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn an_aliased_list_that_already_has_the_secret_counts_as_present() {
    let input = "\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {imagePullSecrets: &s [{name: regcred}], containers: []}}
- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {imagePullSecrets: *s, containers: []}}
";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert_eq!(out.unchanged, ["Pod/a", "Pod/b"]);
}

#[test]
fn an_anchor_that_no_alias_uses_does_not_stop_the_edit() {
    let input = "kind: Pod\nspec: &unused\n  containers: []\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec: &unused\n  containers: []\n  imagePullSecrets:\n  - name: regcred\n"
    );
}

#[test]
fn a_value_that_is_not_a_list_is_reported_not_replaced() {
    let input = "kind: Pod\nspec:\n  imagePullSecrets: regcred\n  containers: []\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-not-a-list");
}

#[test]
fn duplicate_keys_are_reported() {
    let input = "kind: Pod\nspec:\n  imagePullSecrets: []\n  imagePullSecrets: []\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-duplicate-key");
}

#[test]
fn a_key_on_the_way_to_the_pod_spec_given_twice_is_reported_as_such() {
    let input = "kind: Pod\nspec:\n  containers: []\nspec:\n  containers: []\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-duplicate-key");
    assert!(
        out.findings[0].message.contains("spec"),
        "{}",
        out.findings[0]
    );
}

#[test]
fn comments_indented_under_the_last_container_stay_with_it() {
    let input = "\
kind: Pod
spec:
  containers:
  - name: app
    image: x
    # resources:
    #   limits: {cpu: 1}

  # restartPolicy: Never
";
    let expected = "\
kind: Pod
spec:
  containers:
  - name: app
    image: x
    # resources:
    #   limits: {cpu: 1}
  imagePullSecrets:
  - name: regcred

  # restartPolicy: Never
";
    assert_eq!(injected(input), expected);
}

#[test]
fn comments_indented_under_the_last_list_item_stay_with_it() {
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n  - name: a\n    # - name: b\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets:\n  - name: a\n    # - name: b\n  - name: regcred\n"
    );
}

#[test]
fn empty_json_objects_and_lists_get_json() {
    for (input, expected) in [
        (
            r#"{"kind":"Pod","spec":{}}"#,
            r#"{"kind":"Pod","spec":{"imagePullSecrets":[{"name":"regcred"}]}}"#,
        ),
        (
            r#"{"kind":"Pod","spec":{"containers":[],"imagePullSecrets":[]}}"#,
            r#"{"kind":"Pod","spec":{"containers":[],"imagePullSecrets":[{"name":"regcred"}]}}"#,
        ),
        (
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {}}}}"#,
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {"imagePullSecrets": [{"name": "regcred"}]}}}}"#,
        ),
    ] {
        let out = injected(input);
        assert_eq!(out, expected);
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
    }
}

#[test]
fn workload_without_pod_spec_is_reported() {
    let input = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 1}\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-no-pod-spec");
    assert_eq!(out.findings[0].object.as_deref(), Some("Deployment/x"));
}

#[test]
fn empty_and_non_kubernetes_input_is_returned_as_is() {
    for input in [
        "",
        "\n",
        "# only a comment\n",
        "---\n...\n",
        "- a\n- b\n",
        "plain",
        "{}",
    ] {
        let out = inject(input, &InjectOptions::new("regcred")).unwrap();
        assert_eq!(out.text, input);
        assert!(out.changes.is_empty() && out.findings.is_empty());
    }
}

#[test]
fn a_pod_spec_ending_in_a_block_scalar_keeps_the_scalar() {
    let input = "kind: Pod\nspec:\n  containers: []\n  note: |\n    line one\n\n\nnext: 1\n";
    let out = injected(input);
    assert_eq!(
        out,
        "kind: Pod\nspec:\n  containers: []\n  note: |\n    line one\n\n\n  imagePullSecrets:\n  - name: regcred\nnext: 1\n"
    );
}

#[test]
fn a_pod_spec_ending_in_a_block_scalar_at_end_of_file_without_newline() {
    let input = "kind: Pod\nspec:\n  containers: []\n  note: |\n    text";
    assert_eq!(
        injected(input),
        format!("{input}\n  imagePullSecrets:\n  - name: regcred")
    );
}

#[test]
fn json_pretty_output_gets_json_with_its_layout() {
    let input = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": []\n  }\n}\n";
    assert_eq!(
        injected(input),
        "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": [],\n    \"imagePullSecrets\": [\n      {\n        \"name\": \"regcred\"\n      }\n    ]\n  }\n}\n"
    );
}

#[test]
fn json_written_one_entry_a_line_gets_an_entry_written_so() {
    // `kubectl get -o json` and `JSON.stringify(v, null, 2)`: every collection is exploded.
    let listed = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"imagePullSecrets\": [\n      {\n        \"name\": \"a\"\n      }\n    ]\n  }\n}\n";
    assert_eq!(
        injected(listed),
        "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"imagePullSecrets\": [\n      {\n        \"name\": \"a\"\n      },\n      {\n        \"name\": \"regcred\"\n      }\n    ]\n  }\n}\n"
    );
    // One collection on one line: the document is not written one entry a line throughout.
    let mixed = "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"containers\": []\n  }\n}\n";
    assert!(injected(mixed).contains("    \"imagePullSecrets\": [{\"name\": \"regcred\"}]\n"));
}

#[test]
fn empty_flow_collections_are_filled_in_the_documents_layout() {
    // Found by a reviewer: in a document written one entry a line, `[]` and `{}` got a one-line
    // entry, after which the document no longer read as written one entry a line.
    let exploded = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"imagePullSecrets\": [],\n    \"containers\": [\n      {\n        \"name\": \"c\"\n      }\n    ]\n  }\n}\n";
    assert_eq!(
        injected(exploded),
        "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"imagePullSecrets\": [\n      {\n        \"name\": \"regcred\"\n      }\n    ],\n    \"containers\": [\n      {\n        \"name\": \"c\"\n      }\n    ]\n  }\n}\n"
    );
    let empty_spec = "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\n    \"name\": \"p\"\n  },\n  \"spec\": {}\n}\n";
    assert!(injected(empty_spec).ends_with(
        "  \"spec\": {\n    \"imagePullSecrets\": [\n      {\n        \"name\": \"regcred\"\n      }\n    ]\n  }\n}\n"
    ));
    // Brackets on two lines: the entry goes on a line of its own between them.
    let spread = "kind: Pod\nspec:\n  imagePullSecrets: [ # none yet\n  ]\n";
    assert_eq!(
        injected(spread),
        "kind: Pod\nspec:\n  imagePullSecrets: [ # none yet\n    {name: regcred}\n  ]\n"
    );
    // Blanks inside the brackets stay on both sides.
    let spaced = "kind: Pod\nspec:\n  imagePullSecrets: [ ]\n";
    assert!(injected(spaced).contains("imagePullSecrets: [ {name: regcred} ]\n"));
}

#[test]
fn multi_line_flow_list_with_trailing_comma_keeps_the_trailing_comma() {
    let input = "kind: Pod\nspec:\n  imagePullSecrets: [\n    {name: a},  # first\n  ]\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets: [\n    {name: a},  # first\n    {name: regcred},\n  ]\n"
    );
}

#[test]
fn multi_line_flow_list_with_a_comment_after_the_last_item_keeps_the_comment_on_its_line() {
    let input = "kind: Pod\nspec:\n  imagePullSecrets: [\n    {name: a}  # first\n  ]\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets: [\n    {name: a},  # first\n    {name: regcred}\n  ]\n"
    );
}

#[test]
fn options_deserialize_from_the_web_page_shape() {
    let opts: InjectOptions = serde_json::from_str(
        r#"{"secret":"regcred","kinds":["Deployment"],"selector":"app=web","serviceAccounts":true}"#,
    )
    .unwrap();
    assert_eq!(
        opts,
        InjectOptions::new("regcred")
            .with_kinds(["Deployment"])
            .with_selector("app=web")
            .with_service_accounts(true)
    );
}

#[test]
fn result_serializes_for_the_web_page() {
    let out = inject(DEPLOYMENT, &InjectOptions::new("regcred")).unwrap();
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["changes"][0]["object"], "Deployment/web");
    assert_eq!(json["changes"][0]["line"], 11);
    assert!(json["text"].as_str().unwrap().contains("- name: regcred"));
}

#[test]
fn nested_merge_keys_with_many_sources_stay_fast() {
    let mut input = String::from("l0: &l0 {a: 1}\n");
    for level in 1..12 {
        let prev = format!("*l{}", level - 1);
        let sources = [prev.as_str(); 6].join(", ");
        writeln!(input, "l{level}: &l{level}\n  <<: [{sources}]").unwrap();
    }
    input.push_str("kind: Pod\nspec:\n  <<: *l11\n  containers: []\n");
    let start = std::time::Instant::now();
    let out = inject(&input, &InjectOptions::new("regcred")).unwrap();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(out.changes.len(), 1);
}

#[test]
fn an_object_listed_twice_through_aliases_is_handled_once() {
    let input = "kind: List\nx: &pod {kind: Pod, metadata: {name: p}, spec: {containers: []}}\nitems: [*pod, *pod]\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
}

#[test]
fn an_anchor_before_the_first_key_sets_the_pod_spec_indentation() {
    // Found by the proptest mutation run: the key is indented by where its anchor starts.
    let input = "kind: Pod\nspec:\n &a  containers:\n  - name: c\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n &a  containers:\n  - name: c\n imagePullSecrets:\n  - name: regcred\n"
    );
}

#[test]
fn an_existing_item_with_an_empty_name_is_not_copied() {
    // Found by the proptest mutation run: copying `- name:` would have glued the name on.
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n  - name:\n  containers: []\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets:\n  - name:\n  - name: regcred\n  containers: []\n"
    );
}

#[test]
fn flow_mappings_ending_in_an_empty_value_get_the_key_after_the_colon() {
    // Found by the proptest mutation run: an empty value stands where its ':' is.
    assert_eq!(
        injected("kind: Pod\nspec: {:}\n"),
        "kind: Pod\nspec: {:, imagePullSecrets: [{name: regcred}]}\n"
    );
    assert_eq!(
        injected("kind: Pod\nspec: {containers: [], x: }\n"),
        "kind: Pod\nspec: {containers: [], x:, imagePullSecrets: [{name: regcred}] }\n"
    );
}

#[test]
fn an_item_with_an_explicit_key_ends_where_its_key_does() {
    // Found by the proptest mutation run: the empty value after `? key` stands at the next token.
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n    - ? name: first\n  containers: []\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets:\n    - ? name: first\n    - name: regcred\n  containers: []\n"
    );
}

#[test]
fn an_explicit_key_does_not_set_the_pod_spec_indentation() {
    // Found by the proptest mutation run: `? key` puts the key two columns right of the mapping.
    let input = "kind: Pod\nspec:\n  ? a: 1\n  containers: []\n";
    assert_eq!(
        injected(input),
        format!("{input}  imagePullSecrets:\n  - name: regcred\n")
    );
}

#[test]
fn an_empty_block_scalar_is_not_an_empty_value() {
    // Found by the proptest mutation run: `key: |` with no lines is an empty string, not null.
    let input = "kind: Pod\nspec:\n  imagePullSecrets: |\n  containers: []\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-not-a-list");
}

#[test]
fn a_value_of_only_a_tag_or_anchor_ends_with_them() {
    // Found by the fuzzer: `key: !tag` on its own has empty content placed at the next token.
    let opts = InjectOptions::new("regcred").with_service_accounts(true);
    let input = "kind: ServiceAccount\nmetadata:\n     !e";
    let out = inject(input, &opts).unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert_eq!(
        out.text,
        format!("{input}\nimagePullSecrets:\n- name: regcred")
    );
    let input = "kind: ServiceAccount\nmetadata: &m\nsecrets: []\n";
    assert_eq!(
        inject(input, &opts).unwrap().text,
        format!("{input}imagePullSecrets:\n- name: regcred\n")
    );
}

#[test]
fn an_item_that_is_an_empty_explicit_key_ends_with_its_indicator() {
    // Found by the proptest mutation run: the empty key after `?` stands at the next token.
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n    -   ?\n  containers: []\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets:\n    -   ?\n    -   name: regcred\n  containers: []\n"
    );
}

#[test]
fn an_empty_explicit_key_followed_by_comments_ends_with_its_indicator() {
    // Found by the proptest mutation run: with comments after the `?`, the new item went below
    // the next key of the pod spec (the read-back caught it and left the object alone). The
    // comment indented under the item stays with it.
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n    - name: mirror\n      ? # - name: old\n      # - name: old\n  containers: []\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert_eq!(
        out.text,
        "kind: Pod\nspec:\n  imagePullSecrets:\n    - name: mirror\n      ? # - name: old\n      # - name: old\n    - name: regcred\n  containers: []\n"
    );
}

#[test]
fn a_pod_spec_whose_only_key_is_explicit_behind_a_comment_is_reported_not_edited() {
    // Found by the proptest mutation run: `? # comment` made the container list a key.
    let input = "kind: Pod\nspec:\n  ? # containers:\n  - name: main\n    image: a\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
    assert_eq!(out.findings[0].code, "inject-unusual-layout");
}

#[test]
fn a_flow_pod_spec_ending_in_a_bare_question_mark_keeps_it_an_empty_key() {
    // Found by the proptest mutation run: `{? }` edited to `{?, …}` reads `?,` as one scalar.
    for (spec, edited) in [
        ("{? }", "{? , imagePullSecrets: [{name: regcred}]}"),
        (
            "{a: b, ? }",
            "{a: b, ? , imagePullSecrets: [{name: regcred}]}",
        ),
        ("{?}", "{?, imagePullSecrets: [{name: regcred}]}"),
        ("{a: b?}", "{a: b?, imagePullSecrets: [{name: regcred}]}"),
    ] {
        let out = inject(
            &format!("kind: Pod\nspec: {spec}\n"),
            &InjectOptions::new("regcred"),
        );
        let out = out.unwrap();
        assert!(out.findings.is_empty(), "{spec}: {:?}", out.findings);
        assert_eq!(out.text, format!("kind: Pod\nspec: {edited}\n"));
    }
}

#[test]
fn the_name_is_quoted_as_the_documents_other_names_when_all_are_quoted_alike() {
    let quoted = "kind: Pod\nmetadata:\n  name: \"web\"\nspec:\n  containers:\n  - name: \"web\"\n    image: nginx\n";
    assert!(injected(quoted).ends_with("  imagePullSecrets:\n  - name: \"regcred\"\n"));
    let single = "kind: Pod\nmetadata: {name: 'web'}\nspec: {containers: [{name: 'web'}]}\n";
    assert!(injected(single).contains("imagePullSecrets: [{name: 'regcred'}]"));
    let mixed = "kind: Pod\nmetadata:\n  name: \"web\"\nspec:\n  containers:\n  - name: web\n";
    assert!(injected(mixed).ends_with("  - name: regcred\n"));
}

#[test]
fn a_block_scalar_item_starts_at_its_header_so_its_chomping_dash_is_no_item_dash() {
    // Found by the proptest mutation run: the '-' of `|-` was taken for the item's dash.
    let input = "kind: Pod\nspec:\n  imagePullSecrets:\n    - |- # c\n      x\n  containers: []\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  imagePullSecrets:\n    - |- # c\n      x\n    - name: regcred\n  containers: []\n"
    );
    let empty = "kind: Pod\nspec:\n  imagePullSecrets:\n    -  >-\n  name: one\n";
    assert_eq!(
        injected(empty),
        "kind: Pod\nspec:\n  imagePullSecrets:\n    -  >-\n    -  name: regcred\n  name: one\n"
    );
}

#[test]
fn a_colon_without_a_blank_is_copied_only_after_a_quoted_key() {
    // Found by the fuzzer: `{na}:x` gave `{name:regcred}`, one plain scalar in flow context.
    let input = "kind: Pod\nspec: {imagePullSecrets: [{na}:x, {name: two}]}\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec: {imagePullSecrets: [{na}:x, {name: two}, {name: regcred}]}\n"
    );
    let json = "{\"kind\":\"Pod\",\"spec\":{\"containers\":[]}}";
    assert!(injected(json).ends_with("\"imagePullSecrets\":[{\"name\":\"regcred\"}]}}"));
}

#[test]
fn an_empty_key_written_as_a_bare_colon_ends_at_that_colon() {
    // Found by the fuzzer: the empty key took the ':' ending the line above for its own, so
    // the new key went between `containers:` and the `:` entry.
    let input = "kind: Pod\nspec:\n  containers:\n  :\nother: 1\n";
    assert_eq!(
        injected(input),
        "kind: Pod\nspec:\n  containers:\n  :\n  imagePullSecrets:\n  - name: regcred\nother: 1\n"
    );
}

#[test]
fn a_flow_list_ending_in_a_pair_without_braces_is_reported_not_edited() {
    // Found by the proptest mutation run.
    let input = "kind: Pod\nspec: {imagePullSecrets: [{name: a}, ? ], containers: []}\n";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings[0].code, "inject-unusual-layout");
}

#[test]
fn tab_indented_json_gets_tabs() {
    let input = "{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\n\t\t\"containers\": []\n\t}\n}\n";
    let expected = "{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\n\t\t\"containers\": [],\n\t\t\"imagePullSecrets\": [\n\t\t\t{\n\t\t\t\t\"name\": \"regcred\"\n\t\t\t}\n\t\t]\n\t}\n}\n";
    assert_eq!(injected(input), expected);
    let listed = "{\"kind\": \"Pod\", \"spec\": {\n\t\"imagePullSecrets\": [\n\t\t{\"name\": \"a\"}\n\t]\n}}\n";
    assert_eq!(
        injected(listed),
        "{\"kind\": \"Pod\", \"spec\": {\n\t\"imagePullSecrets\": [\n\t\t{\"name\": \"a\"},\n\t\t{\"name\": \"regcred\"}\n\t]\n}}\n"
    );
}

#[test]
fn a_block_scalar_before_an_unterminated_blank_last_line_is_reported_not_edited() {
    // Found by the fuzzer: saphyr reads `|+` here as "\n" and PyYAML as "", so any line
    // added after it changes the value for one of them.
    let input = "kind: Pod\nspec:\n  command:\n  - |+\n   ";
    let out = inject(input, &InjectOptions::new("regcred")).unwrap();
    assert_eq!(out.text, input);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].code, "inject-unusual-layout");
    assert!(
        out.findings[0].message.contains("line break"),
        "{}",
        out.findings[0]
    );
    // With the line break the file is unambiguous, and gets the secret.
    let ended = format!("{input}\n");
    assert!(
        inject(&ended, &InjectOptions::new("regcred"))
            .unwrap()
            .is_changed()
    );
}
