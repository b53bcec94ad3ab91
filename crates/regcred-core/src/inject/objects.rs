//! Kubernetes objects in a document: which ones carry a pod spec, and what to do with each.

use std::collections::HashSet;

use crate::finding::Finding;

use super::selector::Selector;
use super::tree::{Document, NodeId, NodeKind};

/// Which objects to touch.
pub(super) struct Filters {
    pub secret: String,
    pub kinds: Vec<String>,
    pub namespaces: Vec<String>,
    pub selector: Option<Selector>,
    pub service_accounts: bool,
}

/// An object with a pod spec (or a `ServiceAccount`) and what it needs.
pub(super) struct Target {
    /// `Kind/namespace/name`, as findings name objects.
    pub object: String,
    /// Where the list lives inside the object, dotted: `spec.template.spec.imagePullSecrets`.
    pub path: String,
    pub plan: Plan,
}

/// What one object needs.
pub(super) enum Plan {
    /// The secret is already listed.
    Present,
    /// Append an item to this `imagePullSecrets` sequence.
    Append { seq: NodeId },
    /// Add an `imagePullSecrets` key to this pod spec mapping.
    AddKey { map: NodeId },
    /// Give the empty value of this `imagePullSecrets` key (in a block mapping) a list.
    FillNull { key: NodeId, value: NodeId },
    /// Leave the object alone, for the reason given.
    Skip(Finding),
}

/// How deep `kind: List` items may nest in one another.
const MAX_LIST_DEPTH: usize = 4;
/// How many mappings one lookup may visit through merge keys (`<<`), so that nested merges
/// with many sources stay cheap.
const MERGE_BUDGET: usize = 64;

/// What `lookup` found for a key.
enum Lookup {
    Missing,
    Found { key: NodeId, value: NodeId },
    Duplicate,
}

/// Every object of the document that passes the filters, with its plan.
pub(super) fn targets(doc: &Document<'_>, filters: &Filters) -> Vec<Target> {
    let mut walk = Walk {
        doc,
        filters,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    if let Some(root) = doc.root {
        walk.collect(root, 0);
    }
    walk.out
}

/// The objects found so far; an object listed twice through aliases counts once.
struct Walk<'w, 'a> {
    doc: &'w Document<'a>,
    filters: &'w Filters,
    seen: HashSet<NodeId>,
    out: Vec<Target>,
}

impl Walk<'_, '_> {
    fn collect(&mut self, object: NodeId, depth: usize) {
        let doc = self.doc;
        let object = resolve(doc, object);
        if !matches!(doc.node(object).kind, NodeKind::Mapping { .. }) || !self.seen.insert(object) {
            return;
        }
        let Some(kind) = string_at(doc, object, "kind") else {
            return;
        };

        if kind.ends_with("List") && depth < MAX_LIST_DEPTH {
            let items =
                value_of(doc, object, "items").map(|items| &doc.node(resolve(doc, items)).kind);
            if let Some(NodeKind::Sequence { items, .. }) = items {
                for &item in items {
                    self.collect(item, depth + 1);
                }
            }
            return;
        }

        let api_version = string_at(doc, object, "apiVersion");
        let Some(path) = pod_spec_path(kind, api_version, self.filters) else {
            return;
        };
        if passes(doc, object, kind, self.filters) {
            let name = object_name(doc, object, kind);
            self.out
                .push(plan_object(doc, object, path, name, &self.filters.secret));
        }
    }
}

/// The keys from the object to its pod spec, for kinds that have one.
fn pod_spec_path(
    kind: &str,
    api_version: Option<&str>,
    filters: &Filters,
) -> Option<&'static [&'static str]> {
    let (groups, path): (&[&str], &'static [&'static str]) = match kind {
        "Pod" => (&[""], &["spec"]),
        "PodTemplate" => (&[""], &["template", "spec"]),
        "ReplicationController" => (&[""], &["spec", "template", "spec"]),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            (&["apps", "extensions"], &["spec", "template", "spec"])
        }
        "Job" => (&["batch"], &["spec", "template", "spec"]),
        "CronJob" => (
            &["batch"],
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ),
        "ServiceAccount" if filters.service_accounts => (&[""], &[]),
        _ => return None,
    };
    // A custom resource may reuse a built-in kind name with a different shape.
    let group = api_version.map(|v| v.rsplit_once('/').map_or("", |(group, _)| group));
    group.is_none_or(|g| groups.contains(&g)).then_some(path)
}

