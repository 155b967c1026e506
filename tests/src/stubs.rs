//! Stub providers: local wiremock servers replaying the recorded replies in
//! `tests/fixtures/`, so the real adapters talk real HTTP to them; and
//! [`ProcessorStub`], a stateful Authorize.net with a ledger, for the crash
//! and timeout tests.

mod processor;
mod webhooks;

pub use processor::{LedgerEntry, LedgerState, ProcessorStub};
pub use webhooks::{Received, WebhookReceiver, verify};

use crate::fixture;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The path of the Authorize.net JSON API.
pub const AUTHORIZENET_PATH: &str = "/xml/v1/request.api";

/// A reply as Authorize.net sends it: HTTP 200 and a UTF-8 byte-order mark
/// before the JSON (contract §9).
fn authorizenet_reply(name: &str) -> ResponseTemplate {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(fixture(&format!("authorizenet/{name}")));
    ResponseTemplate::new(200).set_body_raw(body, "application/json; charset=utf-8")
}

/// Authorize.net: every call is a POST of one JSON object to one URL; the
/// stub tells calls apart by the request name and transaction type.
pub struct AuthorizeNetStub {
    pub server: MockServer,
}

impl AuthorizeNetStub {
    /// Profiles are created, captures and voids approved; authorizations are
    /// left to the test ([`approve_authorizations`](Self::approve_authorizations),
    /// [`decline_authorizations`](Self::decline_authorizations)).
    pub async fn start() -> AuthorizeNetStub {
        let stub = AuthorizeNetStub {
            server: MockServer::start().await,
        };
        stub.reply_to(
            "createCustomerProfileRequest",
            "create_customer_profile_ok.json",
        )
        .await;
        stub.reply_to(
            "createCustomerPaymentProfileRequest",
            "create_customer_payment_profile_ok.json",
        )
        .await;
        stub.reply_to("priorAuthCaptureTransaction", "approved_auth_only.json")
            .await;
        stub.reply_to("voidTransaction", "void_approved.json").await;
        stub
    }

    async fn reply_to(&self, marker: &str, fixture: &str) {
        Mock::given(method("POST"))
            .and(path(AUTHORIZENET_PATH))
            .and(body_string_contains(marker))
            .respond_with(authorizenet_reply(fixture))
            .mount(&self.server)
            .await;
    }

    /// `ORDERCORE_AUTHORIZENET_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("{}{AUTHORIZENET_PATH}", self.server.uri())
    }

    pub async fn approve_authorizations(&self) {
        self.reply_to("authOnlyTransaction", "approved_auth_only.json")
            .await;
    }

    /// Approves authorizations, each after `delay` (a slow processor).
    pub async fn approve_authorizations_after(&self, delay: std::time::Duration) {
        Mock::given(method("POST"))
            .and(path(AUTHORIZENET_PATH))
            .and(body_string_contains("authOnlyTransaction"))
            .respond_with(authorizenet_reply("approved_auth_only.json").set_delay(delay))
            .mount(&self.server)
            .await;
    }

    pub async fn decline_authorizations(&self) {
        self.reply_to("authOnlyTransaction", "declined.json").await;
    }

    /// The bodies of the requests received whose text contains `marker`
    /// (`authOnlyTransaction`, `priorAuthCaptureTransaction`, …).
    pub async fn requests(&self, marker: &str) -> Vec<Value> {
        received(&self.server, marker).await
    }
}

/// Mandrill: `POST {endpoint}/messages/send.json`.
pub struct MandrillStub {
    pub server: MockServer,
}

impl MandrillStub {
    /// Answers nothing until told ([`accept`](Self::accept), [`fail_next`](Self::fail_next)).
    pub async fn start() -> MandrillStub {
        MandrillStub {
            server: MockServer::start().await,
        }
    }

    /// `ORDERCORE_MANDRILL_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("{}/api/1.0", self.server.uri())
    }

    /// Every message is `sent`.
    pub async fn accept(&self) {
        Mock::given(method("POST"))
            .and(path("/api/1.0/messages/send.json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("mandrill/sent.json"), "application/json"),
            )
            .mount(&self.server)
            .await;
    }

    /// The next `n` sends fail with HTTP 500 `GeneralError` (a temporary
    /// failure, retried by the outbox); later ones fall through to the other mocks.
    pub async fn fail_next(&self, n: u64) {
        Mock::given(method("POST"))
            .and(path("/api/1.0/messages/send.json"))
            .respond_with(
                ResponseTemplate::new(500)
                    .set_body_raw(fixture("mandrill/general_error.json"), "application/json"),
            )
            .up_to_n_times(n)
            .with_priority(1)
            .mount(&self.server)
            .await;
    }

    /// The first `n` sends fail with HTTP 500 `GeneralError` (a temporary
    /// failure, retried by the outbox), every later one is `sent`; the
    /// handle returned holds the bodies of the accepted sends only (what
    /// reached the recipients), where [`sends`](Self::sends) has every attempt.
    pub async fn accept_after_failing(&self, n: u64) -> AcceptedSends {
        let accepted = AcceptedSends::default();
        Mock::given(method("POST"))
            .and(path("/api/1.0/messages/send.json"))
            .respond_with(FailThenAccept {
                failures_left: Mutex::new(n),
                accepted: accepted.clone(),
            })
            .mount(&self.server)
            .await;
        accepted
    }

    /// The bodies of every send request received.
    pub async fn sends(&self) -> Vec<Value> {
        received(&self.server, "").await
    }
}

async fn received(server: &MockServer, marker: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(marker))
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}

/// The bodies of the sends a [`MandrillStub::accept_after_failing`] accepted.
#[derive(Debug, Clone, Default)]
pub struct AcceptedSends(Arc<Mutex<Vec<Value>>>);

impl AcceptedSends {
    pub fn bodies(&self) -> Vec<Value> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

struct FailThenAccept {
    failures_left: Mutex<u64>,
    accepted: AcceptedSends,
}

impl Respond for FailThenAccept {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut left = self.failures_left.lock().unwrap_or_else(|e| e.into_inner());
        if *left > 0 {
            *left -= 1;
            return ResponseTemplate::new(500)
                .set_body_raw(fixture("mandrill/general_error.json"), "application/json");
        }
        let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        self.accepted
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(body);
        ResponseTemplate::new(200).set_body_raw(fixture("mandrill/sent.json"), "application/json")
    }
}
