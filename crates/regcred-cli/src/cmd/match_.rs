//! `regcred match`: which credentials the kubelet would try for an image, in order.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::inspect::inspect;
use regcred_core::matching::{self, PullSecretKeys};

use crate::{input, output};

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The image, as written in the pod
    pub image: String,
    /// Pull Secrets or docker config.json files, in the pod's imagePullSecrets order
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: &MatchArgs) -> Result<ExitCode> {
    let mut secrets = Vec::new();
    for path in &args.files {
        let text = input::read_text(path)?;
        let inspections =
            inspect(&text).with_context(|| format!("cannot read '{}'", path.display()))?;
        for inspection in inspections {
            let keys = inspection.config.map(|c| c.keys()).unwrap_or_default();
            secrets.push(PullSecretKeys {
                secret: inspection.object,
                keys,
            });
        }
    }
    let matched = matching::lookup(&args.image, &secrets)?;
    if matched.is_empty() {
        output::emit("none\n")?;
        return Ok(ExitCode::from(1));
    }
    let lines: Vec<String> = matched
        .iter()
        .map(|m| {
            let via = if m.via_docker_hub_fallback {
                "  (Docker Hub fallback)"
            } else {
                ""
            };
            format!("{}\t{}{via}\n", m.key, m.secret)
        })
        .collect();
    output::emit(&lines.concat())?;
    Ok(ExitCode::SUCCESS)
}
