//! Encryption at rest of the secrets the store keeps (an order's access code
//! and on-site contact, stored idempotent answers). No use case calls it:
//! the store seals and opens at its boundary with the cipher it is built
//! with, so the domain only ever sees plain values. Implemented by
//! `ordercore_crypto::DataCipher`.

use crate::Unexpected;

/// Authenticated encryption under the current data key; older keys open.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SecretCipher: Send + Sync {
    /// `plaintext` sealed under the current key and bound to `aad` (where it
    /// is stored): text that names the key that sealed it.
    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, Unexpected>;
    /// A sealed value opened with whichever known key sealed it. Fails when
    /// it was altered, stored elsewhere (another `aad`), or sealed under a
    /// key this cipher does not know; the message names no secret.
    fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, Unexpected>;
    /// Whether `sealed` was sealed under the current key.
    fn is_current(&self, sealed: &str) -> bool;
}
