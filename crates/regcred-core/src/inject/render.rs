//! The text to insert for a plan, in the style of the document around it.

use std::cell::OnceCell;

use granit_parser::ScalarStyle;

use super::objects::Plan;
use super::text;
use super::tree::{Document, NodeId, NodeKind};

/// Text to insert at a byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Insertion {
    pub at: usize,
    pub text: String,
}

/// How the document lays out a block sequence under a key.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockSeqStyle {
    /// Columns from the key to the dash: 0 for `key:\n- a`, 2 for `key:\n  - a`.
    pad: usize,
    /// Spaces between the dash and the item.
    gap: usize,
}

/// How keys and names are quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Plain,
    Single,
    Double,
}

impl Quote {
    fn of(style: ScalarStyle) -> Self {
        match style {
            ScalarStyle::SingleQuoted => Self::Single,
            ScalarStyle::DoubleQuoted => Self::Double,
            _ => Self::Plain,
        }
    }

    /// The scalar as this quoting writes it; the names written here never need escapes.
    fn write(self, value: &str) -> String {
        match self {
            Self::Single => format!("'{value}'"),
            Self::Double => format!("\"{value}\""),
            Self::Plain if plain_reads_as_other_type(value) => format!("\"{value}\""),
            Self::Plain => value.to_owned(),
        }
    }
}

/// Whether a plain scalar would be read as something other than a string by YAML 1.1 or 1.2
/// loaders; object names are lower-case letters, digits, '-' and '.', so these are the cases.
fn plain_reads_as_other_type(value: &str) -> bool {
    const WORDS: [&str; 12] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "~",
    ];
    WORDS.contains(&value) || value.starts_with(|c: char| c.is_ascii_digit())
}

/// A value worked out on first use.
#[derive(Debug, Clone, Copy)]
enum Lookup<T> {
    NotYet,
    Done(Option<T>),
}

/// Renders insertions for the plans of one document.
pub(super) struct Renderer<'t, 'd> {
    text: &'t str,
    doc: &'d Document<'t>,
    secret: &'t str,
    /// The block sequence style of an earlier document of the stream, for documents without one.
    earlier: Option<BlockSeqStyle>,
    /// The document's own block sequence style, once looked for.
    doc_style: Lookup<BlockSeqStyle>,
    /// Facts of the whole document, each worked out on first use: whether it writes every flow
    /// collection one entry a line, the nesting step it does that with, and how it quotes its
    /// `name:` values.
    exploded: OnceCell<bool>,
    flow_step: OnceCell<Option<String>>,
    names_quote: OnceCell<Quote>,
}

impl<'t, 'd> Renderer<'t, 'd> {
    pub fn new(
        text: &'t str,
        doc: &'d Document<'t>,
        secret: &'t str,
        earlier: Option<BlockSeqStyle>,
    ) -> Self {
        Self {
            text,
            doc,
            secret,
            earlier,
            doc_style: Lookup::NotYet,
            exploded: OnceCell::new(),
            flow_step: OnceCell::new(),
            names_quote: OnceCell::new(),
        }
    }

    /// The column where a node starts, its anchor or tag included.
    fn col(&self, id: NodeId) -> usize {
        col_of(self.text, self.doc.node(id).props_start)
    }

    /// What stands before a node on its line when that is only blanks (tabs kept, as JSON may
    /// be indented with them), else as many spaces as its column.
    fn indent_of(&self, id: NodeId) -> String {
        let start = self.doc.node(id).props_start;
        let line_start = text::start_of_blank_line_prefix(self.text, start);
        if line_start < start || text::is_line_start(self.text, start) {
            return self.text[line_start..start]
                .trim_start_matches('\u{feff}')
                .to_owned();
        }
        " ".repeat(self.col(id))
    }

    /// Whether a key is written after '?', so that its column is not the mapping's.
    fn is_explicit_key(&self, key: NodeId) -> bool {
        // A block list or mapping can be a key only after '?' (implicit keys fit on one line);
        // its start is that of its first entry, not the indicator.
        if let NodeKind::Sequence { flow: false, .. } | NodeKind::Mapping { flow: false, .. } =
            self.doc.node(key).kind
        {
            return true;
        }
        let at = text::last_content_before(self.text, self.doc.node(key).props_start);
        at.is_some_and(|at| self.text.as_bytes()[at] == b'?')
    }

