//! Pure functions from registry credentials to Kubernetes pull-secret manifests and findings.
//!
//! Nothing in this crate does IO: no file system, no network, no clock. Every adapter (the CLI,
//! the browser page through WebAssembly, the live-cluster layer, the end-to-end tests) calls the
//! same functions, so they produce the same bytes for the same input.

pub mod dockerconfig;
pub mod explain;
pub mod finding;
pub mod gojson;
pub mod inject;
pub mod inspect;
pub mod lint;
pub mod manifest;
pub mod matching;
pub mod preset;
pub mod reference;
pub mod validate;
pub mod yaml;

pub use finding::{Finding, Severity};

/// An error and its causes on one line, each cause left out when an earlier part says it
/// already (hyper, tower and anyhow contexts often repeat their sources' words).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}
