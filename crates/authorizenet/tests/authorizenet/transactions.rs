//! createTransactionRequest outcomes: contract §9 rows on `transactionResponse`.

use crate::support::*;
use ordercore_domain::ports::{PaymentError, PaymentGateway};

/// The body of an authOnly/authCapture transaction, in schema order, with
/// our profile ids, the amount as "123.45" and the order id as refId and
/// invoiceNumber.
fn assert_profile_transaction(body: &str, transaction_type: &str) {
    assert_key_order(
        body,
        &[
            "createTransactionRequest",
            "merchantAuthentication",
            "name",
            "transactionKey",
            "refId",
            "transactionRequest",
            "transactionType",
            "amount",
            "profile",
            "customerProfileId",
            "paymentProfile",
            "paymentProfileId",
            "order",
            "invoiceNumber",
        ],
    );
    let v = json(body);
    assert_credentials(&v, "createTransactionRequest");
    let request = &v["createTransactionRequest"];
    assert_eq!(request["refId"], "1042");
    let tx = &request["transactionRequest"];
    assert_eq!(tx["transactionType"], transaction_type);
    assert_eq!(tx["amount"], "123.45");
    assert_eq!(tx["profile"]["customerProfileId"], CUSTOMER_PROFILE_ID);
    assert_eq!(
        tx["profile"]["paymentProfile"]["paymentProfileId"],
        PAYMENT_PROFILE_ID
    );
    assert_eq!(tx["order"]["invoiceNumber"], "1042");
    assert!(body.contains(r#""amount":"123.45""#), "amount is a string");
}

#[tokio::test]
async fn approved_reply_with_bom_is_an_approval() {
    let wire = fixture("approved_auth_only.wire.txt");
    assert!(
        wire.starts_with(b"\xEF\xBB\xBF"),
        "the fixture keeps the BOM"
    );
    let (server, gateway) = stub_with_status(200, wire).await;

    let approval = gateway.authorize(&transaction()).await.unwrap();

    assert_eq!(approval.transaction_id, "2228545782");
    assert_eq!(approval.auth_code.as_deref(), Some("7M6LIT"));
    assert!(!approval.held_for_review);
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn charge_sends_auth_capture_transaction() {
    let (server, gateway) = stub("approved_auth_only.json").await;

    let approval = gateway.charge(&transaction()).await.unwrap();

    assert_eq!(approval.transaction_id, "2228545782");
    assert_profile_transaction(&sent_body(&server).await, "authCaptureTransaction");
}

#[tokio::test]
async fn held_for_review_is_an_approval_marked_for_review() {
    let (server, gateway) = stub("held_for_review.json").await;

    let approval = gateway.authorize(&transaction()).await.unwrap();

    assert_eq!(approval.transaction_id, "60157186300");
    assert!(approval.held_for_review);
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn declined_with_result_code_ok_is_declined() {
    let (server, gateway) = stub("declined.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::Declined {
            error_code: Some("2".into())
        }
    );
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn error_6_is_card_number_invalid() {
    let (server, gateway) = stub("invalid_card_number_6.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::CardNumberInvalid {
            error_code: "6".into()
        }
    );
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn error_37_is_card_number_invalid() {
    let (server, gateway) = stub("invalid_card_number_37.json").await;

    let error = gateway.charge(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::CardNumberInvalid {
            error_code: "37".into()
        }
    );
    assert_profile_transaction(&sent_body(&server).await, "authCaptureTransaction");
}

#[tokio::test]
async fn error_8_is_card_expired() {
    let (server, gateway) = stub("expired_card.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(error, PaymentError::CardExpired);
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn error_11_is_duplicate() {
    let (server, gateway) = stub("duplicate.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(error, PaymentError::Duplicate);
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}

#[tokio::test]
async fn other_response_code_3_is_failed() {
    let (server, gateway) = stub("other_error.json").await;

    let error = gateway.authorize(&transaction()).await.unwrap_err();

    assert_eq!(
        error,
        PaymentError::Failed {
            error_code: Some("17".into())
        }
    );
    assert_profile_transaction(&sent_body(&server).await, "authOnlyTransaction");
}
