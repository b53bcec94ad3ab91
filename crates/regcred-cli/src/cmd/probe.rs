//! `regcred probe`: try a Secret's credentials (or given ones) against the registry for an image.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use k8s_openapi::api::core::v1::Secret;
use regcred_core::dockerconfig::Password;
use regcred_kube::probe::{self, ProbeAuth, Report};
use regcred_kube::pullsecret::{self, PullSecret};

use super::{ClusterArgs, PasswordArgs, TlsArgs};
use crate::{input, output};

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The image to check, as a pod spec names it
    pub image: String,
    /// Use the credentials the kubelet would pick from this Secret in the cluster
    #[arg(long, conflicts_with = "username")]
    pub secret: Option<String>,
    /// Namespace of --secret [default: the context's]
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Use this user name (the password comes from --password-stdin, -file, -env or a prompt)
    #[arg(long)]
    pub username: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

pub fn run(args: &ProbeArgs) -> Result<ExitCode> {
    super::fail_on_errors(&regcred_core::reference::check_image(&args.image))?;
    let given = match &args.username {
        Some(username) => {
            // The same checks as `secret` and `apply`: an empty user or password is a mistake,
            // not a credential to send.
            super::fail_on_errors(&regcred_core::validate::check_username(username))?;
            let password = input::read_password(args.password.source())?;
            super::fail_on_errors(&regcred_core::validate::check_password(&password))?;
            Some(ProbeAuth::Basic {
                username: username.clone(),
                password: Password::new(password),
            })
        }
        None => None,
    };
    super::runtime()?.block_on(async {
        let reports = match (&args.secret, given) {
            (Some(secret), _) => probe_with_secret(args, secret).await?,
            (None, Some(auth)) => {
                vec![probe::probe(&args.image, &auth, &args.tls.options()?).await?]
            }
            (None, None) => {
                vec![probe::probe(&args.image, &ProbeAuth::Anonymous, &args.tls.options()?).await?]
            }
        };
        let pullable = reports.iter().any(|r| r.outcome.is_pullable());
        if args.json {
            output::emit(&(serde_json::to_string_pretty(&reports)? + "\n"))?;
        } else {
            output::emit(&text(&reports))?;
        }
        Ok(if pullable {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

/// Probes with each key the kubelet would try, in its order, until one can pull.
async fn probe_with_secret(args: &ProbeArgs, name: &str) -> Result<Vec<Report>> {
    let cluster =
        regcred_kube::connect::connect(&args.cluster.options(args.namespace.clone())).await?;
    let api: regcred_kube::Api<Secret> =
        regcred_kube::Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let secret = api
        .get_opt(name)
        .await
        .with_context(|| format!("cannot read Secret '{name}' in namespace '{}'", cluster.namespace))?
        .with_context(|| format!("Secret '{name}' does not exist in namespace '{}'; pass -n or create it with `regcred apply`", cluster.namespace))?;
    let config = pullsecret::config_of(&secret)?;
    let secrets = [PullSecret {
        name: name.to_owned(),
        config,
    }];
    let matched = pullsecret::credentials_for(&args.image, &secrets)?;
    let tls = args.tls.options()?;
    if matched.is_empty() {
        output::warn(&format!(
            "no key of Secret '{name}' matches '{}': the kubelet would pull anonymously, so that is what is probed",
            args.image
        ));
        return Ok(vec![
            probe::probe(&args.image, &ProbeAuth::Anonymous, &tls).await?,
        ]);
    }
    let mut reports = Vec::new();
    for (key, credentials) in matched {
        let credentials = credentials
            .with_context(|| format!("key '{}' of Secret '{name}' cannot be read", key.key))?;
        let auth = ProbeAuth::Basic {
            username: credentials.username,
            password: credentials.password,
        };
        let report = probe::probe(&args.image, &auth, &tls).await?;
        let done = report.outcome.is_pullable();
        reports.push(report);
        if done {
            break;
        }
    }
    Ok(reports)
}

fn text(reports: &[Report]) -> String {
    let mut out = String::new();
    for report in reports {
        let _ = writeln!(out, "{} [{}]", report.summary(), report.outcome.code());
        if !report.outcome.is_pullable() {
            let _ = writeln!(out, "  registry said: {}", report.outcome.detail());
        }
    }
    out
}