    /// The insertions that carry out the plan, or why the layout defeats it.
    pub fn insertions(&mut self, plan: &Plan) -> Result<Vec<Insertion>, String> {
        match *plan {
            Plan::Append { seq } => self.append(seq),
            Plan::AddKey { map } => self.add_key(map),
            Plan::FillNull { key, value } => Ok(vec![self.fill_null(key, value)?]),
            Plan::Present | Plan::Skip(_) => Err("nothing to insert".to_owned()),
        }
    }

    fn append(&mut self, seq: NodeId) -> Result<Vec<Insertion>, String> {
        let doc = self.doc;
        let NodeKind::Sequence { flow, items, close } = &doc.node(seq).kind else {
            return Err("imagePullSecrets is not a sequence".to_owned());
        };
        let quote = self.quote_in_seq(seq);
        if *flow {
            return self.append_flow(seq, items, *close, quote);
        }
        let first = *items.first().ok_or("empty block sequence")?;
        let dash = dash_before(self.text, doc.node(first).props_start)
            .ok_or("no '-' found before the first imagePullSecrets item")?;
        let item = if let Some(item) = self.copied_item(first, dash) {
            item
        } else {
            let gap = gap_after_dash(self.text, dash, doc.node(first).props_start)
                .unwrap_or_else(|| self.doc_style().gap);
            format!("-{}{}", " ".repeat(gap), self.name_pair(quote, ": "))
        };
        let dash_col = col_of(self.text, dash);
        let indent = " ".repeat(dash_col);
        self.check_end(doc.node(seq).end)?;
        Ok(vec![self.after_line(
            doc.node(seq).end,
            &[format!("{indent}{item}")],
            dash_col,
        )])
    }

    fn append_flow(
        &self,
        seq: NodeId,
        items: &[NodeId],
        close: Option<usize>,
        quote: Quote,
    ) -> Result<Vec<Insertion>, String> {
        let doc = self.doc;
        let colon = self.colon_in(items.first().copied().unwrap_or(seq));
        let Some(&last) = items.last() else {
            let close = close.ok_or("flow sequence without ']'")?;
            return Ok(vec![self.fill_empty_flow(
                seq,
                close,
                |pad, step, eol| self.exploded_item(quote, &colon, pad, step, eol),
                &self.flow_item(quote, &colon),
            )]);
        };
        if matches!(doc.node(last).kind, NodeKind::Mapping { close: None, .. }) {
            // TODO: after a brace-less pair (`[a: b]`, `[? x]`) the parser's idea of where the
            // item ends is not reliable enough to append; it is reported, not edited.
            return Err("the last item of the flow list is a pair without braces".to_owned());
        }
        let first = items[0];
        let multi_line = doc.node(first).line != doc.node(seq).line;
        let item = self
            .copied_item(first, doc.node(first).start)
            .or_else(|| {
                if !(multi_line && self.exploded()) {
                    return None;
                }
                let NodeKind::Mapping { entries, .. } = &doc.node(first).kind else {
                    return None;
                };
                let step = self.indent_step(first, entries.first()?.0)?;
                let eol = text::nearest_line_break(self.text, doc.node(first).start);
                let pad = self.indent_of(last);
                Some(self.exploded_item(quote, &colon, &pad, &step, eol))
            })
            .unwrap_or_else(|| self.flow_item(quote, &colon));
        let comma = self.comma_between(items, &colon);
        Ok(self.after_flow_entry(
            doc.node(last).end,
            false,
            multi_line,
            &self.indent_of(last),
            &comma,
            &item,
        ))
    }

