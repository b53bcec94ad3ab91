//! Differential test against the real Kubernetes 1.35 keyring and image parser.
//!
//! `tests/oracle/expected.jsonl` holds 4500 cases (image, keys) with what Kubernetes' own
//! `parsers.ParseImageName`, `distribution/reference` and `credentialprovider` keyring return,
//! recorded by `tests/oracle/main.go` built with Go 1.25.9 (see `tests/oracle/README.md`).

use regcred_core::matching::{PullSecretKeys, lookup};
use regcred_core::reference::ImageRef;
use serde::Deserialize;

/// One recorded case and the oracle's answer.
#[derive(Deserialize)]
struct Case {
    image: String,
    keys: Vec<String>,
    repo: Option<String>,
    err: bool,
    tag: String,
    digest: String,
    tried: Vec<String>,
}

/// Our answer for a case, in the oracle's shape.
fn ours(case: &Case) -> (bool, Option<String>, String, String, Vec<String>) {
    let Ok(image) = ImageRef::parse(&case.image) else {
        return (true, None, String::new(), String::new(), Vec::new());
    };
    let secrets = [PullSecretKeys {
        secret: "s".into(),
        keys: case.keys.clone(),
    }];
    let tried = lookup(&case.image, &secrets)
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    let tag = image.tag().unwrap_or_default().to_owned();
    let digest = image.digest().unwrap_or_default().to_owned();
    (false, Some(image.repository()), tag, digest, tried)
}

#[test]
fn parser_and_keyring_agree_with_kubernetes_on_every_recorded_case() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/expected.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let cases: Vec<Case> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(cases.len(), 4500, "the recorded file is incomplete");

    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let expected = (
                case.err,
                case.repo.clone(),
                case.tag.clone(),
                case.digest.clone(),
                case.tried.clone(),
            );
            let actual = ours(case);
            (actual != expected).then(|| {
                format!(
                    "image {:?} keys {:?}\n  kubernetes {expected:?}\n  ours       {actual:?}",
                    case.image, case.keys
                )
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
