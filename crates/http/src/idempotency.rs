//! `Idempotency-Key` (contract §7): the first response for a key is stored and
//! replayed byte for byte; the same key with other params, or while the first
//! request runs, is `idempotency-key-conflict`.

use crate::envelope::{ApiError, Outcome};
use crate::errors::crash;
use crate::slug::Slug;
use chrono::{DateTime, Utc};
use ordercore_domain::ports::{IdempotencyBegin, IdempotencyStore};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "Idempotency-Key";
pub const MAX_KEY_LENGTH: usize = 255;

/// The header's value: `None` when absent or blank; over 255 characters or
/// not visible ASCII → `invalid-param` on `Idempotency-Key`.
pub fn key_from_header(raw: Option<&[u8]>) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let Ok(s) = std::str::from_utf8(raw) else {
        return Err(ApiError::invalid_param(HEADER, "must be printable ASCII"));
    };
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > MAX_KEY_LENGTH {
        return Err(ApiError::invalid_param(
            HEADER,
            format!("must be at most {MAX_KEY_LENGTH} characters"),
        ));
    }
    Ok(Some(s.to_string()))
}

/// The canonical JSON text of a value: object keys sorted at every level.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let members: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprint of the validated, normalised params (the token is not in
/// it: it is part of the scope).
pub fn fingerprint(params: &Map<String, Value>) -> String {
    let mut p = params.clone();
    p.remove("token");
    hex_sha256(&canonical(&Value::Object(p)))
}

/// A claimed key that must be completed or abandoned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub scope: String,
    pub key: String,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Run it, then [`finish`] the claim.
    Run(Claim),
    /// Answer the stored first response.
    Replay { http_status: u16, body: String },
}

/// Claims `key` for the caller (`token_digest`) on `route`.
pub async fn start(
    store: &dyn IdempotencyStore,
    token_digest: &str,
    route: &str,
    key: String,
    params: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Start, ApiError> {
    let scope = format!("{token_digest}:{route}");
    match store.begin(&scope, &key, &fingerprint(params), now).await {
        Ok(IdempotencyBegin::Started) => Ok(Start::Run(Claim { scope, key })),
        Ok(IdempotencyBegin::Replay { http_status, body }) => {
            Ok(Start::Replay { http_status, body })
        }
        Ok(IdempotencyBegin::Mismatch) => Err(ApiError::new(
            Slug::IdempotencyKeyConflict,
            "This Idempotency-Key was already used with different parameters.",
        )),
        Ok(IdempotencyBegin::InFlight) => Err(ApiError::new(
            Slug::IdempotencyKeyConflict,
            "The first request with this Idempotency-Key is still running.",
        )),
        Err(e) => Err(crash(&e)),
    }
}

/// Stores the outcome of a claimed request, except an `application-crash`
/// (nothing is known to have happened; the key is released for a retry).
pub async fn finish(store: &dyn IdempotencyStore, claim: &Claim, outcome: &Outcome) {
    let result = if outcome.slug == Slug::ApplicationCrash {
        store.abandon(&claim.scope, &claim.key).await
    } else {
        store
            .complete(
                &claim.scope,
                &claim.key,
                outcome.slug.http_status().as_u16(),
                &outcome.body(),
            )
            .await
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "could not record an idempotent response");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order_and_the_token() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "s"}, "token": "t1"});
        let b = json!({"a": {"x": "s", "y": [1, 2]}, "b": 1, "token": "t2"});
        assert_eq!(
            fingerprint(a.as_object().unwrap()),
            fingerprint(b.as_object().unwrap())
        );
        let c = json!({"a": {"x": "s", "y": [2, 1]}, "b": 1});
        assert_ne!(
            fingerprint(a.as_object().unwrap()),
            fingerprint(c.as_object().unwrap())
        );
    }

    #[test]
    fn key_length_limit() {
        assert_eq!(key_from_header(None).unwrap(), None);
        assert_eq!(key_from_header(Some(b" k ")).unwrap(), Some("k".into()));
        assert!(key_from_header(Some("k".repeat(255).as_bytes())).is_ok());
        let e = key_from_header(Some("k".repeat(256).as_bytes())).unwrap_err();
        assert_eq!(e.slug, Slug::InvalidParam);
        assert_eq!(e.errors[0].param, "Idempotency-Key");
    }
}
