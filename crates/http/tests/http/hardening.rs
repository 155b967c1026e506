//! Input-side hardening over the whole pipeline: processor free text never
//! reaches answers, logs or staff notifications; the `Idempotency-Key`
//! fingerprint of a card does not depend on its number beyond brand and
//! last 4 digits, nor on its CVC.

use crate::support::*;
use ordercore_domain::ports::PaymentError;
use serde_json::json;

/// What a processor might echo back: request data in its free text.
const ECHOED: &str = "E00027 echoed cardNumber=4007000000027 for Dana";

#[actix_web::test]
async fn processor_text_reaches_no_answer_log_or_notification() {
    let captured = Captured::default();
    let _idle = tracing::Dispatch::new(tracing_subscriber::registry());
    let _guard = captured.install("trace");

    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let order = t.order_with_new_card(&state, &token, "80202").await;
    for (e, keys) in [
        // An unknown outcome names the order it keeps pending.
        (
            PaymentError::OutcomeUnknown {
                detail: ECHOED.into(),
            },
            &["data", "session"][..],
        ),
        (
            PaymentError::External {
                code: Some("E00027".into()),
                detail: ECHOED.into(),
            },
            &["session"][..],
        ),
    ] {
        t.gateway.fail_next(e);
        let r = send(&state, post_json("orders/authorize_and_submit", &order)).await;
        r.expect("external-application-error", 400, keys);
        assert!(!String::from_utf8_lossy(&r.raw).contains("echoed"));
    }
    let staff = t.staff_token().await;
    let r = send(
        &state,
        post_json("notifications/index", &json!({"token": staff})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let kinds: Vec<_> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].clone())
        .collect();
    // An unknown outcome is the reconcile worker's to settle: no
    // notification unless it fails (docs/payments.md).
    assert!(
        !kinds.contains(&json!("payment-outcome-unknown")),
        "{kinds:?}"
    );
    let notifications = r.body["data"].to_string();
    assert!(!notifications.contains("echoed"), "{notifications}");
    let logs = captured.text();
    assert!(
        logs.contains("payment processor refused or failed"),
        "{logs}"
    );
    assert!(
        logs.contains("E00027"),
        "the processor's code is kept: {logs}"
    );
    assert!(!logs.contains("echoed"), "{logs}");
    assert!(!logs.contains("4007000000027"), "{logs}");
}

#[actix_web::test]
async fn a_card_s_fingerprint_keeps_brand_last4_and_expiry_only() {
    let t = TestApp::new().await;
    let state = t.state();
    let token = t.client_token().await;
    let create = |number: &str, cvc: &str, exp_year: i64, key: &str| {
        let mut card = card_params(number, "80202");
        card["cvc"] = json!(cvc);
        card["exp_year"] = json!(exp_year);
        post_b64(
            "payment_methods/create",
            &json!({"token": token, "payment_method": card}),
        )
        .insert_header(("Idempotency-Key", key.to_string()))
    };
    let first = send(&state, create("4111111111111111", "123", 2035, "k1")).await;
    first.expect("action-successful", 200, &["data", "session"]);
    // Same brand, last 4 and expiry; other middle digits and CVC: a retry
    // of the same request, answered by replay.
    let replay = send(&state, create("4000000000001111", "999", 2035, "k1")).await;
    assert_eq!(replay.raw, first.raw);
    // Other last 4 digits, or another expiry: another request.
    for other in [
        create("4111111111112222", "123", 2035, "k1"),
        create("4111111111111111", "123", 2036, "k1"),
    ] {
        let r = send(&state, other).await;
        assert_eq!(r.body["status"], "idempotency-key-conflict", "{}", r.body);
    }
}
