//! Which evidence files the database refers to, across every organisation.
//!
//! The one deliberate exception to "every repository function takes a tenant id": evidence files are
//! content-addressed and shared installation-wide (two organisations uploading the same bytes share
//! one file), so whether a file may be deleted depends on every organisation's rows. Nothing here
//! returns tenant data beyond content hashes, and only the app's blob maintenance calls it.
use crate::{Read, conn};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use std::collections::HashSet;

use crate::StoreResult;
use crate::entities::evidence;

/// Whether any evidence row of any organisation refers to the file with this SHA-256.
pub async fn is_referenced(db: &impl Read, sha256: &str) -> StoreResult<bool> {
    let db = conn(db);
    Ok(evidence::Entity::find().filter(evidence::Column::Sha256.eq(sha256)).count(db).await? > 0)
}

/// Every SHA-256 that some evidence row refers to.
pub async fn referenced(db: &impl Read) -> StoreResult<HashSet<String>> {
    let db = conn(db);
    let hashes: Vec<Option<String>> = evidence::Entity::find()
        .select_only()
        .column(evidence::Column::Sha256)
        .filter(evidence::Column::Sha256.is_not_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(hashes.into_iter().flatten().collect())
}
