//! Creating and dropping scratch PostgreSQL databases (tests and `crosswalk bench`). Operator tooling,
//! not tenant data: nothing here reads or writes a Crosswalk schema.
use crate::{Store, StoreError, StoreResult};
use sea_orm::{ConnectionTrait, Statement};

/// Replace the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> StoreResult<String> {
    let mut u = url::Url::parse(url).map_err(|_| StoreError::UnsupportedUrl(crate::redact_url(url)))?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// Create an empty PostgreSQL database named `name` on the server at `admin_url`.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> StoreResult<String> {
    // Identifiers cannot be bound as parameters; the name is ours and checked to be [a-z0-9_].
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    let admin = Store::connect(admin_url).await?;
    admin.db().execute(Statement::from_string(admin.backend(), format!("CREATE DATABASE {name}"))).await?;
    admin.close().await?;
    with_database(admin_url, name)
}

/// Drop a PostgreSQL database, ending its connections.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> StoreResult<()> {
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    let admin = Store::connect(admin_url).await?;
    admin.db().execute(Statement::from_string(admin.backend(), format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await?;
    admin.close().await
}
