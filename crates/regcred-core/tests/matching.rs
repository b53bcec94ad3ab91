//! The kubelet keyring: every vector of the credential-matching reference, and its quirks.

use regcred_core::matching::{
    DOCKER_HUB_KEY, MatchedKey, Mismatch, PullSecretKeys, key_matches, key_mismatch,
    looks_like_docker_hub, lookup, normalize_key, suggested_key,
};
use regcred_core::reference::ImageRef;

/// One Secret named `pull` with these keys.
fn one_secret(keys: &[&str]) -> Vec<PullSecretKeys> {
    vec![PullSecretKeys {
        secret: "pull".into(),
        keys: keys.iter().map(|&k| k.into()).collect(),
    }]
}

/// The keys (as written) the kubelet would try, in order.
fn tried(image: &str, keys: &[&str]) -> Vec<String> {
    lookup(image, &one_secret(keys))
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect()
}

/// The full matches for one Secret.
fn matches(image: &str, keys: &[&str]) -> Vec<MatchedKey> {
    lookup(image, &one_secret(keys)).unwrap()
}

/// The normalised form of a key, or `None` when the kubelet skips it.
fn normalized(key: &str) -> Option<String> {
    normalize_key(key).map(|k| k.as_str().into_owned())
}

// Vectors 1–20 of the reference, in order.

#[test]
fn v01_host_key_matches_image_on_that_host_with_a_path() {
    assert_eq!(
        tried("registry.example.com/team/app:1", &["registry.example.com"]),
        ["registry.example.com"]
    );
}

#[test]
fn v02_v2_url_key_with_port_matches_image_on_that_port() {
    let key = "https://registry.example.com:5000/v2/";
    assert_eq!(tried("registry.example.com:5000/app", &[key]), [key]);
    assert_eq!(
        normalized(key).as_deref(),
        Some("registry.example.com:5000")
    );
}

#[test]
fn v03_key_without_port_does_not_match_image_with_port() {
    assert!(tried("registry.example.com:5000/app", &["registry.example.com"]).is_empty());
}

#[test]
fn v04_key_with_port_does_not_match_image_without_port_not_even_443() {
    assert!(tried("registry.example.com/app", &["registry.example.com:5000"]).is_empty());
    assert!(tried("registry.example.com/app", &["registry.example.com:443"]).is_empty());
}

#[test]
fn v05_wildcard_label_matches_one_label() {
    assert_eq!(
        tried("registry.example.com/app", &["*.example.com"]),
        ["*.example.com"]
    );
}

#[test]
fn v06_wildcard_key_needs_the_same_label_count() {
    assert!(tried("example.com/app", &["*.example.com"]).is_empty());
    assert!(tried("a.b.example.com/app", &["*.example.com"]).is_empty());
}

#[test]
fn v07_star_glued_to_a_label_matches_nothing_across_dots() {
    assert!(tried("registry.example.com/app", &["*example.com"]).is_empty());
}

#[test]
fn v08_path_scoped_key_matches_image_under_that_path() {
    assert_eq!(
        tried(
            "registry.example.com/team/app",
            &["registry.example.com/team"]
        ),
        ["registry.example.com/team"]
    );
}

#[test]
fn v09_path_scoped_key_does_not_match_another_path() {
    assert!(
        tried(
            "registry.example.com/other/app",
            &["registry.example.com/team"]
        )
        .is_empty()
    );
}

#[test]
fn v10_path_scoped_key_matches_as_a_plain_string_prefix() {
    assert_eq!(
        tried(
            "registry.example.com/team-b/app",
            &["registry.example.com/team"]
        ),
        ["registry.example.com/team"]
    );
}

#[test]
fn v11_every_matching_key_is_tried_most_specific_first() {
    let keys = [
        "registry.example.com",
        "registry.example.com/team",
        "*.example.com",
    ];
    assert_eq!(
        tried("registry.example.com/team/app", &keys),
        [
            "registry.example.com/team",
            "registry.example.com",
            "*.example.com"
        ]
    );
}

#[test]
fn v12_official_image_uses_the_docker_hub_key_through_the_fallback() {
    let found = matches("nginx", &[DOCKER_HUB_KEY]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, DOCKER_HUB_KEY);
    assert_eq!(found[0].normalized, "index.docker.io");
    assert!(found[0].via_docker_hub_fallback);
}

