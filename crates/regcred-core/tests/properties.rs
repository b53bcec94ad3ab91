//! Properties over generated input: no panics, and canonical forms that parse to themselves.

use proptest::prelude::*;
use regcred_core::explain::explain;
use regcred_core::matching::{PullSecretKeys, key_matches, lookup, suggested_key};
use regcred_core::reference::{ImageRef, check_image};

/// Strings made mostly of the characters the grammars care about.
fn grammar_text() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z0-9._:/@\\-\\[\\]%?#*\\\\ é]{0,40}").unwrap()
}

/// Images that are mostly valid: an optional host, path components, an optional tag.
fn image_text() -> impl Strategy<Value = String> {
    let host = prop::sample::select(vec![
        "",
        "registry.example.com/",
        "Registry.Example.com:5000/",
        "localhost/",
        "[::1]:5000/",
        "docker.io/",
        "index.docker.io/",
        "my_host.local/",
        "a:1/",
    ]);
    let path = prop::collection::vec("[a-z0-9]{1,4}([._-]{1,2}[a-z0-9]{1,3})?", 1..4);
    let tag = prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}");
    (host, path, tag).prop_map(|(host, path, tag)| {
        let tag = tag.map(|t| format!(":{t}")).unwrap_or_default();
        format!("{host}{}{tag}", path.join("/"))
    })
}

proptest! {
    #[test]
    fn parsing_any_text_never_panics(text in any::<String>()) {
        let _ = ImageRef::parse(&text);
        let _ = check_image(&text);
    }

    #[test]
    fn a_parsed_image_reparses_from_its_canonical_form(text in image_text()) {
        if let Ok(image) = ImageRef::parse(&text) {
            let again = ImageRef::parse(&image.to_string()).unwrap();
            prop_assert_eq!(again, image);
        }
    }

    #[test]
    fn lookup_with_any_keys_never_panics(image in grammar_text(), keys in prop::collection::vec(grammar_text(), 0..4)) {
        let secrets = [PullSecretKeys { secret: "s".into(), keys }];
        let _ = lookup(&image, &secrets);
    }

    #[test]
    fn the_suggested_key_matches_every_valid_image(text in prop_oneof![image_text(), grammar_text()]) {
        if let Ok(image) = ImageRef::parse(&text) {
            prop_assert!(key_matches(&suggested_key(&image), &text), "{}", suggested_key(&image));
        }
    }

    #[test]
    fn explaining_any_text_never_panics_and_always_gives_a_cause(text in any::<String>()) {
        prop_assert!(!explain(&text).causes.is_empty());
    }
}
