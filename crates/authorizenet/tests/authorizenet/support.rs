//! Shared helpers: fixtures, a stub server with one canned reply, and
//! checks on the request the adapter sent.

use chrono::{DateTime, Utc};
use ordercore_authorizenet::{AuthorizeNetConfig, AuthorizeNetGateway, Endpoint};
use ordercore_domain::model::{
    CardDetails, CardExpiry, CardNumber, Cvc, Money, OrderId, Secret, StoredPaymentProfile,
};
use ordercore_domain::ports::{Clock, TransactionRequest};
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const LOGIN_ID: &str = "test-login-id";
pub const TRANSACTION_KEY: &str = "Tk3y-SECRET-9x7";
pub const API_PATH: &str = "/xml/v1/request.api";
pub const CARD_NUMBER: &str = "4111111111111111";
pub const CVC: &str = "987";
pub const CUSTOMER_PROFILE_ID: &str = "31390172";
pub const PAYMENT_PROFILE_ID: &str = "28393490";

/// A fixture's bytes, from this crate's tests/fixtures or else the
/// repository's tests/fixtures/authorizenet (where new replies go).
pub fn fixture(name: &str) -> Vec<u8> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let path = format!("{dir}/tests/fixtures/{name}");
    let shared = format!("{dir}/../../tests/fixtures/authorizenet/{name}");
    std::fs::read(&path)
        .or_else(|_| std::fs::read(&shared))
        .unwrap_or_else(|e| panic!("{path} or {shared}: {e}"))
}

pub fn config(server: &MockServer) -> AuthorizeNetConfig {
    AuthorizeNetConfig::new(
        Endpoint::Url(format!("{}{API_PATH}", server.uri())),
        LOGIN_ID,
        Secret::new(TRANSACTION_KEY.to_string()),
    )
    .with_timeout(Duration::from_secs(5))
}

pub fn gateway_for(config: AuthorizeNetConfig) -> AuthorizeNetGateway {
    let http = AuthorizeNetGateway::http_client(&config).unwrap();
    AuthorizeNetGateway::new(config, http)
}

/// A stub that answers every POST to the API path with `body` and `status`,
/// exactly once, and a gateway pointed at it.
pub async fn stub_with_status(status: u16, body: Vec<u8>) -> (MockServer, AuthorizeNetGateway) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(API_PATH))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", "application/json; charset=utf-8")
                .set_body_bytes(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let gateway = gateway_for(config(&server));
    (server, gateway)
}

/// A stub replying HTTP 200 with the named fixture.
pub async fn stub(fixture_name: &str) -> (MockServer, AuthorizeNetGateway) {
    stub_with_status(200, fixture(fixture_name)).await
}

/// The one request the stub received, as text, after checking it was a POST
/// to the API path.
pub async fn sent_body(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), API_PATH);
    String::from_utf8(request.body.clone()).unwrap()
}

/// The sent body, parsed.
pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap()
}

/// Asserts that each key (`"name":`) appears in the serialized text, in
/// this order: the schema order Authorize.net validates.
pub fn assert_key_order(body: &str, keys: &[&str]) {
    let mut last = 0;
    let mut last_key = "<start>";
    for key in keys {
        let needle = format!("\"{key}\":");
        let at = body[last..]
            .find(&needle)
            .map(|i| i + last)
            .unwrap_or_else(|| panic!("{key} missing after {last_key} in {body}"));
        last = at + needle.len();
        last_key = key;
    }
}

/// Asserts the merchantAuthentication block carries our credentials.
pub fn assert_credentials(body: &serde_json::Value, request: &str) {
    let auth = &body[request]["merchantAuthentication"];
    assert_eq!(auth["name"], LOGIN_ID);
    assert_eq!(auth["transactionKey"], TRANSACTION_KEY);
}

pub fn profile() -> StoredPaymentProfile {
    StoredPaymentProfile {
        customer_profile_id: CUSTOMER_PROFILE_ID.to_string(),
        payment_profile_id: PAYMENT_PROFILE_ID.to_string(),
    }
}

/// Order 1042 for $123.45 on the stored profile.
pub fn transaction() -> TransactionRequest {
    TransactionRequest {
        order_id: OrderId(1042),
        amount: Money::from_cents(12345).unwrap(),
        profile: profile(),
    }
}

pub fn card(number: &str, month: i64, year: i64, postal_code: &str) -> CardDetails {
    CardDetails {
        name_on_card: "Jane Q Doe".to_string(),
        number: CardNumber::parse(number).unwrap(),
        cvc: Cvc::parse(CVC).unwrap(),
        expiry: CardExpiry::new(month, year).unwrap(),
        street: "123 Main St.".to_string(),
        street2: Some("Suite 4".to_string()),
        city: "Bellevue".to_string(),
        province_iso: "us_wa".to_string(),
        postal_code: postal_code.to_string(),
    }
}

/// A clock tests can move.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn at(rfc3339: &str) -> TestClock {
        TestClock(Mutex::new(
            DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc(),
        ))
    }

    pub fn advance(&self, seconds: i64) {
        let mut now = self.0.lock().unwrap();
        *now += chrono::TimeDelta::seconds(seconds);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}
