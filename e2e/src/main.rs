//! regcred's end-to-end proof: real pulls from a private registry with regcred-core's output.
//!
//! `regcred-e2e registry|cluster|all|down`. Each step prints its wall time; a run ends with
//! `N passed, N failed, N skipped` and exits non-zero on any failure (or any skip under
//! `REGCRED_E2E_STRICT=1`).

mod cluster;
mod docker;
mod images;
mod k8s;
mod registry;
mod run;
mod runner;
mod scenarios;
mod skopeo;
mod tls;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use testcontainers::bollard::Docker;

use crate::cluster::{Backend, RegistryNeeds};
use crate::registry::{Placement, Registry};
use crate::run::{Run, Settings};
use crate::runner::Runner;
use crate::scenarios::{cluster as cluster_checks, registry as registry_checks};
use crate::skopeo::Skopeo;

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    part: Part,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
enum Part {
    /// Registry-level proof (needs Docker and skopeo).
    Registry,
    /// Cluster flow on the backend `REGCRED_E2E_CLUSTER` names (kind by default).
    Cluster,
    /// Both.
    All,
    /// Remove everything the e2e creates: containers, volumes, the kind cluster.
    Down,
}

impl Part {
    fn has_registry_checks(self) -> bool {
        matches!(self, Self::Registry | Self::All)
    }

    fn has_cluster_checks(self) -> bool {
        matches!(self, Self::Cluster | Self::All)
    }

