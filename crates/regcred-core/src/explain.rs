//! Explains pasted pull failures (`kubectl describe pod`, `kubectl get events`, one event).
//!
//! The text is searched for the event reasons and runtime error fragments people meet again
//! and again; each known kind of failure becomes a [`Cause`] in plain words with its fix.
//! Facts that help (the image, the registry, the missing Secret names, the HTTP status) are
//! read out too. Text with nothing recognisable gives an explicit "no known cause" result.

mod causes;
mod extract;

use serde::Serialize;

pub use extract::Facts;

/// The code of the cause given when nothing in the text is recognised.
pub const NO_KNOWN_CAUSE: &str = "no-known-cause";

/// What the pasted text most likely means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Whether any known cause was found; when not, `causes` holds one [`NO_KNOWN_CAUSE`].
    pub recognized: bool,
    /// Likely causes, most fundamental first.
    pub causes: Vec<Cause>,
    /// What could be read from the text.
    pub facts: Facts,
}

/// One likely cause of a failed pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    /// Stable kebab-case identifier (`secret-not-found`, `credentials-rejected`, ...).
    pub code: &'static str,
    /// One line for a heading.
    pub title: String,
    /// What it means, in plain words.
    pub detail: String,
    /// What to do about it.
    pub fix: String,
    /// The line of the pasted text that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Cause {
    /// A cause without evidence.
    fn new(code: &'static str, title: String, detail: String, fix: String) -> Self {
        Self {
            code,
            title,
            detail,
            fix,
            evidence: None,
        }
    }

    /// The same cause, with the line that shows it.
    fn with_evidence(mut self, evidence: String) -> Self {
        self.evidence = Some(evidence);
        self
    }
}

/// Explains text pasted from `kubectl describe pod`, `kubectl get events` or an event message.
///
/// # Caveats
/// It reads text, not the cluster: a cause that needs the Secret's content (a key that does
/// not match the image) is named as possible, not proven. Use lint or doctor for proof.
#[must_use]
pub fn explain(text: &str) -> Explanation {
    let facts = extract::facts(text);
    let mut causes = causes::detect(text, &facts);
    if causes.is_empty() && is_waiting_on_a_failed_pull(text, &facts) {
        causes.push(backoff_without_error());
    }

    let recognized = !causes.is_empty();
    if !recognized {
        causes.push(no_known_cause());
    }
    Explanation {
        recognized,
        causes,
        facts,
    }
}

/// Whether the text shows an image pull failing, although no error text came with it.
///
/// `Failed` and `BackOff` alone are not enough: the kubelet uses them for crashing containers too.
fn is_waiting_on_a_failed_pull(text: &str, facts: &Facts) -> bool {
    let lower = text.to_ascii_lowercase();
    let pull_reasons = ["ErrImagePull", "ImagePullBackOff"];
    facts
        .reasons
        .iter()
        .any(|reason| pull_reasons.contains(&reason.as_str()))
        || lower.contains("back-off pulling image")
        || lower.contains("failed to pull image")
}

/// The cause for back-off or failure reasons without the runtime's error text.
fn backoff_without_error() -> Cause {
    Cause::new(
        "pull-failed-without-detail",
        "The pull failed, but the error text is not in what was pasted".into(),
        "ImagePullBackOff and BackOff only mean the kubelet waits before trying again; the \
         reason is in the earlier 'Failed' event's message from the container runtime."
            .into(),
        "Paste the Events section of kubectl describe pod, or the output of kubectl get events \
         --field-selector reason=Failed."
            .into(),
    )
}

/// The explicit answer for text with nothing recognisable in it.
fn no_known_cause() -> Cause {
    Cause::new(
        NO_KNOWN_CAUSE,
        "No known cause found".into(),
        "The text shows none of the image-pull events or registry errors this tool knows.".into(),
        "Paste the Events section of kubectl describe pod <pod>, or kubectl get events for the \
         pod's namespace, including the 'Failed' event's full message."
            .into(),
    )
}