#[test]
fn v13_docker_io_key_matches_docker_hub_user_image_directly() {
    let found = matches("alice/app", &["docker.io"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, "docker.io");
    assert!(!found[0].via_docker_hub_fallback);
}

#[test]
fn v14_registry_1_docker_io_key_never_matches_docker_hub_images() {
    assert!(tried("alice/app", &["registry-1.docker.io"]).is_empty());
    assert!(tried("nginx", &["registry-1.docker.io"]).is_empty());
}

/// The reference calls this a direct match. The kubelet normalises `index.docker.io` in the
/// image to `docker.io` before the lookup (as rule 1 says), so `index.docker.io` (3 labels)
/// cannot match `docker.io` (2 labels): the key is found by the fallback. The credentials tried
/// are the same either way.
#[test]
fn v15_index_docker_io_image_gets_the_docker_hub_key() {
    let found = matches("index.docker.io/alice/app", &[DOCKER_HUB_KEY]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, DOCKER_HUB_KEY);
    assert!(found[0].via_docker_hub_fallback);
}

#[test]
fn v16_docker_hub_key_alone_gives_nothing_for_another_registry() {
    assert!(tried("registry.example.com/app", &[DOCKER_HUB_KEY]).is_empty());
}

#[test]
fn v17_v2_without_trailing_slash_stays_a_path_and_matches_nothing() {
    assert!(
        tried(
            "registry.example.com/app",
            &["https://registry.example.com/v2"]
        )
        .is_empty()
    );
    assert_eq!(
        normalized("https://registry.example.com/v2").as_deref(),
        Some("registry.example.com/v2")
    );
}

#[test]
fn v18_trailing_slash_and_http_scheme_both_normalise_to_the_host() {
    let keys = ["registry.example.com/", "http://registry.example.com"];
    let found = matches("registry.example.com/app", &keys);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|m| m.normalized == "registry.example.com"));
    assert_eq!(found[0].key, "registry.example.com/");
    assert_eq!(found[1].key, "http://registry.example.com");
}

#[test]
fn v19_v1_prefix_is_dropped_leaving_the_path_scope() {
    let key = "http://registry.example.com/v1/team";
    assert_eq!(
        normalized(key).as_deref(),
        Some("registry.example.com/team")
    );
    assert_eq!(tried("registry.example.com/team/app", &[key]), [key]);
}

#[test]
fn v20_host_matching_is_case_sensitive() {
    assert!(tried("registry.example.com/app", &["Registry.Example.com"]).is_empty());
}

// The "looks like Docker Hub" list of the reference.

#[test]
fn docker_hub_fallback_applies_to_familiar_and_docker_io_names() {
    for repository in [
        "foo/bar",
        "docker.io/foo/bar",
        "index.docker.io/foo/bar",
        "foo",
    ] {
        assert!(looks_like_docker_hub(repository), "{repository}");
    }
}

#[test]
fn docker_hub_fallback_does_not_apply_to_other_registries_or_empty_names() {
    for repository in [
        "",
        "registry.tld/foo/bar",
        "registry:5000/foo/bar",
        "myhostdocker.io/foo/bar",
    ] {
        assert!(!looks_like_docker_hub(repository), "{repository}");
    }
}

// Rules and quirks beyond the table.

#[test]
fn every_docker_hub_key_spelling_feeds_the_fallback() {
    for key in [
        DOCKER_HUB_KEY,
        "index.docker.io",
        "https://index.docker.io/v2/",
    ] {
        let found = matches("nginx:1.27", &[key]);
        assert_eq!(found.len(), 1, "{key}");
        assert!(found[0].via_docker_hub_fallback, "{key}");
        assert!(
            normalize_key(key).unwrap().is_docker_hub_fallback(),
            "{key}"
        );
    }
}

#[test]
fn docker_hub_key_without_slash_does_not_feed_the_fallback() {
    assert_eq!(
        normalized("https://index.docker.io/v1").as_deref(),
        Some("index.docker.io/v1")
    );
    assert!(tried("nginx", &["https://index.docker.io/v1"]).is_empty());
}

#[test]
fn fallback_is_not_used_when_another_key_matched() {
    let found = matches("alice/app", &["docker.io", DOCKER_HUB_KEY]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, "docker.io");
}

