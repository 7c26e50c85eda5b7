//! The instance's ed25519 signing key: kept in the data directory, created on first start with
//! owner-only permissions.
use crate::{AppError, AppResult};
use crosswalk_journal::SigningKey;
use std::path::Path;

pub const KEY_FILE: &str = "journal-signing-key.pem";

/// Load the key from `data_dir`, creating it (and the directory) on first use.
pub fn load_or_create_signing_key(data_dir: &Path) -> AppResult<SigningKey> {
    let path = data_dir.join(KEY_FILE);
    let io = |what: &str, e: std::io::Error| AppError::Internal(format!("{what} {}: {e}", path.display()));
    if path.exists() {
        let pem = std::fs::read_to_string(&path).map_err(|e| io("cannot read signing key", e))?;
        return crosswalk_journal::signing_key_from_pem(&pem)
            .map_err(|e| AppError::Internal(format!("signing key {} is unreadable: {e}", path.display())));
    }
    crosswalk_store::create_private_dir(data_dir).map_err(|e| io("cannot create data directory for", e))?;
    let key = crosswalk_journal::generate_signing_key();
    let pem = crosswalk_journal::signing_key_to_pem(&key).map_err(|e| AppError::Internal(e.to_string()))?;
    write_private(&path, pem.as_bytes()).map_err(|e| io("cannot write signing key", e))?;
    Ok(key)
}

/// Make `key` this installation's signing key (a restore that brought the key back). A key already
/// in `data_dir` is moved aside (`…pem.replaced-UUIDv7`, time-ordered), never deleted: it may have signed
/// checkpoints an auditor keeps.
pub fn install_signing_key(data_dir: &Path, key: &SigningKey) -> AppResult<()> {
    let path = data_dir.join(KEY_FILE);
    let io = |what: &str, e: std::io::Error| AppError::Internal(format!("{what} {}: {e}", path.display()));
    crosswalk_store::create_private_dir(data_dir).map_err(|e| io("cannot create data directory for", e))?;
    if path.exists() {
        let aside = data_dir.join(format!("{KEY_FILE}.replaced-{}", uuid::Uuid::now_v7().simple()));
        std::fs::rename(&path, &aside).map_err(|e| io("cannot move aside", e))?;
    }
    let pem = crosswalk_journal::signing_key_to_pem(key).map_err(|e| AppError::Internal(e.to_string()))?;
    write_private(&path, pem.as_bytes()).map_err(|e| io("cannot write signing key", e))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // create_new: never overwrite a key another process just created.
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_reloaded() {
        let dir = std::env::temp_dir().join(format!("cw-key-{}", uuid::Uuid::new_v4()));
        let a = load_or_create_signing_key(&dir).unwrap();
        let b = load_or_create_signing_key(&dir).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
