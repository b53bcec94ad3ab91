//! `regcred explain`: the likely cause of a failed pull, from `kubectl describe pod` text.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use regcred_core::explain::explain;

use crate::{input, output};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Text from `kubectl describe pod`, `kubectl get events` or an event message [default: stdin]
    #[arg(short = 'f', long, value_name = "FILE", default_value = "-")]
    pub filename: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ExplainArgs) -> Result<ExitCode> {
    let text = input::read_text(&args.filename)?;
    let explanation = explain(&text);
    if args.json {
        output::emit(&(serde_json::to_string_pretty(&explanation)? + "\n"))?;
    } else {
        let mut out = String::new();
        for (index, cause) in explanation.causes.iter().enumerate() {
            let _ = writeln!(out, "{}. {} [{}]", index + 1, cause.title, cause.code);
            let _ = writeln!(out, "   {}", cause.detail);
            if let Some(evidence) = &cause.evidence {
                let _ = writeln!(out, "   seen: {evidence}");
            }
            let _ = writeln!(out, "   fix: {}", cause.fix);
        }
        output::emit(&out)?;
    }
    Ok(if explanation.recognized {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
