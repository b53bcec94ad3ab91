//! JSON text exactly as Go's `encoding/json` writes it, so our Secrets decode to kubectl's bytes.
//!
//! `serde_json` already escapes what both agree on (`"`, `\`, control characters); Go additionally
//! escapes `<`, `>`, `&` (HTML safety) and U+2028/U+2029 (JavaScript line terminators). A custom
//! [`serde_json::ser::Formatter`] adds those escapes on top of `serde_json`'s compact output.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// Compact JSON with Go's string escaping.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoFormatter;

impl Formatter for GoFormatter {
    fn write_string_fragment<W>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        let mut start = 0;
        for (index, ch) in fragment.char_indices() {
            if let Some(escape) = go_only_escape(ch) {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                writer.write_all(escape.as_bytes())?;
                start = index + ch.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()>
    where
        W: ?Sized + io::Write,
    {
        CompactFormatter.write_char_escape(writer, char_escape)
    }
}

/// The escapes Go writes that `serde_json` does not.
fn go_only_escape(ch: char) -> Option<&'static str> {
    match ch {
        '<' => Some("\\u003c"),
        '>' => Some("\\u003e"),
        '&' => Some("\\u0026"),
        '\u{2028}' => Some("\\u2028"),
        '\u{2029}' => Some("\\u2029"),
        _ => None,
    }
}

/// Serializes `value` as compact JSON with Go's escaping.
///
/// # Errors
/// Fails only when `value`'s `Serialize` implementation fails (for example a map with non-string
/// keys); none of this crate's types do.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut serializer)?;
    // The formatter only ever writes valid UTF-8 (input strings plus ASCII escapes), so this
    // error path is there for completeness, not because it is expected.
    String::from_utf8(out).map_err(serde::ser::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::to_string;

    #[test]
    fn html_characters_are_escaped_like_go() {
        assert_eq!(to_string("a<b>c&d").unwrap(), r#""a\u003cb\u003ec\u0026d""#);
    }

    #[test]
    fn line_and_paragraph_separators_are_escaped_like_go() {
        assert_eq!(
            to_string("a\u{2028}b\u{2029}c").unwrap(),
            r#""a\u2028b\u2029c""#
        );
    }

    #[test]
    fn control_characters_use_short_escapes_where_go_does() {
        assert_eq!(
            to_string("\n\r\t\u{8}\u{c}\u{1}").unwrap(),
            r#""\n\r\t\b\f\u0001""#
        );
    }

    #[test]
    fn delete_and_non_ascii_stay_raw() {
        assert_eq!(to_string("\u{7f}ä€🔑").unwrap(), "\"\u{7f}ä€🔑\"");
    }
}
