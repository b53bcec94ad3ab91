//! Where the program's output goes: results to stdout, diagnostics to stderr.
#![allow(
    clippy::print_stderr,
    reason = "this module is where the binary writes diagnostics"
)]

use std::io::{self, Write as _};

use regcred_core::{Finding, Severity};

/// Writes a result to stdout; a closed pipe (`| head`) is not an error.
///
/// # Errors
/// Any write error other than a broken pipe.
pub fn emit(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints findings below error severity to stderr, one per line.
pub fn warn_findings(findings: &[Finding]) {
    for finding in findings.iter().filter(|f| f.severity < Severity::Error) {
        eprintln!("{}: {finding}", finding.severity);
    }
}

/// Prints one warning line to stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// Prints the final error line to stderr.
pub fn error(error: &anyhow::Error) {
    eprintln!("error: {}", regcred_kube::error_chain(error.as_ref()));
}