fn passes(doc: &Document<'_>, object: NodeId, kind: &str, filters: &Filters) -> bool {
    if !filters.kinds.is_empty() && !filters.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return false;
    }
    let metadata = value_of(doc, object, "metadata").map(|m| resolve(doc, m));
    if !filters.namespaces.is_empty() {
        let namespace = metadata.and_then(|m| string_at(doc, m, "namespace"));
        if !namespace.is_some_and(|ns| filters.namespaces.iter().any(|n| n == ns)) {
            return false;
        }
    }
    let Some(selector) = &filters.selector else {
        return true;
    };
    let labels = metadata
        .and_then(|m| value_of(doc, m, "labels"))
        .map(|l| resolve(doc, l));
    selector.matches(|key| labels.and_then(|l| string_at(doc, l, key)))
}

fn object_name(doc: &Document<'_>, object: NodeId, kind: &str) -> String {
    let metadata = value_of(doc, object, "metadata").map(|m| resolve(doc, m));
    let name = metadata.and_then(|m| string_at(doc, m, "name"));
    let namespace = metadata.and_then(|m| string_at(doc, m, "namespace"));
    let line = doc.node(object).line;
    match (namespace, name) {
        (Some(ns), Some(name)) => format!("{kind}/{ns}/{name}"),
        (None, Some(name)) => format!("{kind}/{name}"),
        (_, None) => format!("{kind} at line {line}"),
    }
}

fn plan_object(
    doc: &Document<'_>,
    object: NodeId,
    path: &[&str],
    name: String,
    secret: &str,
) -> Target {
    let mut dotted = path.join(".");
    if !dotted.is_empty() {
        dotted.push('.');
    }
    dotted.push_str("imagePullSecrets");
    let skip = Skip { object: &name };

    let mut spec = Some(object);
    let mut duplicate = None;
    for (depth, key) in path.iter().enumerate() {
        spec = match spec.map(|map| lookup(doc, map, key, &mut MERGE_BUDGET.clone())) {
            Some(Lookup::Found { value, .. }) => Some(resolve(doc, value)),
            Some(Lookup::Duplicate) => {
                duplicate = Some(path[..=depth].join("."));
                None
            }
            Some(Lookup::Missing) | None => None,
        };
    }
    let plan = match (spec, duplicate) {
        (Some(spec), _) => plan_pod_spec(doc, spec, secret, &skip),
        (None, Some(key)) => skip.finding(
            "inject-duplicate-key",
            format!("the key {key} is given twice, so which pod spec counts is unclear"),
            "remove one of the two keys",
        ),
        (None, None) => skip.no_pod_spec(&format!("has no {} mapping", path.join("."))),
    };
    Target {
        object: name,
        path: dotted,
        plan,
    }
}

fn plan_pod_spec(doc: &Document<'_>, spec: NodeId, secret: &str, skip: &Skip<'_>) -> Plan {
    let line = doc.node(spec).line;
    let NodeKind::Mapping { flow, .. } = doc.node(spec).kind else {
        return skip.no_pod_spec(&format!("the pod spec at line {line} is not a mapping"));
    };
    match lookup(doc, spec, "imagePullSecrets", &mut MERGE_BUDGET.clone()) {
        Lookup::Duplicate => skip.finding(
            "inject-duplicate-key",
            format!("the pod spec at line {line} has imagePullSecrets twice"),
            "remove one of the two keys",
        ),
        Lookup::Missing if doc.is_shared(spec) => {
            skip.shared(&format!("the pod spec at line {line}"))
        }
        Lookup::Missing => Plan::AddKey { map: spec },
        Lookup::Found { value, .. } if lists_secret(doc, value, secret) => Plan::Present,
        Lookup::Found { key, value } => {
            let list = resolve(doc, value);
            let what = format!("imagePullSecrets at line {}", doc.node(key).line);
            let owned = doc.node(key).parent == Some(spec);
            match &doc.node(list).kind {
                NodeKind::Sequence { .. } if doc.is_shared(list) => skip.shared(&what),
                NodeKind::Sequence { .. } => Plan::Append { seq: list },
                _ if !owned || doc.is_shared(spec) => skip.shared(&what),
                _ if is_implicit_null(doc, value) && !flow => Plan::FillNull { key, value },
                _ => skip.finding(
                    "inject-not-a-list",
                    format!("{what} is not a list, and replacing it would remove text"),
                    "write it as a list (`imagePullSecrets: []`) and run inject again",
                ),
            }
        }
    }
}

