//! Byte-level helpers on the source text: line ends, line breaks, line numbers.

/// Where `pos` would move if only blanks stand between the start of its line and it: the start
/// of that line; otherwise `pos` itself.
pub(super) fn start_of_blank_line_prefix(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = pos.min(bytes.len());
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    if is_line_start(text, at) { at } else { pos }
}

/// The start of the line holding `pos` (`pos` past the end counts as the end).
pub(super) fn line_start(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |at| at + 1)
}

/// The offset of the last byte before `pos` that is neither a blank, a line break nor part of
/// a comment (a `#` at the start of a line or after a blank, to the line's end).
pub(super) fn last_content_before(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut limit = pos.min(bytes.len());
    loop {
        let start = line_start(text, limit);
        let line = &bytes[start..limit];
        let comment = (0..line.len())
            .find(|&i| line[i] == b'#' && (i == 0 || matches!(line[i - 1], b' ' | b'\t')));
        let content = &line[..comment.unwrap_or(line.len())];
        if let Some(at) = content.iter().rposition(|&b| !matches!(b, b' ' | b'\t')) {
            return Some(start + at);
        }
        if start == 0 {
            return None;
        }
        limit = start - 1;
    }
}

/// The blanks that start the line holding `pos` (after a BOM on the first line).
pub(super) fn line_indent(text: &str, pos: usize) -> &str {
    let line = text[line_start(text, pos)..].trim_start_matches('\u{feff}');
    let blanks = line
        .bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count();
    &line[..blanks]
}

/// Whether `pos` is at the start of a line.
pub(super) fn is_line_start(text: &str, pos: usize) -> bool {
    pos == 0 || matches!(text.as_bytes().get(pos - 1), Some(b'\n' | b'\r'))
}

/// The offset of the line break that ends the line holding `pos`, or the end of the text.
pub(super) fn line_end(text: &str, pos: usize) -> usize {
    text.as_bytes()
        .iter()
        .skip(pos)
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(text.len(), |found| pos + found)
}

/// The line break that starts at `pos`, if one does.
pub(super) fn line_break_at(text: &str, pos: usize) -> Option<&'static str> {
    let rest = text.as_bytes().get(pos..)?;
    match rest {
        [b'\r', b'\n', ..] => Some("\r\n"),
        [b'\n', ..] => Some("\n"),
        [b'\r', ..] => Some("\r"),
        _ => None,
    }
}

/// The line break that ends the line before `pos`, when `pos` starts a line.
pub(super) fn line_break_before(text: &str, pos: usize) -> Option<&'static str> {
    let before = text.as_bytes().get(..pos)?;
    match before {
        [.., b'\r', b'\n'] => Some("\r\n"),
        [.., b'\n'] => Some("\n"),
        [.., b'\r'] => Some("\r"),
        _ => None,
    }
}

/// The first line break at or after `from`, else the first one before it, else a line feed.
pub(super) fn nearest_line_break(text: &str, from: usize) -> &'static str {
    let from = from.min(text.len());
    let after = line_end(text, from);
    if let Some(found) = line_break_at(text, after) {
        return found;
    }
    match text.as_bytes()[..from]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
    {
        Some(at) => line_break_before(text, at + 1).unwrap_or("\n"),
        None => "\n",
    }
}

/// The start of the line holding `pos`, when that line is the text's last, is not its first,
/// and holds blanks and nothing else (so the text ends in blanks, not in a line break).
pub(super) fn start_of_blank_last_line(text: &str, pos: usize) -> Option<usize> {
    let start = line_start(text, pos);
    let rest = &text[start..];
    (start > 0 && !rest.is_empty() && rest.bytes().all(|b| b == b' ' || b == b'\t'))
        .then_some(start)
}