    fn add_key(&mut self, map: NodeId) -> Result<Vec<Insertion>, String> {
        let doc = self.doc;
        let NodeKind::Mapping {
            flow,
            entries,
            close,
        } = &doc.node(map).kind
        else {
            return Err("the pod spec is not a mapping".to_owned());
        };
        let quote = self.quote_of_keys(map);
        let key = quote.write("imagePullSecrets");
        if *flow {
            // TODO: a pod spec written as a brace-less pair inside a flow sequence (`[spec: x]`)
            // has no place for a second entry; it is reported, not edited.
            let close = close.ok_or("flow mapping without braces")?;
            let colon = self.colon_in(map);
            let value = format!("{key}{colon}[{}]", self.flow_item(quote, &colon));
            let exploded = |pad: &str, step: &str, eol: &str| {
                let inner = format!("{pad}{step}");
                let item = self.exploded_item(quote, &colon, &inner, step, eol);
                format!("{key}{colon}[{eol}{inner}{item}{eol}{pad}]")
            };
            let Some(&(last_key, last_value)) = entries.last() else {
                return Ok(vec![self.fill_empty_flow(map, close, exploded, &value)]);
            };
            let at = doc.node(last_key).end.max(doc.node(last_value).end);
            let first_key = doc.node(entries[0].0);
            let multi_line = first_key.line != doc.node(map).line;
            let pad = self.indent_of(entries[0].0);
            let value = match self.indent_step(map, entries[0].0) {
                Some(step) if multi_line && self.exploded() => {
                    exploded(&pad, &step, text::nearest_line_break(self.text, at))
                }
                _ => value,
            };
            let comma = self.comma_between_entries(entries, &colon);
            let implicit =
                |id| matches!(doc.node(id).kind, NodeKind::Scalar { implicit: true, .. });
            let bare_key = implicit(last_key) && implicit(last_value);
            return Ok(self.after_flow_entry(at, bare_key, multi_line, &pad, &comma, &value));
        }
        let key_col = entries
            .iter()
            .find(|&&(key, _)| !self.is_explicit_key(key))
            .map(|&(key, _)| self.col(key))
            .ok_or("every key of the pod spec is an explicit '?' key")?;
        let indent = " ".repeat(key_col);
        let style = self.seq_style_in(map);
        let item = format!(
            "{indent}{}-{}{}",
            " ".repeat(style.pad),
            " ".repeat(style.gap),
            self.name_pair(quote, ": ")
        );
        self.check_end(doc.node(map).end)?;
        Ok(vec![self.after_line(
            doc.node(map).end,
            &[format!("{indent}{key}:"), item],
            key_col,
        )])
    }

    fn fill_null(&mut self, key: NodeId, value: NodeId) -> Result<Insertion, String> {
        let key_node = self.doc.node(key);
        let quote = match key_node.kind {
            NodeKind::Scalar { style, .. } => Quote::of(style),
            _ => Quote::Plain,
        };
        let style = match key_node.parent {
            Some(map) => self.seq_style_in(map),
            None => self.doc_style(),
        };
        let item = format!(
            "{}{}-{}{}",
            " ".repeat(self.col(key)),
            " ".repeat(style.pad),
            " ".repeat(style.gap),
            self.name_pair(quote, ": ")
        );
        let after = key_node.end.max(self.doc.node(value).end);
        self.check_end(after)?;
        Ok(self.after_line(after, &[item], self.col(key)))
    }