#[test]
fn one_normalised_key_lists_credentials_in_image_pull_secrets_order() {
    let secrets = vec![
        PullSecretKeys {
            secret: "first".into(),
            keys: vec!["registry.example.com".into()],
        },
        PullSecretKeys {
            secret: "second".into(),
            keys: vec!["https://registry.example.com/v2/".into()],
        },
        PullSecretKeys {
            secret: "third".into(),
            keys: vec!["registry.example.com/team".into()],
        },
    ];
    let found = lookup("registry.example.com/team/app:1", &secrets).unwrap();
    let order: Vec<(&str, &str)> = found
        .iter()
        .map(|m| (m.secret.as_str(), m.key.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("third", "registry.example.com/team"),
            ("first", "registry.example.com"),
            ("second", "https://registry.example.com/v2/"),
        ]
    );
}

#[test]
fn keys_are_ordered_in_reverse_byte_order_not_by_length() {
    let keys = [
        "registry.example.com/a",
        "registry.example.com/ab",
        "*.example.com",
        "registry.example.com",
    ];
    assert_eq!(
        tried("registry.example.com/ab/c", &keys),
        [
            "registry.example.com/ab",
            "registry.example.com/a",
            "registry.example.com",
            "*.example.com"
        ]
    );
}

#[test]
fn star_globs_may_fill_several_labels_one_each() {
    assert_eq!(tried("reg.example.com/app", &["*.*.com"]).len(), 1);
    assert_eq!(
        tried("registry.example.com/app", &["reg*y.example.com"]).len(),
        1
    );
    assert!(tried("registry.example.com/app", &["*.*.*.com"]).is_empty());
}

#[test]
fn bracket_class_in_a_key_host_makes_go_refuse_the_key() {
    assert_eq!(normalized("registry[0-9].example.com"), None);
    assert!(tried("registry1.example.com/app", &["registry[0-9].example.com"]).is_empty());
}

#[test]
fn question_mark_in_a_key_starts_a_url_query_so_it_is_no_glob() {
    assert_eq!(
        normalized("registr?.example.com").as_deref(),
        Some("registr")
    );
    assert!(tried("registry.example.com/app", &["registr?.example.com"]).is_empty());
}

#[test]
fn malformed_glob_matches_nothing() {
    assert!(tried("registry.example.com/app", &["registry[.example.com"]).is_empty());
}

#[test]
fn keys_go_cannot_parse_are_skipped() {
    for key in [
        "registry.example.com:abc",
        " registry.example.com",
        "registry.example.com\n",
        "registry.example.com/%zz",
    ] {
        assert_eq!(normalized(key), None, "{key:?}");
        assert!(
            tried("registry.example.com/app", &[key]).is_empty(),
            "{key:?}"
        );
    }
}

#[test]
fn a_skipped_key_does_not_hide_the_others() {
    assert_eq!(
        tried(
            "registry.example.com/app",
            &["registry.example.com:abc", "registry.example.com"]
        ),
        ["registry.example.com"]
    );
}

#[test]
fn user_info_query_and_fragment_are_dropped_from_keys() {
    assert_eq!(
        normalized("https://user@registry.example.com/team?x=1#y").as_deref(),
        Some("registry.example.com/team")
    );
}

#[test]
fn trailing_colon_in_a_key_means_no_port() {
    assert_eq!(
        tried("registry.example.com/app", &["registry.example.com:"]).len(),
        1
    );
}

#[test]
fn v1_and_v2_prefixes_are_removed_only_at_the_start_of_the_path() {
    assert_eq!(
        normalized("registry.example.com/team/v2/").as_deref(),
        Some("registry.example.com/team/v2/")
    );
    assert_eq!(
        normalized("registry.example.com/v3/").as_deref(),
        Some("registry.example.com/v3/")
    );
    assert_eq!(
        normalized("registry.example.com/v2/team").as_deref(),
        Some("registry.example.com/team")
    );
}

#[test]
fn path_scope_with_trailing_slash_does_not_match_the_bare_repository() {
    assert!(tried("registry.example.com/team", &["registry.example.com/team/"]).is_empty());
    assert_eq!(
        tried(
            "registry.example.com/team/app",
            &["registry.example.com/team/"]
        )
        .len(),
        1
    );
}

#[test]
fn ip_and_localhost_registries_match_with_their_ports() {
    assert_eq!(tried("127.0.0.1:5000/app", &["127.0.0.1:5000"]).len(), 1);
    assert!(tried("127.0.0.1:5000/app", &["127.0.0.1"]).is_empty());
    assert_eq!(
        tried("localhost:5000/app", &["http://localhost:5000"]).len(),
        1
    );
    assert_eq!(tried("[::1]:5000/app", &["[::1]:5000"]).len(), 1);
}

