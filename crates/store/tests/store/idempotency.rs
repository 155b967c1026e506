//! Idempotency records: start, replay, mismatch, expiry; keys bound to an
//! order are never freed for a re-run.

use crate::fixtures::t0;
use chrono::Duration;
use ordercore_domain::model::OrderId;
use ordercore_domain::ports::{IdempotencyBegin, IdempotencyStore};
use ordercore_store::Store;

contract_tests!(idempotency_begin_states, bound_keys_answer_from_their_order,);

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

async fn bound_keys_answer_from_their_order(store: &Store) {
    const SCOPE: &str = "user:1:orders/authorize_and_submit";
    let begin =
        |key: &'static str, at| async move { store.begin(SCOPE, key, "fp", at).await.unwrap() };
    let bound = IdempotencyBegin::Bound {
        order_id: OrderId(42),
    };

    // Binding needs a running claim.
    assert!(!store.bind_order(SCOPE, "k1", OrderId(42)).await.unwrap());
    assert_eq!(begin("k1", t0()).await, IdempotencyBegin::Started);
    assert!(store.bind_order(SCOPE, "k1", OrderId(42)).await.unwrap());
    // While it may still run: in flight. Past the 10 minutes after which
    // an unbound key is freed, a bound one answers from its order (its
    // answer was never stored: the process died, or `complete` failed).
    assert_eq!(begin("k1", t0()).await, IdempotencyBegin::InFlight);
    let later = t0() + Duration::minutes(11);
    assert_eq!(begin("k1", later).await, bound);
    assert_eq!(begin("k1", later).await, bound, "still bound, never freed");
    assert_eq!(
        store.begin(SCOPE, "k1", "other", later).await.unwrap(),
        IdempotencyBegin::Mismatch
    );

    // A crash after binding abandons the claim: the key stays, bound.
    assert_eq!(begin("k2", t0()).await, IdempotencyBegin::Started);
    assert!(store.bind_order(SCOPE, "k2", OrderId(43)).await.unwrap());
    store.abandon(SCOPE, "k2").await.unwrap();
    assert_eq!(
        begin("k2", t0()).await,
        IdempotencyBegin::Bound {
            order_id: OrderId(43)
        }
    );

    // A stored answer wins over the binding: it is replayed byte for byte.
    assert_eq!(begin("k3", t0()).await, IdempotencyBegin::Started);
    assert!(store.bind_order(SCOPE, "k3", OrderId(44)).await.unwrap());
    store
        .complete(SCOPE, "k3", "external-application-error", "{\"a\":1}")
        .await
        .unwrap();
    assert_eq!(
        begin("k3", later).await,
        IdempotencyBegin::Replay {
            status: "external-application-error".into(),
            body: "{\"a\":1}".into()
        }
    );
    // A finished record cannot be bound any more.
    assert!(!store.bind_order(SCOPE, "k3", OrderId(45)).await.unwrap());

    // After the 24 hours every record is gone, bound or not.
    assert_eq!(
        begin("k1", t0() + Duration::hours(25)).await,
        IdempotencyBegin::Started
    );
}
