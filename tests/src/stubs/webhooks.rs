//! A webhook receiver: records every delivery (its signature header and raw
//! body) and answers from a script (e.g. 500, 500, then 200 for ever).

use hmac::{Hmac, Mac};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One request the receiver got, and the status it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub signature: String,
    pub body: String,
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The event id of the body.
    pub fn event_id(&self) -> i64 {
        self.json()["id"].as_i64().unwrap_or(-1)
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<u16>,
    received: Vec<Received>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<State>>, Option<std::time::Duration>);

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let status = s.script.pop_front().unwrap_or(200);
        s.received.push(Received {
            signature: request
                .headers
                .get("Ordercore-Signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            status,
        });
        match self.1 {
            Some(delay) => ResponseTemplate::new(status).set_delay(delay),
            None => ResponseTemplate::new(status),
        }
    }
}

/// `POST /hook` answered from a script.
pub struct WebhookReceiver {
    pub server: MockServer,
    recorder: Recorder,
}

impl WebhookReceiver {
    /// Answers `script` in turn, then 200 to everything.
    pub async fn start(script: &[u16]) -> WebhookReceiver {
        Self::start_with(script, None).await
    }

    /// Answers 200 to everything, each after `delay` (a slow receiver).
    pub async fn slow(delay: std::time::Duration) -> WebhookReceiver {
        Self::start_with(&[], Some(delay)).await
    }

    async fn start_with(script: &[u16], delay: Option<std::time::Duration>) -> WebhookReceiver {
        let server = MockServer::start().await;
        let recorder = Recorder(Arc::default(), delay);
        recorder
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .script
            .extend(script);
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(recorder.clone())
            .mount(&server)
            .await;
        WebhookReceiver { server, recorder }
    }

    /// The endpoint URL to register.
    pub fn url(&self) -> String {
        format!("{}/hook", self.server.uri())
    }

    /// Every request received, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.recorder
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .received
            .clone()
    }

    /// The bodies answered 2xx, in arrival order.
    pub fn accepted(&self) -> Vec<Value> {
        self.received()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .map(Received::json)
            .collect()
    }
}

/// Checks an `Ordercore-Signature` header against `body` with `secret`, the
/// way docs/webhooks.md tells receivers to: HMAC-SHA256 of `"<t>.<body>"`,
/// and `t` within `tolerance_secs` of now.
pub fn verify(secret: &str, header: &str, body: &str, tolerance_secs: i64) -> bool {
    let get = |k: &str| header.split(',').find_map(|p| p.strip_prefix(k));
    let (Some(t), Some(v1)) = (get("t="), get("v1=")) else {
        return false;
    };
    let Ok(t_num) = t.parse::<i64>() else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - t_num).abs() > tolerance_secs {
        return false;
    }
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}
