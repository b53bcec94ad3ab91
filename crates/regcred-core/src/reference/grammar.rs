//! The distribution reference grammar itself, without regular expressions.
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] component ( "/" component )*
//! domain     := ( label ( "." label )* | "[" [0-9a-fA-F:]+ "]" ) [ ":" [0-9]+ ]
//! label      := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
//! component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex{32,}   (sha256, sha384 or sha512 with lower-case hex)
//! ```

use super::{Error, MAX_PATH_LENGTH, Result};

/// The parts of a reference that matched the grammar, borrowed from the parsed text.
pub(super) struct Parts<'a> {
    /// Host and port; empty when the name has no domain.
    pub domain: &'a str,
    /// The repository path.
    pub path: &'a str,
    /// The tag, when written.
    pub tag: Option<&'a str>,
    /// The digest, when written.
    pub digest: Option<&'a str>,
}

/// Whether the value is exactly 64 lower-case hexadecimal digits (an image ID).
pub(super) fn is_hex_identifier(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parses `text` (a normalised `domain/remainder`) with the grammar; errors quote `original`.
pub(super) fn parse_canonical<'a>(text: &'a str, original: &str) -> Result<Parts<'a>> {
    let (name_and_tag, digest) = match text.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (text, None),
    };
    let (name, tag) = split_tag(name_and_tag);
    let (domain, path) = split_name(name, original)?;

    check_path(path, original)?;
    if let Some(tag) = tag {
        check_tag(tag, original)?;
    }
    if let Some(digest) = digest {
        check_digest(digest, original)?;
    }
    if path.len() > MAX_PATH_LENGTH {
        return Err(Error::NameTooLong {
            value: original.to_owned(),
            length: path.len(),
        });
    }
    Ok(Parts {
        domain,
        path,
        tag,
        digest,
    })
}

/// Splits `name:tag` at the first `:` after the last `/` (a port's `:` comes before a `/`).
fn split_tag(text: &str) -> (&str, Option<&str>) {
    let last_component = text.rfind('/').map_or(0, |i| i + 1);
    match text[last_component..].find(':') {
        Some(i) => (
            &text[..last_component + i],
            Some(&text[last_component + i + 1..]),
        ),
        None => (text, None),
    }
}

/// Splits a name into domain and path: the first component is a domain when it is a valid one.
///
/// A first component that is no valid domain but a valid path component stays in the path,
/// as the grammar's optional domain group allows.
fn split_name<'a>(name: &'a str, original: &str) -> Result<(&'a str, &'a str)> {
    let Some((first, rest)) = name.split_once('/') else {
        return Ok(("", name));
    };
    match domain_problem(first) {
        None => Ok((first, rest)),
        Some(_) if component_problem(first).is_none() => Ok(("", name)),
        Some(reason) => Err(Error::InvalidDomain {
            value: original.to_owned(),
            domain: first.to_owned(),
            reason,
        }),
    }
}

/// What is wrong with a `host[:port]`, or `None` when it is valid.
fn domain_problem(domain: &str) -> Option<String> {
    let (host, port) = if domain.starts_with('[') {
        let Some(end) = domain.find(']') else {
            return Some("'[' is not closed by ']'".into());
        };
        let inner = &domain[1..end];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Some(format!("'[{inner}]' is not an IPv6 address"));
        }
        ("", &domain[end + 1..])
    } else {
        let colon = domain.find(':').unwrap_or(domain.len());
        (&domain[..colon], &domain[colon..])
    };
    if (!host.is_empty() || !domain.starts_with('['))
        && let Some(problem) = host_name_problem(host)
    {
        return Some(problem);
    }
    port_problem(port)
}

