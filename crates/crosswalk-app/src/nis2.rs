//! NIS2 scoping for the front ends: the rules themselves are pure domain code.
use crate::AppResult;
use crosswalk_domain::nis2::{self, EntityType, ScopeInput, ScopeResult};

/// Classify an entity; validation errors name the field.
pub fn scope(input: &ScopeInput) -> AppResult<ScopeResult> {
    Ok(nis2::scope(input)?)
}

/// Every entity type of Annexes I and II (with the size-independent types of Art 2(2)).
pub fn sectors() -> &'static [EntityType] {
    nis2::ENTITY_TYPES
}