    fn checks(self) -> Vec<&'static str> {
        let mut checks = Vec::new();
        if self.has_registry_checks() {
            checks.extend(registry_checks::CHECKS);
        }
        if self.has_cluster_checks() {
            checks.extend(cluster_checks::CHECKS);
        }
        checks
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,testcontainers=warn,kube=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    match start(Cli::parse().part).await {
        Ok(code) => code,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(part: Part) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_env()?;
    if part == Part::Down {
        down(&settings).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let backend = if part.has_cluster_checks() {
        Some(Backend::from_settings(&settings)?)
    } else {
        None
    };

    let mut runner = Runner::default();
    e2e(&mut runner, part, &settings, backend).await?;

    let tally = runner.tally();
    report(&format!("e2e: {tally}"));
    let failed = tally.failed > 0 || (settings.strict && tally.skipped > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The whole run: preflight, cluster up, registry up, checks, teardown. Teardown runs whatever
/// the checks did, because no step aborts the run.
async fn e2e(
    runner: &mut Runner,
    part: Part,
    settings: &Settings,
    mut backend: Option<Backend>,
) -> anyhow::Result<()> {
    let Some(docker) = preflight(runner, part).await else {
        return Ok(());
    };
    let run = Run::new()?;
    let skopeo = Skopeo::new(&run)?;
    tracing::info!(run = %run.id, offline = settings.offline, "starting");

    let needs = bring_up_cluster(runner, &run, settings, &mut backend).await;
    if backend.is_none() && !part.has_registry_checks() {
        return Ok(());
    }
    let mut registry = start_registry(runner, &docker, &run, settings, needs).await;
    let pushed = match &registry {
        Some(registry) => {
            let push = async {
                let image = images::test_image(&docker).await?;
                registry_checks::push_test_image(&run, registry, &skopeo, image).await
            };
            runner
                .setup("registry: build and push the test image", push)
                .await
        }
        None => None,
    };

    if let (Some(registry), Some(pushed)) = (registry.as_mut(), pushed.as_ref()) {
        if part.has_registry_checks() {
            registry_checks::run_checks(runner, &run, registry, &skopeo, pushed).await;
        }
        if let Some(backend) = backend.as_mut() {
            cluster_flow(runner, &run, backend, registry, pushed).await;
        }
    } else {
        let mut checks = Vec::new();
        if part.has_registry_checks() {
            checks.extend(registry_checks::CHECKS);
        }
        if backend.is_some() {
            checks.extend(cluster_checks::CHECKS);
        }
        runner.not_run(&checks, "the registry or the test image is not ready");
    }

    if let Some(registry) = registry {
        runner
            .setup("registry: remove container and volume", registry.remove())
            .await;
    }
    if let Some(backend) = backend.as_mut() {
        let name = format!("cluster: tear down ({})", backend.name());
        runner.setup(&name, backend.down(settings)).await;
    }
    Ok(())
}

/// Docker and skopeo answer (else every check is skipped with the reason) and the leftovers of
/// earlier runs are gone (else every check fails); returns the engine.
async fn preflight(runner: &mut Runner, part: Part) -> Option<Docker> {
    let docker = match docker::connect().await {
        Ok(docker) => docker,
        Err(reason) => {
            runner.skip(&part.checks(), &reason);
            return None;
        }
    };
    if let Some(reason) = Skopeo::unavailable().await {
        runner.skip(&part.checks(), &reason);
        return None;
    }
    let swept = runner
        .setup("sweep leftovers of earlier runs", sweep(&docker))
        .await;
    if swept.is_none() {
        runner.not_run(&part.checks(), "the sweep of earlier runs failed");
        return None;
    }
    Some(docker)
}

/// Decides whether the cluster part runs (recording a skip with the reason when it cannot) and
/// brings the cluster up; returns what the registry needs, clearing `backend` when it will not
/// run.
async fn bring_up_cluster(
    runner: &mut Runner,
    run: &Run,
    settings: &Settings,
    backend: &mut Option<Backend>,
) -> RegistryNeeds {
    let Some(selected) = backend.as_mut() else {
        return RegistryNeeds::default();
    };
    if let Some(reason) = selected.unavailable(settings).await {
        let reason = format!("cluster backend {}: {reason}", selected.name());
        runner.skip(&cluster_checks::CHECKS, &reason);
        *backend = None;
        return RegistryNeeds::default();
    }

    let name = format!("cluster: bring up ({})", selected.name());
    if let Some(needs) = runner.setup(&name, selected.up(run, settings)).await {
        return needs;
    }
    runner.not_run(&cluster_checks::CHECKS, "the cluster did not come up");
    let name = format!(
        "cluster: tear down after a failed start ({})",
        selected.name()
    );
    runner.setup(&name, selected.down(settings)).await;
    *backend = None;
    RegistryNeeds::default()
}

async fn start_registry(
    runner: &mut Runner,
    docker: &Docker,
    run: &Run,
    settings: &Settings,
    needs: RegistryNeeds,
) -> Option<Registry> {
    let image = runner
        .setup(
            "registry: choose the image",
            images::registry_image(docker, settings),
        )
        .await?;
    let placement = Placement {
        image: image.clone(),
        network: needs.network,
        dns_names: needs.dns_names,
        host_port: settings.registry_port,
    };
    let name = format!("registry: start {image} (TLS, htpasswd, volume)");
    runner
        .setup(&name, Registry::start(docker, run, placement))
        .await
}

async fn cluster_flow(
    runner: &mut Runner,
    run: &Run,
    backend: &mut Backend,
    registry: &mut Registry,
    pushed: &registry_checks::Pushed,
) {
    let name = format!(
        "cluster: trust the registry CA and connect ({})",
        backend.name()
    );
    let Some(env) = runner.setup(&name, backend.connect(run, registry)).await else {
        runner.not_run(&cluster_checks::CHECKS, "the cluster could not be reached");
        return;
    };
    cluster_checks::run_checks(runner, run, &env, registry, pushed).await;
}

async fn sweep(docker: &Docker) -> anyhow::Result<()> {
    let swept = docker::sweep(docker).await?;
    let dirs = run::sweep_scratch_dirs();
    tracing::info!(
        containers = swept.containers,
        volumes = swept.volumes,
        scratch_dirs = dirs,
        "swept"
    );
    Ok(())
}

/// `down`: removes what any run made, without running anything.
async fn down(settings: &Settings) -> anyhow::Result<()> {
    match docker::connect().await {
        Ok(docker) => {
            let swept = docker::sweep(&docker).await?;
            report(&format!(
                "docker: removed {} containers and {} volumes labelled {}=1",
                swept.containers,
                swept.volumes,
                run::LABEL
            ));
        }
        Err(reason) => report(&format!("docker: nothing removed ({reason})")),
    }
    report(&format!(
        "scratch: removed {} directories",
        run::sweep_scratch_dirs()
    ));
    let backend = Backend::from_settings(settings)?;
    report(&backend.sweep().await?);
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the report is this binary's output")]
fn report(line: &str) {
    println!("{line}");
}
