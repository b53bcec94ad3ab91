//! Reading what the user points at: files, `-` for stdin, passwords from safe places.

use std::io::{IsTerminal as _, Read as _};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

/// The text of `path`, or of stdin for `-`.
///
/// # Errors
/// When the file cannot be read or is not UTF-8; the message names the path.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).with_context(|| format!("'{}' is not UTF-8 text", path.display()))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read '{}'", path.display()))
}

/// Where the password comes from.
#[derive(Debug, Clone)]
pub enum PasswordSource {
    /// All of stdin.
    Stdin,
    /// A file.
    File(std::path::PathBuf),
    /// An environment variable.
    Env(String),
    /// The command line (discouraged, warned about).
    Argv(String),
}

/// Reads the password from `source`, or prompts on a terminal when there is none.
///
/// One trailing line break (`\n` or `\r\n`) is dropped from stdin and files, as `docker login
/// --password-stdin` does, since `echo` and editors add it; everything else is kept as given.
///
/// # Errors
/// Unreadable sources, a missing variable, non-UTF-8 bytes, or no source without a terminal.
pub fn read_password(source: Option<PasswordSource>) -> Result<String> {
    let raw = match source {
        Some(PasswordSource::Stdin) => strip_line_break(read_bytes(Path::new("-"))?),
        Some(PasswordSource::File(path)) => strip_line_break(read_bytes(&path)?),
        Some(PasswordSource::Env(name)) => std::env::var_os(&name)
            .with_context(|| {
                format!(
                    "environment variable '{name}' is not set; export it or use --password-stdin"
                )
            })?
            .into_encoded_bytes(),
        Some(PasswordSource::Argv(password)) => password.into_bytes(),
        None => prompt()?.into_bytes(),
    };
    String::from_utf8(raw).map_err(|_| {
        anyhow::anyhow!(
            "the password is not valid UTF-8; kubectl would store U+FFFD in 'password' while 'auth' keeps the original bytes, so the two would disagree: save the password as UTF-8"
        )
    })
}

fn strip_line_break(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    bytes
}

fn prompt() -> Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "no password given; pass it with --password-stdin, --password-file FILE or --password-env VAR"
        );
    }
    rpassword::prompt_password("Registry password: ")
        .context("cannot read the password from the terminal")
}

#[cfg(test)]
mod tests {
    use super::strip_line_break;

    #[test]
    fn one_trailing_line_break_is_dropped() {
        assert_eq!(strip_line_break(b"pw\n".to_vec()), b"pw");
        assert_eq!(strip_line_break(b"pw\r\n".to_vec()), b"pw");
        assert_eq!(strip_line_break(b"pw\n\n".to_vec()), b"pw\n");
        assert_eq!(strip_line_break(b"pw ".to_vec()), b"pw ");
    }
}
