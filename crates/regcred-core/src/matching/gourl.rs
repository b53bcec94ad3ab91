//! Go's `net/url.Parse` and `net.SplitHostPort`, reduced to what the kubelet keyring reads.
//!
//! The keyring parses every secret key (with `https://` put in front) and every image
//! repository as a URL and keeps only the host and the decoded path. What Go accepts decides
//! which keys count, so this follows Go 1.25 (the toolchain of Kubernetes 1.35) byte for byte:
//! fragments and queries are cut off, user info is dropped, `%` escapes are decoded, and
//! control characters, stray white space or a non-numeric port make the key unusable.
//!
//! Values are bytes, as Go strings are: a `%` escape can decode to bytes that are not UTF-8.

use std::net::Ipv6Addr;

/// The two parts of a parsed URL that the keyring uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Url {
    /// `host[:port]`, decoded; IPv6 literals keep their brackets.
    pub host: Vec<u8>,
    /// The decoded path, empty when there is none.
    pub path: Vec<u8>,
}

/// The escaping rules `unescape` applies, as in Go's `encoding` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The host part of the authority.
    Host,
    /// An IPv6 zone identifier (after `%25`).
    Zone,
    /// The path, the fragment or the user info: only `%` escapes are checked.
    Other,
}

/// Parses like Go's `url.Parse`; `None` where Go returns an error.
pub(super) fn parse(raw: &[u8]) -> Option<Url> {
    let (without_fragment, fragment) = cut(raw, b'#');
    let url = parse_without_fragment(without_fragment)?;
    if let Some(fragment) = fragment {
        unescape(fragment, Mode::Other)?;
    }
    Some(url)
}

/// Go's `parse(rawURL, viaRequest=false)` for a URL without its fragment.
fn parse_without_fragment(raw: &[u8]) -> Option<Url> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7f) {
        return None;
    }
    if raw == b"*" {
        return Some(Url {
            host: Vec::new(),
            path: b"*".to_vec(),
        });
    }

    let (scheme, rest) = split_scheme(raw)?;
    let rest = strip_query(rest);
    if !rest.starts_with(b"/") {
        if !scheme.is_empty() {
            // An opaque URL such as `mailto:x`: no host, no path.
            return Some(Url {
                host: Vec::new(),
                path: Vec::new(),
            });
        }
        if cut(rest, b'/').0.contains(&b':') {
            return None;
        }
    }

    let (host, rest) =
        if (!scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
            let authority_and_path = &rest[2..];
            let slash = authority_and_path.iter().position(|&b| b == b'/');
            let (authority, path) =
                authority_and_path.split_at(slash.unwrap_or(authority_and_path.len()));
            (parse_authority(authority)?, path)
        } else {
            (Vec::new(), rest)
        };
    Some(Url {
        host,
        path: unescape(rest, Mode::Other)?,
    })
}

/// Go's `getScheme`: the scheme (possibly empty) and the rest; `None` for a leading `:`.
fn split_scheme(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return None,
            b':' => return Some((&raw[..i], &raw[i + 1..])),
            _ => return Some((&[], raw)),
        }
    }
    Some((&[], raw))
}

/// Cuts the query off; a lone trailing `?` is dropped as Go's `ForceQuery` does.
fn strip_query(rest: &[u8]) -> &[u8] {
    let first_question_mark = rest.iter().position(|&b| b == b'?');
    if first_question_mark.is_some_and(|i| i + 1 == rest.len()) {
        return &rest[..rest.len() - 1];
    }
    cut(rest, b'?').0
}

/// Go's `parseAuthority`: the host, after checking (and dropping) any user info.
fn parse_authority(authority: &[u8]) -> Option<Vec<u8>> {
    let at = authority.iter().rposition(|&b| b == b'@');
    let host = parse_host(at.map_or(authority, |i| &authority[i + 1..]))?;
    if let Some(at) = at {
        let userinfo = &authority[..at];
        if !userinfo.iter().all(|&b| is_userinfo_byte(b)) {
            return None;
        }
        let (user, password) = cut(userinfo, b':');
        unescape(user, Mode::Other)?;
        unescape(password.unwrap_or_default(), Mode::Other)?;
    }
    Some(host)
}