#[test]
fn tag_and_digest_play_no_part_in_matching() {
    let digest = format!("sha256:{}", "e".repeat(64));
    let image = format!("registry.example.com/app:v1@{digest}");
    assert_eq!(tried(&image, &["registry.example.com/app"]).len(), 1);
}

#[test]
fn invalid_image_is_an_error_not_an_anonymous_pull() {
    let err = lookup(
        "registry.example.com/App:1",
        &one_secret(&["registry.example.com"]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("upper-case"), "{err}");
}

#[test]
fn no_secrets_means_an_anonymous_pull() {
    assert!(lookup("registry.example.com/app", &[]).unwrap().is_empty());
}

#[test]
fn key_matches_counts_the_fallback_for_a_single_key() {
    assert!(key_matches(DOCKER_HUB_KEY, "nginx"));
    assert!(key_matches(
        "registry.example.com:5000",
        "registry.example.com:5000/app:1"
    ));
    assert!(!key_matches(
        "registry.example.com",
        "registry.example.com:5000/app:1"
    ));
    assert!(!key_matches("registry.example.com", "not a valid image"));
}

#[test]
fn suggested_key_is_the_host_and_port_or_the_docker_hub_key() {
    let suggest = |image: &str| suggested_key(&ImageRef::parse(image).unwrap());
    assert_eq!(
        suggest("registry.example.com:5000/team/app:1"),
        "registry.example.com:5000"
    );
    assert_eq!(suggest("registry.example.com/app"), "registry.example.com");
    assert_eq!(suggest("nginx"), DOCKER_HUB_KEY);
    assert_eq!(suggest("alice/app"), DOCKER_HUB_KEY);
    assert_eq!(suggest("index.docker.io/alice/app"), DOCKER_HUB_KEY);
    assert_eq!(suggest("Registry.Example.com/app"), "Registry.Example.com");
}

#[test]
fn suggested_key_always_matches_its_image() {
    for image in [
        "registry.example.com:5000/team/app:1",
        "nginx",
        "alice/app",
        "localhost/app",
        "[::1]:5000/app",
        "my_registry.example.com/app",
        "Registry.Example.com/app",
    ] {
        let key = suggested_key(&ImageRef::parse(image).unwrap());
        assert!(key_matches(&key, image), "{key} should match {image}");
    }
}

#[test]
fn matched_keys_serialise_in_camel_case() {
    let found = matches("nginx", &[DOCKER_HUB_KEY]);
    let json = serde_json::to_string(&found[0]).unwrap();
    assert_eq!(
        json,
        r#"{"secret":"pull","key":"https://index.docker.io/v1/","normalized":"index.docker.io","viaDockerHubFallback":true}"#
    );
}

#[test]
fn key_mismatch_says_why_a_key_does_not_match() {
    let why = |key: &str, image: &str| key_mismatch(key, &ImageRef::parse(image).unwrap());
    assert_eq!(
        why("registry.example.com", "registry.example.com/app"),
        None
    );
    assert_eq!(
        why("registry.example.com", "registry.example.com:5000/app"),
        Some(Mismatch::Port {
            key: String::new(),
            image: "5000".into()
        })
    );
    assert_eq!(
        why("*.example.com", "a.b.example.com/app"),
        Some(Mismatch::LabelCount { key: 3, image: 4 })
    );
    assert_eq!(
        why(
            "registry.example.com/team",
            "registry.example.com/other/app"
        ),
        Some(Mismatch::Path {
            key: "/team".into(),
            image: "/other/app".into()
        })
    );
    assert_eq!(
        why("Registry.example.com", "registry.example.com/app"),
        Some(Mismatch::Label {
            key: "Registry".into(),
            image: "registry".into()
        })
    );
    assert_eq!(
        why("registry.example.com:abc", "registry.example.com/app"),
        Some(Mismatch::Unparsable)
    );
}

#[test]
fn key_mismatch_reads_as_a_sentence() {
    let mismatch = key_mismatch(
        "registry.example.com",
        &ImageRef::parse("registry.example.com:5000/app").unwrap(),
    );
    assert_eq!(
        mismatch.unwrap().to_string(),
        "the key has no port but the image has port 5000"
    );
}
