//! Validated values from user input. Each error names the field it is about, so the API can answer
//! 422 with the field and the CLI can print it.
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

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

/// An e-mail address, normalised (Unicode NFC, lower case) so that login is case-insensitive and one
/// mailbox has one spelling. A plain addr-spec only: one `@` with text either side, a dot in the
/// domain, and none of the characters that let a mail library read a different mailbox out of the
/// same text (`<>()[]",;:\`, white space, control characters); delivery proves the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let trimmed: String = raw.trim().nfc().collect::<String>().to_lowercase();
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && trimmed.len() <= 254
                    && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[]\",;:\\".contains(c))
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

/// Most items one list request returns (`limit` of every list endpoint and command).
pub const MAX_LIST_LIMIT: u64 = 1000;

/// A list's `limit`: 1 to [`MAX_LIST_LIMIT`]. Checked here, not only at the HTTP edge, so the CLI and any
/// other caller cannot reach the database with a value its integer types cannot hold.
pub fn list_limit(field: &str, limit: u64) -> Result<u64, ValidationError> {
    if (1..=MAX_LIST_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ValidationError::new(field, format!("must be an integer from 1 to {MAX_LIST_LIMIT} (got {limit})")))
    }
}

/// Minimum password length in characters after NFKC normalisation (OWASP ASVS 4.0.3 V2.1.1 asks for
/// at least 12; NIST SP 800-63B §3.1.1.2 for at least 8).
pub const MIN_PASSWORD_LEN: usize = 12;

/// Maximum password length in characters. ASVS V2.1.2 asks that at least 64 be allowed; 128 leaves room for
/// passphrases while bounding the work argon2 and normalisation do on untrusted input.
pub const MAX_PASSWORD_LEN: usize = 128;

/// The password policy (OWASP ASVS 4.0.3 V2.1): at least [`MIN_PASSWORD_LEN`] and at most
/// [`MAX_PASSWORD_LEN`] characters after Unicode NFKC normalisation (V2.1.1, V2.1.2, counted as characters,
/// not bytes), not only whitespace, and not on the bundled list of common and breached passwords
/// (V2.1.7, compared case-insensitively; see [`crate::common_passwords`] for the source). No composition
/// rules (V2.1.9). Each error names the rule it broke.
pub fn password(field: &str, raw: &str) -> Result<(), ValidationError> {
    let too_long = || ValidationError::new(field, format!("must be at most {MAX_PASSWORD_LEN} characters"));
    // Bound the work before normalising: no character is more than 4 bytes, so anything longer cannot pass.
    if raw.len() > MAX_PASSWORD_LEN * 4 {
        return Err(too_long());
    }
    let normalised: String = raw.nfkc().collect();
    if !normalised.is_empty() && normalised.chars().all(char::is_whitespace) {
        return Err(ValidationError::new(field, "must not be only whitespace"));
    }
    let len = normalised.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(ValidationError::new(field, format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    if len > MAX_PASSWORD_LEN {
        return Err(too_long());
    }
    if crate::common_passwords::contains(&normalised.to_lowercase()) {
        return Err(ValidationError::new(field, "is a commonly used password; choose another"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_a_plain_addr_spec() {
        assert_eq!(Email::parse("email", " NewHire@A.Example ").unwrap().as_str(), "newhire@a.example");
        for bad in [
            "<newhire@a.example>",
            "newhire@a.example(x)",
            "a@b.example,c@d.example",
            "\"x\"@a.example",
            "x@a.example;",
            "x\u{0}@a.example",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
        // One spelling per mailbox: a composed and a decomposed é are the same address.
        assert_eq!(Email::parse("email", "re\u{301}mi@a.example").unwrap(), Email::parse("email", "r\u{e9}mi@a.example").unwrap());
    }

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
        let err = password("password", "short").unwrap_err();
        assert_eq!(err.field, "password");
        assert_eq!(err.message, "must be at least 12 characters");
        assert!(password("password", "correct horse battery").is_ok());
    }

    #[test]
    fn length_counts_characters_after_normalisation() {
        // Eleven 'é' are 22 bytes but 11 characters: still too short.
        assert!(password("password", &"é".repeat(11)).is_err());
        // 'e' + combining acute composes to one character under NFKC: 12 pairs are 12 characters.
        assert!(password("password", &"e\u{301}".repeat(12)).is_ok());
        assert!(password("password", &"e\u{301}".repeat(11)).is_err());
        // Twelve 4-byte characters are 12 characters, not 48.
        assert!(password("password", &"\u{1F512}".repeat(12)).is_ok());
    }

    #[test]
    fn long_passwords_are_accepted_up_to_the_maximum() {
        assert!(password("password", &"a1b2c3d4".repeat(8)).is_ok(), "64 characters must be allowed");
        assert!(password("password", &"x7".repeat(MAX_PASSWORD_LEN / 2)).is_ok());
        let err = password("password", &"x7".repeat(MAX_PASSWORD_LEN / 2 + 1)).unwrap_err();
        assert_eq!(err.message, "must be at most 128 characters");
        assert!(password("password", &"x".repeat(100_000)).is_err());
    }

    #[test]
    fn whitespace_only_is_refused() {
        for blank in [" ".repeat(12), "\t".repeat(20), "\u{3000}".repeat(16)] {
            assert_eq!(password("password", &blank).unwrap_err().message, "must not be only whitespace");
        }
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        for common in ["password1234", "PASSWORD1234", "Password1234", "123456123456", "QwErTy123456"] {
            let err = password("password", common).unwrap_err();
            assert_eq!(err.field, "password");
            assert!(err.message.starts_with("is a commonly used password"), "{common}: {}", err.message);
        }
        // Fullwidth digits normalise (NFKC) to ASCII, so they do not get round the list.
        assert!(password("password", "password\u{FF11}\u{FF12}\u{FF13}\u{FF14}").is_err());
    }

    #[test]
    fn list_limit_is_bounded() {
        assert_eq!(list_limit("limit", 1), Ok(1));
        assert_eq!(list_limit("limit", MAX_LIST_LIMIT), Ok(MAX_LIST_LIMIT));
        for bad in [0, MAX_LIST_LIMIT + 1, 1 << 63, u64::MAX] {
            assert_eq!(list_limit("limit", bad).unwrap_err().field, "limit");
        }
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
