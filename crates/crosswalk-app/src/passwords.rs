//! Password hashing with argon2id (RFC 9106), run off the async executor.
use crate::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

/// argon2id parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
    Owasp,
    /// Minimal cost for tests only: hashes stay argon2id but take microseconds.
    InsecureFastForTests,
}

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Owasp => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::InsecureFastForTests => Params::new(8, 1, 1, None),
    };
    #[allow(clippy::expect_used)] // constant parameters within argon2's documented bounds
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.expect("valid argon2 parameters"))
}

pub(crate) async fn hash(cost: PasswordCost, password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost).hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Verify `password` against a PHC string; `None` still spends the time of one verification, so a
/// response time does not reveal whether an account exists.
pub(crate) async fn verify(cost: PasswordCost, password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => match PasswordHash::new(&phc) {
            // The parameters are read from the stored hash, so old hashes keep verifying after a cost change.
            Ok(parsed) => hasher(cost).verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        },
        None => {
            let salt = SaltString::generate(&mut OsRng);
            let _ = hasher(cost).hash_password(password.as_bytes(), &salt);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash(PasswordCost::InsecureFastForTests, "correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify(PasswordCost::InsecureFastForTests, "correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify(PasswordCost::InsecureFastForTests, "wrong horse battery".into(), Some(h)).await);
        assert!(!verify(PasswordCost::InsecureFastForTests, "x".into(), None).await);
    }
}
