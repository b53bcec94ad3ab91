//! The private registry under test: the CNCF distribution registry in a container, with htpasswd
//! basic auth, HTTPS from a per-run CA, and storage on a named volume that survives restarts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rand::distr::{Alphanumeric, SampleString as _};
use regcred_core::dockerconfig::{Credentials, Password};
use reqwest::StatusCode;
use testcontainers::bollard::Docker;
use testcontainers::bollard::models::PortBinding;
use testcontainers::core::{ContainerPort, Mount, WaitFor};
use testcontainers::runners::AsyncRunner as _;
use testcontainers::{ContainerAsync, GenericImage, ImageExt as _};

use crate::docker;
use crate::images::split_reference;
use crate::run::Run;
use crate::tls::Tls;

/// The registry container's name; on a shared Docker network (kind's) it is also the host name
/// nodes dial.
pub const CONTAINER_NAME: &str = "regcred-e2e-registry";

/// The port the registry listens on inside its container.
pub const CONTAINER_PORT: u16 = 5000;

/// The one user the registry knows.
pub const USERNAME: &str = "regcred-e2e";

/// bcrypt cost for the htpasswd entry: the registry checks it on every request, so keep it cheap.
const BCRYPT_COST: u32 = 6;

const READY_LIMIT: Duration = Duration::from_secs(60);

/// How to place the registry: the image, and what the cluster backend needs.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// The image (`registry:2` or the offline stand-in).
    pub image: String,
    /// A Docker network to join besides publishing a loopback port (kind's `kind`).
    pub network: Option<String>,
    /// Host names the certificate must carry besides loopback and the container name.
    pub dns_names: Vec<String>,
    /// The loopback port to publish on; any free one when `None`.
    pub host_port: Option<u16>,
}

/// A running registry and what clients need to reach it.
pub struct Registry {
    container: Option<ContainerAsync<GenericImage>>,
    docker: Docker,
    placement: Placement,
    volume: String,
    labels: HashMap<String, String>,
    tls: Tls,
    ca_dir: PathBuf,
    host_port: u16,
    password: Password,
    http: reqwest::Client,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("image", &self.placement.image)
            .field("endpoint", &self.endpoint())
            .field("volume", &self.volume)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// Generates TLS material and a password, creates the storage volume and starts the registry.
    ///
    /// # Errors
    /// Docker refused, or the registry did not come up within a minute.
    pub async fn start(docker: &Docker, run: &Run, placement: Placement) -> anyhow::Result<Self> {
        let mut names = vec![CONTAINER_NAME.to_owned()];
        names.extend(placement.dns_names.iter().cloned());
        let tls = Tls::generate(&names)?;
        let ca_path = run.write_private("ca/ca.crt", tls.ca.as_bytes())?;
        let ca_dir = ca_path.parent().map(Path::to_owned).unwrap_or_default();
        let labels: HashMap<String, String> = run.labels().into_iter().collect();
        let volume = format!("regcred-e2e-registry-{}", run.id);
        docker::create_volume(docker, &volume, labels.clone()).await?;
        let http = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(tls.ca.as_bytes())?)
            .timeout(Duration::from_secs(10))
            .build()?;

