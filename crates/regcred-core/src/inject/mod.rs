//! Adds an `imagePullSecrets` entry to existing manifests by inserting text only.
//!
//! The input is read with a real YAML parser that reports byte offsets; the secret is then
//! written into the gaps it finds, so every byte of the input stays where it was: comments,
//! quoting, anchors, blank lines, document markers, CRLF line ends, a BOM. Each edited document
//! is read back and compared with the input; an edit that does not read back as the input plus
//! the secret is dropped with an `inject-unverified` finding, so what is returned is never wrong.
//!
//! Where it goes: a new item at the end of an existing list, in the style of its first item; or
//! a new `imagePullSecrets` key after the last entry of the pod spec, at its indentation, with
//! the document's (else the stream's, else kubectl's) sequence indentation and the line break
//! of the line it follows. Flow and JSON pod specs get a flow entry with their separators.
//!
//! # Caveats
//! Left alone, each with a warning finding naming the object:
//! - a pod spec or `imagePullSecrets` list shared through an alias (`&anchor` ... `*anchor`, or
//!   a merge key `<<: *base`): adding the secret there would change every place that uses the
//!   anchor, and replacing the alias with a copy would remove text;
//! - `imagePullSecrets` written as something other than a list or an empty value (`null`, `~`,
//!   a string): replacing it would remove text;
//! - a key given twice, or a workload without a pod spec.
//!
//! Only the built-in kinds are known (by API group); custom resources that embed a pod template
//! (Argo Rollouts, Knative, ...) are not touched.

mod objects;
mod render;
pub(crate) mod selector;
mod text;
mod tree;
mod verify;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::validate;

use objects::{Filters, Plan, Target};
use render::{BlockSeqStyle, Insertion, Renderer};
use selector::Selector;
use tree::{Document, NodeId, Reader};
use verify::{Added, DocEdits};

/// Result alias for this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What cannot be injected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not valid YAML.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// Line of the error, from one.
        line: usize,
        /// Column of the error, in characters from one.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The secret name is not a valid object name.
    #[error("{0}")]
    InvalidSecret(Finding),
    /// A kind filter names no kind that has a pod spec.
    #[error(
        "kind '{0}' has no pod spec for inject to add the secret to; give one of Pod, \
         PodTemplate, ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, \
         Job, CronJob or ServiceAccount (any case; kubectl's short names and plurals work too)"
    )]
    InvalidKind(String),
    /// A namespace filter is not a namespace name.
    #[error("{0}")]
    InvalidNamespace(Finding),
    /// The label selector cannot be read.
    #[error("label selector '{selector}' cannot be read: {reason}")]
    InvalidSelector {
        /// The selector as given.
        selector: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Line and column (both from one) of a syntax error.
    #[must_use]
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            Self::Syntax { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }
}

/// What to add and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InjectOptions {
    /// Name of the pull secret to add.
    pub secret: String,
    /// Only objects of these kinds (case-insensitive); all kinds with a pod spec when empty.
    pub kinds: Vec<String>,
    /// Only objects whose `metadata.namespace` is one of these; objects without a namespace do
    /// not match. No filter when empty.
    pub namespaces: Vec<String>,
    /// Only objects whose `metadata.labels` match this selector (`app=web,tier!=db`).
    pub selector: Option<String>,
    /// Also add the secret to `ServiceAccounts` (their top-level `imagePullSecrets`).
    pub service_accounts: bool,
}

impl InjectOptions {
    /// Options that add `secret` to every object with a pod spec.
    pub fn new(secret: impl Into<String>) -> Self {
        Self {
            secret: secret.into(),
            ..Self::default()
        }
    }

    /// The same options, limited to these kinds.
    #[must_use]
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.kinds = kinds.into_iter().map(Into::into).collect();
        self
    }

    /// The same options, limited to these namespaces.
    #[must_use]
    pub fn with_namespaces(
        mut self,
        namespaces: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.namespaces = namespaces.into_iter().map(Into::into).collect();
        self
    }

    /// The same options, limited by a label selector.
    #[must_use]
    pub fn with_selector(mut self, selector: impl Into<String>) -> Self {
        self.selector = Some(selector.into());
        self
    }

    /// The same options, with `ServiceAccounts` included or not.
    #[must_use]
    pub fn with_service_accounts(mut self, on: bool) -> Self {
        self.service_accounts = on;
        self
    }
}

/// The edited text and what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Injected {
    /// The input with the secret added; equal to the input when nothing was needed.
    pub text: String,
    /// One entry per object that got the secret, in text order.
    pub changes: Vec<Change>,
    /// Objects that matched and already listed the secret.
    pub unchanged: Vec<String>,
    /// Objects left alone and why (shared anchors, values that are not lists, ...).
    pub findings: Vec<Finding>,
}

impl Injected {
    /// Whether the text changed.
    #[must_use]
    pub fn is_changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// One addition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The object, as `Kind/namespace/name` or `Kind/name`.
    pub object: String,
    /// Where the list is inside the object: `spec.template.spec.imagePullSecrets`.
    pub path: String,
    /// Line of the output where the inserted text starts, from one.
    pub line: usize,
}

