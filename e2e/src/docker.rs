//! The Docker engine: reachability, the sweep of labelled leftovers, volumes and local images.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context as _;
use testcontainers::bollard::Docker;
use testcontainers::bollard::errors::Error as DockerError;
use testcontainers::bollard::models::VolumeCreateRequest;
use testcontainers::bollard::query_parameters::{
    ListContainersOptions, ListVolumesOptions, RemoveContainerOptions, RemoveVolumeOptions,
};

use crate::run::LABEL;

/// A connected engine, or why there is none (a skip reason, not an error).
///
/// # Errors
/// The reason, worded for the report: the engine is missing or not answering.
pub async fn connect() -> Result<Docker, String> {
    let docker = Docker::connect_with_local_defaults()
        .map_err(|error| format!("no Docker engine configured ({error}); start dockerd"))?;
    match tokio::time::timeout(Duration::from_secs(10), docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(error)) => Err(format!(
            "the Docker engine is not answering ({error}); start dockerd"
        )),
        Err(_) => Err("the Docker engine did not answer a ping within 10s".to_owned()),
    }
}

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Containers removed.
    pub containers: usize,
    /// Volumes removed.
    pub volumes: usize,
}

/// Removes every container and volume labelled `regcred-e2e=1`, running or not.
///
/// # Errors
/// The engine refused a list or a removal.
pub async fn sweep(docker: &Docker) -> anyhow::Result<Swept> {
    let filters = HashMap::from([("label".to_owned(), vec![format!("{LABEL}=1")])]);
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..ListContainersOptions::default()
        }))
        .await
        .context("cannot list labelled containers")?;
    for id in containers.iter().filter_map(|c| c.id.as_deref()) {
        remove_container(docker, id).await?;
    }

    let volumes = docker
        .list_volumes(Some(ListVolumesOptions {
            filters: Some(filters),
        }))
        .await
        .context("cannot list labelled volumes")?
        .volumes
        .unwrap_or_default();
    for volume in &volumes {
        remove_volume(docker, &volume.name).await?;
    }
    Ok(Swept {
        containers: containers.len(),
        volumes: volumes.len(),
    })
}

/// Force-removes a container (and its anonymous volumes); a missing one is fine.
///
/// # Errors
/// The engine refused for another reason.
pub async fn remove_container(docker: &Docker, id: &str) -> anyhow::Result<()> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..RemoveContainerOptions::default()
    };
    tolerate_missing(docker.remove_container(id, Some(options)).await)
        .with_context(|| format!("cannot remove container {id}"))
}

/// Creates a named volume with these labels.
///
/// # Errors
/// The engine refused.
pub async fn create_volume(
    docker: &Docker,
    name: &str,
    labels: HashMap<String, String>,
) -> anyhow::Result<()> {
    docker
        .create_volume(VolumeCreateRequest {
            name: Some(name.to_owned()),
            labels: Some(labels),
            ..VolumeCreateRequest::default()
        })
        .await
        .with_context(|| format!("cannot create volume {name}"))?;
    Ok(())
}

/// Removes a volume; a missing one is fine.
///
/// # Errors
/// The engine refused for another reason (for example the volume is still in use).
pub async fn remove_volume(docker: &Docker, name: &str) -> anyhow::Result<()> {
    let options = RemoveVolumeOptions { force: true };
    tolerate_missing(docker.remove_volume(name, Some(options)).await)
        .with_context(|| format!("cannot remove volume {name}"))
}

/// Whether the engine has this image locally.
///
/// # Errors
/// The engine failed for a reason other than "no such image".
pub async fn has_image(docker: &Docker, image: &str) -> anyhow::Result<bool> {
    match docker.inspect_image(image).await {
        Ok(_) => Ok(true),
        Err(error) if is_not_found(&error) => Ok(false),
        Err(error) => Err(error).with_context(|| format!("cannot inspect image {image}")),
    }
}

fn tolerate_missing(result: Result<(), DockerError>) -> Result<(), DockerError> {
    match result {
        Err(error) if is_not_found(&error) => Ok(()),
        other => other,
    }
}

fn is_not_found(error: &DockerError) -> bool {
    matches!(
        error,
        DockerError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
