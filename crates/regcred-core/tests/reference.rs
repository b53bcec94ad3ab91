//! Image reference parsing: the distribution grammar, Docker's normalisation, and form checks.

use regcred_core::Severity;
use regcred_core::reference::{Error, ImageRef, check_image};

/// Parses or panics with the error, for readable assertions.
fn parse(value: &str) -> ImageRef {
    ImageRef::parse(value).unwrap_or_else(|err| panic!("'{value}' should parse: {err}"))
}

/// The repository the kubelet would look credentials up for.
fn repository(value: &str) -> String {
    parse(value).repository()
}

#[test]
fn single_component_names_are_official_docker_hub_images() {
    let image = parse("nginx");
    assert_eq!(image.domain(), "docker.io");
    assert_eq!(image.path(), "library/nginx");
    assert_eq!(image.repository(), "docker.io/library/nginx");
    assert_eq!(image.tag(), None);
    assert!(image.is_docker_hub());
}

#[test]
fn two_component_names_without_a_dot_are_docker_hub_user_images() {
    assert_eq!(repository("alice/app"), "docker.io/alice/app");
    assert_eq!(repository("alice/team/app:1"), "docker.io/alice/team/app");
}

#[test]
fn docker_io_and_index_docker_io_both_normalise_to_docker_io() {
    assert_eq!(repository("docker.io/nginx"), "docker.io/library/nginx");
    assert_eq!(
        repository("index.docker.io/nginx"),
        "docker.io/library/nginx"
    );
    assert_eq!(
        repository("index.docker.io/alice/app"),
        "docker.io/alice/app"
    );
    assert_eq!(
        repository("docker.io/library/nginx:1.27"),
        "docker.io/library/nginx"
    );
}

#[test]
fn library_prefix_is_added_only_on_docker_hub() {
    assert_eq!(
        repository("registry.example.com/app"),
        "registry.example.com/app"
    );
    assert_eq!(repository("localhost/app"), "localhost/app");
}

#[test]
fn first_component_with_dot_colon_localhost_or_upper_case_is_a_host() {
    assert_eq!(
        parse("registry.example.com/app").domain(),
        "registry.example.com"
    );
    assert_eq!(parse("registry:5000/app").domain(), "registry:5000");
    assert_eq!(parse("localhost/app").domain(), "localhost");
    assert_eq!(parse("localhost:5000/app").domain(), "localhost:5000");
    assert_eq!(parse("Registry/app").domain(), "Registry");
    assert_eq!(parse("registry/app").domain(), "docker.io");
}

#[test]
fn host_case_is_kept() {
    assert_eq!(
        repository("Registry.Example.com/team/app:1"),
        "Registry.Example.com/team/app"
    );
}

#[test]
fn ports_and_ip_addresses_are_hosts() {
    let image = parse("registry.example.com:5000/team/app:1");
    assert_eq!(image.domain(), "registry.example.com:5000");
    assert_eq!(image.path(), "team/app");
    assert_eq!(image.tag(), Some("1"));
    assert_eq!(repository("127.0.0.1:5000/app"), "127.0.0.1:5000/app");
    assert_eq!(repository("[::1]:5000/app"), "[::1]:5000/app");
    assert_eq!(repository("[fe80::1]/app"), "[fe80::1]/app");
}

#[test]
fn a_bare_host_and_port_is_a_docker_hub_image_with_that_tag() {
    let image = parse("registry.example.com:5000");
    assert_eq!(image.repository(), "docker.io/library/registry.example.com");
    assert_eq!(image.tag(), Some("5000"));
    assert_eq!(
        parse("localhost:5000").repository(),
        "docker.io/library/localhost"
    );
}

#[test]
fn tag_and_digest_are_split_off_the_repository() {
    let digest = format!("sha256:{}", "a".repeat(64));
    let image = parse(&format!("registry.example.com/app:v1.2@{digest}"));
    assert_eq!(image.repository(), "registry.example.com/app");
    assert_eq!(image.tag(), Some("v1.2"));
    assert_eq!(image.digest(), Some(digest.as_str()));
    assert_eq!(
        image.to_string(),
        format!("registry.example.com/app:v1.2@{digest}")
    );
}

#[test]
fn display_is_the_canonical_form() {
    assert_eq!(
        parse("nginx:1.27").to_string(),
        "docker.io/library/nginx:1.27"
    );
    assert_eq!(parse("alice/app").to_string(), "docker.io/alice/app");
}

#[test]
fn sha384_and_sha512_digests_are_accepted() {
    assert!(ImageRef::parse(&format!("app@sha384:{}", "b".repeat(96))).is_ok());
    assert!(ImageRef::parse(&format!("app@sha512:{}", "c".repeat(128))).is_ok());
}