/// Adds `opts.secret` to the `imagePullSecrets` of every matching object in a YAML (or JSON)
/// stream, changing nothing else; a second run on the result changes nothing.
///
/// # Errors
/// [`Error::Syntax`] with line and column when the text is not YAML,
/// [`Error::InvalidSecret`], [`Error::InvalidKind`], [`Error::InvalidNamespace`] or
/// [`Error::InvalidSelector`] for bad options.
pub fn inject(text: &str, opts: &InjectOptions) -> Result<Injected> {
    let filters = filters(opts)?;

    let mut work = Work::default();
    let mut reader = Reader::new(text);
    let mut stream_style = None;
    // Documents with no block sequence of their own wait for the first style the stream shows.
    let mut waiting = Vec::new();
    while let Some(doc) = reader.next_document()? {
        let pending = work.plan(&doc, &filters);
        let own_style = Renderer::new(text, &doc, &filters.secret, None).own_style();
        if stream_style.is_none() && own_style.is_some() {
            stream_style = own_style;
            for (doc, pending) in waiting.drain(..) {
                work.render(text, &doc, pending, &filters.secret, stream_style);
            }
        }
        if stream_style.is_none() && !pending.is_empty() {
            waiting.push((doc, pending));
        } else {
            work.render(text, &doc, pending, &filters.secret, stream_style);
        }
    }
    for (doc, pending) in waiting {
        work.render(text, &doc, pending, &filters.secret, None);
    }

    work.planned
        .sort_by_key(|(insertions, ..)| insertions.first().map(|i| i.at));
    let mut all: Vec<&Insertion> = work
        .planned
        .iter()
        .flat_map(|(insertions, ..)| insertions)
        .collect();
    all.sort_by_key(|insertion| insertion.at);
    let output = apply(text, 0, all.into_iter());
    let changes = changes(text, work.planned);
    Ok(Injected {
        text: output,
        changes,
        unchanged: work.unchanged,
        findings: work.findings,
    })
}

/// Checks the options alone: the secret name, the kinds, the namespaces and the selector.
///
/// # Errors
/// [`Error::InvalidSecret`], [`Error::InvalidKind`], [`Error::InvalidNamespace`] or
/// [`Error::InvalidSelector`], naming the value.
pub fn check_options(opts: &InjectOptions) -> Result<()> {
    filters(opts).map(drop)
}

/// What the documents read so far call for.
#[derive(Default)]
struct Work {
    planned: Vec<(Vec<Insertion>, String, String)>,
    unchanged: Vec<String>,
    findings: Vec<Finding>,
}

/// A target that needs text inserted.
struct Pending {
    target: Target,
    node: NodeId,
    added: Added,
}

impl Work {
    /// Notes the objects that need nothing or are skipped; returns those that need text.
    fn plan(&mut self, doc: &Document<'_>, filters: &Filters) -> Vec<Pending> {
        let mut pending = Vec::new();
        for target in objects::targets(doc, filters) {
            let (node, added) = match target.plan {
                Plan::Present => {
                    self.unchanged.push(target.object);
                    continue;
                }
                Plan::Skip(finding) => {
                    self.findings.push(finding);
                    continue;
                }
                Plan::Append { seq } => (seq, Added::Item),
                Plan::AddKey { map } => (map, Added::Key),
                Plan::FillNull { value, .. } => (value, Added::List),
            };
            pending.push(Pending {
                target,
                node,
                added,
            });
        }
        pending
    }

    /// Renders a document's insertions and checks them by reading the edited document back.
    ///
    /// Should the check fail (a layout the renderer misjudged), each object's insertion is
    /// checked alone and only those that pass are kept; the others become findings.
    fn render(
        &mut self,
        text: &str,
        doc: &Document<'_>,
        pending: Vec<Pending>,
        secret: &str,
        style: Option<BlockSeqStyle>,
    ) {
        let mut renderer = Renderer::new(text, doc, secret, style);
        let mut ready = Vec::new();
        for item in pending {
            match renderer.insertions(&item.target.plan) {
                Ok(insertions) => ready.push((item, insertions)),
                Err(reason) => self
                    .findings
                    .push(layout_finding(item.target.object, &reason)),
            }
        }
        if ready.is_empty() {
            return;
        }

        if !reads_back(text, doc, &ready, secret) {
            let (good, bad): (Vec<_>, Vec<_>) = ready
                .into_iter()
                .partition(|one| reads_back(text, doc, std::slice::from_ref(one), secret));
            for (item, _) in bad {
                self.findings.push(unverified_finding(item.target.object));
            }
            ready = good;
            if !reads_back(text, doc, &ready, secret) {
                for (item, _) in ready {
                    self.findings.push(unverified_finding(item.target.object));
                }
                return;
            }
        }
        for (item, insertions) in ready {
            self.planned
                .push((insertions, item.target.object, item.target.path));
        }
    }
}

