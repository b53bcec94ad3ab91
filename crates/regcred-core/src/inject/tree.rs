//! One YAML document as a tree of nodes that remember where they stand in the source text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};

use super::{Error, text};

/// Index of a node in its document's arena.
pub(super) type NodeId = usize;

/// A node of a parsed document, with byte offsets into the source.
#[derive(Debug)]
pub(super) struct Node<'a> {
    pub kind: NodeKind<'a>,
    pub parent: Option<NodeId>,
    /// Anchor defined on this node, numbered from 1 in order of appearance in the document
    /// (so that a document parsed on its own numbers them the same); 0 when none.
    pub anchor: usize,
    pub tag: Option<Cow<'a, Tag>>,
    /// Byte offset where the node's content starts (after its anchor and tag).
    pub start: usize,
    /// Byte offset just after the node's last content character.
    pub end: usize,
    /// Byte offset of the first property (anchor or tag), or `start` when there is none.
    pub props_start: usize,
    /// Line of `start`, counted from one.
    pub line: usize,
}

#[derive(Debug)]
pub(super) enum NodeKind<'a> {
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
        /// Nothing was written (`key:`), which YAML reads as null.
        implicit: bool,
    },
    Sequence {
        flow: bool,
        items: Vec<NodeId>,
        close: Option<usize>,
    },
    Mapping {
        flow: bool,
        entries: Vec<(NodeId, NodeId)>,
        close: Option<usize>,
    },
    Alias(usize),
}

/// One document of the stream.
#[derive(Debug, Default)]
pub(super) struct Document<'a> {
    /// The bytes of the stream that belong to this document: from the end of the previous one
    /// (so directives and markers are included) to the end of this one.
    pub range: std::ops::Range<usize>,
    pub nodes: Vec<Node<'a>>,
    pub root: Option<NodeId>,
    /// Anchor id to the node that defines it.
    pub anchors: HashMap<usize, NodeId>,
    /// Anchor ids that at least one alias refers to.
    pub aliased: HashSet<usize>,
}

impl<'a> Document<'a> {
    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id]
    }

    /// The scalar text of a node, if it is a scalar.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether the node or any node enclosing it carries an anchor that an alias uses, so that
    /// an edit there would also show up wherever the alias stands.
    pub fn is_shared(&self, mut id: NodeId) -> bool {
        loop {
            let node = &self.nodes[id];
            if node.anchor != 0 && self.aliased.contains(&node.anchor) {
                return true;
            }
            match node.parent {
                Some(parent) => id = parent,
                None => return false,
            }
        }
    }
}

/// Reads a stream document by document.
pub(super) struct Reader<'a> {
    text: &'a str,
    parser: Parser<'a, StrInput<'a>>,
    done: bool,
    /// Where the previous document ended.
    last_end: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        let options = granit_parser::options! { emit_anchor_events: true, emit_comments: false };
        Self {
            text,
            parser: Parser::new_from_str_with_options(text, options),
            done: false,
            last_end: 0,
        }
    }

    /// The next document, `None` at the end of the stream.
    pub fn next_document(&mut self) -> Result<Option<Document<'a>>, Error> {
        let mut builder = Builder {
            text: self.text,
            doc: Document::default(),
            open: Vec::new(),
            ordinals: HashMap::new(),
            empty_with_props: None,
        };
        while !self.done {
            let Some(next) = self.parser.next_event() else {
                self.done = true;
                break;
            };
            let (event, span) = next.map_err(|e| syntax_error(&e))?;
            match event {
                Event::StreamStart | Event::DocumentStart(..) => {}
                Event::StreamEnd => self.done = true,
                Event::DocumentEnd => {
                    let end = offset(span.end).max(self.last_end);
                    builder.doc.range = self.last_end..end;
                    self.last_end = end;
                    return Ok(Some(builder.doc));
                }
                other => builder.push(other, span)?,
            }
        }
        Ok(None)
    }
}

/// The offset of the `|` or `>` that opens the block scalar whose span starts at `start`, when
/// the span does not already start there.
fn block_scalar_header(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if matches!(bytes.get(start), Some(b'|' | b'>')) {
        return None;
    }
    let mut at = text::last_content_before(text, start)?;
    while matches!(bytes[at], b'+' | b'-' | b'1'..=b'9') {
        at = at.checked_sub(1)?;
    }
    matches!(bytes[at], b'|' | b'>').then_some(at)
}

