//! The one error type of the app layer. Each variant says which HTTP status and exit code it means;
//! the front ends map them in one place each.
use crosswalk_domain::ValidationError;
use crosswalk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials (401). The message never says which part of a login was wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but the role does not allow this (403).
    #[error("your role does not allow {0}")]
    Forbidden(String),
    /// No such object in the actor's tenant (404); objects of other tenants are reported the same way.
    #[error("{0} not found")]
    NotFound(String),
    /// Input that failed validation (422), naming the field.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The change conflicts with existing data (409).
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins (429).
    #[error("too many failed logins; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many requests of one kind in a period (429).
    #[error("{0}")]
    RateLimited(String),
    /// A service Crosswalk depends on (the SMTP relay) did not do its part (503).
    #[error("{0}")]
    Unavailable(String),
    /// The database was written by a newer Crosswalk (unknown migration); verifying or changing it
    /// with this version could report or cause damage that is not there (503; CLI exit 2).
    #[error("the database has a newer schema than this Crosswalk knows (migration {0}); use a newer version")]
    SchemaTooNew(String),
    /// A fault of ours or of the database (500); logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(m) => AppError::Conflict(format!("already exists ({m})")),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Rejected { field, message } => AppError::Invalid(ValidationError::new(field, message)),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationError::new(field, message))
    }
}
