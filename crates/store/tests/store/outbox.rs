//! The e-mail outbox: due messages, leases, sent and failed.

use crate::fixtures::{new_order, outbox_email, seed_demo, t0};
use chrono::Duration;
use ordercore_domain::model::OutboxId;
use ordercore_domain::ports::{OrderRepository, OutboxRepository};
use ordercore_store::Store;

contract_tests!(
    claims_due_messages_under_a_lease,
    sent_and_failed_messages_leave_the_queue
);

async fn enqueue(store: &Store, at_minutes: i64) -> OutboxId {
    let demo = seed_demo(store).await;
    let (_, id) = store
        .create_submitted(
            &new_order(&demo, false),
            &outbox_email(&demo, t0() + Duration::minutes(at_minutes)),
            t0(),
        )
        .await
        .unwrap();
    id
}

async fn claims_due_messages_under_a_lease(store: &Store) {
    let first = enqueue(store, 0).await;
    let second = enqueue(store, 1).await;
    let _future = enqueue(store, 60).await;
    let now = t0() + Duration::minutes(2);
    let lease = now + Duration::minutes(5);

    let claimed = store.claim_due(now, lease, 10).await.unwrap();
    let ids: Vec<OutboxId> = claimed.iter().map(|m| m.id).collect();
    assert_eq!(ids, [first, second]);
    assert_eq!(claimed[0].attempts, 0);
    assert_eq!(claimed[0].recipient.as_str(), "client@example.com");
    assert!(claimed[0].order_id.0 > 0);

    assert!(
        store.claim_due(now, lease, 10).await.unwrap().is_empty(),
        "leased"
    );
    let after_lease = store
        .claim_due(lease, lease + Duration::minutes(5), 1)
        .await
        .unwrap();
    assert_eq!(after_lease.len(), 1, "limit respected");
    assert_eq!(after_lease[0].id, first);
}

async fn sent_and_failed_messages_leave_the_queue(store: &Store) {
    let a = enqueue(store, 0).await;
    let b = enqueue(store, 0).await;
    let c = enqueue(store, 0).await;
    let now = t0() + Duration::minutes(1);
    store.mark_sent(a, now).await.unwrap();
    store
        .mark_failed(b, "GeneralError", Some(now + Duration::minutes(10)), now)
        .await
        .unwrap();
    store
        .mark_failed(c, "Invalid_Key", None, now)
        .await
        .unwrap();

    assert!(store.claim_due(now, now, 10).await.unwrap().is_empty());
    let retried = store
        .claim_due(now + Duration::minutes(10), now + Duration::minutes(15), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, b);
    assert_eq!(retried[0].attempts, 1, "one failed attempt counted");
    let far = now + Duration::days(30);
    assert!(
        store
            .claim_due(far, far, 10)
            .await
            .unwrap()
            .iter()
            .all(|m| m.id == b)
    );
}
