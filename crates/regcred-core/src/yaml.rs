//! YAML and JSON text for manifests, in one style everywhere.

use serde::Serialize;

/// Result of this module's fallible functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A value that could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// serde-saphyr refused the value.
    #[error("cannot write YAML")]
    Yaml(#[source] serde_saphyr::ser::Error),
    /// `serde_json` refused the value.
    #[error("cannot write JSON")]
    Json(#[source] serde_json::Error),
}

/// Output formats, as kubectl's `-o`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Multi-document YAML.
    #[default]
    Yaml,
    /// JSON: one object, or a `v1` `List` of several, indented like kubectl.
    Json,
}

fn options() -> serde_saphyr::SerializerOptions {
    // Base64 values and long strings stay plain one-line scalars, as kubectl writes them; folded
    // blocks would be correct YAML but surprise every reader and every grep.
    serde_saphyr::ser_options! { prefer_block_scalars: false }
}

/// One YAML document, ending in a newline.
///
/// # Errors
/// [`Error::Yaml`] when the value cannot be represented (never for Kubernetes objects).
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String> {
    serde_saphyr::to_string_with_options(value, options()).map_err(Error::Yaml)
}

/// Several YAML documents separated by `---` lines.
///
/// # Errors
/// As [`to_yaml`].
pub fn to_yaml_documents<T: Serialize>(values: &[T]) -> Result<String> {
    let documents = values.iter().map(to_yaml).collect::<Result<Vec<_>>>()?;
    Ok(documents.join("---\n"))
}

/// JSON like `kubectl -o json`: 4-space indent, a `List` for several objects, final newline.
///
/// # Errors
/// [`Error::Json`] when the value cannot be represented (never for Kubernetes objects).
pub fn to_json<T: Serialize>(values: &[T]) -> Result<String> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if let [single] = values {
        single.serialize(&mut serializer).map_err(Error::Json)?;
    } else {
        let list = serde_json::json!({ "apiVersion": "v1", "kind": "List", "items": values, "metadata": {} });
        list.serialize(&mut serializer).map_err(Error::Json)?;
    }
    out.push(b'\n');
    String::from_utf8(out).map_err(|error| Error::Json(serde::ser::Error::custom(error)))
}

/// Renders `values` in `format`.
///
/// # Errors
/// As [`to_yaml`] and [`to_json`].
pub fn render<T: Serialize>(values: &[T], format: Format) -> Result<String> {
    // Through JSON trees (key order kept by `preserve_order`), every Kubernetes type is
    // serialized by one serializer instead of two: the browser's WebAssembly code is a quarter
    // smaller, and the text is the same (the snapshots and the kubectl oracle check it).
    let trees = values
        .iter()
        .map(|value| serde_json::to_value(value).map_err(Error::Json))
        .collect::<Result<Vec<_>>>()?;
    match format {
        Format::Yaml => to_yaml_documents(&trees),
        Format::Json => to_json(&trees),
    }
}

/// A YAML or JSON text that does not parse.
///
/// The message gives the position and the parser's reason but never the surrounding lines: the
/// text may be a Secret or a docker config, and error output ends up in CI logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    message: String,
}

impl SyntaxError {
    fn from_saphyr(error: &serde_saphyr::Error) -> Self {
        // The parser's own message, without its snippet of the input; the snippet would quote
        // neighbouring lines, passwords included. No source is kept for the same reason.
        Self {
            message: error.without_snippet().to_string(),
        }
    }
}

/// Every document of a multi-document YAML (or JSON) text, empty documents dropped.
///
/// # Errors
/// [`SyntaxError`] naming the line and column.
pub fn parse_documents(text: &str) -> Result<Vec<serde_json::Value>, SyntaxError> {
    // Manifest sets from Helm or kustomize run to many thousands of documents; the default
    // budget stops at 1,024. Alias and anchor limits stay as they are (alias bombs).
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 1_000_000,
            max_nodes: 100_000_000,
            max_events: 200_000_000,
            max_total_scalar_bytes: 1 << 30,
        },
    };
    let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|error| SyntaxError::from_saphyr(&error))?;
    Ok(documents.into_iter().filter(|d| !d.is_null()).collect())
}
