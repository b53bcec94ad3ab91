//! Stable-toolchain fuzzing of `inject` with proptest: corpus manifests mutated with YAML
//! tokens, and token soup. Whatever the input, `inject` must not panic or fail its own
//! read-back check (finding `inject-unverified`);
//! when it succeeds the input survives byte for byte and a second run changes nothing.
//! (The coverage-guided fuzzer lives in `fuzz/`, on nightly; its crashes are kept in
//! `inject_fuzz_regressions.rs`.)

mod common;

use std::path::Path;

use proptest::prelude::*;
use regcred_core::inject::{InjectOptions, inject};

const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "- ",
    "-",
    ":",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "# c\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!map ",
    "!!str ",
    "|",
    "|+\n",
    ">-\n",
    "\"",
    "'",
    "---\n",
    "...\n",
    "\u{feff}",
    "%YAML 1.2\n",
    "kind: Pod\n",
    "kind: List\n",
    "items:\n",
    "spec:\n",
    "template:\n",
    "imagePullSecrets:",
    "imagePullSecrets: []",
    "- name: regcred",
    "{name: regcred}",
    "name: ",
    "containers: []",
    "? ",
    "é",
    "🦀",
    "apiVersion: batch/v1\n",
    "kind: CronJob\n",
];

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inject-corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"));
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(f64, &'static str),
    Delete(f64, usize),
    DuplicateLine(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64, prop::sample::select(TOKENS)).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (0.0..1.0f64, 1usize..12).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (0.0..1.0f64).prop_map(Mutation::DuplicateLine),
    ]
}

fn boundary(text: &str, fraction: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let mut at = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(mut text: String, mutations: &[Mutation]) -> String {
    for m in mutations {
        match *m {
            Mutation::Insert(at, token) => text.insert_str(boundary(&text, at), token),
            Mutation::Delete(at, n) => {
                let start = boundary(&text, at);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, "");
            }
            Mutation::DuplicateLine(at) => {
                let at = boundary(&text, at);
                let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
                let line = text[start..end].to_owned();
                text.insert_str(start, &line);
            }
        }
    }
    text
}

fn holds(input: &str, service_accounts: bool) -> Result<(), TestCaseError> {
    let opts = InjectOptions::new("regcred").with_service_accounts(service_accounts);
    if let Ok(out) = inject(input, &opts) {
        let unverified = out.findings.iter().find(|f| f.code == "inject-unverified");
        prop_assert!(unverified.is_none(), "{:?} for {:?}", unverified, input);
        prop_assert!(common::is_subsequence(
            input.as_bytes(),
            out.text.as_bytes()
        ));
        let again = inject(&out.text, &opts);
        prop_assert!(again.is_ok(), "output not accepted: {:?}", again.err());
        let again = again.unwrap();
        prop_assert_eq!(&again.text, &out.text);
        prop_assert!(again.changes.is_empty());
    }
    Ok(())
}

/// 512 cases, or `PROPTEST_CASES` for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: cases.unwrap_or(512),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_corpus_manifests_never_break_inject(
        index in 0usize..40,
        mutations in prop::collection::vec(mutation(), 1..6),
        service_accounts: bool,
    ) {
        let corpus = corpus();
        let input = mutate(corpus[index % corpus.len()].clone(), &mutations);
        holds(&input, service_accounts)?;
    }

    #[test]
    fn token_soup_never_breaks_inject(
        tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..60),
        service_accounts: bool,
    ) {
        holds(&tokens.concat(), service_accounts)?;
    }
}