/// The end of the last comment line, among the comment and blank lines that follow `pos`, that
/// is indented more than `col`: such comments belong to the node above (a commented-out key of
/// the last container, say), so text added after that node goes below them. `pos` is a line end,
/// or a line start when `at_line_start`.
pub(super) fn end_of_deeper_comments(
    text: &str,
    pos: usize,
    at_line_start: bool,
    col: usize,
) -> Option<usize> {
    let mut start = if at_line_start {
        pos
    } else {
        pos + line_break_at(text, pos)?.len()
    };
    let mut found = None;
    while start < text.len() {
        let end = line_end(text, start);
        let line = &text[start..end];
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if body.starts_with('#') && indent > col {
            found = Some(end);
        } else if !body.trim_matches([' ', '\t']).is_empty() {
            break;
        }
        let Some(eol) = line_break_at(text, end) else {
            break;
        };
        start = end + eol.len();
    }
    found
}

/// Counts lines while walking forward through increasing offsets.
pub(super) struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line (from one) of `pos`; `pos` must not go backwards between calls.
    pub fn line_of(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.bytes.len());
        while self.at < pos {
            match self.bytes[self.at] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.at + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.at += 1;
        }
        self.line
    }
}

/// How many line breaks `text` holds, counting CRLF once.
pub(super) fn count_line_breaks(text: &str) -> usize {
    let mut counter = LineCounter::new(text);
    counter.line_of(text.len()) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counter_counts_crlf_once_and_lone_cr() {
        let text = "a\r\nb\nc\rd";
        let mut counter = LineCounter::new(text);
        assert_eq!(counter.line_of(0), 1);
        assert_eq!(counter.line_of(3), 2);
        assert_eq!(counter.line_of(5), 3);
        assert_eq!(counter.line_of(7), 4);
        assert_eq!(count_line_breaks(text), 3);
    }

    #[test]
    fn blank_prefix_moves_to_line_start_only_when_blank() {
        assert_eq!(start_of_blank_line_prefix("a\n  b", 4), 2);
        assert_eq!(start_of_blank_line_prefix("a\n x b", 5), 5);
    }

    #[test]
    fn deeper_comments_after_a_line_are_passed_over_up_to_the_first_shallower_line() {
        let text = "  - a\n    # b\n\n      # c\n  # d\n  e: f\n";
        let first_end = line_end(text, 0);
        assert_eq!(
            end_of_deeper_comments(text, first_end, false, 2),
            Some(line_end(text, text.find("# c").unwrap()))
        );
        assert_eq!(end_of_deeper_comments(text, first_end, false, 6), None);
        assert_eq!(end_of_deeper_comments("a\n", 1, false, 0), None);
        assert_eq!(end_of_deeper_comments("a", 1, false, 0), None);
        let after_block = "x: |\n  t\n   # c\ny: z\n";
        let start = after_block.find("   #").unwrap();
        assert_eq!(
            end_of_deeper_comments(after_block, start, true, 0),
            Some(line_end(after_block, start))
        );
    }

    #[test]
    fn blank_last_line_is_found_only_at_the_end_of_the_text() {
        assert_eq!(start_of_blank_last_line("a\n   ", 5), Some(2));
        assert_eq!(start_of_blank_last_line("a\n  \nb", 3), None);
        assert_eq!(start_of_blank_last_line("a\n  x", 5), None);
        assert_eq!(start_of_blank_last_line("   ", 3), None);
        assert_eq!(start_of_blank_last_line("a\n", 2), None);
    }

    #[test]
    fn last_content_passes_over_blanks_breaks_and_comments() {
        let text = "a: b # c\r\n  ? # d\n\n   # e\n  x";
        assert_eq!(last_content_before(text, text.len() - 1), text.find('?'));
        assert_eq!(last_content_before(text, text.find('?').unwrap()), Some(3));
        assert_eq!(last_content_before("k: a#b  ", 8), Some(5));
        assert_eq!(last_content_before("  # only\n ", 10), None);
        assert_eq!(last_content_before("", 0), None);
    }

    #[test]
    fn nearest_line_break_prefers_the_following_one() {
        assert_eq!(nearest_line_break("a\nb\r\nc", 2), "\r\n");
        assert_eq!(nearest_line_break("a\r\nb", 4), "\r\n");
        assert_eq!(nearest_line_break("ab", 1), "\n");
    }
}
