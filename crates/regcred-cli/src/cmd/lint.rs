//! `regcred lint`: predict failed pulls in manifest files, for CI.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::finding::has_errors;
use regcred_core::lint::lint;

use crate::{input, output};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Manifest files (multi-document YAML or JSON; `-` for stdin); read as one set
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &LintArgs) -> Result<ExitCode> {
    let mut documents = Vec::new();
    for path in &args.files {
        let text = input::read_text(path)?;
        // Check each file alone first, so a syntax error names its file.
        lint(&text).with_context(|| format!("cannot read '{}'", path.display()))?;
        documents.push(text);
    }
    let findings = lint(&documents.join("\n---\n"))?;
    if args.json {
        output::emit(&(serde_json::to_string_pretty(&findings)? + "\n"))?;
    } else if findings.is_empty() {
        output::emit("no problems found\n")?;
    } else {
        let lines: Vec<String> = findings
            .iter()
            .map(|f| format!("{} [{}] {f}\n", f.severity, f.code))
            .collect();
        output::emit(&lines.concat())?;
    }
    Ok(if has_errors(&findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