    /// Refuses a place at the very end of a text that ends in a line of blanks with no line
    /// break, just after a block scalar: YAML readers disagree on whether that scalar holds a
    /// line break there (saphyr says yes, `PyYAML` no), so any new line would change it for one.
    fn check_end(&self, after: usize) -> Result<(), String> {
        let Some(blank) = text::start_of_blank_last_line(self.text, after) else {
            return Ok(());
        };
        let block_scalar_ends_there = self.doc.nodes.iter().any(|node| {
            matches!(
                node.kind,
                NodeKind::Scalar {
                    style: ScalarStyle::Literal | ScalarStyle::Folded,
                    ..
                }
            ) && node.end >= blank
        });
        if block_scalar_ends_there {
            return Err(
                "the pod spec ends in a block scalar followed by a last line of only \
                        blanks with no line break, which YAML readers read differently; end \
                        the file with a line break and run inject again"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Lines to insert after the line that holds `after`, with that line's line break, and
    /// after the comment lines below it that are indented more than `col`.
    fn after_line(&self, after: usize, lines: &[String], col: usize) -> Insertion {
        // After a block scalar, `after` already starts a line.
        let at_line_start = after > 0 && text::is_line_start(self.text, after);
        let at = if at_line_start {
            after
        } else {
            text::line_end(self.text, after)
        };
        let comments_end = text::end_of_deeper_comments(self.text, at, at_line_start, col);
        if at_line_start && comments_end.is_none() {
            // Insert whole lines here.
            let eol = text::line_break_before(self.text, after).unwrap_or("\n");
            return Insertion {
                at: after,
                text: format!("{}{eol}", lines.join(eol)),
            };
        }
        let at = comments_end.unwrap_or(at);
        let eol = text::nearest_line_break(self.text, at);
        Insertion {
            at,
            text: format!("{eol}{}", lines.join(eol)),
        }
    }

    /// A new last entry of a flow collection whose current last entry ends at `end`.
    ///
    /// On one line it follows the entry; in a collection written one entry per line it goes on
    /// a line of its own, after any comment that ends the line, keeping a trailing comma style.
    fn after_flow_entry(
        &self,
        end: usize,
        bare_key: bool,
        multi_line: bool,
        indent: &str,
        comma: &str,
        entry: &str,
    ) -> Vec<Insertion> {
        // After a bare `?` (an empty key, `bare_key`) a comma would be read with it as the
        // scalar `?,`: the comma goes after the blank that follows, or after one written here.
        let question = bare_key && self.text.as_bytes()[..end].last() == Some(&b'?');
        let (end, lead) = match self.text.as_bytes().get(end) {
            Some(b' ' | b'\t') if question => (end + 1, ""),
            _ if question => (end, " "),
            _ => (end, ""),
        };
        if !multi_line {
            return vec![Insertion {
                at: end,
                text: format!("{lead}{comma}{entry}"),
            }];
        }
        let line_end = text::line_end(self.text, end);
        let eol = text::nearest_line_break(self.text, line_end);
        let pad = indent;
        let rest = self.text[end..line_end].trim_start();
        if let Some(after_comma) = rest.strip_prefix(',') {
            let after_comma = after_comma.trim_start();
            if after_comma.is_empty() || after_comma.starts_with('#') {
                return vec![Insertion {
                    at: line_end,
                    text: format!("{eol}{pad}{entry},"),
                }];
            }
        } else if rest.starts_with('#') {
            return vec![
                Insertion {
                    at: end,
                    text: format!("{lead},"),
                },
                Insertion {
                    at: line_end,
                    text: format!("{eol}{pad}{entry}"),
                },
            ];
        }
        vec![Insertion {
            at: end,
            text: format!("{lead},{eol}{pad}{entry}"),
        }]
    }

    /// `{name: SECRET}` over three lines, for a document that writes every collection so:
    /// the item starts after `pad`, its entry is indented by `step` more.
    fn exploded_item(&self, quote: Quote, colon: &str, pad: &str, step: &str, eol: &str) -> String {
        format!(
            "{{{eol}{pad}{step}{}{eol}{pad}}}",
            self.name_pair(quote, colon)
        )
    }

    /// The one entry of an empty flow collection (`[]`, `{}`) that opens at its node's start and
    /// closes at `close`. Spread over lines (`[` then `]` on a line below), the entry goes on a
    /// line of its own after the opening line; empty on one line in a document written one entry
    /// a line, it is written so; else on the line, blanks inside the brackets kept on both sides.
    /// `exploded` writes the entry over lines after an indentation `pad` with nesting `step`.
    fn fill_empty_flow(
        &self,
        id: NodeId,
        close: usize,
        exploded: impl Fn(&str, &str, &str) -> String,
        one_line: &str,
    ) -> Insertion {
        let open = self.doc.node(id).start;
        let inside = self.text.get(open + 1..close).unwrap_or_default();
        let eol = text::nearest_line_break(self.text, open);
        let step = || {
            let tabs = text::line_indent(self.text, open).contains('\t');
            self.flow_step()
                .unwrap_or(if tabs { "\t" } else { "  " })
                .to_owned()
        };
        if inside.contains(['\n', '\r']) {
            let pad = text::line_indent(self.text, close);
            let step = step();
            let entry = if self.exploded() {
                exploded(&format!("{pad}{step}"), &step, eol)
            } else {
                one_line.to_owned()
            };
            return Insertion {
                at: text::line_end(self.text, open),
                text: format!("{eol}{pad}{step}{entry}"),
            };
        }
        if self.exploded() {
            let pad = text::line_indent(self.text, open);
            let step = step();
            let entry = exploded(&format!("{pad}{step}"), &step, eol);
            return Insertion {
                at: close,
                text: format!("{eol}{pad}{step}{entry}{eol}{pad}"),
            };
        }
        Insertion {
            at: close,
            text: format!("{one_line}{inside}"),
        }
    }

    /// The nesting step of the first flow collection written one entry a line, if any.
    fn flow_step(&self) -> Option<&str> {
        let doc = self.doc;
        self.flow_step
            .get_or_init(|| {
                doc.nodes.iter().enumerate().find_map(|(id, node)| {
                    let first = first_flow_entry(&node.kind)?;
                    (doc.node(first).line != node.line)
                        .then(|| self.indent_step(id, first))
                        .flatten()
                })
            })
            .as_deref()
    }

    /// Whether every flow collection of the document that holds something starts its first
    /// entry on a line of its own (`kubectl get -o json`, `JSON.stringify(value, null, 2)`),
    /// so that a new one is written the same way.
    fn exploded(&self) -> bool {
        let doc = self.doc;
        *self.exploded.get_or_init(|| {
            let mut any = false;
            for node in &doc.nodes {
                let Some(first) = first_flow_entry(&node.kind) else {
                    continue;
                };
                if doc.node(first).line == node.line {
                    return false;
                }
                any = true;
            }
            any
        })
    }

    /// What one level of nesting adds to the indentation under the collection `id`, whose
    /// first entry is `first`: that entry's indentation less that of the line `id` opens on.
    fn indent_step(&self, id: NodeId, first: NodeId) -> Option<String> {
        let entry = self.indent_of(first);
        let outer = text::line_indent(self.text, self.doc.node(id).start);
        let step = entry.strip_prefix(outer)?;
        (!step.is_empty() && step.bytes().all(|b| b == b' ' || b == b'\t')).then(|| step.to_owned())
    }

    fn flow_item(&self, quote: Quote, colon: &str) -> String {
        format!("{{{}}}", self.name_pair(quote, colon))
    }

    /// `name: SECRET`, the key quoted as `quote` says and the name as the document's values are.
    fn name_pair(&self, quote: Quote, colon: &str) -> String {
        format!(
            "{}{colon}{}",
            quote.write("name"),
            self.value_quote(quote).write(self.secret)
        )
    }

    /// How the name is quoted: as the keys are when they are quoted (JSON), else as the
    /// document's other `name:` values (object, container, volume names) when it quotes them
    /// all alike, as templates that quote every name do; plain otherwise.
    fn value_quote(&self, key_quote: Quote) -> Quote {
        if key_quote != Quote::Plain {
            return key_quote;
        }
        *self.names_quote.get_or_init(|| self.quote_of_names())
    }

    /// The quoting every `name:` value of the document shares, plain when they differ.
    fn quote_of_names(&self) -> Quote {
        let doc = self.doc;
        let mut seen = None;
        for node in &doc.nodes {
            let NodeKind::Mapping { entries, .. } = &node.kind else {
                continue;
            };
            for &(key, value) in entries {
                if doc.scalar(key) != Some("name") {
                    continue;
                }
                let NodeKind::Scalar {
                    value: text,
                    style,
                    implicit: false,
                } = &doc.node(value).kind
                else {
                    continue;
                };
                let quote = match style {
                    ScalarStyle::Plain if plain_reads_as_other_type(text) => continue,
                    ScalarStyle::Literal | ScalarStyle::Folded => continue,
                    _ => Quote::of(*style),
                };
                if quote == Quote::Plain || seen.is_some_and(|q| q != quote) {
                    return Quote::Plain;
                }
                seen = Some(quote);
            }
        }
        seen.unwrap_or(Quote::Plain)
    }

    /// What separates a flow mapping's first key from its value (`: ` or JSON's `:`), taken
    /// from the nearest flow mapping with an entry, this one or one around it, so that an
    /// empty `{}` in a JSON file gets JSON.
    fn colon_in(&self, node: NodeId) -> String {
        let doc = self.doc;
        let mut at = Some(node);
        while let Some(id) = at {
            if let NodeKind::Mapping {
                flow: true,
                entries,
                ..
            } = &doc.node(id).kind
                && let Some(&(k, v)) = entries.first()
            {
                // A ':' with nothing after it separates only after a quoted key (`"a":1`);
                // after a plain one it would join key and value into one scalar.
                let quoted = matches!(
                    doc.node(k).kind,
                    NodeKind::Scalar {
                        style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
                        ..
                    }
                );
                return match self.text.get(doc.node(k).end..doc.node(v).props_start) {
                    Some(sep) if sep.trim_matches(' ') == ":" && (quoted || sep.ends_with(' ')) => {
                        sep.to_owned()
                    }
                    _ => ": ".to_owned(),
                };
            }
            at = doc.node(id).parent;
        }
        ": ".to_owned()
    }

    /// What separates a flow sequence's first two items on one line (`, ` or JSON's `,`).
    fn comma_between(&self, items: &[NodeId], colon: &str) -> String {
        let doc = self.doc;
        let between = match items {
            [a, b, ..] => self.text.get(doc.node(*a).end..doc.node(*b).props_start),
            _ => None,
        };
        one_line_comma(between, colon)
    }

    /// What separates a flow mapping's first two entries on one line.
    fn comma_between_entries(&self, entries: &[(NodeId, NodeId)], colon: &str) -> String {
        let doc = self.doc;
        let between = match entries {
            [(k, v), (next, _), ..] => {
                let end = doc.node(*k).end.max(doc.node(*v).end);
                self.text.get(end..doc.node(*next).props_start)
            }
            _ => None,
        };
        one_line_comma(between, colon)
    }

    /// The first item written again with the new name, when it is a plain one-line
    /// `name: x` or `{name: x}` that can be copied without copying anything else.
    fn copied_item(&self, item: NodeId, from: usize) -> Option<String> {
        let doc = self.doc;
        let node = doc.node(item);
        let NodeKind::Mapping { entries, .. } = &node.kind else {
            return None;
        };
        let [(key, value)] = entries.as_slice() else {
            return None;
        };
        let (key_node, value_node) = (doc.node(*key), doc.node(*value));
        let plain_node = |n: &super::tree::Node<'_>| n.anchor == 0 && n.tag.is_none();
        let NodeKind::Scalar { style, .. } = value_node.kind else {
            return None;
        };
        let simple = plain_node(node)
            && plain_node(key_node)
            && plain_node(value_node)
            && doc.scalar(*key) == Some("name")
            && !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            && from <= value_node.start
            && !matches!(value_node.kind, NodeKind::Scalar { implicit: true, .. })
            && value_node.end <= node.end;
        let source = self.text.get(from..node.end)?;
        if !simple || source.contains(['\n', '\r', '#']) {
            return None;
        }
        let before = self.text.get(from..value_node.start)?;
        let after = self.text.get(value_node.end..node.end)?;
        Some(format!(
            "{before}{}{after}",
            Quote::of(style).write(self.secret)
        ))
    }

    /// The quoting of the first key of this mapping, or of the nearest one around it that has
    /// a key (`"spec":{}` in a JSON file takes the file's double quotes).
    fn quote_of_keys(&self, map: NodeId) -> Quote {
        let doc = self.doc;
        let mut at = Some(map);
        while let Some(id) = at {
            if let NodeKind::Mapping { entries, .. } = &doc.node(id).kind
                && let Some(&(key, _)) = entries.first()
            {
                return match doc.node(key).kind {
                    NodeKind::Scalar { style, .. } => Quote::of(style),
                    _ => Quote::Plain,
                };
            }
            at = doc.node(id).parent;
        }
        Quote::Plain
    }

    /// The quoting of the first item's keys, else of the mapping holding the sequence.
    fn quote_in_seq(&self, seq: NodeId) -> Quote {
        let doc = self.doc;
        if let NodeKind::Sequence { items, .. } = &doc.node(seq).kind
            && let Some(&first) = items.first()
            && matches!(doc.node(first).kind, NodeKind::Mapping { .. })
        {
            return self.quote_of_keys(first);
        }
        doc.node(seq)
            .parent
            .map_or(Quote::Plain, |parent| self.quote_of_keys(parent))
    }

    /// The block sequence style used under this mapping's keys, else the document's.
    fn seq_style_in(&mut self, map: NodeId) -> BlockSeqStyle {
        let NodeKind::Mapping { entries, .. } = &self.doc.node(map).kind else {
            return self.doc_style();
        };
        let found = entries
            .iter()
            .find_map(|&(key, value)| self.seq_style_of(key, value));
        found.unwrap_or_else(|| self.doc_style())
    }

    /// The document's block sequence style, else an earlier document's, else kubectl's
    /// (`key:` then `- item` at the same indentation).
    fn doc_style(&mut self) -> BlockSeqStyle {
        let own = self.own_style();
        own.or(self.earlier)
            .unwrap_or(BlockSeqStyle { pad: 0, gap: 1 })
    }

    /// The first block sequence style found under a key in this document, if any.
    pub fn own_style(&mut self) -> Option<BlockSeqStyle> {
        if let Lookup::Done(style) = self.doc_style {
            return style;
        }
        let doc = self.doc;
        let found = doc.nodes.iter().find_map(|node| match &node.kind {
            NodeKind::Mapping {
                flow: false,
                entries,
                ..
            } => entries
                .iter()
                .find_map(|&(key, value)| self.seq_style_of(key, value)),
            _ => None,
        });
        self.doc_style = Lookup::Done(found);
        found
    }

    /// The style of `key:` followed by a block sequence, if that is what the entry is.
    fn seq_style_of(&self, key: NodeId, value: NodeId) -> Option<BlockSeqStyle> {
        let doc = self.doc;
        let NodeKind::Sequence {
            flow: false, items, ..
        } = &doc.node(value).kind
        else {
            return None;
        };
        let first = doc.node(*items.first()?);
        let dash = dash_before(self.text, first.props_start)?;
        if self.is_explicit_key(key) {
            return None;
        }
        let pad = col_of(self.text, dash).checked_sub(self.col(key))?;
        let gap = gap_after_dash(self.text, dash, first.props_start).unwrap_or(1);
        Some(BlockSeqStyle { pad, gap })
    }
}

/// A one-line comma separator as written, else `,` where colons are written tight (JSON from
/// `kubectl -o json` piped through `jq -c`), else `, `.
fn one_line_comma(between: Option<&str>, colon: &str) -> String {
    match between {
        Some(sep) if sep.trim_matches(' ') == "," => sep.to_owned(),
        _ if colon == ":" => ",".to_owned(),
        _ => ", ".to_owned(),
    }
}

/// The first item, or first key, of a flow collection that holds something.
fn first_flow_entry(kind: &NodeKind<'_>) -> Option<NodeId> {
    match kind {
        NodeKind::Sequence {
            flow: true, items, ..
        } => items.first().copied(),
        NodeKind::Mapping {
            flow: true,
            entries,
            ..
        } => entries.first().map(|&(key, _)| key),
        _ => None,
    }
}

/// The offset of the '-' that introduces a block sequence item starting at `item`.
fn dash_before(text: &str, item: usize) -> Option<usize> {
    let at = text::last_content_before(text, item)?;
    (text.as_bytes()[at] == b'-').then_some(at)
}

/// The spaces between a dash and an item on the same line.
fn gap_after_dash(text: &str, dash: usize, item: usize) -> Option<usize> {
    let between = text.get(dash + 1..item)?;
    between
        .bytes()
        .all(|b| b == b' ')
        .then_some(between.len())
        .filter(|&n| n > 0)
}

/// The column of a byte offset, in characters, as the parser counts it (a BOM takes none).
fn col_of(text: &str, pos: usize) -> usize {
    let line = &text[text::line_start(text, pos)..pos];
    line.chars().filter(|&c| c != '\u{feff}').count()
}
