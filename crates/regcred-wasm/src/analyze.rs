//! Exports for pasted text: inspection of Secrets and docker configs.

use regcred_core::inspect as inspection;
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
