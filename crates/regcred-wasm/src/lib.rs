//! The regcred core for the browser: each export converts its input, calls the core, converts back.
//!
//! Nothing here decides anything about manifests; the page gets the same bytes as the CLI because
//! both call [`regcred_core::manifest::generate`]. Inputs from JavaScript are never unwrapped:
//! every failure becomes a thrown JavaScript `Error` whose message names the value and the fix.

use regcred_core::manifest::{self, BundleSpec, WorkloadKind};
use regcred_core::{inspect as inspection, preset};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Result of every export: a JavaScript value, or an `Error` thrown on the JavaScript side.
type JsResult<T = JsValue> = Result<T, JsError>;

/// Turns any error into a JavaScript `Error`, keeping each cause in the message once.
fn js_error(error: &dyn std::error::Error) -> JsError {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    JsError::new(&message)
}

/// A Rust value as plain JavaScript objects (maps become objects, `None` becomes `null`).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| js_error(&error))
}

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

/// Inspects pasted Secrets or a docker `config.json`; passwords come back masked.
///
/// # Errors
/// When the text is neither YAML nor JSON, or holds no Secret and no docker config.
#[wasm_bindgen]
pub fn inspect(text: &str) -> JsResult {
    let inspections = inspection::inspect(text).map_err(|error| js_error(&error))?;
    to_js(&inspections)
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

/// The version of the core the page runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
