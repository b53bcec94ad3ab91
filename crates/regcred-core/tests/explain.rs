//! Explaining pasted pull failures, with event texts in the shape kubelet and containerd write.

use regcred_core::explain::{Explanation, NO_KNOWN_CAUSE, explain};

/// The cause codes, in order.
fn codes(explanation: &Explanation) -> Vec<&'static str> {
    explanation.causes.iter().map(|cause| cause.code).collect()
}

/// The cause with this code, or a panic listing the codes found.
fn cause<'a>(explanation: &'a Explanation, code: &str) -> &'a regcred_core::explain::Cause {
    explanation
        .causes
        .iter()
        .find(|cause| cause.code == code)
        .unwrap_or_else(|| panic!("no cause {code}; found {:?}", codes(explanation)))
}

const DESCRIBE_WRONG_NAMESPACE: &str = r#"Name:             web-7d4b9c8f6d-x2x8p
Namespace:        shop
Priority:         0
Service Account:  default
Node:             worker-1
Status:           Pending
Containers:
  web:
    Container ID:
    Image:          registry.example.com:5000/shop/web:1.4.2
    Image ID:
    Port:           8080/TCP
    State:          Waiting
      Reason:       ImagePullBackOff
    Ready:          False
Events:
  Type     Reason                           Age                From               Message
  ----     ------                           ----               ----               -------
  Normal   Scheduled                        2m                 default-scheduler  Successfully assigned shop/web-7d4b9c8f6d-x2x8p to worker-1
  Warning  FailedToRetrieveImagePullSecret  2m (x3 over 2m)    kubelet            Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.
  Normal   Pulling                          45s (x3 over 2m)   kubelet            Pulling image "registry.example.com:5000/shop/web:1.4.2"
  Warning  Failed                           45s (x3 over 2m)   kubelet            Failed to pull image "registry.example.com:5000/shop/web:1.4.2": failed to pull and unpack image "registry.example.com:5000/shop/web:1.4.2": failed to resolve reference "registry.example.com:5000/shop/web:1.4.2": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://registry.example.com:5000/token?scope=repository%3Ashop%2Fweb%3Apull&service=registry: 401 Unauthorized
  Warning  Failed                           45s (x3 over 2m)   kubelet            Error: ErrImagePull
  Normal   BackOff                          8s (x4 over 2m)    kubelet            Back-off pulling image "registry.example.com:5000/shop/web:1.4.2"
  Warning  Failed                           8s (x4 over 2m)    kubelet            Error: ImagePullBackOff
"#;

#[test]
fn describe_output_with_missing_secret_and_anonymous_401_names_both_causes_in_order() {
    let explanation = explain(DESCRIBE_WRONG_NAMESPACE);
    assert!(explanation.recognized);
    assert_eq!(
        codes(&explanation),
        ["secret-not-found", "no-credentials-sent"]
    );
}

#[test]
fn describe_output_facts_are_extracted() {
    let facts = explain(DESCRIBE_WRONG_NAMESPACE).facts;
    assert_eq!(
        facts.image.as_deref(),
        Some("registry.example.com:5000/shop/web:1.4.2")
    );
    assert_eq!(facts.registry.as_deref(), Some("registry.example.com:5000"));
    assert_eq!(facts.namespace.as_deref(), Some("shop"));
    assert_eq!(facts.missing_secrets, ["regcred"]);
    assert_eq!(facts.http_status, Some(401));
    for reason in [
        "FailedToRetrieveImagePullSecret",
        "ErrImagePull",
        "ImagePullBackOff",
        "BackOff",
        "Failed",
        "Pulling",
    ] {
        assert!(
            facts.reasons.iter().any(|r| r == reason),
            "{reason} in {:?}",
            facts.reasons
        );
    }
}

