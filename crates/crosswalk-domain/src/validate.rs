//! Validated values from user input. Each error names the field it is about, so the API can answer
//! 422 with the field and the CLI can print it.
use serde::{Deserialize, Serialize};

/// Input that failed validation: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// A tenant slug: 2–63 chars of `a-z`, `0-9` and inner `-`, usable in URLs and file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let ok_chars = raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(2..=63).contains(&raw.len()) || !ok_chars || raw.starts_with('-') || raw.ends_with('-') {
            return Err(ValidationError::new(
                field,
                format!("'{raw}' is not a valid slug (2-63 characters a-z, 0-9 and '-', not starting or ending with '-')"),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, normalised to lower case so that login is case-insensitive.
/// Deliberately shallow: one `@` with text either side and a dot in the domain; delivery proves the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim().to_lowercase();
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && trimmed.len() <= 254
                    && !trimmed.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !valid {
            return Err(ValidationError::new(field, format!("'{raw}' is not a valid e-mail address")));
        }
        Ok(Self(trimmed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name or title: trimmed, non-empty, bounded.
pub fn non_empty_text(field: &str, raw: &str, max_len: usize) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max_len {
        return Err(ValidationError::new(field, format!("must be at most {max_len} characters")));
    }
    Ok(trimmed.to_owned())
}

/// Minimum password length (NIST SP 800-63B §3.1.1.2 asks for at least 8; we ask for 12).
pub const MIN_PASSWORD_LEN: usize = 12;

pub fn password(field: &str, raw: &str) -> Result<(), ValidationError> {
    if raw.chars().count() < MIN_PASSWORD_LEN {
        return Err(ValidationError::new(field, format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    if raw.len() > 1024 {
        return Err(ValidationError::new(field, "must be at most 1024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slug_rules() {
        assert!(Slug::parse("slug", "acme-demo").is_ok());
        for bad in ["", "a", "Acme", "-acme", "acme-", "ac me", "acme_demo"] {
            let err = Slug::parse("slug", bad).unwrap_err();
            assert_eq!(err.field, "slug");
        }
    }

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(Email::parse("email", " Alice@Example.COM ").unwrap().as_str(), "alice@example.com");
        for bad in ["alice", "@example.com", "alice@example", "a@b@c.d", "a b@c.de", "alice@.com"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_password_is_rejected() {
        assert_eq!(password("password", "short").unwrap_err().field, "password");
        assert!(password("password", "correct horse battery").is_ok());
    }

    proptest! {
        /// Parsing never panics, and a parsed slug only contains allowed characters.
        #[test]
        fn slug_parse_total(s in ".{0,80}") {
            if let Ok(slug) = Slug::parse("slug", &s) {
                prop_assert!(slug.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }

        #[test]
        fn email_parse_total(s in ".{0,80}") {
            let _ = Email::parse("email", &s);
        }
    }
}
