//! Several environments in one go, each with its own registry credentials and namespaces.
//!
//! The registry guide asks for separate registries per environment and no shared credentials;
//! this is where a multi-environment bundle is held to that.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{BundleSpec, Generated, Result, generate, refuse_errors};
use crate::finding::Finding;

/// A bundle file: one setup, or a list of environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleFile {
    /// `environments: [...]`, each a full setup with its `environment` name.
    Environments {
        /// The environments, in the order their output is printed.
        environments: Vec<BundleSpec>,
    },
    /// A single setup.
    One(Box<BundleSpec>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentsFile {
    environments: Vec<BundleSpec>,
}

impl BundleFile {
    /// Reads a parsed YAML or JSON bundle file: with an `environments` list, or a single setup.
    ///
    /// # Errors
    /// serde's message for the first field that does not fit, naming it.
    pub fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        if value.get("environments").is_some() {
            let file: EnvironmentsFile = serde_json::from_value(value)?;
            return Ok(Self::Environments {
                environments: file.environments,
            });
        }
        Ok(Self::One(Box::new(serde_json::from_value(value)?)))
    }

    /// The setups in the file.
    pub fn specs(&self) -> Vec<&BundleSpec> {
        match self {
            Self::Environments { environments } => environments.iter().collect(),
            Self::One(spec) => vec![spec],
        }
    }
}

/// Findings that span environments: a namespace claimed twice, credentials shared.
pub fn check_environments(specs: &[&BundleSpec]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = specs
        .iter()
        .filter(|spec| spec.environment.is_none() && specs.len() > 1)
        .map(|spec| {
            Finding::error(
                "environment-unnamed",
                format!(
                    "a setup for Secret '{}' has no 'environment' name",
                    spec.secret_name
                ),
            )
            .with_field("environment")
            .with_fix("give every entry of 'environments' a name such as dev, staging or prod")
        })
        .collect();
    findings.extend(namespace_clashes(specs));
    findings.extend(shared_credentials(specs));
    findings
}

fn namespace_clashes(specs: &[&BundleSpec]) -> Vec<Finding> {
    let mut owners: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut findings = Vec::new();
    for spec in specs {
        let env = spec.environment.as_deref().unwrap_or("(unnamed)");
        let namespaces: Vec<&str> = if spec.namespaces.is_empty() {
            vec![""]
        } else {
            spec.namespaces.iter().map(String::as_str).collect()
        };
        for namespace in namespaces {
            if let Some(other) = owners.insert((namespace, spec.secret_name.as_str()), env) {
                let shown = if namespace.is_empty() {
                    "the current namespace"
                } else {
                    namespace
                };
                findings.push(
                    Finding::error("environment-namespace-clash", format!("environments '{other}' and '{env}' both write Secret '{}' into {shown}; one would overwrite the other", spec.secret_name))
                        .with_field("namespace")
                        .with_fix("give each environment its own namespaces"),
                );
            }
        }
    }
    findings
}

fn shared_credentials(specs: &[&BundleSpec]) -> Vec<Finding> {
    let mut users: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for spec in specs {
        let env = spec.environment.as_deref().unwrap_or("(unnamed)");
        for registry in &spec.registries {
            let key = (
                registry.server.as_str(),
                registry.username.as_str(),
                registry.password.expose(),
            );
            users.entry(key).or_default().push(env);
        }
    }
    users
        .iter()
        .filter(|(_, envs)| envs.len() > 1)
        .map(|((server, username, _), envs)| {
            Finding::warning("credentials-shared-across-environments", format!("environments {} use the same credentials ('{username}' on '{server}')", envs.join(", ")))
                .with_field("username")
                .with_fix("give each environment its own registry or robot account, so a leaked development credential cannot pull production images")
        })
        .collect()
}

/// Generates every environment and joins the texts; cross-environment findings come first.
///
/// # Errors
/// The first error finding across environments, or of any one environment's [`generate`].
pub fn generate_environments(file: &BundleFile) -> Result<Generated> {
    let specs = file.specs();
    let mut findings = refuse_errors(check_environments(&specs))?;
    let generated = specs
        .iter()
        .map(|spec| generate(spec))
        .collect::<Result<Vec<_>>>()?;
    if let [single] = generated.as_slice() {
        findings.extend(single.findings.clone());
        return Ok(Generated {
            findings,
            ..single.clone()
        });
    }
    let join = |part: fn(&Generated) -> Option<String>| -> Option<String> {
        let parts: Vec<String> = generated.iter().filter_map(part).collect();
        (!parts.is_empty()).then(|| parts.join("---\n"))
    };
    findings.extend(generated.iter().flat_map(|g| g.findings.clone()));
    let commands: Vec<String> = specs
        .iter()
        .zip(&generated)
        .map(|(spec, g)| {
            format!(
                "# ===== environment {} =====\n{}",
                spec.environment.as_deref().unwrap_or("(unnamed)"),
                g.kubectl_commands
            )
        })
        .collect();
    Ok(Generated {
        secrets: join(|g| Some(g.secrets.clone())).unwrap_or_default(),
        workload: join(|g| g.workload.clone()),
        service_account_patch: generated
            .iter()
            .find_map(|g| g.service_account_patch.clone()),
        kubectl_commands: commands.join("\n"),
        bundle: join(|g| Some(g.bundle.clone())).unwrap_or_default(),
        findings,
    })
}
