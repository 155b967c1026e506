//! Capture, void and the unsettled-transaction lookup.

use crate::support::*;
use ordercore_domain::model::{Money, OrderId};
use ordercore_domain::ports::{CaptureRequest, PaymentError, PaymentGateway};

#[tokio::test]
async fn capture_sends_prior_auth_capture_with_ref_trans_id() {
    let (server, gateway) = stub("capture_approved.json").await;

    let approval = gateway
        .capture(&CaptureRequest {
            order_id: OrderId(1042),
            transaction_id: "2228545782".into(),
            amount: Money::from_cents(12345).unwrap(),
        })
        .await
        .unwrap();

    assert_eq!(approval.transaction_id, "2228545782");
    let body = sent_body(&server).await;
    assert_key_order(
        &body,
        &[
            "createTransactionRequest",
            "merchantAuthentication",
            "refId",
            "transactionRequest",
            "transactionType",
            "amount",
            "refTransId",
        ],
    );
    let v = json(&body);
    assert_credentials(&v, "createTransactionRequest");
    assert_eq!(v["createTransactionRequest"]["refId"], "1042");
    let tx = &v["createTransactionRequest"]["transactionRequest"];
    assert_eq!(tx["transactionType"], "priorAuthCaptureTransaction");
    assert_eq!(tx["amount"], "123.45");
    assert_eq!(tx["refTransId"], "2228545782");
    assert!(tx.get("profile").is_none());
}

#[tokio::test]
async fn void_sends_void_transaction() {
    let (server, gateway) = stub("void_approved.json").await;

    gateway.void(OrderId(1042), "2230581408").await.unwrap();

    let body = sent_body(&server).await;
    assert_key_order(
        &body,
        &[
            "createTransactionRequest",
            "merchantAuthentication",
            "refId",
            "transactionRequest",
            "transactionType",
            "refTransId",
        ],
    );
    let v = json(&body);
    assert_eq!(v["createTransactionRequest"]["refId"], "1042");
    let tx = &v["createTransactionRequest"]["transactionRequest"];
    assert_eq!(tx["transactionType"], "voidTransaction");
    assert_eq!(tx["refTransId"], "2230581408");
    assert!(tx.get("amount").is_none());
}

#[tokio::test]
async fn void_refused_is_failed() {
    let (server, gateway) = stub("other_error.json").await;

    let error = gateway.void(OrderId(1042), "2230581408").await.unwrap_err();

    assert!(matches!(error, PaymentError::Failed { .. }), "{error:?}");
    sent_body(&server).await;
}

#[tokio::test]
async fn find_unsettled_matches_the_invoice_number() {
    let (server, gateway) = stub("unsettled_transactions.json").await;

    let found = gateway
        .find_unsettled_transaction(OrderId(1042))
        .await
        .unwrap();

    // 60157186399 is voided; 60157186400 belongs to order 1043.
    assert_eq!(found.as_deref(), Some("60157186398"));
    let body = sent_body(&server).await;
    assert_key_order(
        &body,
        &[
            "getUnsettledTransactionListRequest",
            "merchantAuthentication",
            "sorting",
            "orderBy",
            "orderDescending",
            "paging",
            "limit",
            "offset",
        ],
    );
    assert_credentials(&json(&body), "getUnsettledTransactionListRequest");
}

#[tokio::test]
async fn find_unsettled_with_no_records_is_none() {
    let (server, gateway) = stub("unsettled_transactions_none.json").await;

    let found = gateway
        .find_unsettled_transaction(OrderId(1042))
        .await
        .unwrap();

    assert_eq!(found, None);
    sent_body(&server).await;
}
