//! Inputs on which the coverage-guided fuzzer (`fuzz/`, `cargo +nightly fuzz run inject`) once
//! failed, kept in `tests/inject-fuzz-regressions/` and checked the way the fuzz target checks
//! them, so that they stay fixed on the stable toolchain too.

mod common;

use std::path::Path;

use regcred_core::inject::{InjectOptions, inject};

/// The options the fuzz target derives from the input's last byte.
fn options_for(data: &[u8]) -> InjectOptions {
    let mode = data.last().copied().unwrap_or_default();
    let mut opts = InjectOptions::new("regcred").with_service_accounts(mode & 1 == 1);
    if mode & 2 == 2 {
        opts = opts.with_selector("app=web");
    }
    opts
}

#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inject-fuzz-regressions");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        let opts = options_for(&data);
        let Ok(out) = inject(text, &opts) else {
            continue;
        };
        let name = path.display();
        assert!(
            out.findings.iter().all(|f| f.code != "inject-unverified"),
            "{name}: {:?}",
            out.findings
        );
        assert!(
            common::is_subsequence(text.as_bytes(), out.text.as_bytes()),
            "{name}"
        );
        let again = inject(&out.text, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.text, out.text, "{name}: second run changed the text");
        assert!(
            serde_saphyr::from_multiple::<serde_json::Value>(text).is_err()
                || serde_saphyr::from_multiple::<serde_json::Value>(&out.text).is_ok(),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked > 0, "no regression input was checked");
}
