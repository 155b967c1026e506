//! A client that keeps going while the server crashes and restarts: it sends
//! one submission under one Idempotency-Key, and retries with the same key
//! after a connection error, a key still running (`idempotency-key-conflict`)
//! or an `application-crash`, the way a careful API client would. What it
//! finally heard becomes a [`KeyRecord`] for the invariant check.

use crate::invariants::{KeyRecord, Outcome};
use serde_json::Value;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Where the server listens now: a restarted server listens on a new port.
#[derive(Debug, Clone)]
pub struct Endpoint(Arc<RwLock<String>>);

impl Endpoint {
    pub fn new(base: &str) -> Endpoint {
        Endpoint(Arc::new(RwLock::new(base.to_string())))
    }

    pub fn set(&self, base: &str) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = base.to_string();
    }

    pub fn get(&self) -> String {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// How persistent the client is.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// Pause before a retry.
    pub pause: Duration,
    /// The client's own timeout for one attempt.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            pause: Duration::from_millis(300),
            timeout: Duration::from_secs(20),
        }
    }
}

/// One logical submission.
#[derive(Debug, Clone)]
pub struct Submission {
    /// `orders/authorize_and_submit` or `orders/pay_and_submit`.
    pub route: &'static str,
    pub body: Value,
    pub key: String,
    /// The customer profile of the card in `body` (see [`KeyRecord`]).
    pub customer_profile_id: String,
}

/// Sends `s` until it gets an answer it can act on, or runs out of attempts.
pub async fn submit(
    http: &reqwest::Client,
    endpoint: &Endpoint,
    s: &Submission,
    policy: RetryPolicy,
) -> KeyRecord {
    let started = Instant::now();
    let mut attempts = 0;
    let mut outcome = Outcome::Unknown("never sent".into());
    while attempts < policy.max_attempts {
        attempts += 1;
        let sent = http
            .post(format!("{}/api/v1/{}", endpoint.get(), s.route))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", &s.key)
            .timeout(policy.timeout)
            .body(s.body.to_string())
            .send()
            .await;
        let answer = match sent {
            Ok(res) => res.text().await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let body: Option<Value> = answer
            .as_ref()
            .ok()
            .and_then(|t| serde_json::from_str(t).ok());
        let slug = body
            .as_ref()
            .and_then(|b| b["status"].as_str())
            .map(str::to_string);
        match (slug.as_deref(), &body) {
            (Some("action-successful"), Some(b)) => {
                outcome = match b["data"]["id"].as_i64() {
                    Some(id) => Outcome::Submitted(id),
                    None => Outcome::Unknown(format!("success without an order id: {b}")),
                };
                break;
            }
            // Retry with the same key: nothing definite was said.
            (Some("idempotency-key-conflict"), _) => {
                outcome = Outcome::Unknown("idempotency-key-conflict".into());
            }
            (Some("application-crash"), _) => {
                outcome = Outcome::Failed("application-crash".into());
            }
            (Some(slug), _) => {
                outcome = Outcome::Failed(slug.to_string());
                break;
            }
            (None, _) => {
                outcome = Outcome::Unknown(match answer {
                    Ok(text) => format!("not an envelope: {text}"),
                    Err(e) => format!("no answer: {e}"),
                });
            }
        }
        tokio::time::sleep(policy.pause).await;
    }
    KeyRecord {
        key: s.key.clone(),
        customer_profile_id: s.customer_profile_id.clone(),
        started,
        ended: Instant::now(),
        attempts,
        outcome,
    }
}
