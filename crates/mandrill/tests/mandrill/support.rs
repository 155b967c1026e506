//! Shared helpers: a sample confirmation, a stub Mandrill, request checks.

use ordercore_domain::model::{Email, Secret};
use ordercore_domain::ports::{ConfirmationLine, MailError, Mailer, OrderConfirmation};
use ordercore_mandrill::{MandrillConfig, MandrillMailer};
use serde_json::Value;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const API_KEY: &str = "md-test-key-7f3a9c51";
pub const RECIPIENT: &str = "recipient@example.com";
pub const ORDER_ID: i64 = 1042;
/// Where the stub serves the API, as Mandrill's own URL has a path prefix.
pub const API_PREFIX: &str = "/api/1.0";

/// The provider replies, kept once for the crate and the e2e stubs alike.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/mandrill");

/// A fixture's text, from the workspace's one copy in tests/fixtures/mandrill.
pub fn fixture(name: &str) -> String {
    let file = format!("{FIXTURES}/{name}");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A reply with a JSON fixture as body.
pub fn json_reply(status: u16, fixture_name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(fixture_name), "application/json")
}

pub fn confirmation() -> OrderConfirmation {
    OrderConfirmation {
        to: Email::parse(RECIPIENT).unwrap(),
        to_name: "Ann Agent".into(),
        order_id: ORDER_ID,
        lines: vec![
            ConfirmationLine {
                name: "HDR Photos".into(),
                quantity: 1,
                unit_price: "$199.00".into(),
                total: "$199.00".into(),
            },
            ConfirmationLine {
                name: "Floor Plan".into(),
                quantity: 2,
                unit_price: "$75.50".into(),
                total: "$151.00".into(),
            },
        ],
        subtotal: "$350.00".into(),
        promotion_code: Some("SPRING10".into()),
        discount: "$35.00".into(),
        total: "$315.00".into(),
        address: "12 Main St, Denver, CO 80202".into(),
        appointments: vec![("2026-12-01T09:00:00Z".into(), "2026-12-01T11:00:00Z".into())],
    }
}

pub fn config(endpoint: String) -> MandrillConfig {
    let mut config = MandrillConfig::new(
        Secret::new(API_KEY.to_string()),
        Email::parse("orders@ordercore.test").unwrap(),
    );
    config.endpoint = endpoint;
    config.from_name = "ordercore orders".into();
    config.timeout = Duration::from_secs(5);
    config.connect_timeout = Duration::from_secs(2);
    config
}

/// Sends the sample confirmation to a stub answering `reply` (after `tweak`
/// adjusts the config), and returns the outcome with the requests received.
pub async fn send_to_stub_with(
    reply: ResponseTemplate,
    tweak: impl FnOnce(&mut MandrillConfig),
) -> (Result<(), MailError>, Vec<Request>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("{API_PREFIX}/messages/send.json")))
        .respond_with(reply)
        .mount(&server)
        .await;
    let mut config = config(format!("{}{API_PREFIX}", server.uri()));
    tweak(&mut config);
    let http = config.http_client().unwrap();
    let mailer = MandrillMailer::new(config, http);
    let outcome = mailer.send_order_confirmation(&confirmation()).await;
    let requests = server.received_requests().await.unwrap_or_default();
    (outcome, requests)
}

pub async fn send_to_stub(reply: ResponseTemplate) -> (Result<(), MailError>, Vec<Request>) {
    send_to_stub_with(reply, |_| {}).await
}

/// Exactly one request, shaped as Mandrill's `messages/send` expects.
pub fn assert_one_send_request(requests: &[Request]) {
    assert_eq!(requests.len(), 1, "one request expected");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/api/1.0/messages/send.json");
    let content_type = request
        .headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["key"], API_KEY);
    let message = &body["message"];
    assert_eq!(
        message["to"],
        serde_json::json!([{"email": RECIPIENT, "name": "Ann Agent", "type": "to"}])
    );
    assert_eq!(message["subject"], "Your order #1042 is confirmed");
    assert_eq!(message["from_email"], "orders@ordercore.test");
    assert_eq!(message["from_name"], "ordercore orders");
    assert_eq!(message["metadata"]["order_id"], ORDER_ID.to_string());
    assert_eq!(message["tags"], serde_json::json!(["order-confirmation"]));
    for part in ["text", "html"] {
        let content = message[part].as_str().unwrap();
        assert!(content.contains("HDR Photos"), "{part}: {content}");
        assert!(content.contains("$315.00"), "{part}: {content}");
    }
    assert!(
        message.get("headers").is_none(),
        "no headers unless configured"
    );
}

/// The error names what went wrong without the API key or the message body.
pub fn assert_no_secret_in(err: &MailError) {
    let printed = format!("{err} {err:?} {}", err.name());
    assert!(!printed.contains(API_KEY), "{printed}");
    assert!(!printed.contains("HDR Photos"), "{printed}");
    assert!(!printed.contains("Thank you"), "{printed}");
}

/// Checks a failed send: the error, its retry class, the request, no leaks.
pub fn assert_failure(
    outcome: Result<(), MailError>,
    requests: &[Request],
    expected: MailError,
    retryable: bool,
) {
    let err = outcome.expect_err("the send should fail");
    assert_eq!(err, expected);
    assert_eq!(err.is_retryable(), retryable, "is_retryable of {err:?}");
    assert_no_secret_in(&err);
    assert_one_send_request(requests);
}

/// A local port where every connection is refused for as long as the
/// returned socket lives: it is bound (no other process can take the port
/// meanwhile) but never listens.
pub fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}