#[test]
fn path_separators_follow_the_grammar() {
    for ok in [
        "a.b/c",
        "a_b/c",
        "a__b/c",
        "a-b/c",
        "a---b/c",
        "x/a.b-c_d__e",
    ] {
        assert!(ImageRef::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "x/a..b", "x/a___b", "x/-a", "x/a-", "x/_a", "x/a._b", "x//a", "x/a/",
    ] {
        assert!(
            matches!(
                ImageRef::parse(bad),
                Err(Error::InvalidPathComponent { .. })
            ),
            "{bad}: {:?}",
            ImageRef::parse(bad)
        );
    }
}

#[test]
fn upper_case_path_is_rejected_naming_the_path() {
    let err = ImageRef::parse("registry.example.com/Team/app:1").unwrap_err();
    assert_eq!(
        err,
        Error::UppercasePath {
            value: "registry.example.com/Team/app:1".into(),
            path: "Team/app".into()
        }
    );
    assert_eq!(err.fix(), "use the lower-case path 'team/app'");
    let err = ImageRef::parse("Nginx").unwrap_err();
    assert!(
        matches!(&err, Error::UppercasePath { path, .. } if path == "Nginx"),
        "{err:?}"
    );
    let err = ImageRef::parse("docker.io/Nginx:1").unwrap_err();
    assert!(
        matches!(&err, Error::UppercasePath { path, .. } if path == "Nginx"),
        "{err:?}"
    );
}

#[test]
fn upper_case_tags_are_allowed() {
    assert_eq!(parse("app:V1_RC-2.x").tag(), Some("V1_RC-2.x"));
}

#[test]
fn empty_reference_is_rejected() {
    assert_eq!(ImageRef::parse(""), Err(Error::Empty));
}

#[test]
fn white_space_anywhere_is_rejected_with_its_position() {
    let err = ImageRef::parse("nginx:1.27 ").unwrap_err();
    assert_eq!(
        err,
        Error::Whitespace {
            value: "nginx:1.27 ".into(),
            position: 10
        }
    );
    assert_eq!(err.fix(), "remove the white space: 'nginx:1.27'");
    assert!(matches!(
        ImageRef::parse(" nginx"),
        Err(Error::Whitespace { position: 0, .. })
    ));
    assert!(matches!(
        ImageRef::parse("nginx\n"),
        Err(Error::Whitespace { .. })
    ));
    assert!(matches!(
        ImageRef::parse("ng\tinx"),
        Err(Error::Whitespace { .. })
    ));
}

#[test]
fn url_schemes_are_rejected_and_the_fix_drops_them() {
    let err = ImageRef::parse("https://registry.example.com/app:1").unwrap_err();
    assert_eq!(
        err,
        Error::Scheme {
            value: "https://registry.example.com/app:1".into(),
            scheme: "https://".into()
        }
    );
    assert_eq!(err.fix(), "drop the scheme: 'registry.example.com/app:1'");
    assert!(matches!(
        ImageRef::parse("http://localhost:5000/app"),
        Err(Error::Scheme { .. })
    ));
    assert!(matches!(
        ImageRef::parse("docker://nginx"),
        Err(Error::Scheme { .. })
    ));
}

#[test]
fn bad_tags_are_rejected_naming_the_tag() {
    for (value, tag) in [
        ("app:", ""),
        ("app:.v1", ".v1"),
        ("app:-v1", "-v1"),
        ("app:v1+build", "v1+build"),
        ("app:1:2", "1:2"),
    ] {
        let err = ImageRef::parse(value).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidTag { tag: t, .. } if t == tag),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn tags_may_have_128_characters_but_not_129() {
    assert!(ImageRef::parse(&format!("app:{}", "t".repeat(128))).is_ok());
    let err = ImageRef::parse(&format!("app:{}", "t".repeat(129))).unwrap_err();
    assert!(matches!(err, Error::InvalidTag { .. }));
}

#[test]
fn repository_paths_may_have_255_characters_but_not_256() {
    let ok = format!("registry.example.com/{}", "a".repeat(255));
    assert!(ImageRef::parse(&ok).is_ok());
    let long = format!("registry.example.com/{}", "a".repeat(256));
    assert_eq!(
        ImageRef::parse(&long),
        Err(Error::NameTooLong {
            value: long.clone(),
            length: 256
        })
    );
}

#[test]
fn the_length_limit_counts_the_added_library_namespace() {
    assert!(
        ImageRef::parse(&"a".repeat(247)).is_ok(),
        "library/ + 247 = 255 characters"
    );
    let name = "a".repeat(248);
    assert!(matches!(
        ImageRef::parse(&name),
        Err(Error::NameTooLong { length: 256, .. })
    ));
}

#[test]
fn bad_digests_are_rejected_with_the_reason() {
    let cases = [
        format!("app@sha256:{}", "a".repeat(63)),
        format!("app@sha256:{}", "A".repeat(64)),
        format!("app@md5:{}", "a".repeat(32)),
        format!("app@sha256:{}", "g".repeat(64)),
        "app@sha256".to_owned(),
        format!("app@SHA256:{}", "a".repeat(64)),
        format!("app@@sha256:{}", "a".repeat(64)),
    ];
    for value in cases {
        let err = ImageRef::parse(&value).unwrap_err();
        assert!(
            matches!(err, Error::InvalidDigest { .. }),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn bad_hosts_are_rejected_naming_the_host() {
    for (value, domain) in [
        ("registry..example.com/app", "registry..example.com"),
        ("-registry.example.com/app", "-registry.example.com"),
        ("registry.example.com:/app", "registry.example.com:"),
        ("registry.example.com:port/app", "registry.example.com:port"),
        ("[::1/app", "[::1"),
        ("[zz::1]:5000/app", "[zz::1]:5000"),
    ] {
        let err = ImageRef::parse(value).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidDomain { domain: d, .. } if d == domain),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn a_host_with_an_underscore_is_read_as_a_path() {
    let image = parse("my_registry.example.com/app");
    assert_eq!(image.domain(), "");
    assert_eq!(image.path(), "my_registry.example.com/app");
    assert_eq!(image.repository(), "my_registry.example.com/app");
}

#[test]
fn sixty_four_hex_characters_are_reserved_for_image_ids() {
    let id = "0123456789abcdef".repeat(4);
    assert_eq!(
        ImageRef::parse(&id),
        Err(Error::HexIdentifier { value: id.clone() })
    );
    assert!(ImageRef::parse(&format!("{id}:1")).is_ok());
    assert!(ImageRef::parse(&"0123456789abcdef".repeat(4).to_uppercase()).is_err());
}

#[test]
fn latest_or_missing_tag_floats_but_a_digest_pins() {
    assert!(parse("nginx").is_latest_or_untagged());
    assert!(parse("nginx:latest").is_latest_or_untagged());
    assert!(!parse("nginx:1.27").is_latest_or_untagged());
    assert!(!parse("nginx:Latest").is_latest_or_untagged());
    let pinned = format!("nginx:latest@sha256:{}", "a".repeat(64));
    assert!(!parse(&pinned).is_latest_or_untagged());
}

#[test]
fn parse_via_from_str_matches_parse() {
    let image: ImageRef = "alice/app:1".parse().unwrap();
    assert_eq!(image, parse("alice/app:1"));
}

#[test]
fn check_image_reports_an_invalid_image_as_an_error_on_the_image_field() {
    let findings = check_image("registry.example.com/Team/app:1");
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(finding.code, "image-invalid");
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.field, Some("image"));
    assert!(
        finding
            .message
            .contains("'registry.example.com/Team/app:1'"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("upper-case"),
        "{}",
        finding.message
    );
    assert_eq!(
        finding.fix.as_deref(),
        Some("use the lower-case path 'team/app'")
    );
}

#[test]
fn check_image_names_the_exact_problem_for_each_form_mistake() {
    let cases = [
        ("", "empty"),
        ("nginx ", "white space"),
        (
            "https://registry.example.com/app:1",
            "URL scheme 'https://'",
        ),
        ("app:v1+1", "invalid tag 'v1+1'"),
        ("registry.example.com:abc/app", "port 'abc'"),
    ];
    for (value, needle) in cases {
        let findings = check_image(value);
        assert_eq!(findings.len(), 1, "{value}");
        assert_eq!(findings[0].severity, Severity::Error, "{value}");
        assert!(
            findings[0].message.contains(needle),
            "{value}: {}",
            findings[0].message
        );
        assert!(findings[0].fix.is_some(), "{value}");
    }
}

#[test]
fn check_image_warns_about_latest_and_missing_tags() {
    let latest = check_image("registry.example.com/app:latest");
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].code, "image-latest-tag");
    assert_eq!(latest[0].severity, Severity::Warning);
    assert!(latest[0].fix.as_deref().unwrap().contains("v1.0.0"));

    let untagged = check_image("registry.example.com/app");
    assert_eq!(untagged.len(), 1);
    assert_eq!(untagged[0].code, "image-no-tag");
    assert_eq!(untagged[0].field, Some("image"));
}

#[test]
fn check_image_accepts_pinned_images_silently() {
    assert!(check_image("registry.example.com/app:v1.0.0").is_empty());
    assert!(
        check_image(&format!(
            "registry.example.com/app@sha256:{}",
            "0".repeat(64)
        ))
        .is_empty()
    );
    let both = format!("registry.example.com/app:latest@sha256:{}", "0".repeat(64));
    assert!(check_image(&both).is_empty());
}

#[test]
fn check_image_warns_about_upper_case_hosts() {
    let findings = check_image("Registry.Example.com/app:v1");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "image-host-upper-case");
    assert!(findings[0].message.contains("'Registry.Example.com'"));
}

#[test]
fn check_image_warns_when_a_host_is_given_without_a_repository() {
    let findings = check_image("registry.example.com:5000");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "image-looks-like-host");
    assert!(
        findings[0]
            .message
            .contains("docker.io/library/registry.example.com:5000")
    );
}

#[test]
fn check_image_warns_when_a_host_with_underscore_becomes_a_path() {
    let findings = check_image("my_registry.example.com/app:v1");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "image-host-not-a-domain");
}

#[test]
fn errors_name_the_value_in_lower_case_without_trailing_period() {
    let err = ImageRef::parse("registry.example.com/app:-x")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("image 'registry.example.com/app:-x'"),
        "{err}"
    );
    assert!(!err.ends_with('.'));
}