/// Whether the document, with these insertions, reads back as itself plus the secret.
fn reads_back(
    text: &str,
    doc: &Document<'_>,
    rendered: &[(Pending, Vec<Insertion>)],
    secret: &str,
) -> bool {
    let edits: DocEdits = rendered
        .iter()
        .map(|(item, _)| (item.node, item.added))
        .collect();
    let mut insertions: Vec<&Insertion> = rendered.iter().flat_map(|(_, i)| i).collect();
    insertions.sort_by_key(|insertion| insertion.at);
    let range = &doc.range;
    if insertions
        .iter()
        .any(|i| i.at < range.start || i.at > range.end)
    {
        return false;
    }
    let edited = apply(&text[range.clone()], range.start, insertions.into_iter());
    verify::reads_back(doc, &edited, &edits, secret)
}

fn unverified_finding(object: String) -> Finding {
    Finding::warning(
        "inject-unverified",
        "left alone: the edited document did not read back as the original plus the secret",
    )
    .with_object(object)
    .with_fix("add the secret by hand, and please report the layout: this is a bug in regcred")
}

fn filters(opts: &InjectOptions) -> Result<Filters> {
    let problems = validate::check_name("secret", &opts.secret);
    if let Some(problem) = problems.into_iter().find(Finding::is_error) {
        return Err(Error::InvalidSecret(problem));
    }
    let selector = match opts.selector.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            Selector::parse(text).map_err(|reason| Error::InvalidSelector {
                selector: text.to_owned(),
                reason,
            })?,
        ),
    };
    let mut kinds = opts
        .kinds
        .iter()
        .map(|kind| canonical_kind(kind).ok_or_else(|| Error::InvalidKind(kind.clone())))
        .collect::<Result<Vec<_>>>()?;
    // Asking for ServiceAccounts either way means both: `--kind ServiceAccount` needs no
    // switch, and the switch adds them to a kind filter instead of being filtered out by it.
    let service_accounts = opts.service_accounts || kinds.contains(&"ServiceAccount");
    if service_accounts && !kinds.is_empty() && !kinds.contains(&"ServiceAccount") {
        kinds.push("ServiceAccount");
    }
    for namespace in &opts.namespaces {
        let problems = validate::check_namespace(namespace);
        if let Some(problem) = problems.into_iter().find(Finding::is_error) {
            return Err(Error::InvalidNamespace(problem));
        }
    }
    Ok(Filters {
        secret: opts.secret.clone(),
        kinds: kinds.into_iter().map(str::to_owned).collect(),
        namespaces: opts.namespaces.clone(),
        selector,
        service_accounts,
    })
}

/// The kind a `--kind` value names, in any case, as kubectl reads it: the kind, its plural or
/// its short name. Only kinds that inject can change are known.
fn canonical_kind(given: &str) -> Option<&'static str> {
    const KINDS: [(&str, &[&str]); 10] = [
        ("Pod", &["pods", "po"]),
        ("PodTemplate", &["podtemplates"]),
        ("ReplicationController", &["replicationcontrollers", "rc"]),
        ("Deployment", &["deployments", "deploy"]),
        ("StatefulSet", &["statefulsets", "sts"]),
        ("DaemonSet", &["daemonsets", "ds"]),
        ("ReplicaSet", &["replicasets", "rs"]),
        ("Job", &["jobs"]),
        ("CronJob", &["cronjobs", "cj"]),
        ("ServiceAccount", &["serviceaccounts", "sa"]),
    ];
    let given = given.trim();
    KINDS.iter().find_map(|&(kind, aliases)| {
        (kind.eq_ignore_ascii_case(given) || aliases.iter().any(|a| a.eq_ignore_ascii_case(given)))
            .then_some(kind)
    })
}

fn layout_finding(object: String, reason: &str) -> Finding {
    Finding::warning("inject-unusual-layout", format!("left alone: {reason}"))
        .with_object(object)
        .with_fix("add the secret by hand, and please report the layout")
}

/// The text with the insertions made; `base` is the offset of `text` in the whole input.
fn apply<'i>(text: &str, base: usize, insertions: impl Iterator<Item = &'i Insertion>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for insertion in insertions {
        let at = insertion.at - base;
        out.push_str(&text[copied..at]);
        out.push_str(&insertion.text);
        copied = at;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where each object's insertions landed in the output, counting the lines added before them.
fn changes(text: &str, planned: Vec<(Vec<Insertion>, String, String)>) -> Vec<Change> {
    let mut lines = text::LineCounter::new(text);
    let mut added = 0;
    planned
        .into_iter()
        .map(|(insertions, object, path)| {
            // The name goes in with the last insertion; earlier ones are separators.
            let mut line = 0;
            for insertion in &insertions {
                let body = insertion.text.trim_start_matches(['\r', '\n']);
                let starts_below = usize::from(body.len() < insertion.text.len());
                line = lines.line_of(insertion.at) + added + starts_below;
                added += text::count_line_breaks(&insertion.text);
            }
            Change { object, path, line }
        })
        .collect()
}
