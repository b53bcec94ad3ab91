//! Registry-level proof: anonymous pulls are refused, regcred-core's docker config pulls through
//! an independent client, and a password rotation invalidates the old config but not the data.

use anyhow::{Context as _, bail, ensure};
use regcred_core::dockerconfig::{ConfigFile, build_dockerconfigjson};
use reqwest::StatusCode;

use crate::registry::Registry;
use crate::run::Run;
use crate::runner::Runner;
use crate::skopeo::{Auth, Pull, Skopeo};

/// Check: no credentials, no image.
pub const ANONYMOUS: &str = "registry: an anonymous pull is refused with 401";
/// Check: the generated config is enough, and the bytes are the pushed ones.
pub const CONFIG_PULL: &str =
    "registry: skopeo pulls with regcred-core's docker config; digest equals the pushed one";
/// Check: rotation.
pub const ROTATION: &str =
    "registry: after a password rotation the old config gets 401 and a regenerated one pulls";

/// Every check of this part, in order.
pub const CHECKS: [&str; 3] = [ANONYMOUS, CONFIG_PULL, ROTATION];

/// The repository the test image is pushed to.
pub const REPOSITORY: &str = "regcred-e2e/busybox";

/// The test image as pushed.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// Repository path inside the registry.
    pub repository: String,
    /// The run's unique tag.
    pub tag: String,
    /// The manifest digest the registry stored.
    pub digest: String,
}

impl Pushed {
    /// The image reference under `registry_host` (as a given client dials it).
    pub fn image_at(&self, registry_host: &str) -> String {
        format!("{registry_host}/{}:{}", self.repository, self.tag)
    }
}

/// Pushes the local test image under the run's tag, authenticating with a regcred-core config.
///
/// # Errors
/// The config cannot be built or skopeo cannot push.
pub async fn push_test_image(
    run: &Run,
    registry: &Registry,
    skopeo: &Skopeo,
    local_image: &str,
) -> anyhow::Result<Pushed> {
    let auth_file = write_config(run, registry, "push")?;
    let pushed = Pushed {
        repository: REPOSITORY.to_owned(),
        tag: run.image_tag(),
        digest: String::new(),
    };
    let target = pushed.image_at(&registry.endpoint());

    let digest = skopeo
        .push(local_image, &target, &auth_file, registry.ca_dir())
        .await?;
    tracing::info!(image = %target, %digest, "pushed");
    Ok(Pushed { digest, ..pushed })
}

/// Runs the three checks in order.
pub async fn run_checks(
    runner: &mut Runner,
    run: &Run,
    registry: &mut Registry,
    skopeo: &Skopeo,
    pushed: &Pushed,
) {
    runner
        .check(
            ANONYMOUS,
            anonymous_pull_is_refused(registry, skopeo, pushed),
        )
        .await;
    runner
        .check(CONFIG_PULL, async {
            let config = write_config(run, registry, "generated")?;
            tls_is_verified(run, registry, skopeo, pushed, &config).await?;
            pull_matches(registry, skopeo, pushed, &config).await
        })
        .await;
    runner
        .check(ROTATION, rotation(run, registry, skopeo, pushed))
        .await;
}

async fn anonymous_pull_is_refused(
    registry: &Registry,
    skopeo: &Skopeo,
    pushed: &Pushed,
) -> anyhow::Result<()> {
    let status = registry
        .manifest_status(&pushed.repository, &pushed.tag, None)
        .await?;
    ensure!(
        status == StatusCode::UNAUTHORIZED,
        "anonymous manifest GET answered {status}, expected 401"
    );

    let image = pushed.image_at(&registry.endpoint());
    expect_refused(
        skopeo
            .pull(&image, Auth::Anonymous, registry.ca_dir())
            .await?,
        "an anonymous skopeo pull",
    )
}