        let mut registry = Self {
            container: None,
            docker: docker.clone(),
            host_port: placement.host_port.unwrap_or(0),
            placement,
            volume,
            labels,
            tls,
            ca_dir,
            password: new_password(),
            http,
        };
        registry.start_container().await?;
        Ok(registry)
    }

    /// Replaces the password: a new container with a new htpasswd file on the same storage, the
    /// same loopback port and the same network.
    ///
    /// # Errors
    /// The old container cannot be removed or the new one does not come up.
    pub async fn rotate_password(&mut self) -> anyhow::Result<()> {
        if let Some(old) = self.container.take() {
            old.rm()
                .await
                .context("cannot remove the old registry container")?;
        }
        self.password = new_password();
        self.start_container().await
    }

    /// `127.0.0.1:<port>`: the registry as this machine reaches it.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.host_port)
    }

    /// The current credentials, keyed for `server` (the host:port the client dials).
    pub fn credentials_for(&self, server: &str) -> Credentials {
        Credentials {
            server: server.to_owned(),
            username: USERNAME.to_owned(),
            password: self.password.clone(),
            email: None,
        }
    }

    /// A directory holding only `ca.crt`, in the layout skopeo's `--cert-dir` and containerd's
    /// `certs.d` expect.
    pub fn ca_dir(&self) -> &Path {
        &self.ca_dir
    }

    /// The CA certificate file (`ca_dir()/ca.crt`).
    pub fn ca_path(&self) -> PathBuf {
        self.ca_dir.join("ca.crt")
    }

    /// The CA certificate nodes must trust (public).
    pub fn ca_pem(&self) -> &str {
        &self.tls.ca
    }

    /// The status of an HTTPS manifest request, anonymous or with basic auth.
    ///
    /// # Errors
    /// The request did not get an answer.
    pub async fn manifest_status(
        &self,
        repository: &str,
        tag: &str,
        basic: Option<(&str, &str)>,
    ) -> anyhow::Result<StatusCode> {
        let url = format!(
            "https://{}/v2/{repository}/manifests/{tag}",
            self.endpoint()
        );
        let mut request = self.http.get(&url).header(
            reqwest::header::ACCEPT,
            "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
        );
        if let Some((username, password)) = basic {
            request = request.basic_auth(username, Some(password));
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("GET {url} got no answer"))?;
        Ok(response.status())
    }

    /// Removes the container and its storage volume.
    ///
    /// # Errors
    /// Docker refused.
    pub async fn remove(mut self) -> anyhow::Result<()> {
        if let Some(container) = self.container.take() {
            container
                .rm()
                .await
                .context("cannot remove the registry container")?;
        }
        docker::remove_volume(&self.docker, &self.volume).await
    }

    async fn start_container(&mut self) -> anyhow::Result<()> {
        let (name, tag) = split_reference(&self.placement.image);
        let host_port = self.host_port;
        let mut request = GenericImage::new(name, tag)
            .with_exposed_port(ContainerPort::Tcp(CONTAINER_PORT))
            .with_wait_for(WaitFor::message_on_stderr("listening on"))
            .with_container_name(CONTAINER_NAME)
            .with_labels(self.labels.clone())
            .with_env_var("REGISTRY_AUTH", "htpasswd")
            .with_env_var("REGISTRY_AUTH_HTPASSWD_REALM", "regcred-e2e")
            .with_env_var("REGISTRY_AUTH_HTPASSWD_PATH", "/auth/htpasswd")
            .with_env_var("REGISTRY_HTTP_TLS_CERTIFICATE", "/certs/tls.crt")
            .with_env_var("REGISTRY_HTTP_TLS_KEY", "/certs/tls.key")
            .with_env_var(
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY",
                "/var/lib/registry",
            )
            .with_mount(Mount::volume_mount(&self.volume, "/var/lib/registry"))
            .with_copy_to("/auth/htpasswd", self.htpasswd()?.into_bytes())
            .with_copy_to("/certs/tls.crt", self.tls.server_cert.clone().into_bytes())
            .with_copy_to("/certs/tls.key", self.tls.server_key.clone().into_bytes())
            .with_startup_timeout(READY_LIMIT)
            .with_host_config_modifier(move |config| {
                // Loopback only: never publish the registry on every interface.
                config.publish_all_ports = Some(false);
                config.port_bindings = Some(HashMap::from([(
                    format!("{CONTAINER_PORT}/tcp"),
                    Some(vec![PortBinding {
                        host_ip: Some("127.0.0.1".to_owned()),
                        host_port: Some(if host_port == 0 {
                            String::new()
                        } else {
                            host_port.to_string()
                        }),
                    }]),
                )]));
            });
        if let Some(network) = &self.placement.network {
            request = request.with_network(network);
        }

        let container = request
            .start()
            .await
            .with_context(|| format!("cannot start the registry from {}", self.placement.image))?;
        self.host_port = container
            .get_host_port_ipv4(CONTAINER_PORT)
            .await
            .context("the registry's port is not published")?;
        self.container = Some(container);
        self.wait_until_answering().await
    }

    /// Waits until `/v2/` answers 401 over TLS: up, serving our certificate, auth on.
    async fn wait_until_answering(&self) -> anyhow::Result<()> {
        let url = format!("https://{}/v2/", self.endpoint());
        let started = Instant::now();
        let mut last = String::from("no answer yet");
        while started.elapsed() < READY_LIMIT {
            match self.http.get(&url).send().await {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => return Ok(()),
                Ok(response) => last = format!("status {}", response.status()),
                Err(error) => last = format!("{error:#}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!(
            "the registry at {url} did not answer 401 within {}s (last: {last})",
            READY_LIMIT.as_secs()
        )
    }

    fn htpasswd(&self) -> anyhow::Result<String> {
        let hash = bcrypt::hash(self.password.expose(), BCRYPT_COST)
            .context("cannot hash the registry password")?;
        Ok(format!("{USERNAME}:{hash}\n"))
    }
}

/// A random password with the characters that break hand-made JSON and shell quoting
/// (`"`, `\`, `$`) and a `:` (consumers split `user:pass` at the first one).
fn new_password() -> Password {
    let mut rng = rand::rng();
    Password::new(format!(
        "{}\"\\${}:{}",
        Alphanumeric.sample_string(&mut rng, 12),
        Alphanumeric.sample_string(&mut rng, 6),
        Alphanumeric.sample_string(&mut rng, 6),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_differ_and_carry_the_awkward_characters() {
        let (first, second) = (new_password(), new_password());

        assert_ne!(first.expose(), second.expose());
        for c in ['"', '\\', '$', ':'] {
            assert!(first.expose().contains(c), "missing {c:?}");
        }
    }

    #[test]
    fn password_stays_out_of_debug_output() {
        let password = new_password();

        let shown = format!("{password:?}");

        assert!(!shown.contains(password.expose()), "{shown}");
    }
}