fn syntax_error(error: &ScanError) -> Error {
    let marker = error.marker();
    Error::Syntax {
        line: marker.line(),
        column: marker.col() + 1,
        message: error.info(),
    }
}

fn offset(marker: granit_parser::Marker) -> usize {
    // Invariant: a parser reading a `&str` reports byte offsets for every marker.
    marker.byte_offset().unwrap_or_default()
}

struct Builder<'a> {
    text: &'a str,
    doc: Document<'a>,
    /// Collections not yet closed, innermost last.
    open: Vec<NodeId>,
    /// Parser anchor id to the document's own numbering.
    ordinals: HashMap<usize, usize>,
    /// The last scalar added when it is empty but has an anchor or tag.
    empty_with_props: Option<NodeId>,
}

impl<'a> Builder<'a> {
    fn push(&mut self, event: Event<'a>, span: Span) -> Result<(), Error> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let empty = style == ScalarStyle::Plain && span.start.index() == span.end.index();
                let implicit = empty && anchor == 0 && tag.is_none();
                let kind = NodeKind::Scalar {
                    value,
                    style,
                    implicit,
                };
                let id = self.add(kind, anchor, tag, span);
                if implicit {
                    if !self.end_after_colon(id) {
                        self.end_after_indicator(id);
                    }
                } else if empty {
                    // Only properties were written (`key: !tag`): the node ends with them, not
                    // where the parser put the empty content (possibly the next token).
                    let tag_end = span.tag_span().map(|tag| offset(tag.end));
                    let node = &mut self.doc.nodes[id];
                    node.end = tag_end.unwrap_or_default();
                    node.start = node.end;
                    self.empty_with_props = Some(id);
                }
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    // The span of a block scalar runs on to the indentation of the next token;
                    // its content ends at the start of that line. It starts at its header
                    // (`|-`, `>2`), not at the content the span starts at: the '-' of a
                    // header is not an item's dash.
                    let header = block_scalar_header(self.text, self.doc.nodes[id].start);
                    let node = &mut self.doc.nodes[id];
                    node.end = text::start_of_blank_line_prefix(self.text, node.end);
                    if let Some(header) = header {
                        node.line -= text::count_line_breaks(&self.text[header..node.start]);
                        node.start = header;
                        node.props_start = node.props_start.min(header);
                    }
                }
            }
            Event::Alias(id) => {
                let ordinal = self.ordinals.get(&id).copied().unwrap_or(0);
                self.doc.aliased.insert(ordinal);
                self.add(NodeKind::Alias(ordinal), 0, None, span);
            }
            Event::SequenceStart(style, anchor, tag) => {
                let flow = style == granit_parser::StructureStyle::Flow;
                let kind = NodeKind::Sequence {
                    flow,
                    items: Vec::new(),
                    close: None,
                };
                let id = self.add(kind, anchor, tag, span);
                self.open.push(id);
            }
            Event::MappingStart(style, anchor, tag) => {
                let flow = style == granit_parser::StructureStyle::Flow;
                let kind = NodeKind::Mapping {
                    flow,
                    entries: Vec::new(),
                    close: None,
                };
                let id = self.add(kind, anchor, tag, span);
                self.open.push(id);
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Anchor(_, _) => self.note_anchor(span),
            Event::UnresolvedAlias(name) => {
                return Err(Error::Syntax {
                    line: span.start.line(),
                    column: span.start.col() + 1,
                    message: format!("alias '*{name}' has no anchor before it"),
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn add(
        &mut self,
        kind: NodeKind<'a>,
        anchor: usize,
        tag: Option<Cow<'a, Tag>>,
        span: Span,
    ) -> NodeId {
        let id = self.doc.nodes.len();
        let anchor = if anchor == 0 {
            0
        } else {
            let ordinal = self.ordinals.len() + 1;
            self.ordinals.insert(anchor, ordinal);
            ordinal
        };
        let start = offset(span.start);
        let props_start = span.tag_start().map_or(start, |m| offset(m).min(start));
        let parent = self.open.last().copied();
        self.doc.nodes.push(Node {
            kind,
            parent,
            anchor,
            tag,
            start,
            end: offset(span.end),
            props_start,
            line: span.start.line(),
        });
        if anchor != 0 {
            self.doc.anchors.insert(anchor, id);
        }
        self.attach(id);
        id
    }

    fn attach(&mut self, id: NodeId) {
        let Some(&parent) = self.open.last() else {
            self.doc.root = Some(id);
            return;
        };
        match &mut self.doc.nodes[parent].kind {
            NodeKind::Sequence { items, .. } => items.push(id),
            NodeKind::Mapping { entries, .. } => match entries.last_mut() {
                Some(entry) if entry.1 == usize::MAX => entry.1 = id,
                _ => entries.push((id, usize::MAX)),
            },
            _ => {}
        }
    }

    /// An empty mapping value has no text of its own: the parser puts it at the ':' or, after
    /// an explicit key (`? key`), at the next token. It ends where its key does, or after the
    /// ':' that follows the key.
    fn end_after_colon(&mut self, id: NodeId) -> bool {
        let Some(parent) = self.doc.nodes[id].parent else {
            return false;
        };
        let key = match &self.doc.nodes[parent].kind {
            NodeKind::Mapping { entries, .. } => match entries.last() {
                Some(&(key, value)) if value == id => key,
                _ => return false,
            },
            _ => return false,
        };
        let key_end = self.doc.nodes[key].end;
        let rest = self.text.as_bytes().get(key_end..).unwrap_or_default();
        let blanks = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let colon = rest.get(blanks) == Some(&b':');
        let node = &mut self.doc.nodes[id];
        node.end = if colon { key_end + blanks + 1 } else { key_end };
        node.start = node.start.min(node.end);
        true
    }

    /// An empty key (`?` alone) or item (`-` alone) ends with its indicator, wherever the parser
    /// put the empty content.
    fn end_after_indicator(&mut self, id: NodeId) {
        let node = &mut self.doc.nodes[id];
        // An empty key written as a bare ':' stands at that ':', which is its value's
        // indicator, not its own: nothing before it belongs to it.
        if self.text.as_bytes().get(node.start) == Some(&b':') {
            node.end = node.start;
            return;
        }
        let before = self.text.as_bytes().get(..node.start).unwrap_or_default();
        // Only blanks, line breaks and comments stand between an indicator and the empty
        // content the parser placed after them.
        let found = text::last_content_before(self.text, node.start);
        if let Some(at) =
            found.filter(|&at| matches!(before[at], b'?' | b'-' | b':' | b',' | b'[' | b'{'))
        {
            node.end = node.end.min(at + 1);
            node.start = node.start.min(node.end);
        }
    }

    fn note_anchor(&mut self, span: Span) {
        let last = self.doc.nodes.len().checked_sub(1);
        let Some(node) = last.and_then(|id| self.doc.nodes.get_mut(id)) else {
            return;
        };
        node.props_start = node.props_start.min(offset(span.start));
        if last.is_some() && last == self.empty_with_props {
            node.end = node.end.max(offset(span.end));
            node.start = node.end;
        }
    }

    fn close(&mut self, span: Span) {
        let Some(id) = self.open.pop() else { return };
        if let NodeKind::Mapping { entries, .. } = &mut self.doc.nodes[id].kind {
            entries.retain(|entry| entry.1 != usize::MAX);
        }
        let last_child_end = self.last_child_end(id);
        let node = &mut self.doc.nodes[id];
        let (flow, close) = match &mut node.kind {
            NodeKind::Sequence { flow, close, .. } | NodeKind::Mapping { flow, close, .. } => {
                (*flow, close)
            }
            _ => return,
        };
        if flow && span.end.index() > span.start.index() {
            *close = Some(offset(span.start));
            node.end = offset(span.end);
        } else {
            node.end = last_child_end.unwrap_or(node.end).max(node.start);
        }
    }

    fn last_child_end(&self, id: NodeId) -> Option<usize> {
        let end = |child: NodeId| self.doc.nodes.get(child).map(|node| node.end);
        match &self.doc.nodes[id].kind {
            NodeKind::Sequence { items, .. } => items.last().and_then(|&item| end(item)),
            NodeKind::Mapping { entries, .. } => {
                let &(key, value) = entries.last()?;
                end(key).max(end(value))
            }
            _ => None,
        }
    }
}
