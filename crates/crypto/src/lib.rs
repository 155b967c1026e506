//! Secrets handling for ordercore: argon2id password hashes, session /
//! application tokens (random, shown once, stored only as SHA-256), and the
//! data cipher that encrypts secrets at rest ([`DataCipher`]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use async_trait::async_trait;
use base64::Engine as _;
use ordercore_domain::Unexpected;
use ordercore_domain::ports::{PasswordHasher, TokenGenerator};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

mod data;
pub use data::{DataCipher, DataCipherError, DataKey, SEALED_PREFIX, is_sealed};

/// argon2id with the crate's recommended parameters. Hashing runs on the
/// blocking pool so request threads keep serving.
#[derive(Debug, Clone, Default)]
pub struct Argon2Hasher;

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, Unexpected> {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| Unexpected::new(format!("password hashing task failed: {e}")))?
    }

    async fn verify(&self, password: &str, phc: &str) -> bool {
        let (password, phc) = (password.to_owned(), phc.to_owned());
        tokio::task::spawn_blocking(move || verify_password(&password, &phc))
            .await
            .unwrap_or(false)
    }
}

/// A PHC string (argon2id) for `password`.
pub fn hash_password(password: &str) -> Result<String, Unexpected> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Unexpected::new(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `phc`; false for unreadable hashes.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 256-bit random tokens, URL-safe base64 without padding; stored as the hex
/// SHA-256 digest.
#[derive(Debug, Clone, Default)]
pub struct RandomTokens;

impl TokenGenerator for RandomTokens {
    fn new_token(&self) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn digest(&self, token: &str) -> String {
        sha256_hex(token.as_bytes())
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_digested() {
        let t = RandomTokens;
        let (a, b) = (t.new_token(), t.new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in unpadded base64");
        assert_eq!(t.digest(&a).len(), 64);
        assert_ne!(t.digest(&a), t.digest(&b));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn sha256_hex_matches_known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn argon2id_round_trip() {
        let h = Argon2Hasher;
        let phc = h.hash("correct horse").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("correct horse", &phc).await);
        assert!(!h.verify("wrong", &phc).await);
        assert!(!h.verify("x", "not a hash").await);
    }
}
