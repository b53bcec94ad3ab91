//! The `regcred` command (also installed as `kubectl-regcred`).

mod cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Image pull secrets for Kubernetes, done right.
#[derive(Debug, Parser)]
#[command(name = "regcred", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Inject(cmd::inject::InjectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Inject(args) => cmd::inject::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // Exit 2, so that `inject --check`'s 1 ("would change") stays distinguishable.
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            ExitCode::from(2)
        }
    }
}
