//! The regcred core for the browser: each export converts its input, calls the core, converts back.
//!
//! Nothing here decides anything about manifests; the page gets the same bytes as the CLI because
//! both call [`regcred_core::manifest::generate`]. Inputs from JavaScript are never unwrapped:
//! every failure becomes a thrown JavaScript `Error` whose message names the value and the fix.
//!
//! The page loads this crate as two modules (cargo features): `generate` for the form, and
//! `analyze` for pasted text, which needs the YAML parser and would double the form's download.

#[cfg(feature = "analyze")]
mod analyze;
#[cfg(feature = "generate")]
mod generate;

#[cfg(feature = "analyze")]
pub use analyze::*;
#[cfg(feature = "generate")]
pub use generate::*;

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Result of every export: a JavaScript value, or an `Error` thrown on the JavaScript side.
type JsResult<T = JsValue> = Result<T, JsError>;

/// Turns any error into a JavaScript `Error`, keeping each cause in the message once.
fn js_error(error: &(dyn std::error::Error + 'static)) -> JsError {
    JsError::new(&regcred_core::error_chain(error))
}

/// A Rust value as plain JavaScript objects (maps become objects, `None` becomes `null`).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| js_error(&error))
}

/// The version of the core the page runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
