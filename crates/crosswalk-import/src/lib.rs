//! Importers: external catalog formats to Crosswalk's own catalog documents.
//!
//! Each format has one module that parses untrusted bytes into [`crosswalk_domain::catalog`]
//! documents and nothing else: no database, no network. Errors name the file position (YAML line
//! and column) or the JSON path and field, so `crosswalk framework import` can say exactly what is
//! wrong. Writing the result happens in one transaction in the store.
#![forbid(unsafe_code)]

pub mod ciso;
pub mod generate;
pub mod oscal;
pub mod strm;

use crosswalk_domain::catalog::CatalogError;

/// Input that could not be imported, with where in the input the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}, column {column}: {message}")]
    Yaml { line: usize, column: usize, message: String },
    #[error("at {path}: {message}")]
    Json { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("not a recognised format: {0}")]
    UnknownFormat(String),
}

impl ImportError {
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { path: path.into(), message: message.into() }
    }
}

/// Parses JSON into `T`, naming the JSON path of the first problem.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        ImportError::Json { path: if path == "." { "$".into() } else { format!("$.{path}") }, message: inner.to_string() }
    })
}

/// Parses YAML into `T`, naming the line and column of the first problem.
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ImportError> {
    let de = serde_yaml::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let (line, column) = inner.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        let message = if path == "." { inner.to_string() } else { format!("{path}: {inner}") };
        ImportError::Yaml { line, column, message }
    })
}

/// The kinds of file `crosswalk framework import` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An OSCAL 1.x catalog or profile in JSON.
    Oscal,
    /// A CISO Assistant library in YAML (a framework and/or requirement mapping sets).
    CisoAssistant,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "oscal" => Some(Self::Oscal),
            "ciso-assistant" | "ciso" => Some(Self::CisoAssistant),
            _ => None,
        }
    }

    /// Guesses from the content: JSON starting with `{` is OSCAL, anything else is tried as YAML.
    pub fn sniff(bytes: &[u8]) -> Self {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Oscal,
            _ => Self::CisoAssistant,
        }
    }
}

/// Lower-case, `-`-separated slug from free text (`"LOW Baseline"` → `low-baseline`).
pub fn slugify(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_dots_and_collapses_separators() {
        assert_eq!(slugify("NIST_SP-800-53 rev5  LOW"), "nist-sp-800-53-rev5-low");
        assert_eq!(slugify("nist-csf-2.0"), "nist-csf-2.0");
    }

    #[test]
    fn format_sniffing() {
        assert_eq!(Format::sniff(b"  {\"catalog\":{}}"), Format::Oscal);
        assert_eq!(Format::sniff(b"urn: x"), Format::CisoAssistant);
    }
}
