//! `regcred completions`: shell completion scripts.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

use crate::{Cli, output};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "regcred", &mut script);
    output::emit(&String::from_utf8(script)?)?;
    Ok(ExitCode::SUCCESS)
}
