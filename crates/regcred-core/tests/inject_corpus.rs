//! Every manifest in `tests/inject-corpus/` goes through `inject`, and the result is checked
//! three ways: the input is a byte subsequence of the output (nothing removed or altered), an
//! independent YAML reader (serde-saphyr) finds the secret exactly once in every pod spec with
//! the old entries kept in order, and a second run changes nothing. The output itself is
//! snapshotted so the inserted style can be reviewed.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use regcred_core::inject::{InjectOptions, Injected, inject};
use serde_json::Value;

const SECRET: &str = "regcred";

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inject-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "json")
        })
        .collect();
    files.sort();
    files
}

fn options() -> InjectOptions {
    InjectOptions::new(SECRET).with_service_accounts(true)
}

#[test]
fn corpus_has_at_least_thirty_manifests() {
    assert!(
        corpus().len() >= 30,
        "only {} manifests in the corpus",
        corpus().len()
    );
}

#[test]
fn corpus_input_is_a_subsequence_of_the_output() {
    for path in corpus() {
        let input = std::fs::read_to_string(&path).unwrap();
        let out = inject(&input, &options()).unwrap();
        assert!(
            common::is_subsequence(input.as_bytes(), out.text.as_bytes()),
            "{}: bytes of the input were removed or changed",
            path.display()
        );
    }
}

#[test]
fn corpus_json_files_stay_json() {
    let json: Vec<PathBuf> = corpus()
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert!(json.len() >= 3, "only {} JSON manifests", json.len());
    for path in json {
        let input = std::fs::read_to_string(&path).unwrap();
        let out = inject(&input, &options()).unwrap();
        assert!(out.is_changed(), "{}: nothing was added", path.display());
        let input = input.trim_start_matches('\u{feff}');
        if let Err(e) = serde_json::from_str::<Value>(out.text.trim_start_matches('\u{feff}')) {
            panic!("{}: the output is not JSON any more: {e}", path.display());
        }
        serde_json::from_str::<Value>(input).unwrap();
    }
}

#[test]
fn corpus_output_lists_the_secret_once_in_every_pod_spec_and_keeps_old_entries() {
    let mut pod_specs = 0;
    for path in corpus() {
        let input = std::fs::read_to_string(&path).unwrap();
        let out = inject(&input, &options()).unwrap();
        let before = documents(&input, &path);
        let after = documents(&out.text, &path);
        assert_eq!(
            before.len(),
            after.len(),
            "{}: document count changed",
            path.display()
        );
        let (old_objects, new_objects) = (all_objects(&before), all_objects(&after));
        assert_eq!(old_objects.len(), new_objects.len(), "{}", path.display());
        for (old, new) in old_objects.iter().zip(&new_objects) {
            let Some(keys) = pod_spec_path(new) else {
                continue;
            };
            pod_specs += 1;
            let name = object_name(new);
            let (was, now) = (secret_names(old, keys), secret_names(new, keys));
            let skipped = out
                .findings
                .iter()
                .any(|f| f.object.as_deref() == Some(name.as_str()));
            if skipped {
                assert_eq!(
                    was,
                    now,
                    "{}: {name} was reported as skipped yet changed",
                    path.display()
                );
                continue;
            }
            let mut expected = was.clone();
            if !was.iter().any(|n| n == SECRET) {
                expected.push(SECRET.to_owned());
            }
            assert_eq!(now, expected, "{}: {name}", path.display());
            assert_eq!(
                now.iter().filter(|n| *n == SECRET).count(),
                1,
                "{}: {name} lists the secret more than once",
                path.display()
            );
        }
    }
    assert!(
        pod_specs >= 50,
        "the corpus should hold many pod specs, found {pod_specs}"
    );
}

#[test]
fn corpus_second_run_changes_nothing() {
    for path in corpus() {
        let input = std::fs::read_to_string(&path).unwrap();
        let first = inject(&input, &options()).unwrap();
        let second = inject(&first.text, &options()).unwrap();
        assert_eq!(
            second.text,
            first.text,
            "{}: second run changed the text",
            path.display()
        );
        assert!(
            second.changes.is_empty(),
            "{}: {:?}",
            path.display(),
            second.changes
        );
        let about = |out: &Injected| -> Vec<(&str, Option<String>)> {
            out.findings
                .iter()
                .map(|f| (f.code, f.object.clone()))
                .collect()
        };
        assert_eq!(about(&second), about(&first), "{}", path.display());
    }
}

#[test]
fn corpus_outputs_match_their_snapshots() {
    for path in corpus() {
        let input = std::fs::read_to_string(&path).unwrap();
        let out = inject(&input, &options()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, report(&out));
    }
}

/// Changes, findings, then the output with CR and BOM made visible.
fn report(out: &Injected) -> String {
    let mut text = String::new();
    for change in &out.changes {
        writeln!(
            text,
            "change: {} {} (line {})",
            change.object, change.path, change.line
        )
        .unwrap();
    }
    for object in &out.unchanged {
        writeln!(text, "unchanged: {object}").unwrap();
    }
    for finding in &out.findings {
        writeln!(text, "finding: {} {}", finding.code, finding).unwrap();
    }
    text.push_str("----\n");
    text.push_str(&out.text.replace('\r', "<CR>").replace('\u{feff}', "<BOM>"));
    text
}

fn documents(text: &str, path: &Path) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(text)
        .unwrap_or_else(|e| panic!("{}: serde-saphyr cannot read it: {e}", path.display()))
}

fn all_objects(docs: &[Value]) -> Vec<&Value> {
    let mut out = Vec::new();
    for doc in docs {
        objects(doc, &mut out);
    }
    out
}

fn objects<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match value.get("items").and_then(Value::as_array) {
        Some(items) if kind.ends_with("List") => items.iter().for_each(|item| objects(item, out)),
        _ => out.push(value),
    }
}

/// The keys leading to the object's pod spec (empty for a `ServiceAccount` itself).
fn pod_spec_path(object: &Value) -> Option<&'static [&'static str]> {
    let kind = object.get("kind")?.as_str()?;
    let group = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .map_or("", |v| v.rsplit_once('/').map_or("", |(g, _)| g));
    match (kind, group) {
        ("Pod", "") => Some(&["spec"]),
        ("PodTemplate", "") => Some(&["template", "spec"]),
        ("ServiceAccount", "") => Some(&[]),
        ("ReplicationController", "")
        | ("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet", "apps" | "extensions")
        | ("Job", "batch") => Some(&["spec", "template", "spec"]),
        ("CronJob", "batch") => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

fn secret_names(object: &Value, keys: &[&str]) -> Vec<String> {
    let mut spec = object;
    for key in keys {
        match spec.get(key) {
            Some(next) => spec = next,
            None => return Vec::new(),
        }
    }
    let Some(list) = spec.get("imagePullSecrets").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|item| {
            item.get("name")
                .and_then(Value::as_str)
                .unwrap_or("<no name>")
                .to_owned()
        })
        .collect()
}

fn object_name(object: &Value) -> String {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let meta = object.get("metadata");
    let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str);
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str);
    match (namespace, name) {
        (Some(ns), Some(name)) => format!("{kind}/{ns}/{name}"),
        (None, Some(name)) => format!("{kind}/{name}"),
        _ => kind.to_owned(),
    }
}
