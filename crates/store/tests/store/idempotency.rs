//! Idempotency records: start, replay, mismatch, expiry.

use crate::fixtures::t0;
use chrono::Duration;
use ordercore_domain::ports::{IdempotencyBegin, IdempotencyStore};
use ordercore_store::Store;

contract_tests!(idempotency_begin_states,);

async fn idempotency_begin_states(store: &Store) {
    let begin = |key: &'static str, fp: &'static str, at| async move {
        store
            .begin("client:1 orders/pay", key, fp, at)
            .await
            .unwrap()
    };
    assert_eq!(begin("k1", "fp", t0()).await, IdempotencyBegin::Started);
    assert_eq!(begin("k1", "fp", t0()).await, IdempotencyBegin::InFlight);
    assert_eq!(begin("k1", "other", t0()).await, IdempotencyBegin::Mismatch);
    store
        .complete(
            "client:1 orders/pay",
            "k1",
            "mandrill-email-failed",
            "{\"status\":\"mandrill-email-failed\"}",
        )
        .await
        .unwrap();
    assert_eq!(
        begin("k1", "fp", t0() + Duration::hours(1)).await,
        IdempotencyBegin::Replay {
            status: "mandrill-email-failed".into(),
            body: "{\"status\":\"mandrill-email-failed\"}".into()
        }
    );
    assert_eq!(begin("k1", "other", t0()).await, IdempotencyBegin::Mismatch);
    // Another scope does not see it.
    assert_eq!(
        store
            .begin("client:2 orders/pay", "k1", "fp", t0())
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    // After 24 hours the record counts as absent.
    assert_eq!(
        begin("k1", "other", t0() + Duration::hours(25)).await,
        IdempotencyBegin::Started
    );

    assert_eq!(begin("k2", "fp", t0()).await, IdempotencyBegin::Started);
    store.abandon("client:1 orders/pay", "k2").await.unwrap();
    assert_eq!(begin("k2", "fp", t0()).await, IdempotencyBegin::Started);

    // A first request still running after 10 minutes died with its process:
    // the key is free again; a finished one is still replayed.
    assert_eq!(begin("k3", "fp", t0()).await, IdempotencyBegin::Started);
    assert_eq!(
        begin("k3", "fp", t0() + Duration::minutes(10)).await,
        IdempotencyBegin::InFlight
    );
    assert_eq!(
        begin(
            "k3",
            "fp",
            t0() + Duration::minutes(10) + Duration::seconds(1)
        )
        .await,
        IdempotencyBegin::Started
    );
    store
        .complete("client:1 orders/pay", "k3", "action-successful", "{}")
        .await
        .unwrap();
    assert!(matches!(
        begin("k3", "fp", t0() + Duration::hours(2)).await,
        IdempotencyBegin::Replay { .. }
    ));
}
