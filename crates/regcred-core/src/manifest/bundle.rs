//! Everything for one registry setup at once: the entry point the CLI and the web page share.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::{
    JsonPatches, Manifest, Result, SecretFormat, SecretSpec, WorkloadKind, WorkloadSpec,
    json_patches, kubectl_patch_commands, refuse_errors, secrets, workload,
};
use crate::dockerconfig::Credentials;
use crate::finding::Finding;
use crate::matching::{self, PullSecretKeys};
use crate::reference::ImageRef;
use crate::validate;
use crate::yaml::{self, Format};

/// Where pods get the pull secret from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Attach {
    /// The namespace's `ServiceAccount` lists it (the registry guide's recommendation).
    #[default]
    ServiceAccount,
    /// The workload's pod spec lists it.
    Workload,
    /// Both, so the workload keeps working if the `ServiceAccount` changes.
    Both,
}

/// A whole setup: registries, Secret, namespaces, `ServiceAccount` and an optional workload.
///
/// Deserializes from camelCase JSON or YAML, so a config file and the web form share it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BundleSpec {
    /// One entry per registry.
    pub registries: Vec<Credentials>,
    /// The Secret name.
    pub secret_name: String,
    /// Namespaces that get a copy; none means the current namespace.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Append kubectl's content hash to the Secret name.
    #[serde(default)]
    pub append_hash: bool,
    /// The Secret type.
    #[serde(default)]
    pub format: SecretFormat,
    /// Labels on the Secrets.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The `ServiceAccount` to attach the Secret to.
    #[serde(default = "default_service_account")]
    pub service_account: String,
    /// Where pods get the Secret from.
    #[serde(default)]
    pub attach: Attach,
    /// A workload that pulls with it.
    #[serde(default)]
    pub workload: Option<WorkloadSpec>,
    /// YAML or JSON.
    #[serde(default)]
    pub output: Format,
    /// The environment this setup is for (`dev`, `staging`, `prod`); labels the Secrets
    /// `app.kubernetes.io/environment` so lint can tell environments apart.
    #[serde(default)]
    pub environment: Option<String>,
}

/// The label that marks a Secret's environment.
pub const ENVIRONMENT_LABEL: &str = "app.kubernetes.io/environment";

fn default_service_account() -> String {
    "default".to_owned()
}

impl BundleSpec {
    /// A spec for one registry, attached to the `default` `ServiceAccount`.
    pub fn new(secret_name: impl Into<String>, registries: Vec<Credentials>) -> Self {
        Self {
            registries,
            secret_name: secret_name.into(),
            namespaces: Vec::new(),
            append_hash: false,
            format: SecretFormat::default(),
            labels: BTreeMap::new(),
            service_account: default_service_account(),
            attach: Attach::default(),
            workload: None,
            output: Format::default(),
            environment: None,
        }
    }

    /// Every finding about every field, errors and warnings alike, for forms.
    pub fn check(&self) -> Vec<Finding> {
        let mut findings = validate::check_name("secretName", &self.secret_name);
        findings.extend(
            self.namespaces
                .iter()
                .flat_map(|ns| validate::check_namespace(ns)),
        );
        findings.extend(duplicate_namespaces(&self.namespaces));
        if self.registries.is_empty() {
            findings.push(
                Finding::error("registry-missing", "no registry given")
                    .with_field("server")
                    .with_fix("give the registry server, username and password"),
            );
        }
        findings.extend(self.registries.iter().flat_map(validate::check_credentials));
        findings.extend(validate::check_name(
            "serviceAccount",
            &self.service_account,
        ));
        if let Some(spec) = &self.workload {
            findings.extend(super::workload::check(&self.workload_for(spec, None)));
            findings.extend(self.image_coverage(&spec.image));
        }
        findings
    }

    /// Whether the kubelet would use this bundle's Secret for the workload's image.
    fn image_coverage(&self, image: &str) -> Option<Finding> {
        let parsed = ImageRef::parse(image).ok()?;
        let keys = PullSecretKeys {
            secret: self.secret_name.clone(),
            keys: self.registries.iter().map(|r| r.server.clone()).collect(),
        };
        if !matching::lookup(image, &[keys]).ok()?.is_empty() {
            return None;
        }
        let reasons: Vec<String> = self
            .registries
            .iter()
            .filter_map(|r| {
                matching::key_mismatch(&r.server, &parsed)
                    .map(|why| format!("'{}': {why}", r.server))
            })
            .collect();
        Some(
            Finding::warning("image-not-covered", format!("the kubelet would not use this Secret for image '{image}' ({}), so the pull goes out anonymous", reasons.join("; ")))
                .with_field("image")
                .with_fix(format!("use the server '{}' or reference the image on the registry's host", matching::suggested_key(&parsed))),
        )
    }

    /// The workload spec as placed in `namespace`, pointing at this bundle's Secret.
    fn workload_for(&self, spec: &WorkloadSpec, namespace: Option<&str>) -> WorkloadSpec {
        let mut placed = spec.clone();
        placed.namespace = namespace
            .map(str::to_owned)
            .or_else(|| spec.namespace.clone());
        if self.attach != Attach::ServiceAccount && !placed.pull_secrets.contains(&self.secret_name)
        {
            placed.pull_secrets.push(self.secret_name.clone());
        }
        if self.service_account != "default" && placed.service_account.is_none() {
            placed.service_account = Some(self.service_account.clone());
        }
        placed
    }

