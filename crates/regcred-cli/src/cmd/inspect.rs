//! `regcred inspect`: who is in a pull Secret or config.json, passwords masked, problems flagged.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use regcred_core::finding::has_errors;
use regcred_core::inspect::{Inspection, inspect};

use crate::{input, output};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A Secret (YAML or JSON, several documents or a List are fine) or a docker config.json;
    /// `-` for stdin
    #[arg(short = 'f', long, value_name = "FILE")]
    pub filename: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let text = input::read_text(&args.filename)?;
    let inspections =
        inspect(&text).with_context(|| format!("cannot inspect '{}'", args.filename.display()))?;
    if args.json {
        output::emit(&(serde_json::to_string_pretty(&inspections)? + "\n"))?;
    } else {
        output::emit(
            &inspections
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join("\n"),
        )?;
    }
    let failed = inspections.iter().any(|i| has_errors(&i.findings));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(inspection: &Inspection) -> String {
    let mut out = String::new();
    let kind = inspection
        .secret_type
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let _ = writeln!(out, "{}{kind}", inspection.object);
    for entry in &inspection.entries {
        let _ = writeln!(
            out,
            "  {}  user={}  password={}{}",
            entry.key,
            entry.username.as_deref().unwrap_or("?"),
            entry.password.as_deref().unwrap_or("?"),
            entry
                .email
                .as_deref()
                .map(|e| format!("  email={e}"))
                .unwrap_or_default(),
        );
    }
    if inspection.findings.is_empty() {
        let _ = writeln!(out, "  no problems found");
    }
    for finding in &inspection.findings {
        let _ = writeln!(
            out,
            "  {} [{}] {}",
            finding.severity,
            finding.code,
            finding_text(finding)
        );
    }
    out
}

fn finding_text(finding: &regcred_core::Finding) -> String {
    match &finding.fix {
        Some(fix) => format!("{}; {fix}", finding.message),
        None => finding.message.clone(),
    }
}
