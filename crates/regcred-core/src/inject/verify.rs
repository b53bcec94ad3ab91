//! Reads each edited document back and checks that it holds the input's data plus exactly the
//! planned `{name: secret}` entries, so that a layout the renderer misjudged is caught before
//! anything is returned.

use std::collections::HashMap;

use super::tree::{Document, NodeId, NodeKind, Reader};

/// What an edit adds to one node of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Added {
    /// One more item at the end of this sequence.
    Item,
    /// One more `imagePullSecrets` entry at the end of this mapping.
    Key,
    /// This null value became a one-item list.
    List,
}

/// The edits of one document, by input node.
pub(super) type DocEdits = HashMap<NodeId, Added>;

/// Whether one edited document, with the insertions applied and read on its own, holds the
/// input document's data plus exactly the planned entries.
pub(super) fn reads_back(old: &Document<'_>, edited: &str, edits: &DocEdits, secret: &str) -> bool {
    let mut reader = Reader::new(edited);
    let Ok(Some(new)) = reader.next_document() else {
        return false;
    };
    if !matches!(reader.next_document(), Ok(None)) {
        return false;
    }
    let check = Check {
        old,
        new: &new,
        edits,
        secret,
    };
    match (old.root, new.root) {
        (Some(a), Some(b)) => check.same(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

struct Check<'c, 'a, 'b> {
    old: &'c Document<'a>,
    new: &'c Document<'b>,
    edits: &'c DocEdits,
    secret: &'c str,
}

impl Check<'_, '_, '_> {
    fn same(&self, old_id: NodeId, new_id: NodeId) -> bool {
        let (old, new) = (self.old.node(old_id), self.new.node(new_id));
        if old.anchor != new.anchor || old.tag != new.tag {
            return false;
        }
        let added = self.edits.get(&old_id).copied();
        match (&old.kind, &new.kind) {
            (NodeKind::Scalar { .. }, NodeKind::Sequence { .. }) if added == Some(Added::List) => {
                self.is_secret_list(new_id)
            }
            (
                NodeKind::Scalar {
                    value,
                    style,
                    implicit,
                },
                NodeKind::Scalar {
                    value: new_value,
                    style: new_style,
                    implicit: new_implicit,
                },
            ) => (value, style, implicit) == (new_value, new_style, new_implicit),
            (NodeKind::Alias(anchor), NodeKind::Alias(new_anchor)) => anchor == new_anchor,
            (
                NodeKind::Sequence { flow, items, .. },
                NodeKind::Sequence {
                    flow: new_flow,
                    items: new_items,
                    ..
                },
            ) if flow == new_flow => self.same_items(items, new_items, added == Some(Added::Item)),
            (
                NodeKind::Mapping { flow, entries, .. },
                NodeKind::Mapping {
                    flow: new_flow,
                    entries: new_entries,
                    ..
                },
            ) if flow == new_flow => {
                self.same_entries(entries, new_entries, added == Some(Added::Key))
            }
            _ => false,
        }
    }

    fn same_items(&self, old: &[NodeId], new: &[NodeId], grew: bool) -> bool {
        let kept = if grew {
            new.len().checked_sub(1)
        } else {
            Some(new.len())
        };
        if kept != Some(old.len()) {
            return false;
        }
        let pairs_same = old.iter().zip(new).all(|(&a, &b)| self.same(a, b));
        pairs_same && (!grew || new.last().is_some_and(|&item| self.is_secret_ref(item)))
    }

    fn same_entries(&self, old: &[(NodeId, NodeId)], new: &[(NodeId, NodeId)], grew: bool) -> bool {
        let kept = if grew {
            new.len().checked_sub(1)
        } else {
            Some(new.len())
        };
        if kept != Some(old.len()) {
            return false;
        }
        let pairs_same = old
            .iter()
            .zip(new)
            .all(|(&(ka, va), &(kb, vb))| self.same(ka, kb) && self.same(va, vb));
        pairs_same
            && (!grew
                || new.last().is_some_and(|&(key, value)| {
                    self.new.scalar(key) == Some("imagePullSecrets") && self.is_secret_list(value)
                }))
    }

    /// A sequence of exactly one `{name: secret}`.
    fn is_secret_list(&self, id: NodeId) -> bool {
        match &self.new.node(id).kind {
            NodeKind::Sequence { items, .. } => {
                matches!(items.as_slice(), [item] if self.is_secret_ref(*item))
            }
            _ => false,
        }
    }

    /// A mapping of exactly `name: secret`.
    fn is_secret_ref(&self, id: NodeId) -> bool {
        match &self.new.node(id).kind {
            NodeKind::Mapping { entries, .. } => matches!(
                entries.as_slice(),
                [(key, value)] if self.new.scalar(*key) == Some("name")
                    && self.new.scalar(*value) == Some(self.secret)
            ),
            _ => false,
        }
    }
}