/// Whether Go's `validUserinfo` allows this byte (non-ASCII never).
fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b)
}

/// Go's `parseHost` (Go 1.25: the port is whatever follows the last `:`).
fn parse_host(host: &[u8]) -> Option<Vec<u8>> {
    match host.iter().rposition(|&b| b == b'[') {
        Some(0) => parse_ip_literal(host),
        Some(_) => None,
        None => {
            if let Some(colon) = host.iter().rposition(|&b| b == b':')
                && !is_valid_optional_port(&host[colon..])
            {
                return None;
            }
            unescape(host, Mode::Host)
        }
    }
}

/// A bracketed IPv6 literal with optional zone and port; IPv4 in brackets is refused.
fn parse_ip_literal(host: &[u8]) -> Option<Vec<u8>> {
    let close = host.iter().rposition(|&b| b == b']')?;
    let colon_port = &host[close + 1..];
    if !is_valid_optional_port(colon_port) {
        return None;
    }
    let port = unescape(colon_port, Mode::Host)?;

    let inner = &host[1..close];
    let address = match find(inner, b"%25") {
        Some(zone) => {
            let mut address = unescape(&inner[..zone], Mode::Host)?;
            address.extend(unescape(&inner[zone..], Mode::Zone)?);
            address
        }
        None => unescape(inner, Mode::Host)?,
    };
    if !is_ipv6_address(&address) {
        return None;
    }
    Some([b"[".as_slice(), &address, b"]", &port].concat())
}

/// Whether Go's `netip.ParseAddr` reads the text as an IPv6 address (zone allowed).
fn is_ipv6_address(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let (address, zone) = match text.split_once('%') {
        Some((address, zone)) => (address, Some(zone)),
        None => (text, None),
    };
    zone.is_none_or(|zone| !zone.is_empty()) && address.parse::<Ipv6Addr>().is_ok()
}

/// Go's `validOptionalPort`: empty, or `:` followed by digits only (`:` alone is fine).
fn is_valid_optional_port(port: &[u8]) -> bool {
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// Go's `unescape`: checks the text for the mode and decodes `%XX` escapes.
fn unescape(text: &[u8], mode: Mode) -> Option<Vec<u8>> {
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            check_escape(text, i, mode)?;
            i += 3;
        } else {
            let strict = matches!(mode, Mode::Host | Mode::Zone);
            if strict && text[i] < 0x80 && !is_host_byte(text[i]) {
                return None;
            }
            i += 1;
        }
    }
    Some(decode(text))
}

/// Checks the `%XX` escape at `i` for the mode.
fn check_escape(text: &[u8], i: usize, mode: Mode) -> Option<()> {
    if i + 2 >= text.len() || !text[i + 1].is_ascii_hexdigit() || !text[i + 2].is_ascii_hexdigit() {
        return None;
    }
    let escape = &text[i..i + 3];
    let value = hex_value(text[i + 1]) << 4 | hex_value(text[i + 2]);
    let refused = match mode {
        // Hosts may escape only non-ASCII bytes, and `%25` for zones.
        Mode::Host => hex_value(text[i + 1]) < 8 && escape != b"%25",
        Mode::Zone => escape != b"%25" && value != b' ' && !is_host_byte(value),
        Mode::Other => false,
    };
    (!refused).then_some(())
}

/// Decodes `%XX` escapes already checked by `unescape`.
fn decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            out.push(hex_value(text[i + 1]) << 4 | hex_value(text[i + 2]));
            i += 3;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// The value of one hexadecimal digit.
fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

/// Whether an ASCII byte may appear unescaped in a host (Go's `encodeHost` table).
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!\"$&'()*+,-.:;<=>[]_~".contains(&b)
}

/// Go's `net.SplitHostPort`, falling back to `(hostport, "")` on error as the keyring does.
pub(super) fn split_host_port(hostport: &[u8]) -> (&[u8], &[u8]) {
    strict_split_host_port(hostport).unwrap_or((hostport, b""))
}