/// The same pull without the run's CA must fail on the certificate: trust comes from the CA,
/// not from switched-off verification.
async fn tls_is_verified(
    run: &Run,
    registry: &Registry,
    skopeo: &Skopeo,
    pushed: &Pushed,
    config: &std::path::Path,
) -> anyhow::Result<()> {
    let no_ca = run.dir().join("no-ca");
    std::fs::create_dir_all(&no_ca)?;
    let image = pushed.image_at(&registry.endpoint());
    match skopeo.pull(&image, Auth::File(config), &no_ca).await? {
        Pull::Refused { message } if message.contains("certificate") => Ok(()),
        Pull::Refused { message } => {
            bail!("without the CA the pull failed, but not on the certificate: {message}")
        }
        Pull::Pulled { .. } => {
            bail!("the pull succeeded without the run's CA: TLS is not verified")
        }
    }
}

async fn rotation(
    run: &Run,
    registry: &mut Registry,
    skopeo: &Skopeo,
    pushed: &Pushed,
) -> anyhow::Result<()> {
    let old_config = write_config(run, registry, "before-rotation")?;
    pull_matches(registry, skopeo, pushed, &old_config).await?;

    registry.rotate_password().await?;

    let (username, password) = basic_auth_from(&old_config, &registry.endpoint())?;
    let status = registry
        .manifest_status(
            &pushed.repository,
            &pushed.tag,
            Some((&username, &password)),
        )
        .await?;
    ensure!(
        status == StatusCode::UNAUTHORIZED,
        "the old credentials got {status} after rotation, expected 401"
    );
    let image = pushed.image_at(&registry.endpoint());
    expect_refused(
        skopeo
            .pull(&image, Auth::File(&old_config), registry.ca_dir())
            .await?,
        "a skopeo pull with the old config",
    )?;

    let new_config = write_config(run, registry, "after-rotation")?;
    pull_matches(registry, skopeo, pushed, &new_config)
        .await
        .context("the regenerated config (same storage, new password)")
}

/// Writes regcred-core's `.dockerconfigjson` for the registry's current credentials, keyed by
/// its loopback endpoint.
fn write_config(run: &Run, registry: &Registry, name: &str) -> anyhow::Result<std::path::PathBuf> {
    let credentials = registry.credentials_for(&registry.endpoint());
    let config = build_dockerconfigjson(&[credentials])?;
    run.write_private(&format!("auth/{name}.json"), config.as_bytes())
}

/// Reads the credentials a config holds for `server` back through regcred-core's reader, the
/// way the kubelet does.
fn basic_auth_from(config: &std::path::Path, server: &str) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(config)?;
    let parsed = ConfigFile::parse(&text)?;
    let Some((_, entry)) = parsed.auths.iter().find(|(key, _)| key == server) else {
        bail!("{} has no entry for {server}", config.display());
    };
    Ok(entry.credentials(server)?)
}

async fn pull_matches(
    registry: &Registry,
    skopeo: &Skopeo,
    pushed: &Pushed,
    config: &std::path::Path,
) -> anyhow::Result<()> {
    let image = pushed.image_at(&registry.endpoint());
    match skopeo
        .pull(&image, Auth::File(config), registry.ca_dir())
        .await?
    {
        Pull::Pulled { digest } if digest == pushed.digest => Ok(()),
        Pull::Pulled { digest } => bail!(
            "pulled {image} with digest {digest}, but {} was pushed",
            pushed.digest
        ),
        Pull::Refused { message } => bail!("skopeo could not pull {image}: {message}"),
    }
}

/// A refusal that names the 401 (the registry's answer, not a TLS or network failure).
fn expect_refused(pull: Pull, what: &str) -> anyhow::Result<()> {
    match pull {
        Pull::Refused { message } if names_unauthorized(&message) => {
            tracing::info!(%message, "{what} was refused as expected");
            Ok(())
        }
        Pull::Refused { message } => {
            bail!("{what} failed, but not with 401: {message}")
        }
        Pull::Pulled { digest } => bail!("{what} succeeded ({digest}); it must be refused"),
    }
}

/// Whether a client's error text reports HTTP 401 (skopeo prints the registry's error code,
/// `unauthorized: authentication required`; the status itself is checked over HTTP).
pub fn names_unauthorized(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("401") || lower.contains("unauthorized")
}
