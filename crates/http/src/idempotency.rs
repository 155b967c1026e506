//! `Idempotency-Key` (contract §7): the first response for a key is stored and
//! replayed byte for byte; the same key with other params, or while the first
//! request runs, is `idempotency-key-conflict`.

pub mod bound;

use crate::envelope::{ApiError, Outcome};
use crate::errors::crash;
use crate::params::{Fingerprint, ParamDef, ParamType};
use crate::slug::Slug;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use ordercore_domain::model::{CardBrand, OrderId};
use ordercore_domain::ports::{ClaimedKey, IdempotencyBegin, IdempotencyStore};
use ordercore_domain::usecases::{Principal, PrincipalKind};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use std::fmt;

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

/// The server's key of the fingerprint HMAC
/// (`ORDERCORE_FINGERPRINT_KEY`, base64 of 32 bytes). Without it a stored
/// fingerprint could be tested against guessed params offline.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey([u8; 32]);

impl FingerprintKey {
    /// The key from its setting: base64 (standard alphabet) of exactly 32
    /// bytes. The error names the problem, never the value.
    pub fn from_base64(s: &str) -> Result<FingerprintKey, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|_| "the fingerprint key is not valid base64".to_string())?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(FingerprintKey)
            .map_err(|_| format!("the fingerprint key must be 32 bytes, not {}", bytes.len()))
    }

    /// A key of 32 random bytes: the default until the server sets one, so
    /// fingerprints of one process agree (a key stored under another
    /// process's key then answers `idempotency-key-conflict`, never a second
    /// run).
    pub fn random() -> FingerprintKey {
        FingerprintKey(rand::random())
    }

    /// HMAC-SHA256 (hex) of `data` under this key, for another purpose
    /// than fingerprints: `label` separates the purposes, so no value made
    /// for one is valid for another (the staff console's CSRF tokens).
    pub fn derive(&self, label: &str, data: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC takes a key of any length")
        };
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(data.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FingerprintKey(…)")
    }
}

/// What the fingerprint keeps of `params`, by their definitions: secrets
/// are left out, a card number becomes its brand and last 4 digits.
fn fingerprint_input(defs: &[ParamDef], params: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in params {
        let Some(def) = defs.iter().find(|d| d.name == name) else {
            out.insert(name.clone(), value.clone());
            continue;
        };
        let kept = match (def.fingerprint, value) {
            (Fingerprint::Omit, _) => continue,
            (Fingerprint::CardSummary, v) => {
                let digits: String = v
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let last4 = &digits[digits.len().saturating_sub(4)..];
                json!({"brand": CardBrand::from_number(&digits).as_str(), "last4": last4})
            }
            (Fingerprint::Value, Value::Object(map)) if def.kind == ParamType::Parent => {
                Value::Object(fingerprint_input(&def.fields, map))
            }
            (Fingerprint::Value, Value::Array(items)) if def.kind == ParamType::Array => {
                Value::Array(
                    items
                        .iter()
                        .map(|item| match item {
                            Value::Object(map) => {
                                Value::Object(fingerprint_input(&def.fields, map))
                            }
                            other => other.clone(),
                        })
                        .collect(),
                )
            }
            (Fingerprint::Value, v) => v.clone(),
        };
        out.insert(name.clone(), kept);
    }
    out
}

