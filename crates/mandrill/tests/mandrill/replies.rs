//! One test per recorded Mandrill reply: the error variant, its retry class,
//! and the request the stub received.

use crate::support::*;
use ordercore_domain::ports::MailError;
use wiremock::ResponseTemplate;

#[tokio::test]
async fn sent_is_success() {
    let (outcome, requests) = send_to_stub(json_reply(200, "sent.json")).await;
    assert_eq!(outcome, Ok(()));
    assert_one_send_request(&requests);
}

#[tokio::test]
async fn queued_is_success() {
    let (outcome, requests) = send_to_stub(json_reply(200, "queued.json")).await;
    assert_eq!(outcome, Ok(()));
    assert_one_send_request(&requests);
}

#[tokio::test]
async fn scheduled_is_success() {
    let (outcome, requests) = send_to_stub(json_reply(200, "scheduled.json")).await;
    assert_eq!(outcome, Ok(()));
    assert_one_send_request(&requests);
}

#[tokio::test]
async fn every_recipient_accepted_is_success() {
    let (outcome, requests) = send_to_stub(json_reply(200, "multi_recipient_accepted.json")).await;
    assert_eq!(outcome, Ok(()));
    assert_one_send_request(&requests);
}

#[tokio::test]
async fn rejected_is_permanent_with_its_reason() {
    let (outcome, requests) = send_to_stub(json_reply(200, "rejected.json")).await;
    let expected = MailError::Rejected {
        reason: "hard-bounce".into(),
    };
    assert_failure(outcome, &requests, expected, false);
}

#[tokio::test]
async fn invalid_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(200, "invalid.json")).await;
    assert_failure(outcome, &requests, MailError::InvalidRecipient, false);
}

#[tokio::test]
async fn mixed_recipients_fail_on_the_first_refused_one() {
    let (outcome, requests) = send_to_stub(json_reply(200, "multi_recipient_mixed.json")).await;
    let expected = MailError::Rejected {
        reason: "unsub".into(),
    };
    assert_failure(outcome, &requests, expected, false);
}

fn api_error(name: &str, retryable: bool) -> MailError {
    MailError::Api {
        name: name.into(),
        retryable,
    }
}

#[tokio::test]
async fn invalid_key_with_http_500_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(500, "invalid_key.json")).await;
    assert_failure(outcome, &requests, api_error("Invalid_Key", false), false);
}

#[tokio::test]
async fn invalid_key_with_http_401_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(401, "invalid_key.json")).await;
    assert_failure(outcome, &requests, api_error("Invalid_Key", false), false);
}

#[tokio::test]
async fn validation_error_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(500, "validation_error.json")).await;
    assert_failure(
        outcome,
        &requests,
        api_error("ValidationError", false),
        false,
    );
}

#[tokio::test]
async fn payment_required_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(500, "payment_required.json")).await;
    assert_failure(
        outcome,
        &requests,
        api_error("PaymentRequired", false),
        false,
    );
}

#[tokio::test]
async fn unknown_subaccount_is_permanent() {
    let (outcome, requests) = send_to_stub(json_reply(500, "unknown_subaccount.json")).await;
    assert_failure(
        outcome,
        &requests,
        api_error("Unknown_Subaccount", false),
        false,
    );
}

#[tokio::test]
async fn general_error_is_retryable() {
    let (outcome, requests) = send_to_stub(json_reply(500, "general_error.json")).await;
    assert_failure(outcome, &requests, api_error("GeneralError", true), true);
}

#[tokio::test]
async fn error_object_with_http_200_is_still_an_error() {
    let (outcome, requests) = send_to_stub(json_reply(200, "invalid_key.json")).await;
    assert_failure(outcome, &requests, api_error("Invalid_Key", false), false);
}

#[tokio::test]
async fn http_502_with_an_html_body_is_retryable() {
    let reply = ResponseTemplate::new(502).set_body_raw(fixture("bad_gateway.html"), "text/html");
    let (outcome, requests) = send_to_stub(reply).await;
    assert_failure(outcome, &requests, MailError::Http { status: 502 }, true);
}

#[tokio::test]
async fn http_404_without_a_body_is_permanent() {
    let (outcome, requests) = send_to_stub(ResponseTemplate::new(404)).await;
    assert_failure(outcome, &requests, MailError::Http { status: 404 }, false);
}

#[tokio::test]
async fn http_200_with_html_is_unreadable_and_retryable() {
    let reply = ResponseTemplate::new(200).set_body_raw(fixture("bad_gateway.html"), "text/html");
    let (outcome, requests) = send_to_stub(reply).await;
    let err = outcome.clone().expect_err("unreadable");
    assert!(matches!(err, MailError::Unreadable { .. }), "{err:?}");
    assert_failure(outcome, &requests, err, true);
}

#[tokio::test]
async fn reply_to_goes_in_the_headers() {
    let (outcome, requests) = send_to_stub_with(json_reply(200, "sent.json"), |c| {
        c.reply_to = Some(ordercore_domain::model::Email::parse("help@ordercore.test").unwrap());
    })
    .await;
    assert_eq!(outcome, Ok(()));
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body["message"]["headers"],
        serde_json::json!({"Reply-To": "help@ordercore.test"})
    );
}

#[tokio::test]
async fn logs_never_carry_the_key_or_the_body() {
    let capture = crate::capture::Capture::default();
    let guard = capture.install();
    let (ok, _) = send_to_stub(json_reply(200, "sent.json")).await;
    let (err, _) = send_to_stub(json_reply(500, "invalid_key.json")).await;
    drop(guard);
    assert_eq!(ok, Ok(()));
    assert!(err.is_err());
    let events = capture.events();
    assert!(
        events.iter().any(|e| e.contains("accepted by Mandrill")
            && e.contains("order.id=1042")
            && e.contains("cb3ab907c2f0438c9e0231a04961a591")),
        "{events:#?}"
    );
    for event in &events {
        assert!(!event.contains(API_KEY), "{event}");
        assert!(!event.contains("HDR Photos"), "{event}");
    }
}