#[test]
fn missing_secret_cause_names_the_secret_and_the_namespace() {
    let explanation = explain(DESCRIBE_WRONG_NAMESPACE);
    let missing = cause(&explanation, "secret-not-found");
    assert!(missing.detail.contains("'regcred'"), "{}", missing.detail);
    assert!(missing.detail.contains("'shop'"), "{}", missing.detail);
    assert!(missing.fix.contains("namespace 'shop'"), "{}", missing.fix);
    assert!(
        missing
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("Warning  FailedToRetrieveImagePullSecret")
    );
}

#[test]
fn anonymous_token_401_means_nothing_was_sent_not_rejected_credentials() {
    let explanation = explain(DESCRIBE_WRONG_NAMESPACE);
    assert!(!codes(&explanation).contains(&"credentials-rejected"));
    let none_sent = cause(&explanation, "no-credentials-sent");
    assert!(
        none_sent.detail.contains("'registry.example.com:5000'"),
        "{}",
        none_sent.detail
    );
    assert!(none_sent.fix.contains("imagePullSecrets"));
}

#[test]
fn oauth_token_401_means_the_credentials_were_rejected() {
    let text = r#"Failed to pull image "registry.example.com/team/app:v2": rpc error: code = Unknown desc = failed to pull and unpack image "registry.example.com/team/app:v2": failed to resolve reference "registry.example.com/team/app:v2": failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://auth.example.com/token: 401 Unauthorized"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["credentials-rejected"]);
    let rejected = &explanation.causes[0];
    assert!(
        rejected.detail.contains("'registry.example.com'"),
        "{}",
        rejected.detail
    );
    assert!(rejected.fix.contains("Reset the registry credentials"));
    assert_eq!(explanation.facts.http_status, Some(401));
    assert_eq!(
        explanation.facts.image.as_deref(),
        Some("registry.example.com/team/app:v2")
    );
}

#[test]
fn docker_daemon_authentication_errors_are_rejected_credentials() {
    for text in [
        r#"Failed to pull image "alice/app:1": Error response from daemon: Head "https://registry-1.docker.io/v2/alice/app/manifests/1": unauthorized: incorrect username or password"#,
        r#"Failed to pull image "quay.io/team/app:1": unauthorized: authentication required"#,
    ] {
        assert_eq!(codes(&explain(text)), ["credentials-rejected"], "{text}");
    }
}

#[test]
fn pull_access_denied_is_explained_as_missing_repository_or_credentials() {
    let text = r#"  Warning  Failed     12s   kubelet  Failed to pull image "alice/private:1.0": failed to pull and unpack image "docker.io/alice/private:1.0": failed to resolve reference "docker.io/alice/private:1.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["access-denied"]);
    assert_eq!(
        explanation.facts.image.as_deref(),
        Some("alice/private:1.0")
    );
    assert_eq!(explanation.facts.registry.as_deref(), Some("docker.io"));
    assert!(explanation.causes[0].detail.contains("do not tell"));
}

#[test]
fn not_found_is_a_wrong_tag_not_an_auth_problem() {
    let text = r#"Failed to pull image "registry.example.com/team/app:v9": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/team/app:v9": failed to resolve reference "registry.example.com/team/app:v9": registry.example.com/team/app:v9: not found"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["image-not-found"]);
    assert!(
        explanation.causes[0]
            .detail
            .contains("not an authentication problem")
    );
}

#[test]
fn manifest_unknown_is_a_wrong_tag() {
    let text = r#"Failed to pull image "ghcr.io/team/app:nope": Error response from daemon: manifest unknown"#;
    assert_eq!(codes(&explain(text)), ["image-not-found"]);
}

#[test]
fn get_events_output_lists_every_missing_secret_once() {
    let text = "LAST SEEN   TYPE      REASON                            OBJECT      MESSAGE
3m          Normal    Scheduled                         pod/api-0   Successfully assigned prod/api-0 to node-a
3m          Warning   FailedToRetrieveImagePullSecret   pod/api-0   Unable to retrieve some image pull secrets (ghcr-pull, quay-pull); attempting to pull the image may not succeed.
2m          Warning   FailedToRetrieveImagePullSecret   pod/api-1   Unable to retrieve some image pull secrets (ghcr-pull); attempting to pull the image may not succeed.
";
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["secret-not-found"]);
    assert_eq!(
        explanation.facts.missing_secrets,
        ["ghcr-pull", "quay-pull"]
    );
    assert!(
        explanation.causes[0]
            .detail
            .contains("'ghcr-pull', 'quay-pull'")
    );
}

