//! Secrets never reach Debug output or logs.

use crate::support::*;
use ordercore_domain::ports::PaymentGateway;
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn config_and_gateway_debug_never_show_the_transaction_key() {
    let server = MockServer::start().await;
    let config = config(&server);
    let printed = format!("{config:?}");
    assert!(!printed.contains(TRANSACTION_KEY), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    let gateway = gateway_for(config);
    assert!(!format!("{gateway:?}").contains(TRANSACTION_KEY));
}

/// Captures this crate's log lines (without timestamps) while the returned
/// guard lives.
fn capture_logs() -> (Captured, Guards) {
    let captured = Captured::default();
    let writer = captured.clone();
    // Only this crate's lines, without timestamps: a short secret such as the
    // CVC must not "leak" by matching digits of a time or a port number.
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .without_time()
        .with_env_filter("ordercore_authorizenet=trace")
        .with_writer(move || writer.clone())
        .finish();
    // Other tests run the same log call sites at the same time on threads
    // without a subscriber. With a single registered dispatcher, tracing
    // computes a call site's interest from the *registering thread's*
    // default, so those threads would cache "never". A second (idle)
    // dispatcher makes tracing ask every live dispatcher, ours included;
    // then recompute what was cached before.
    let idle = tracing::Dispatch::new(tracing_subscriber::registry());
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    (captured, Guards(guard, idle))
}

/// Keeps the capture active (and the idle dispatcher alive) until dropped.
struct Guards(
    #[allow(dead_code)] tracing::subscriber::DefaultGuard,
    #[allow(dead_code)] tracing::Dispatch,
);

#[tokio::test]
async fn logs_name_call_order_and_outcome_but_no_secrets() {
    let (captured, _guards) = capture_logs();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture("declined.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture("create_customer_payment_profile_invalid_card.json")),
        )
        .mount(&server)
        .await;
    let gateway = gateway_for(config(&server));

    gateway.authorize(&transaction()).await.unwrap_err();
    gateway
        .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
        .await
        .unwrap_err();

    let logs = captured.text();
    assert!(logs.contains("authOnlyTransaction"), "{logs}");
    assert!(logs.contains("order.id=1042"), "{logs}");
    assert!(logs.contains("payment.outcome=\"declined\""), "{logs}");
    assert!(logs.contains("payment.error_code=\"2\""), "{logs}");
    assert!(
        logs.contains("createCustomerPaymentProfileRequest"),
        "{logs}"
    );
    assert!(logs.contains("card_number_invalid"), "{logs}");
    for secret in [TRANSACTION_KEY, CARD_NUMBER, "1111111111", CVC] {
        assert!(!logs.contains(secret), "{secret} leaked into: {logs}");
    }
}

/// What the processor echoes in its texts: a card number and a marker.
const ECHOED: &str = "4007000000027 MARKER-ECHO-7f3a";

/// Replies whose free text echoes request data, one per place a text can be.
fn echoing_replies() -> Vec<(u16, String)> {
    let message = |code: &str| {
        format!(
            r#"{{"messages":{{"resultCode":"Error","message":[{{"code":"{code}","text":"bad value {ECHOED}"}}]}}}}"#
        )
    };
    vec![
        (200, message("E00003")),
        (200, message("E00039")),
        (200, message("E00027")),
        (200, message("E00007")),
        (
            200,
            format!(
                r#"{{"transactionResponse":{{"responseCode":"3","transId":"0","errors":[{{"errorCode":"33","errorText":"{ECHOED} is required."}}]}},
                "messages":{{"resultCode":"Error","message":[{{"code":"E00027","text":"The transaction was unsuccessful. {ECHOED}"}}]}}}}"#
            ),
        ),
        (
            200,
            format!(
                r#"{{"transactionResponse":{{"responseCode":"2","transId":"60157186288","errors":[{{"errorCode":"2","errorText":"declined {ECHOED}"}}]}},
                "messages":{{"resultCode":"Ok","message":[{{"code":"I00001","text":"{ECHOED}"}}]}}}}"#
            ),
        ),
        (
            200,
            format!(
                r#"{{"transactionResponse":{{"responseCode":"{ECHOED}"}},"messages":{{"resultCode":"Ok","message":[]}}}}"#
            ),
        ),
        (500, format!("<html>Internal error near {ECHOED}</html>")),
        (200, format!("<html>{ECHOED}</html>")),
    ]
}

#[tokio::test]
async fn processor_text_reaches_neither_logs_nor_errors() {
    let (captured, _guards) = capture_logs();
    let mut outcomes = Vec::new();
    for (status, body) in echoing_replies() {
        let (_server, gateway) = stub_with_status(status, body.into_bytes()).await;
        let error = gateway.authorize(&transaction()).await.unwrap_err();
        outcomes.push(format!("{error} {error:?}"));
    }
    // The profile calls read texts too (E00039 ids, E00027 card problems).
    for (status, body) in echoing_replies() {
        let (_server, gateway) = stub_with_status(status, body.into_bytes()).await;
        let error = gateway
            .create_payment_profile(CUSTOMER_PROFILE_ID, &card(CARD_NUMBER, 12, 2030, "98004"))
            .await
            .unwrap_err();
        outcomes.push(format!("{error} {error:?}"));
    }

    let logs = captured.text();
    assert!(logs.contains("E00003"), "the codes are logged: {logs}");
    assert!(logs.contains("payment.http_status=500"), "{logs}");
    for (i, outcome) in outcomes.iter().enumerate() {
        for leak in ["4007000000027", "MARKER-ECHO"] {
            assert!(!outcome.contains(leak), "reply {i}: {leak} in {outcome}");
        }
    }
    for leak in ["4007000000027", "MARKER-ECHO", CARD_NUMBER] {
        assert!(!logs.contains(leak), "{leak} leaked into: {logs}");
    }
}
