//! Which registry and test images a run uses, building the offline stand-ins when needed.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use testcontainers::GenericImage;
use testcontainers::bollard::Docker;
use testcontainers::runners::AsyncRunner as _;

use crate::docker;
use crate::run::Settings;

/// The registry image `e2e/images/build.sh` makes from Debian's docker-registry package.
pub const OFFLINE_REGISTRY: &str = "regcred-e2e/registry:offline";

/// The workload image `e2e/images/build.sh` makes from Debian's busybox-static package.
pub const TEST_IMAGE: &str = "regcred-e2e/busybox:local";

const PULL_LIMIT: Duration = Duration::from_secs(180);

/// The registry image to run: the upstream one unless offline or unobtainable (then the local
/// stand-in, saying why).
///
/// # Errors
/// The stand-in is needed and cannot be built.
pub async fn registry_image(docker: &Docker, settings: &Settings) -> anyhow::Result<String> {
    if settings.offline {
        ensure_built(docker, OFFLINE_REGISTRY, "registry").await?;
        return Ok(OFFLINE_REGISTRY.to_owned());
    }
    let upstream = settings.registry_image.as_str();
    if docker::has_image(docker, upstream).await? {
        return Ok(upstream.to_owned());
    }

    let why = match pull(upstream).await {
        Ok(()) => return Ok(upstream.to_owned()),
        Err(error) => format!("{error:#}"),
    };
    tracing::warn!(
        image = upstream,
        reason = %why,
        fallback = OFFLINE_REGISTRY,
        "the upstream registry image cannot be had; using the stand-in built from Debian's docker-registry"
    );
    ensure_built(docker, OFFLINE_REGISTRY, "registry").await?;
    Ok(OFFLINE_REGISTRY.to_owned())
}

/// The test workload image, built when missing.
///
/// # Errors
/// It is missing and cannot be built.
pub async fn test_image(docker: &Docker) -> anyhow::Result<&'static str> {
    ensure_built(docker, TEST_IMAGE, "busybox").await?;
    Ok(TEST_IMAGE)
}

/// `name:tag` split the way Docker reads it (a port colon is not a tag colon).
pub fn split_reference(image: &str) -> (&str, &str) {
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(colon) => (
            &image[..last_slash + colon],
            &image[last_slash + colon + 1..],
        ),
        None => (image, "latest"),
    }
}

async fn pull(image: &str) -> anyhow::Result<()> {
    let (name, tag) = split_reference(image);
    let request = GenericImage::new(name, tag).pull_image();
    let _pulled = tokio::time::timeout(PULL_LIMIT, request)
        .await
        .with_context(|| format!("pulling {image} took over {}s", PULL_LIMIT.as_secs()))?
        .with_context(|| format!("cannot pull {image}"))?;
    Ok(())
}

async fn ensure_built(docker: &Docker, image: &str, which: &str) -> anyhow::Result<()> {
    if docker::has_image(docker, image).await? {
        return Ok(());
    }

    let script = build_script();
    tracing::info!(image, script = %script.display(), "building the image from Debian packages");
    let output = tokio::process::Command::new("bash")
        .arg(&script)
        .arg(which)
        .output()
        .await
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "{} {which} failed ({}): {}; run `just e2e-images` to see the whole output",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

fn build_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("images/build.sh")
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn reference_split_keeps_registry_port_in_the_name() {
        assert_eq!(split_reference("registry:2"), ("registry", "2"));
        assert_eq!(
            split_reference("127.0.0.1:5000/a/b:run-1"),
            ("127.0.0.1:5000/a/b", "run-1")
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/a/b"),
            ("127.0.0.1:5000/a/b", "latest")
        );
    }
}