#[test]
fn invalid_image_name_is_explained_with_the_exact_grammar_problem() {
    let text = r#"    State:          Waiting
      Reason:       InvalidImageName
  Warning  InspectFailed  5s (x2 over 6s)  kubelet  Failed to apply default image tag "registry.example.com/Team/App:1": couldn't parse image name "registry.example.com/Team/App:1": invalid reference format: repository name (Team/App) must be lowercase"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["invalid-image-name"]);
    let invalid = &explanation.causes[0];
    assert!(
        invalid
            .detail
            .contains("upper-case letters in its repository path 'Team/App'"),
        "{}",
        invalid.detail
    );
    assert_eq!(invalid.fix, "use the lower-case path 'team/app'");
}

#[test]
fn unparsable_secret_is_reported_as_failing_every_pull() {
    for fragment in [
        "unable to parse auth field, must be formatted as base64(username:password)",
        "illegal base64 data at input byte 4",
    ] {
        let text = format!(
            "  Warning  Failed  12s  kubelet  Error: ErrImagePull\n      Message: {fragment}"
        );
        let explanation = explain(&text);
        assert_eq!(codes(&explanation), ["secret-unparsable"], "{fragment}");
        assert!(
            explanation.causes[0]
                .detail
                .contains("every image pull of the pod fails")
        );
    }
}

#[test]
fn no_basic_auth_credentials_suggests_the_key_the_image_needs() {
    let text = r#"Failed to pull image "registry.example.com:5000/app:1": rpc error: code = Unknown desc = Error response from daemon: Get https://registry.example.com:5000/v2/app/manifests/1: no basic auth credentials"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["no-credentials-sent"]);
    assert!(
        explanation.causes[0]
            .detail
            .contains("such as 'registry.example.com:5000'")
    );
}

#[test]
fn docker_hub_image_without_credentials_suggests_the_docker_hub_key() {
    let text = r#"Failed to pull image "nginx:1.27": no basic auth credentials"#;
    let detail = &explain(text).causes[0].detail;
    assert!(detail.contains("'https://index.docker.io/v1/'"), "{detail}");
}

#[test]
fn dns_failure_is_a_wrong_or_unreachable_endpoint() {
    let text = r#"Failed to pull image "registry.exmaple.com/app:1": failed to pull and unpack image "registry.exmaple.com/app:1": failed to resolve reference "registry.exmaple.com/app:1": failed to do request: Head "https://registry.exmaple.com/v2/app/manifests/1": dial tcp: lookup registry.exmaple.com on 127.0.0.53:53: no such host"#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["registry-unreachable"]);
    assert!(
        explanation.causes[0]
            .detail
            .contains("'registry.exmaple.com'")
    );
    assert!(explanation.causes[0].fix.contains("endpoint"));
}

#[test]
fn tls_problems_are_not_blamed_on_secrets() {
    for text in [
        r#"Failed to pull image "registry.example.com/app:1": failed to resolve reference "registry.example.com/app:1": failed to do request: Head "https://registry.example.com/v2/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority"#,
        r#"Failed to pull image "localhost:5000/app:1": failed to do request: Head "https://localhost:5000/v2/app/manifests/1": http: server gave HTTP response to HTTPS client"#,
    ] {
        let explanation = explain(text);
        assert_eq!(codes(&explanation), ["registry-tls"], "{text}");
        assert!(
            explanation.causes[0]
                .detail
                .contains("Pull Secrets do not change this")
        );
    }
}

