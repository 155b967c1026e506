//! The store's side of encryption at rest: the [`SecretCipher`] given at
//! construction ([`crate::Store::with_cipher`]) and the associated data that
//! binds each sealed value to its table, column and row, so a ciphertext
//! copied into another row (or column) does not open.

use crate::db::{DbResult, backend_fail};
use ordercore_domain::ports::SecretCipher;
use std::sync::Arc;

/// The cipher of a store, if it was given one. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Sealer(Option<Arc<dyn SecretCipher>>);

impl Sealer {
    pub(crate) fn new(cipher: Arc<dyn SecretCipher>) -> Sealer {
        Sealer(Some(cipher))
    }

    fn cipher(&self) -> DbResult<&dyn SecretCipher> {
        self.0.as_deref().ok_or_else(|| {
            backend_fail(
                "no data key (ORDERCORE_DATA_KEY): secrets are never stored or read in clear",
            )
        })
    }

    /// `plain` sealed under the current key, bound to `aad`.
    pub(crate) fn seal(&self, plain: &str, aad: &str) -> DbResult<String> {
        self.cipher()?
            .seal(plain.as_bytes(), aad.as_bytes())
            .map_err(|e| backend_fail(format!("cannot seal a secret: {e}")))
    }

    /// A sealed value opened (any known key), bound to `aad`.
    pub(crate) fn open(&self, sealed: &str, aad: &str) -> DbResult<String> {
        let plain = self
            .cipher()?
            .open(sealed, aad.as_bytes())
            .map_err(|e| backend_fail(format!("cannot open a stored secret ({aad}): {e}")))?;
        String::from_utf8(plain)
            .map_err(|_| backend_fail(format!("a stored secret ({aad}) is not text")))
    }

    /// Whether `sealed` is sealed under the current key (false without a
    /// cipher).
    pub(crate) fn is_current(&self, sealed: &str) -> bool {
        self.0.as_deref().is_some_and(|c| c.is_current(sealed))
    }
}

/// The associated data of `orders.property_access` of order `id`.
pub(crate) fn access_aad(order_id: i64) -> String {
    format!("ordercore:orders.property_access:{order_id}")
}

/// The associated data of `idempotency_keys.body` of the record (scope, key)
/// (the length prefix keeps `a:b` + `c` apart from `a` + `b:c`).
pub(crate) fn idempotency_aad(scope: &str, key: &str) -> String {
    format!(
        "ordercore:idempotency_keys.body:{}:{scope}:{key}",
        scope.len()
    )
}

/// A stored idempotent answer as the caller gave it. Answers are JSON
/// objects and sealed values start with a version prefix, so a body that
/// starts with `{` is one an earlier version stored in clear: it is returned
/// as it is until `ordercore keys rotate` seals it. Any other body is opened.
pub(crate) fn open_body(sealer: &Sealer, scope: &str, key: &str, body: String) -> DbResult<String> {
    if body.starts_with('{') {
        Ok(body)
    } else {
        sealer.open(&body, &idempotency_aad(scope, key))
    }
}
