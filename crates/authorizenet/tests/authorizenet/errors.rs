//! Replies without a transaction outcome, and failures on the wire.

use crate::support::*;
use ordercore_domain::model::{Money, OrderId};
use ordercore_domain::ports::{CaptureRequest, PaymentError, PaymentGateway};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn assert_sent_transaction(body: &str) {
    assert_key_order(
        body,
        &[
            "createTransactionRequest",
            "merchantAuthentication",
            "refId",
            "transactionRequest",
            "transactionType",
            "amount",
            "profile",
            "order",
        ],
    );
    let v = json(body);
    assert_credentials(&v, "createTransactionRequest");
    assert_eq!(v["createTransactionRequest"]["refId"], "1042");
}

#[tokio::test]
async fn e00007_is_invalid_credentials() {
    let (server, gateway) = stub("invalid_credentials.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::InvalidCredentials {
            code: "E00007".into()
        }
    );
    assert_sent_transaction(&sent_body(&server).await);
}

#[tokio::test]
async fn e00008_is_invalid_credentials() {
    let (server, gateway) = stub("inactive_credentials.json").await;

    let error = gateway.charge(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::InvalidCredentials {
            code: "E00008".into()
        }
    );
    assert_sent_transaction(&sent_body(&server).await);
}

#[tokio::test]
async fn e00003_schema_error_is_external() {
    let (server, gateway) = stub("schema_error.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    let PaymentError::External { code, detail } = error else {
        panic!("expected External, got {error:?}");
    };
    assert_eq!(code.as_deref(), Some("E00003"));
    // Our words and the code; the processor's text stays out.
    assert_eq!(detail, "the processor refused the request with E00003");
    assert_sent_transaction(&sent_body(&server).await);
}

#[tokio::test]
async fn e00040_record_not_found_is_external() {
    let (server, gateway) = stub("record_not_found.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::External {
            code: Some("E00040".into()),
            detail: "the processor refused the request with E00040".into()
        }
    );
    assert_sent_transaction(&sent_body(&server).await);
}

/// The processor may have acted before failing: a money-moving call must
/// be reconciled, not failed.
#[tokio::test]
async fn http_500_is_outcome_unknown_for_money_moving_calls() {
    for call in ["authorize", "charge", "capture", "void"] {
        let (server, gateway) = stub_with_status(500, b"Internal Server Error".to_vec()).await;

        let error = money_call(&gateway, call).await;

        let PaymentError::OutcomeUnknown { detail } = error else {
            panic!("{call}: expected OutcomeUnknown, got {error:?}");
        };
        assert!(detail.contains("500"), "{detail}");
        sent_body(&server).await;
    }
}

#[tokio::test]
async fn http_503_to_a_profile_call_is_external() {
    let (server, gateway) = stub_with_status(503, b"Service Unavailable".to_vec()).await;

    let error = gateway
        .delete_payment_profile(&profile())
        .await
        .unwrap_err();

    assert!(
        matches!(error, PaymentError::External { code: None, .. }),
        "{error:?}"
    );
    sent_body(&server).await;
}

/// A 4xx says the request was refused before it was processed.
#[tokio::test]
async fn http_403_is_external() {
    let (server, gateway) = stub_with_status(403, b"Forbidden".to_vec()).await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert!(
        matches!(error, PaymentError::External { code: None, .. }),
        "{error:?}"
    );
    assert_sent_transaction(&sent_body(&server).await);
}

#[tokio::test]
async fn non_json_reply_is_outcome_unknown_for_money_moving_calls() {
    for call in ["authorize", "charge", "capture", "void"] {
        let html = b"\xEF\xBB\xBF<html><body>Service Unavailable</body></html>".to_vec();
        let (server, gateway) = stub_with_status(200, html).await;

        let error = money_call(&gateway, call).await;

        assert!(
            matches!(error, PaymentError::OutcomeUnknown { .. }),
            "{call}: {error:?}"
        );
        sent_body(&server).await;
    }
}

#[tokio::test]
async fn non_json_reply_to_a_profile_call_is_external() {
    let (server, gateway) = stub_with_status(200, b"<html>oops</html>".to_vec()).await;

    let error = gateway
        .delete_payment_profile(&profile())
        .await
        .unwrap_err();

    assert!(
        matches!(error, PaymentError::External { code: None, .. }),
        "{error:?}"
    );
    sent_body(&server).await;
}

/// resultCode Ok without a transactionResponse does not say what happened.
#[tokio::test]
async fn ok_without_a_transaction_is_outcome_unknown() {
    let body =
        br#"{"messages":{"resultCode":"Ok","message":[{"code":"I00001","text":"Successful."}]}}"#;
    let (server, gateway) = stub_with_status(200, body.to_vec()).await;

    let error = gateway.charge(&transaction()).await.unwrap_err();

    assert!(
        matches!(error, PaymentError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_sent_transaction(&sent_body(&server).await);
}

/// One money-moving call of `name` against the stub.
async fn money_call(
    gateway: &ordercore_authorizenet::AuthorizeNetGateway,
    name: &str,
) -> PaymentError {
    let result = match name {
        "authorize" => gateway.authorize(&transaction()).await.map(|_| ()),
        "charge" => gateway.charge(&transaction()).await.map(|_| ()),
        "capture" => gateway
            .capture(&CaptureRequest {
                order_id: OrderId(1042),
                transaction_id: "2228545782".into(),
                amount: Money::from_cents(12345).unwrap(),
            })
            .await
            .map(|_| ()),
        _ => gateway.void(OrderId(1042), "2228545782").await,
    };
    result.unwrap_err()
}

#[tokio::test]
async fn timeout_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture("approved_auth_only.json"))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let gateway = gateway_for(config(&server).with_timeout(Duration::from_millis(200)));

    let started = std::time::Instant::now();
    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert!(
        matches!(error, PaymentError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "timed out early"
    );
    assert_sent_transaction(&sent_body(&server).await);
}

#[tokio::test]
async fn refused_connection_is_external() {
    // A port held bound but not listening: refused, and nobody can take it.
    let (_held, port) = refusing_port();
    let config = ordercore_authorizenet::AuthorizeNetConfig::new(
        ordercore_authorizenet::Endpoint::Url(format!("http://127.0.0.1:{port}{API_PATH}")),
        LOGIN_ID,
        ordercore_domain::model::Secret::new(TRANSACTION_KEY.to_string()),
    );
    let gateway = gateway_for(config);

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert!(
        matches!(error, PaymentError::External { code: None, .. }),
        "{error:?}"
    );
}
