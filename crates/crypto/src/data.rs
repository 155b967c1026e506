//! Encryption at rest: XChaCha20-Poly1305 under a 256-bit data key.
//!
//! A sealed value is text, `v1:<key id>:<base64url(nonce || ciphertext)>`:
//! the key id says which key sealed it (so older keys can still open it after
//! a rotation), the nonce is 24 random bytes (safe to draw at random), and the
//! associated data binds the value to where it is stored (table, column, row),
//! so a ciphertext copied into another row does not open.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use ordercore_domain::Unexpected;
use ordercore_domain::ports::SecretCipher;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use std::fmt;

/// The version prefix of every sealed value.
pub const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A 256-bit data key and its id (8 hex digits of a SHA-256 of the key:
/// it names the key without revealing it). `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey {
    id: String,
    bytes: [u8; 32],
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

impl DataKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        let mut h = Sha256::new();
        h.update(b"ordercore data key id\0");
        h.update(bytes);
        let digest = h.finalize();
        let id = crate::hex(&digest[..4]);
        DataKey { id, bytes }
    }

    /// Reads base64 (standard or URL-safe, padded or not) of exactly 32
    /// bytes. The error never contains the value.
    pub fn from_base64(text: &str) -> Result<DataKey, String> {
        let text = text.trim();
        let decoded = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            B64,
        ]
        .iter()
        .find_map(|e| e.decode(text).ok())
        .ok_or_else(|| "not base64 (expected base64 of 32 random bytes)".to_string())?;
        let bytes: [u8; 32] = decoded.as_slice().try_into().map_err(|_| {
            format!(
                "must be base64 of exactly 32 bytes, got {} bytes",
                decoded.len()
            )
        })?;
        Ok(DataKey::from_bytes(bytes))
    }

    /// A new random key.
    pub fn generate() -> DataKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        DataKey::from_bytes(bytes)
    }

    /// The key in standard padded base64 (what `ORDERCORE_DATA_KEY` holds).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.bytes)
    }

    /// The key id stored beside every value this key seals.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Why a value could not be sealed or opened. No variant holds key material
/// or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataCipherError {
    #[error("not a sealed value (no v1: prefix)")]
    NotSealed,
    #[error("the sealed value is malformed")]
    Malformed,
    #[error(
        "sealed under data key {0}, which is neither ORDERCORE_DATA_KEY nor in ORDERCORE_DATA_KEYS_OLD"
    )]
    UnknownKey(String),
    #[error(
        "the sealed value does not authenticate (altered, or stored under another row or column)"
    )]
    Forged,
    #[error("encryption failed")]
    Seal,
}

/// Seals with the current key; opens with the current key or any older one.
#[derive(Clone)]
pub struct DataCipher {
    current: DataKey,
    old: Vec<DataKey>,
}

impl fmt::Debug for DataCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataCipher")
            .field("current", &self.current.id)
            .field(
                "old",
                &self.old.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl DataCipher {
    /// `current` seals; `current` and every key of `old` open.
    pub fn new(current: DataKey, old: Vec<DataKey>) -> DataCipher {
        let old = old.into_iter().filter(|k| k.id != current.id).collect();
        DataCipher { current, old }
    }

    /// The id of the key new values are sealed under.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext`, bound to `aad` (where it is stored).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, DataCipherError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&self.current.bytes));
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| DataCipherError::Seal)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(format!(
            "{SEALED_PREFIX}{}:{}",
            self.current.id,
            B64.encode(blob)
        ))
    }

    /// Opens a value [`DataCipher::seal`] made under any known key with the
    /// same `aad`.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, DataCipherError> {
        let (id, blob) = split(sealed)?;
        let key = std::iter::once(&self.current)
            .chain(self.old.iter())
            .find(|k| k.id == id)
            .ok_or_else(|| DataCipherError::UnknownKey(id.to_string()))?;
        let blob = B64.decode(blob).map_err(|_| DataCipherError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(DataCipherError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        XChaCha20Poly1305::new(Key::from_slice(&key.bytes))
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| DataCipherError::Forged)
    }

    /// Whether `sealed` is a sealed value under the current key (a rotation
    /// leaves it alone).
    pub fn is_current(&self, sealed: &str) -> bool {
        split(sealed).is_ok_and(|(id, _)| id == self.current.id)
    }
}

