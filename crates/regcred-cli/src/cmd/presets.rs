//! `regcred presets`: the registries regcred knows how to pre-fill.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use regcred_core::preset;

use crate::output;

#[derive(Debug, Args)]
pub struct PresetsArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &PresetsArgs) -> Result<ExitCode> {
    if args.json {
        output::emit(&(serde_json::to_string_pretty(preset::all())? + "\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = format!(
        "{:<10} {:<32} {:<45} {}\n",
        "ID", "REGISTRY", "SERVER", "SECRET"
    );
    for p in preset::all() {
        let _ = writeln!(
            table,
            "{:<10} {:<32} {:<45} {}",
            p.id, p.name, p.server, p.secret_name
        );
    }
    output::emit(&table)?;
    Ok(ExitCode::SUCCESS)
}
