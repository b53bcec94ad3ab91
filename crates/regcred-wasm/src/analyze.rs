//! Exports for pasted text: inspection, lint of manifest sets, explanation of pull failures.

use regcred_core::{explain as explanation, inspect as inspection, lint as linting};
use wasm_bindgen::prelude::*;

use crate::{JsResult, js_error, to_js};

/// Inspects pasted Secrets or a docker `config.json`; passwords come back masked.
///
/// # Errors
/// When the text is neither YAML nor JSON, or holds no Secret and no docker config.
#[wasm_bindgen]
pub fn inspect(text: &str) -> JsResult {
    let inspections = inspection::inspect(text).map_err(|error| js_error(&error))?;
    to_js(&inspections)
}

/// Lints a pasted manifest set (multi-document YAML or JSON), most severe finding first: the
/// same findings as `regcred lint`.
///
/// # Errors
/// When the text is neither YAML nor JSON.
#[wasm_bindgen]
pub fn lint(text: &str) -> JsResult {
    let findings = linting::lint(text).map_err(|error| js_error(&error))?;
    to_js(&findings)
}

/// The likely causes of a failed pull in pasted `kubectl describe pod` output or events, as
/// `regcred explain` gives them.
///
/// # Errors
/// Never in practice; conversion failures are reported rather than unwrapped.
#[wasm_bindgen]
pub fn explain(text: &str) -> JsResult {
    to_js(&explanation::explain(text))
}