/// The fingerprint of the validated, normalised params of a route with
/// param definitions `defs`: hex HMAC-SHA256 under `key` of their canonical
/// JSON. The token is not in it (it is part of the scope), nor is any param
/// whose definition leaves it out (card number, CVC).
pub fn fingerprint(key: &FingerprintKey, defs: &[ParamDef], params: &Map<String, Value>) -> String {
    let mut p = fingerprint_input(defs, params);
    p.remove("token");
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.0) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(canonical(&Value::Object(p)).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A claimed key that must be completed or abandoned (the use case binds
/// it to the order it records before calling the processor).
pub type Claim = ClaimedKey;

/// Who a key belongs to: the user behind a session (whichever session),
/// the application behind an application token, else `fallback` (the
/// client address, on public routes). A new log-in keeps the user's keys.
pub fn principal_scope(principal: Option<&Principal>, fallback: &str) -> String {
    match principal.map(|p| &p.kind) {
        Some(PrincipalKind::Session { user, .. }) => format!("user:{}", user.id.0),
        Some(PrincipalKind::Application(app)) => format!("application:{}", app.id.0),
        None => fallback.to_string(),
    }
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Run it, then [`finish`] the claim.
    Run(Claim),
    /// Answer the stored first response: its slug (which decides the HTTP
    /// code) and its body, verbatim.
    Replay { slug: Slug, body: String },
    /// The key is bound to this order and has no stored answer: answer from
    /// the order ([`bound::answer`]), run nothing.
    Bound(OrderId),
}

/// What identifies a request to [`start`]: who, on which route, with which
/// params.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The caller's principal ([`principal_scope`]).
    pub scope_id: &'a str,
    /// The route: its path scopes the key, its param definitions say what
    /// the fingerprint keeps.
    pub route: &'a crate::routes::RouteDef,
    /// The validated, normalised params.
    pub params: &'a Map<String, Value>,
}

/// Claims `key` for the caller on the route.
pub async fn start(
    store: &dyn IdempotencyStore,
    fingerprint_key: &FingerprintKey,
    request: Request<'_>,
    key: String,
    now: DateTime<Utc>,
) -> Result<Start, ApiError> {
    let scope = format!("{}:{}", request.scope_id, request.route.path());
    let print = fingerprint(fingerprint_key, &request.route.params, request.params);
    match store.begin(&scope, &key, &print, now).await {
        Ok(IdempotencyBegin::Started) => Ok(Start::Run(Claim { scope, key })),
        Ok(IdempotencyBegin::Replay { status, body }) => match Slug::parse(&status) {
            Some(slug) => Ok(Start::Replay { slug, body }),
            // Only this layer writes the slug: an unknown one is a corrupt
            // record, not an answer to replay.
            None => Err(crash(&format!(
                "stored idempotent answer has an unknown status {status:?}"
            ))),
        },
        Ok(IdempotencyBegin::Bound { order_id }) => Ok(Start::Bound(order_id)),
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

/// Stores the outcome of a claimed request, except an `application-crash`:
/// that is abandoned, which frees the key only when it was not bound to an
/// order (the processor was not called); a bound key stays, and its order
/// answers retries. If storing fails, a bound key is not freed either.
pub async fn finish(store: &dyn IdempotencyStore, claim: &Claim, outcome: &Outcome) {
    let result = if outcome.slug == Slug::ApplicationCrash {
        store.abandon(&claim.scope, &claim.key).await
    } else {
        store
            .complete(
                &claim.scope,
                &claim.key,
                outcome.slug.as_str(),
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

    fn print(key: &FingerprintKey, route: &str, v: Value) -> String {
        let (r, a) = route.split_once('/').unwrap();
        let defs = &crate::routes::find(r, a).unwrap().params;
        fingerprint(key, defs, v.as_object().unwrap())
    }

    #[test]
    fn fingerprint_ignores_key_order_and_the_token() {
        let key = FingerprintKey::random();
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "s"}, "token": "t1"});
        let b = json!({"a": {"x": "s", "y": [1, 2]}, "b": 1, "token": "t2"});
        assert_eq!(
            print(&key, "orders/read", a.clone()),
            print(&key, "orders/read", b)
        );
        let c = json!({"a": {"x": "s", "y": [2, 1]}, "b": 1});
        assert_ne!(print(&key, "orders/read", a), print(&key, "orders/read", c));
    }

    fn card(number: &str, cvc: &str, exp_year: i64) -> Value {
        json!({"client_id": 3, "payment_method": {
            "name_on_card": "A B", "card_number": number, "cvc": cvc,
            "exp_month": 4, "exp_year": exp_year, "street": "1 Main", "city": "X",
            "province_iso": "us_co", "postal_code": "80202"}})
    }

    #[test]
    fn card_number_and_cvc_are_not_inputs_but_last4_brand_and_expiry_are() {
        let key = FingerprintKey::random();
        let pm = |n: &str, c: &str, y: i64| print(&key, "payment_methods/create", card(n, c, y));
        let base = pm("4111111111111111", "123", 2030);
        // Other middle digits, another CVC: the same fingerprint.
        assert_eq!(base, pm("4000000000001111", "999", 2030));
        // Other last 4 digits, another brand, another expiry: told apart.
        assert_ne!(base, pm("4111111111112222", "123", 2030));
        assert_ne!(base, pm("5500000000001111", "123", 2030));
        assert_ne!(base, pm("4111111111111111", "123", 2031));
    }

    #[test]
    fn the_server_key_changes_the_fingerprint() {
        let body = || card("4111111111111111", "123", 2030);
        let k1 = FingerprintKey::from_base64(&format!("{}=", "A".repeat(43))).unwrap();
        let k2 = FingerprintKey::from_base64(&format!("B{}=", "A".repeat(42))).unwrap();
        let a = print(&k1, "payment_methods/create", body());
        assert_eq!(a, print(&k1, "payment_methods/create", body()));
        assert_ne!(a, print(&k2, "payment_methods/create", body()));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn the_key_setting_is_32_bytes_of_base64_and_never_shown() {
        assert!(FingerprintKey::from_base64("not base64!").is_err());
        let short = FingerprintKey::from_base64("AAAA").unwrap_err();
        assert!(short.contains("32 bytes"), "{short}");
        let key = FingerprintKey::from_base64(&format!("{}=", "A".repeat(43))).unwrap();
        assert_eq!(format!("{key:?}"), "FingerprintKey(…)");
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
