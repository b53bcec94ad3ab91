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
    fn nearest_line_break_prefers_the_following_one() {
        assert_eq!(nearest_line_break("a\nb\r\nc", 2), "\r\n");
        assert_eq!(nearest_line_break("a\r\nb", 4), "\r\n");
        assert_eq!(nearest_line_break("ab", 1), "\n");
    }
}