/// What is wrong with a dotted host name, or `None`.
fn host_name_problem(host: &str) -> Option<String> {
    for label in host.split('.') {
        if label.is_empty() {
            return Some("it has an empty label (two dots in a row, or a dot at an end)".into());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
        {
            return Some(format!("'{c}' is not allowed in a host name"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!("the label '{label}' starts or ends with '-'"));
        }
    }
    None
}

/// What is wrong with the `:port` after a host, or `None` (an absent port is fine).
fn port_problem(port: &str) -> Option<String> {
    if port.is_empty() {
        return None;
    }
    let Some(digits) = port.strip_prefix(':') else {
        return Some(format!("'{port}' follows the host, where only ':port' may"));
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("the port '{digits}' is not a number"));
    }
    None
}

/// Checks every `/`-separated component of a repository path.
fn check_path(path: &str, original: &str) -> Result<()> {
    for component in path.split('/') {
        if let Some(reason) = component_problem(component) {
            return Err(Error::InvalidPathComponent {
                value: original.to_owned(),
                component: component.to_owned(),
                reason,
            });
        }
    }
    Ok(())
}

/// What is wrong with one path component, or `None` when it is valid.
fn component_problem(component: &str) -> Option<String> {
    if component.is_empty() {
        return Some("it is empty (two '/' in a row, or a '/' at an end)".into());
    }
    if let Some(c) = component.chars().find(|c| !is_path_char(*c)) {
        let reason = if c.is_ascii_uppercase() {
            "upper-case letters are not allowed in repository paths".into()
        } else {
            format!("'{c}' is not allowed in repository paths")
        };
        return Some(reason);
    }
    separator_problem(component)
}

/// Whether a character may appear in a path component at all.
fn is_path_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

/// What is wrong with the separators between letters and digits, or `None`.
fn separator_problem(component: &str) -> Option<String> {
    let is_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !component.starts_with(is_alnum) || !component.ends_with(is_alnum) {
        return Some("it must start and end with a letter or digit".into());
    }
    for separator in component.split(is_alnum).filter(|s| !s.is_empty()) {
        let allowed = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !allowed {
            return Some(format!("the separator '{separator}' is not allowed"));
        }
    }
    None
}

/// Checks a tag: a word character, then up to 127 word characters, dots and dashes.
fn check_tag(tag: &str, original: &str) -> Result<()> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let reason = if tag.is_empty() {
        Some("':' is not followed by a tag".to_owned())
    } else if let Some(c) = tag.chars().find(|c| !is_word(*c) && *c != '.' && *c != '-') {
        Some(format!("'{c}' is not allowed in tags"))
    } else if !tag.starts_with(is_word) {
        Some("a tag cannot start with '.' or '-'".to_owned())
    } else if tag.len() > 128 {
        Some(format!(
            "it has {} characters; at most 128 are allowed",
            tag.len()
        ))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidTag {
            value: original.to_owned(),
            tag: tag.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Checks a digest against the grammar and the algorithms the kubelet knows.
fn check_digest(digest: &str, original: &str) -> Result<()> {
    match digest_problem(digest) {
        Some(reason) => Err(Error::InvalidDigest {
            value: original.to_owned(),
            digest: digest.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// What is wrong with a digest, or `None` when the kubelet accepts it.
fn digest_problem(digest: &str) -> Option<String> {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return Some("it has no ':' between algorithm and hex digits".into());
    };
    if !is_algorithm(algorithm) {
        return Some(format!("'{algorithm}' is not a digest algorithm name"));
    }
    if encoded.len() < 32 || !encoded.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some("the part after ':' must be at least 32 hexadecimal digits".into());
    }
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Some(format!("the algorithm '{algorithm}' is not supported")),
    };
    if encoded.len() != expected {
        return Some(format!(
            "{algorithm} needs {expected} hex digits, not {}",
            encoded.len()
        ));
    }
    if encoded.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("the hex digits must be lower case".into());
    }
    None
}

/// Whether text matches `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*`.
fn is_algorithm(text: &str) -> bool {
    text.split(['-', '_', '+', '.']).all(|part| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_follow_the_grammar() {
        for ok in ["a", "a.b", "a_b", "a__b", "a-b", "a---b", "a1.b2_c3__d4-e5"] {
            assert_eq!(component_problem(ok), None, "{ok}");
        }
        for bad in [
            "", "a..b", "a___b", "a._b", "a-.b", "-a", "a-", ".a", "a_", "aB",
        ] {
            assert!(component_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn domains_follow_the_grammar() {
        for ok in [
            "a",
            "a.b",
            "A-1.b",
            "a:1",
            "[::1]",
            "[::1]:5000",
            "127.0.0.1:80",
        ] {
            assert_eq!(domain_problem(ok), None, "{ok}");
        }
        for bad in [
            "a..b", "-a.b", "a-.b", "a:", "a:x", "[]", "[::g]", "[::1", "a_b.c", "a:1:2",
        ] {
            assert!(domain_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn algorithm_names_follow_the_grammar() {
        assert!(is_algorithm("sha256") && is_algorithm("a+b.c-d_e") && is_algorithm("X1"));
        assert!(
            !is_algorithm("")
                && !is_algorithm("1a")
                && !is_algorithm("a+")
                && !is_algorithm("a++b")
        );
    }
}