/// Go's `net.SplitHostPort`; `None` where it returns an error.
fn strict_split_host_port(hostport: &[u8]) -> Option<(&[u8], &[u8])> {
    let last_colon = hostport.iter().rposition(|&b| b == b':')?;
    let (host, j, k) = if hostport[0] == b'[' {
        let end = hostport.iter().position(|&b| b == b']')?;
        if end + 1 != last_colon {
            return None;
        }
        (&hostport[1..end], 1, end + 1)
    } else {
        let host = &hostport[..last_colon];
        if host.contains(&b':') {
            return None;
        }
        (host, 0, 0)
    };
    if hostport[j..].contains(&b'[') || hostport[k..].contains(&b']') {
        return None;
    }
    Some((host, &hostport[last_colon + 1..]))
}

/// Splits at the first `sep`: the part before and, when found, the part after.
fn cut(text: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match text.iter().position(|&b| b == sep) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_and_path(raw: &str) -> Option<(String, String)> {
        let url = parse(raw.as_bytes())?;
        Some((
            String::from_utf8_lossy(&url.host).into(),
            String::from_utf8_lossy(&url.path).into(),
        ))
    }

    #[allow(
        clippy::unnecessary_wraps,
        reason = "compared with host_and_path's Option"
    )]
    fn pair(host: &str, path: &str) -> Option<(String, String)> {
        Some((host.into(), path.into()))
    }

    #[test]
    fn hosts_ports_and_paths_are_read_like_go() {
        assert_eq!(
            host_and_path("https://r.example.com:5000/v2/"),
            pair("r.example.com:5000", "/v2/")
        );
        assert_eq!(
            host_and_path("https://u:p@r.example.com/x?y#z"),
            pair("r.example.com", "/x")
        );
        assert_eq!(
            host_and_path("https://r.example.com:/x"),
            pair("r.example.com:", "/x")
        );
        assert_eq!(
            host_and_path("https://r.example.com/a%20b"),
            pair("r.example.com", "/a b")
        );
        assert_eq!(
            host_and_path("https://%C3%A9.example.com"),
            pair("é.example.com", "")
        );
        assert_eq!(
            host_and_path("https://HTTPS://r.example.com"),
            pair("HTTPS:", "//r.example.com")
        );
        assert_eq!(host_and_path("https://r?.example.com"), pair("r", ""));
        assert_eq!(
            host_and_path("https://[::1]:5000/x"),
            pair("[::1]:5000", "/x")
        );
        assert_eq!(host_and_path("https://a:1:2/x"), pair("a:1:2", "/x"));
    }

    #[test]
    fn malformed_keys_are_refused_like_go() {
        for raw in [
            "https://r.example.com:abc",
            "https:// r.example.com",
            "https://r.example.com\n",
            "https://r.example.com/%zz",
            "https://%41.example.com",
            "https://r_x%.example.com",
            "https://[1.2.3.4]/x",
            "https://a[::1]/x",
            "https://[::1/x",
            "https://r.example.com/x#%",
            "https://a b@r.example.com",
            "https://r\\x.example.com",
        ] {
            assert_eq!(host_and_path(raw), None, "{raw}");
        }
    }

    #[test]
    fn split_host_port_falls_back_to_the_whole_host() {
        let split = |s: &str| {
            let (h, p) = split_host_port(s.as_bytes());
            (
                String::from_utf8_lossy(h).into_owned(),
                String::from_utf8_lossy(p).into_owned(),
            )
        };
        assert_eq!(split("a.b:5000"), ("a.b".into(), "5000".into()));
        assert_eq!(split("a.b"), ("a.b".into(), String::new()));
        assert_eq!(split("a.b:"), ("a.b".into(), String::new()));
        assert_eq!(split("[::1]:80"), ("::1".into(), "80".into()));
        assert_eq!(split("[::1]"), ("[::1]".into(), String::new()));
        assert_eq!(split("a:1:2"), ("a:1:2".into(), String::new()));
    }
}
