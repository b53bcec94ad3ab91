//! Exports for the generator form: checks, manifests, presets.

use regcred_core::manifest::{self, BundleSpec, WorkloadKind};
use regcred_core::preset;
use wasm_bindgen::prelude::*;

use crate::{JsResult, js_error, to_js};

/// The bundle spec the page sends, or an error naming what does not fit.
///
/// # Caveats
/// serde names a mistyped value in its message; the page only ever sends strings where the
/// spec has passwords, so no password can end up in such a message.
fn bundle_spec(spec: JsValue) -> JsResult<BundleSpec> {
    serde_wasm_bindgen::from_value(spec).map_err(|error| {
        JsError::new(&format!(
            "the form does not make a bundle spec: {error}; reload the page"
        ))
    })
}

/// Every finding about every field of a bundle spec (errors included), for the form.
///
/// # Errors
/// When `spec` does not have the shape of a `BundleSpec` (camelCase, as the CLI's `-f` file).
#[wasm_bindgen(js_name = checkBundle)]
pub fn check_bundle(spec: JsValue) -> JsResult {
    to_js(&bundle_spec(spec)?.check())
}

/// Generates the Secrets, workload, `ServiceAccount` patches, kubectl commands and bundle: the
/// same text as `regcred bundle` for the same inputs.
///
/// # Errors
/// The first error-severity finding, or a malformed spec.
#[wasm_bindgen]
pub fn generate(spec: JsValue) -> JsResult {
    let generated = manifest::generate(&bundle_spec(spec)?).map_err(|error| js_error(&error))?;
    to_js(&generated)
}

/// The registry presets, `CloudRaya` first.
///
/// # Errors
/// Never in practice; conversion failures are reported rather than unwrapped.
#[wasm_bindgen]
pub fn presets() -> JsResult {
    to_js(preset::all())
}

/// The workload kinds, in the order the form lists them.
#[wasm_bindgen(js_name = workloadKinds)]
pub fn workload_kinds() -> Vec<String> {
    WorkloadKind::ALL
        .iter()
        .map(|kind| kind.as_str().to_owned())
        .collect()
}

/// The name a workload gets when the form leaves it empty, as the CLI derives it from the image.
#[wasm_bindgen(js_name = defaultWorkloadName)]
pub fn default_workload_name(image: &str) -> String {
    manifest::default_workload_name(image)
}
