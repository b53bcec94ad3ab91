//! Fuzzes `inject`: no panic on any input, no failed read-back check, and on success the input
//! survives byte for byte, the output reads back, and a second run changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use regcred_core::inject::{InjectOptions, inject};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The last byte picks the options, so both ServiceAccount modes and filters get exercised.
    let mode = data.last().copied().unwrap_or_default();
    let mut opts = InjectOptions::new("regcred").with_service_accounts(mode & 1 == 1);
    if mode & 2 == 2 {
        opts = opts.with_selector("app=web");
    }
    if let Ok(out) = inject(text, &opts) {
        // A failed read-back check is a renderer bug even though inject recovers from it.
        let unverified = out.findings.iter().find(|f| f.code == "inject-unverified");
        assert!(unverified.is_none(), "{unverified:?}");
        check(text, &out.text, &opts);
    }
});

fn check(input: &str, output: &str, opts: &InjectOptions) {
    assert!(is_subsequence(input.as_bytes(), output.as_bytes()), "input bytes lost");
    let again = inject(output, opts).expect("the output of inject must be accepted by inject");
    assert_eq!(again.text, output, "a second run changed the text");
    assert!(again.changes.is_empty());
    if serde_saphyr::from_multiple::<serde_json::Value>(input).is_ok() {
        serde_saphyr::from_multiple::<serde_json::Value>(output)
            .expect("serde-saphyr read the input but not the output");
    }
}

fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = needle.iter().peekable();
    for byte in hay {
        if rest.peek() == Some(&byte) {
            rest.next();
        }
    }
    rest.peek().is_none()
}
