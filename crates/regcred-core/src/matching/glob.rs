//! Go's `path/filepath.Match` on Unix, which the keyring applies to each host label.
//!
//! `*` matches any run of bytes without `/`, `?` one character, `[a-z]` / `[^a-z]` a class,
//! and `\` escapes the next character. Matching is case-sensitive. A malformed pattern (an
//! unclosed `[`, a trailing `\`) is an error, which the keyring treats as "no match".

/// The pattern is malformed (Go's `ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BadPattern;

/// Go's `filepath.Match(pattern, name)` with `/` as separator.
pub(super) fn matches(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }

        let attempt = match_chunk(chunk, name);
        if let Ok(Some(t)) = attempt
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        attempt?;

        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                match match_chunk(chunk, &name[i + 1..]) {
                    Ok(Some(t)) if pattern.is_empty() && !t.is_empty() => {}
                    Ok(Some(t)) => {
                        name = t;
                        continue 'pattern;
                    }
                    Ok(None) => {}
                    Err(err) => return Err(err),
                }
                i += 1;
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Go's `scanChunk`: leading stars, then the chunk up to the next unbracketed `*`.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let Some(rest) = pattern.strip_prefix(b"*") {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => return (star, &pattern[..i], &pattern[i..]),
            _ => {}
        }
        i += 1;
    }
    (star, pattern, &[])
}

/// Go's `matchChunk`: the rest of `s` after the chunk matched its start, `None` if it did not.
///
/// Like Go, it reads the whole chunk even after a mismatch, so a malformed class is always
/// reported.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    let mut failed = false;
    while let Some(&first) = chunk.first() {
        failed = failed || s.is_empty();
        match first {
            b'[' => {
                let mut rune = 0;
                if !failed {
                    let (r, n) = decode_rune(s);
                    rune = r;
                    s = &s[n..];
                }
                let (matched, rest) = match_class(&chunk[1..], rune)?;
                chunk = rest;
                failed = failed || !matched;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    s = &s[decode_rune(s).1..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                let literal = if first == b'\\' {
                    chunk = &chunk[1..];
                    *chunk.first().ok_or(BadPattern)?
                } else {
                    first
                };
                if !failed {
                    failed = literal != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok((!failed).then_some(s))
}

/// Reads a class after its `[`: whether `rune` is in it, and the pattern after its `]`.
fn match_class(mut chunk: &[u8], rune: u32) -> Result<(bool, &[u8]), BadPattern> {
    let negated = chunk.first() == Some(&b'^');
    if negated {
        chunk = &chunk[1..];
    }
    let mut matched = false;
    let mut ranges = 0;
    loop {
        if chunk.first() == Some(&b']') && ranges > 0 {
            return Ok((matched != negated, &chunk[1..]));
        }
        let (lo, rest) = class_char(chunk)?;
        let (hi, rest) = if rest[0] == b'-' {
            class_char(&rest[1..])?
        } else {
            (lo, rest)
        };
        chunk = rest;
        matched = matched || (lo <= rune && rune <= hi);
        ranges += 1;
    }
}

/// Go's `getEsc`: one possibly escaped character of a class, and a non-empty rest.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-' | b']') => return Err(BadPattern),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(BadPattern);
            }
        }
        Some(_) => {}
    }
    let (rune, n) = decode_rune(chunk);
    let rest = &chunk[n..];
    if (rune == REPLACEMENT && n == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((rune, rest))
}

/// U+FFFD, which Go's decoder returns for invalid UTF-8.
const REPLACEMENT: u32 = 0xFFFD;

/// Go's `utf8.DecodeRuneInString`: the first character and its width (`U+FFFD`, 1 if invalid).
fn decode_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (REPLACEMENT, 0);
    }
    for width in 1..=s.len().min(4) {
        if let Ok(text) = std::str::from_utf8(&s[..width])
            && let Some(c) = text.chars().next()
        {
            return (u32::from(c), width);
        }
    }
    (REPLACEMENT, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str, name: &str) -> Result<bool, BadPattern> {
        matches(pattern.as_bytes(), name.as_bytes())
    }

    #[test]
    fn wildcards_behave_like_go() {
        assert_eq!(glob("*", "registry"), Ok(true));
        assert_eq!(glob("*", ""), Ok(true));
        assert_eq!(glob("reg*", "registry"), Ok(true));
        assert_eq!(glob("*try", "registry"), Ok(true));
        assert_eq!(glob("r*g*y", "registry"), Ok(true));
        assert_eq!(glob("*example", "registryexample"), Ok(true));
        assert_eq!(glob("*x", "registry"), Ok(false));
        assert_eq!(glob("r?gistry", "registry"), Ok(true));
        assert_eq!(glob("r?gistry", "rgistry"), Ok(false));
        assert_eq!(glob("r[aeiou]gistry", "registry"), Ok(true));
        assert_eq!(glob("r[^e]gistry", "registry"), Ok(false));
        assert_eq!(glob("r[a-f]gistry", "registry"), Ok(true));
        assert_eq!(glob("r\\egistry", "registry"), Ok(true));
        assert_eq!(glob("Registry", "registry"), Ok(false));
        assert_eq!(glob("?", "é"), Ok(true));
    }

    #[test]
    fn malformed_patterns_are_errors_like_go() {
        assert_eq!(glob("r[", "r"), Err(BadPattern));
        assert_eq!(glob("r[a-", "ra"), Err(BadPattern));
        assert_eq!(glob("r\\", "r"), Err(BadPattern));
        assert_eq!(glob("[]", "x"), Err(BadPattern));
        assert_eq!(glob("x[", "y"), Err(BadPattern));
        assert_eq!(glob("[x-]", "x"), Err(BadPattern));
    }
}