impl SecretCipher for DataCipher {
    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String, Unexpected> {
        DataCipher::seal(self, plaintext, aad).map_err(|e| Unexpected::new(e.to_string()))
    }

    fn open(&self, sealed: &str, aad: &[u8]) -> Result<Vec<u8>, Unexpected> {
        DataCipher::open(self, sealed, aad).map_err(|e| Unexpected::new(e.to_string()))
    }

    fn is_current(&self, sealed: &str) -> bool {
        DataCipher::is_current(self, sealed)
    }
}

/// Whether `text` has the form of a sealed value.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(SEALED_PREFIX)
}

fn split(sealed: &str) -> Result<(&str, &str), DataCipherError> {
    let rest = sealed
        .strip_prefix(SEALED_PREFIX)
        .ok_or(DataCipherError::NotSealed)?;
    rest.split_once(':').ok_or(DataCipherError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> DataKey {
        DataKey::from_bytes([n; 32])
    }

    #[test]
    fn seals_and_opens_bound_to_its_place() {
        let c = DataCipher::new(key(1), vec![]);
        let sealed = c.seal(b"1234#", b"orders.property_access:7").unwrap();
        assert!(
            sealed.starts_with(&format!("v1:{}:", key(1).id())),
            "{sealed}"
        );
        assert!(!sealed.contains("1234#"));
        assert_eq!(
            c.open(&sealed, b"orders.property_access:7").unwrap(),
            b"1234#"
        );
        // Another row's associated data: refused.
        assert_eq!(
            c.open(&sealed, b"orders.property_access:8"),
            Err(DataCipherError::Forged)
        );
        // Random nonces: sealing twice gives two values.
        assert_ne!(
            sealed,
            c.seal(b"1234#", b"orders.property_access:7").unwrap()
        );
    }

    #[test]
    fn a_tampered_value_does_not_open() {
        let c = DataCipher::new(key(1), vec![]);
        let sealed = c.seal(b"secret", b"x").unwrap();
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(c.open(&tampered, b"x"), Err(DataCipherError::Forged));
        assert_eq!(c.open("v1:zz", b"x"), Err(DataCipherError::Malformed));
        assert_eq!(c.open("{\"a\":1}", b"x"), Err(DataCipherError::NotSealed));
    }

    #[test]
    fn older_keys_open_but_only_the_current_key_seals() {
        let old = DataCipher::new(key(1), vec![]);
        let sealed = old.seal(b"v", b"a").unwrap();
        let rotated = DataCipher::new(key(2), vec![key(1)]);
        assert_eq!(rotated.open(&sealed, b"a").unwrap(), b"v");
        assert!(!rotated.is_current(&sealed));
        assert!(rotated.is_current(&rotated.seal(b"v", b"a").unwrap()));
        let without_old = DataCipher::new(key(2), vec![]);
        assert_eq!(
            without_old.open(&sealed, b"a"),
            Err(DataCipherError::UnknownKey(key(1).id().to_string()))
        );
    }

    #[test]
    fn keys_read_base64_of_32_bytes_and_never_show_it() {
        let k = DataKey::generate();
        let b64 = k.to_base64();
        assert_eq!(DataKey::from_base64(&b64).unwrap(), k);
        assert_ne!(DataKey::generate(), k);
        assert_eq!(k.id().len(), 8);
        assert!(!format!("{k:?}").contains(&b64));
        let short = base64::engine::general_purpose::STANDARD.encode([0u8; 16]);
        let e = DataKey::from_base64(&short).unwrap_err();
        assert!(e.contains("32 bytes"), "{e}");
        let e = DataKey::from_base64("not base64!!").unwrap_err();
        assert!(!e.contains("not base64!!"), "{e}");
    }
}
