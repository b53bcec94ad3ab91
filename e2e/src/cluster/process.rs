//! Running the cluster tools (`kind`, `docker`) as subprocesses, always with a time limit.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

/// Runs `program args…`, feeding `stdin` when given; returns standard output.
///
/// # Errors
/// The program is missing, exceeds `limit`, or exits non-zero (its standard error is included).
pub async fn output(
    program: &str,
    args: &[&str],
    stdin: Option<&[u8]>,
    limit: Duration,
) -> anyhow::Result<String> {
    let shown = format!("{program} {}", args.join(" "));
    tracing::debug!(command = %shown, "running");
    let mut child = Command::new(program)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).await?;
    }

    let result = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .with_context(|| format!("`{shown}` took over {}s", limit.as_secs()))??;
    if !result.status.success() {
        bail!(
            "`{shown}` failed ({}): {}",
            result.status,
            String::from_utf8_lossy(&result.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&result.stdout).into_owned())
}

/// Why `program` cannot be run (`None`: it answers `program version`).
pub async fn missing(program: &str, install_hint: &str) -> Option<String> {
    match output(program, &["version"], None, Duration::from_secs(20)).await {
        Ok(_) => None,
        Err(error) => Some(format!(
            "{program} is not usable ({error:#}); {install_hint}"
        )),
    }
}
