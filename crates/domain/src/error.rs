//! Errors shared by ports and use cases.

use std::fmt;

/// A failure of a storage port. Only `Conflict` carries meaning a use case acts
/// on (a unique constraint decided a race); everything else is `Backend`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint or conditional write refused the change; the string
    /// names the constraint for the log.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or failed; never shown to a client.
    #[error("storage failure: {0}")]
    Backend(String),
}

/// The opaque payload of every use case's `Unexpected` variant: a description
/// for the log, never for the client (the HTTP layer answers `application-crash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexpected(pub String);

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unexpected {}

impl From<StoreError> for Unexpected {
    fn from(e: StoreError) -> Self {
        Unexpected(e.to_string())
    }
}