    fn secret_labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.labels.clone();
        if let Some(environment) = &self.environment {
            labels
                .entry(ENVIRONMENT_LABEL.to_owned())
                .or_insert_with(|| environment.clone());
        }
        labels
    }

    fn namespaces_or_current(&self) -> Vec<Option<&str>> {
        if self.namespaces.is_empty() {
            vec![None]
        } else {
            self.namespaces.iter().map(|ns| Some(ns.as_str())).collect()
        }
    }
}

fn duplicate_namespaces(namespaces: &[String]) -> Option<Finding> {
    let mut seen = std::collections::BTreeSet::new();
    let duplicate = namespaces.iter().find(|ns| !seen.insert(ns.as_str()))?;
    Some(
        Finding::warning(
            "namespace-duplicate",
            format!("namespace '{duplicate}' is listed twice"),
        )
        .with_field("namespace")
        .with_fix("list each namespace once; one Secret is generated per namespace"),
    )
}

/// What [`generate`] produces, as text ready to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Generated {
    /// The Secret(s), one per namespace.
    pub secrets: String,
    /// The workload(s), one per namespace, when a workload was given.
    pub workload: Option<String>,
    /// JSON patches for the `ServiceAccount`, when attaching to it.
    pub service_account_patch: Option<JsonPatches>,
    /// kubectl commands for the whole flow; no password on any command line.
    pub kubectl_commands: String,
    /// Secrets and workloads in one multi-document text.
    pub bundle: String,
    /// Warnings and infos about the input (errors stop generation instead).
    pub findings: Vec<Finding>,
}

/// Generates every piece of a setup.
///
/// # Errors
/// [`super::Error::Invalid`] with the first error-severity finding of [`BundleSpec::check`];
/// nothing is produced then.
pub fn generate(spec: &BundleSpec) -> Result<Generated> {
    let findings = refuse_errors(spec.check())?;

    let secret_spec = SecretSpec {
        name: &spec.secret_name,
        namespace: None,
        registries: &spec.registries,
        format: spec.format,
        append_hash: spec.append_hash,
        labels: spec.secret_labels(),
    };
    let secret_objects: Vec<Manifest> = secrets(&secret_spec, &spec.namespaces)?
        .into_iter()
        .map(Manifest::Secret)
        .collect();
    let workloads: Vec<Manifest> = match &spec.workload {
        Some(workload_spec) => spec
            .namespaces_or_current()
            .into_iter()
            .map(|ns| workload(&spec.workload_for(workload_spec, ns)))
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let secret_name = secret_objects
        .first()
        .and_then(|m| {
            if let Manifest::Secret(s) = m {
                s.metadata.name.clone()
            } else {
                None
            }
        })
        .unwrap_or_else(|| spec.secret_name.clone());

    let all: Vec<&Manifest> = secret_objects.iter().chain(&workloads).collect();
    Ok(Generated {
        secrets: yaml::render(&secret_objects, spec.output)?,
        workload: (!workloads.is_empty())
            .then(|| yaml::render(&workloads, spec.output))
            .transpose()?,
        service_account_patch: (spec.attach != Attach::Workload)
            .then(|| json_patches(&secret_name)),
        kubectl_commands: kubectl_commands(spec, &secret_name),
        bundle: yaml::render(&all, spec.output)?,
        findings,
    })
}

/// The kubectl steps for a setup; passwords only ever travel inside files or stdin.
fn kubectl_commands(spec: &BundleSpec, secret_name: &str) -> String {
    let extension = match spec.output {
        Format::Yaml => "yaml",
        Format::Json => "json",
    };
    let namespaces = spec.namespaces_or_current();
    let flag = |ns: Option<&str>| ns.map(|ns| format!(" -n {ns}")).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# 1. Create the Secret from the downloaded file (the password is in the file, never on a command line)"
    );
    let _ = writeln!(out, "kubectl apply -f {}.{extension}", spec.secret_name);
    for ns in &namespaces {
        let _ = writeln!(out, "kubectl get secret {secret_name}{}", flag(*ns));
    }
    if spec.attach != Attach::Workload {
        let _ = writeln!(
            out,
            "\n# 2. Attach it to the '{}' ServiceAccount, keeping existing entries",
            spec.service_account
        );
        for ns in &namespaces {
            out.push_str(&kubectl_patch_commands(
                &spec.service_account,
                *ns,
                secret_name,
            ));
        }
        let _ = writeln!(
            out,
            "# Pods copy the ServiceAccount's list only when created: restart workloads that already run"
        );
    }
    if let Some(workload) = &spec.workload {
        let _ = writeln!(
            out,
            "\n# 3. Deploy the workload and check that its pods pulled the image"
        );
        let _ = writeln!(out, "kubectl apply -f {}.{extension}", workload.name);
        let kind = workload.kind.as_str().to_ascii_lowercase();
        let rolls_out = matches!(
            workload.kind,
            WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
        );
        for ns in &namespaces {
            if rolls_out {
                let _ = writeln!(
                    out,
                    "kubectl rollout status {kind}/{}{} --timeout=2m",
                    workload.name,
                    flag(*ns)
                );
            }
            let _ = writeln!(
                out,
                "kubectl get pods{} -l app={}",
                flag(*ns),
                workload.name
            );
        }
        let _ = writeln!(
            out,
            "# A pod stuck in ErrImagePull or ImagePullBackOff: kubectl describe pod <pod> | regcred explain"
        );
    }
    let _ = writeln!(
        out,
        "\n# Rotation: regenerate the Secret with the new password and apply it again (updated in place);"
    );
    let _ = writeln!(
        out,
        "# running pods keep their image, every new pull uses the new password."
    );
    out
}