/// The findings that leave an object alone, naming it.
struct Skip<'n> {
    object: &'n str,
}

impl Skip<'_> {
    fn finding(&self, code: &'static str, message: String, fix: &str) -> Plan {
        let finding = Finding::warning(code, message)
            .with_object(self.object)
            .with_fix(fix);
        Plan::Skip(finding)
    }

    fn no_pod_spec(&self, what: &str) -> Plan {
        self.finding(
            "inject-no-pod-spec",
            format!("{what}, so there is no pod spec to add the secret to"),
            "check that the manifest is complete",
        )
    }

    fn shared(&self, what: &str) -> Plan {
        self.finding(
            "inject-shared-anchor",
            format!(
                "{what} is shared through an anchor and alias (or a merge key); adding the \
                 secret there would change every place that uses it"
            ),
            "add the secret by hand where the anchor (&) is defined, or give this object its own \
             copy instead of an alias",
        )
    }
}

/// Whether the value is a sequence holding `{name: secret}`.
fn lists_secret(doc: &Document<'_>, value: NodeId, secret: &str) -> bool {
    let NodeKind::Sequence { items, .. } = &doc.node(resolve(doc, value)).kind else {
        return false;
    };
    items.iter().any(|&item| {
        let item = resolve(doc, item);
        matches!(doc.node(item).kind, NodeKind::Mapping { .. })
            && string_at(doc, item, "name") == Some(secret)
    })
}

/// A key with nothing after it (`imagePullSecrets:`), which YAML reads as null.
fn is_implicit_null(doc: &Document<'_>, value: NodeId) -> bool {
    let node = doc.node(value);
    matches!(node.kind, NodeKind::Scalar { implicit: true, .. })
        && node.anchor == 0
        && node.tag.is_none()
}

/// The node an alias stands for; any other node as it is.
pub(super) fn resolve(doc: &Document<'_>, id: NodeId) -> NodeId {
    match doc.node(id).kind {
        NodeKind::Alias(anchor) => doc.anchors.get(&anchor).copied().unwrap_or(id),
        _ => id,
    }
}

fn value_of(doc: &Document<'_>, map: NodeId, key: &str) -> Option<NodeId> {
    match lookup(doc, map, key, &mut MERGE_BUDGET.clone()) {
        Lookup::Found { value, .. } => Some(value),
        Lookup::Missing | Lookup::Duplicate => None,
    }
}

fn string_at<'d>(doc: &'d Document<'_>, map: NodeId, key: &str) -> Option<&'d str> {
    value_of(doc, map, key).and_then(|value| doc.scalar(resolve(doc, value)))
}

/// Finds a key in a mapping, then in what its merge keys (`<<: *base`) bring in, as the YAML
/// loaders behind kubectl do.
fn lookup(doc: &Document<'_>, map: NodeId, key: &str, budget: &mut usize) -> Lookup {
    let NodeKind::Mapping { entries, .. } = &doc.node(map).kind else {
        return Lookup::Missing;
    };
    let mut found = Lookup::Missing;
    let mut merges = Vec::new();
    for &(k, v) in entries {
        match &doc.node(k).kind {
            NodeKind::Scalar { value, .. } if value == key => {
                if !matches!(found, Lookup::Missing) {
                    return Lookup::Duplicate;
                }
                found = Lookup::Found { key: k, value: v };
            }
            NodeKind::Scalar {
                value,
                style: granit_parser::ScalarStyle::Plain,
                ..
            } if value == "<<" => {
                merges.push(v);
            }
            _ => {}
        }
    }
    if !matches!(found, Lookup::Missing) {
        return found;
    }
    for merge in merges {
        let merge = resolve(doc, merge);
        let sources: Vec<NodeId> = match &doc.node(merge).kind {
            NodeKind::Sequence { items, .. } => items.iter().map(|&i| resolve(doc, i)).collect(),
            _ => vec![merge],
        };
        for source in sources {
            if *budget == 0 {
                return Lookup::Missing;
            }
            *budget -= 1;
            if let hit @ (Lookup::Found { .. } | Lookup::Duplicate) =
                lookup(doc, source, key, budget)
            {
                return hit;
            }
        }
    }
    Lookup::Missing
}
