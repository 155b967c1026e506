//! Errors shared by ports and use cases.

use std::fmt;

/// The cause carried by [`StoreError::Backend`] and [`Unexpected`]: any error
/// that may cross threads. Kept as a value (not flattened into text) so the
/// log can walk `source()` down to the driver's own error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failure of a storage port. Only `Conflict` carries meaning a use case acts
/// on (a unique constraint decided a race); everything else is `Backend`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint or conditional write refused the change; the string
    /// names the constraint for the log.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or failed; never shown to a client.
    /// The Display names the cause in one line; `source()` is the cause itself
    /// (e.g. the diesel error), so its own chain stays reachable.
    #[error("storage failure: {0}")]
    Backend(#[source] BoxError),
}

impl StoreError {
    /// A backend failure caused by `cause` (an error, or a message when there
    /// is no error value to keep).
    pub fn backend(cause: impl Into<BoxError>) -> Self {
        StoreError::Backend(cause.into())
    }
}

/// The opaque payload of every use case's `Unexpected` variant: a description
/// for the log, never for the client (the HTTP layer answers `application-crash`).
/// Its Display is the whole description in one line; when it came from another
/// error (e.g. a [`StoreError`]), `source()` returns that error, so the cause
/// chain down to the driver stays walkable.
#[derive(Debug)]
pub struct Unexpected {
    message: String,
    source: Option<BoxError>,
}

impl Unexpected {
    /// An unexpected failure described by `message`, with no underlying error.
    pub fn new(message: impl Into<String>) -> Self {
        Unexpected {
            message: message.into(),
            source: None,
        }
    }

    /// An unexpected failure described by `message` and caused by `source`.
    pub fn with_source(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Unexpected {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The description, as logged.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Unexpected {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<StoreError> for Unexpected {
    /// Keeps the store error's text as the description (so one-line logs read
    /// as before) and the store error itself as the source.
    fn from(e: StoreError) -> Self {
        Unexpected::with_source(e.to_string(), e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[derive(Debug, thiserror::Error)]
    #[error("driver said no")]
    struct Driver;

    #[test]
    fn backend_and_unexpected_keep_the_cause_chain() {
        let store = StoreError::backend(Driver);
        assert_eq!(store.to_string(), "storage failure: driver said no");
        let unexpected = Unexpected::from(store);
        assert_eq!(unexpected.to_string(), "storage failure: driver said no");
        let level1 = unexpected.source().expect("the store error");
        assert!(level1.is::<StoreError>());
        let level2 = level1.source().expect("the driver error");
        assert!(level2.is::<Driver>());
    }

    #[test]
    fn a_plain_unexpected_has_no_source() {
        let u = Unexpected::new("session 3 has no user");
        assert_eq!(u.to_string(), "session 3 has no user");
        assert!(u.source().is_none());
    }
}
