//! Exports for pasted text: inspection, lint and injection of manifest sets, explanation of pull
//! failures.

use regcred_core::inject::{self as injection, InjectOptions};
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

/// The inject options the page sends, or an error naming what does not fit.
fn inject_options(options: JsValue) -> JsResult<InjectOptions> {
    serde_wasm_bindgen::from_value(options).map_err(|error| {
        JsError::new(&format!(
            "the inject form does not make inject options: {error}; reload the page"
        ))
    })
}

/// Adds the pull secret to every matching pod spec of a pasted manifest set, changing no other
/// byte: the same text as `regcred inject --secret NAME -f -`, with the changes, the objects
/// that already had the secret and the findings beside it.
///
/// `options` has the shape of `InjectOptions` in camelCase: `secret`, `kinds`, `namespaces`,
/// `selector`, `serviceAccounts`.
///
/// # Errors
/// Text that is not YAML, as `line L, column C: reason` (the position only, never the text);
/// an invalid secret name or label selector; options of the wrong shape.
#[wasm_bindgen]
pub fn inject(text: &str, options: JsValue) -> JsResult {
    let options = inject_options(options)?;

    let injected = injection::inject(text, &options).map_err(|error| js_error(&error))?;

    to_js(&injected)
}