#[test]
fn docker_hub_rate_limit_is_recognised() {
    let text = r#"Failed to pull image "redis:7": failed to pull and unpack image "docker.io/library/redis:7": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:0123: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit."#;
    let explanation = explain(text);
    assert_eq!(codes(&explanation), ["rate-limited"]);
    assert_eq!(explanation.facts.http_status, Some(429));
}

#[test]
fn registry_unavailable_from_the_kubelet_is_unreachable() {
    let text = "image pull failed for registry.example.com/app:1 because the registry is unavailable: connection refused";
    assert_eq!(codes(&explain(text)), ["registry-unreachable"]);
}

#[test]
fn never_pull_policy_is_recognised() {
    let text = r#"Warning  ErrImageNeverPull  3s  kubelet  Container image "registry.example.com/app:1" is not present with pull policy of Never"#;
    assert_eq!(codes(&explain(text)), ["image-never-pulled"]);
}

#[test]
fn back_off_without_the_error_text_asks_for_the_failed_event() {
    let text = r#"  Normal   BackOff  8s (x4 over 2m)  kubelet  Back-off pulling image "nginx:1.27"
  Warning  Failed   8s (x4 over 2m)  kubelet  Error: ImagePullBackOff"#;
    let explanation = explain(text);
    assert!(explanation.recognized);
    assert_eq!(codes(&explanation), ["pull-failed-without-detail"]);
    assert!(explanation.causes[0].fix.contains("reason=Failed"));
}

#[test]
fn crash_loop_back_off_is_not_taken_for_a_pull_failure() {
    let text = "  Warning  BackOff  5s (x3 over 30s)  kubelet  Back-off restarting failed container app in pod app-0_prod
  Warning  Failed   5s               kubelet  Error: failed to start container";
    let explanation = explain(text);
    assert!(!explanation.recognized);
    assert_eq!(codes(&explanation), [NO_KNOWN_CAUSE]);
}

#[test]
fn unrelated_or_empty_text_gives_an_explicit_no_known_cause() {
    for text in [
        "",
        "hello world",
        "Readiness probe failed: HTTP probe failed with statuscode: 500",
    ] {
        let explanation = explain(text);
        assert!(!explanation.recognized, "{text}");
        assert_eq!(codes(&explanation), [NO_KNOWN_CAUSE], "{text}");
        assert_eq!(explanation.causes[0].title, "No known cause found");
        assert!(explanation.causes[0].fix.contains("kubectl describe pod"));
    }
}

#[test]
fn facts_fall_back_to_urls_when_the_image_is_not_quoted() {
    let text = "Get https://registry.example.com:5000/v2/: no basic auth credentials";
    let facts = explain(text).facts;
    assert_eq!(facts.image, None);
    assert_eq!(facts.registry.as_deref(), Some("registry.example.com:5000"));
}

#[test]
fn long_evidence_lines_are_shortened() {
    let text = format!(
        "Failed to pull image \"a/b:1\": {} no basic auth credentials",
        "x".repeat(1000)
    );
    let evidence = explain(&text).causes[0].evidence.clone().unwrap();
    assert!(evidence.chars().count() <= 401, "{}", evidence.len());
    assert!(evidence.ends_with('…'));
}

#[test]
fn explanation_serialises_in_camel_case_for_the_web_page() {
    let json = serde_json::to_value(explain(DESCRIBE_WRONG_NAMESPACE)).unwrap();
    assert_eq!(json["recognized"], true);
    assert_eq!(json["causes"][0]["code"], "secret-not-found");
    assert!(json["causes"][0]["evidence"].is_string());
    assert_eq!(json["facts"]["missingSecrets"][0], "regcred");
    assert_eq!(json["facts"]["httpStatus"], 401);
    assert_eq!(json["facts"]["registry"], "registry.example.com:5000");
    let empty = serde_json::to_value(explain("nothing")).unwrap();
    assert_eq!(empty["facts"], serde_json::json!({}));
    assert!(empty["causes"][0].get("evidence").is_none());
}
