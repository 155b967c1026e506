//! The e-mail outbox: due messages, leases, sent and failed.

use crate::fixtures::{new_order, outbox_email, seed_demo, t0};
use chrono::Duration;
use diesel::RunQueryDsl;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, OutboxId, Severity,
};
use ordercore_domain::ports::{NotificationRepository, OrderRepository, OutboxRepository, Page};
use ordercore_store::Store;

contract_tests!(
    claims_due_messages_under_a_lease,
    sent_and_failed_messages_leave_the_queue,
    a_failure_is_booked_with_its_notification,
    a_failure_whose_notification_cannot_be_stored_is_not_booked_at_all,
    a_sent_mark_waits_in_memory_until_its_batch_is_written
);

async fn enqueue(store: &Store, at_minutes: i64) -> OutboxId {
    enqueue_order(store, at_minutes).await.1
}

/// A submitted order with its confirmation due `at_minutes` after `t0`.
async fn enqueue_order(store: &Store, at_minutes: i64) -> (OrderId, OutboxId) {
    let demo = seed_demo(store).await;
    let (order, id) = store
        .create_submitted(
            &new_order(&demo, false),
            &outbox_email(&demo, t0() + Duration::minutes(at_minutes)),
            t0(),
        )
        .await
        .unwrap();
    (order.id, id)
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
        .mark_failed(
            b,
            "GeneralError",
            Some(now + Duration::minutes(10)),
            None,
            now,
        )
        .await
        .unwrap();
    store
        .mark_failed(c, "Invalid_Key", None, None, now)
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

fn mail_failed(order: OrderId) -> NewNotification {
    NewNotification {
        kind: NotificationKind::MandrillEmailFailed,
        severity: Severity::Warning,
        message: "The confirmation e-mail could not be sent.".into(),
        context: NotificationContext {
            error: Some("timeout".into()),
            will_retry: Some(true),
            ..NotificationContext::order(order)
        },
    }
}

async fn a_failure_is_booked_with_its_notification(store: &Store) {
    let id = enqueue(store, 0).await;
    let now = t0() + Duration::minutes(1);
    let n = mail_failed(OrderId(7));
    store
        .mark_failed(
            id,
            "timeout",
            Some(now + Duration::minutes(1)),
            Some(&n),
            now,
        )
        .await
        .unwrap();
    let listed = NotificationRepository::list(store, Page::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, NotificationKind::MandrillEmailFailed);
    assert_eq!(listed[0].context.order_id, Some(OrderId(7)));
    assert_eq!(listed[0].created_at, now);
    assert!(store.claim_due(now, now, 10).await.unwrap().is_empty());
}

/// One unit of work: when the notification cannot be written, the failure
/// is not booked either, so the message stays due as it was (the worker
/// retries it) and the caller sees the error.
async fn a_failure_whose_notification_cannot_be_stored_is_not_booked_at_all(store: &Store) {
    let id = enqueue(store, 0).await;
    let mut c = store.pool().get().unwrap();
    diesel::sql_query("DROP TABLE notifications")
        .execute(&mut *c)
        .unwrap();
    drop(c);
    let now = t0() + Duration::minutes(1);
    let n = mail_failed(OrderId(7));
    store
        .mark_failed(id, "timeout", None, Some(&n), now)
        .await
        .unwrap_err();
    let due = store.claim_due(now, now, 10).await.unwrap();
    assert_eq!(due.len(), 1, "still due: the failure was rolled back");
    assert_eq!(due[0].id, id);
    assert_eq!(due[0].attempts, 0);
}

/// `(sent_at, attempts)` of outbox row `id` as the table holds it.
fn stored_mark(store: &Store, id: OutboxId) -> (Option<i64>, i32) {
    #[derive(diesel::QueryableByName)]
    struct Raw {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        sent_at: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
    }
    let mut c = store.pool().get().unwrap();
    let raw = diesel::sql_query(format!(
        "SELECT sent_at, attempts FROM email_outbox WHERE id = {}",
        id.0
    ))
    .load::<Raw>(&mut *c)
    .unwrap();
    (raw[0].sent_at, raw[0].attempts)
}

/// A request marks its e-mail sent without a statement; until the batch is
/// written this store already treats it as sent (deliveries, claims,
/// backlog), and the batch writes the first time only once.
async fn a_sent_mark_waits_in_memory_until_its_batch_is_written(store: &Store) {
    let (order, a) = enqueue_order(store, 0).await;
    let b = enqueue(store, 0).await;
    let now = t0() + Duration::minutes(2);
    store.mark_sent(a, now).await.unwrap();
    store
        .mark_sent(a, now + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(store.pending_sent_marks(), 1);
    assert_eq!(stored_mark(store, a), (None, 0), "nothing written yet");

    let d = store.deliveries(order).await.unwrap();
    assert_eq!((d[0].sent_at, d[0].attempts), (Some(now), 1));
    assert_eq!(store.backlog().await.unwrap().outbox, 1, "only b waits");
    let claimed: Vec<OutboxId> = store
        .claim_due(now, now + Duration::minutes(5), 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(claimed, [b], "a was sent: not claimed again");

    assert_eq!(store.flush_sent_marks().await.unwrap(), 1);
    assert_eq!(store.pending_sent_marks(), 0);
    assert_eq!(store.flush_sent_marks().await.unwrap(), 0, "nothing left");
    let written = (Some(now.timestamp_micros()), 1);
    assert_eq!(stored_mark(store, a), written);
    assert_eq!(stored_mark(store, b), (None, 0));

    // A second mark of the same e-mail (another pass, say) changes nothing.
    store
        .mark_sent(a, now + Duration::minutes(9))
        .await
        .unwrap();
    assert_eq!(store.flush_sent_marks().await.unwrap(), 1);
    assert_eq!(stored_mark(store, a), written);
    let d = store.deliveries(order).await.unwrap();
    assert_eq!((d[0].sent_at, d[0].attempts), (Some(now), 1));
}
