//! The authorization-expiry watch's port: which payments it lists, the
//! once-only mark (with its notification and its event, in one
//! transaction), concurrent marks, and the partial index the list reads.

use crate::fixtures::{Demo, paid_order, seed_demo, t0};
use chrono::{DateTime, Duration, Utc};
use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use ordercore_domain::model::{
    Event, EventKind, NewNotification, NotificationContext, NotificationKind, OrderId, PaymentId,
    PaymentStatus, Severity,
};
use ordercore_domain::ports::{
    AuthorizationExpiryRepository, EventRepository, NotificationRepository, OrderRepository, Page,
};
use ordercore_store::{DbConnection, Store};

contract_tests!(
    the_watch_lists_exactly_the_open_unwarned_authorizations,
    a_payment_is_marked_once_with_its_notification,
    of_concurrent_marks_exactly_one_wins,
    the_watch_reads_the_partial_index,
);

/// An order whose authorization was recorded at `at`; its payment id.
async fn authorized(store: &Store, demo: &Demo, at: DateTime<Utc>, tx: &str) -> PaymentId {
    let order = paid_order(store, demo, false, tx, at).await;
    order.payment.unwrap().id
}

fn warning(order: OrderId) -> NewNotification {
    NewNotification {
        kind: NotificationKind::AuthorizationExpiring,
        severity: Severity::Warning,
        message: "The authorization expires soon.".into(),
        context: NotificationContext::order(order),
    }
}

async fn expiry_notifications(store: &Store) -> usize {
    NotificationRepository::list(
        store,
        Page {
            page: 1,
            per_page: 100,
        },
    )
    .await
    .unwrap()
    .iter()
    .filter(|n| n.kind == NotificationKind::AuthorizationExpiring)
    .count()
}

/// The `payment.authorization_expiring` events recorded so far.
async fn expiry_events(store: &Store) -> Vec<Event> {
    store
        .list_events(None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::PaymentAuthorizationExpiring)
        .collect()
}

async fn the_watch_lists_exactly_the_open_unwarned_authorizations(store: &Store) {
    let demo = seed_demo(store).await;
    let cutoff = t0();
    let oldest = authorized(store, &demo, cutoff - Duration::days(2), "old").await;
    let at_cutoff = authorized(store, &demo, cutoff, "edge").await;
    let recent = authorized(store, &demo, cutoff + Duration::microseconds(1), "new").await;
    let later = cutoff + Duration::hours(1);
    let mut settled = vec![];
    for (to, tx) in [
        (PaymentStatus::Captured, "cap"),
        (PaymentStatus::Voided, "void"),
        (PaymentStatus::Capturing, "claimed"),
    ] {
        let p = authorized(store, &demo, cutoff - Duration::days(3), tx).await;
        assert!(
            store
                .transition_payment(p, PaymentStatus::Authorized, to, later)
                .await
                .unwrap()
        );
        settled.push(p);
    }
    let warned = authorized(store, &demo, cutoff - Duration::days(4), "warned").await;
    let order = store.find_payment(warned).await.unwrap().unwrap().order_id;
    assert!(
        store
            .mark_expiry_warned(warned, &warning(order), later)
            .await
            .unwrap()
    );

    let ids = |ps: Vec<ordercore_domain::model::Payment>| -> Vec<PaymentId> {
        ps.into_iter().map(|p| p.id).collect()
    };
    // Oldest first; the cutoff itself included; the recent, settled,
    // claimed and warned ones left out.
    let listed = store.unwarned_authorizations(cutoff, 50).await.unwrap();
    assert_eq!(ids(listed.clone()), [oldest, at_cutoff]);
    assert_eq!(listed[0].transaction_id, "old");
    assert_eq!(listed[0].created_at, cutoff - Duration::days(2));
    assert_eq!(
        ids(store.unwarned_authorizations(cutoff, 1).await.unwrap()),
        [oldest]
    );
    assert_eq!(
        ids(store
            .unwarned_authorizations(cutoff + Duration::days(1), 50)
            .await
            .unwrap()),
        [oldest, at_cutoff, recent]
    );
    assert!(
        store
            .unwarned_authorizations(cutoff - Duration::days(5), 50)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_payment_is_marked_once_with_its_notification(store: &Store) {
    let demo = seed_demo(store).await;
    let p = authorized(store, &demo, t0(), "once").await;
    let order = store.find_payment(p).await.unwrap().unwrap().order_id;
    let now = t0() + Duration::days(25);
    assert!(expiry_events(store).await.is_empty());
    assert!(
        store
            .mark_expiry_warned(p, &warning(order), now)
            .await
            .unwrap()
    );
    let events = expiry_events(store).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].order_id, Some(order));
    assert_eq!(events[0].created_at, now);
    let data: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    assert_eq!(data["id"], p.0);
    assert_eq!(data["order_id"], order.0);
    assert_eq!(data["status"], "authorized");
    assert_eq!(data["transaction_id"], "once");
    assert!(
        !store
            .mark_expiry_warned(p, &warning(order), now)
            .await
            .unwrap()
    );
    assert_eq!(expiry_notifications(store).await, 1);
    assert_eq!(expiry_events(store).await.len(), 1);
    let stored = NotificationRepository::list(store, Page::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(stored.context.order_id, Some(order));
    assert_eq!(stored.created_at, now);

    // A payment no longer open is not marked, and nobody is told.
    let captured = authorized(store, &demo, t0(), "done").await;
    assert!(
        store
            .transition_payment(
                captured,
                PaymentStatus::Authorized,
                PaymentStatus::Captured,
                now
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_expiry_warned(captured, &warning(order), now)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_expiry_warned(PaymentId(999_999), &warning(order), now)
            .await
            .unwrap()
    );
    assert_eq!(expiry_notifications(store).await, 1);
    assert_eq!(expiry_events(store).await.len(), 1);
    // The captured payment can still be read as it was.
    assert_eq!(
        store.find_payment(captured).await.unwrap().unwrap().status,
        PaymentStatus::Captured
    );
}

async fn of_concurrent_marks_exactly_one_wins(store: &Store) {
    let demo = seed_demo(store).await;
    let p = authorized(store, &demo, t0(), "race").await;
    let order = store.find_payment(p).await.unwrap().unwrap().order_id;
    let now = t0() + Duration::days(26);
    let marks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.mark_expiry_warned(p, &warning(order), now).await })
        })
        .collect();
    let mut won = 0;
    for m in marks {
        if m.await.unwrap().unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
    assert_eq!(expiry_notifications(store).await, 1);
    assert_eq!(expiry_events(store).await.len(), 1);
    assert!(
        store
            .unwarned_authorizations(now, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

#[derive(diesel::QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(diesel::QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

async fn the_watch_reads_the_partial_index(store: &Store) {
    let demo = seed_demo(store).await;
    for i in 0..20 {
        authorized(store, &demo, t0() - Duration::days(i), &format!("tx{i}")).await;
    }
    // The statement the store sends, as the query builder writes it.
    let query = "SELECT id FROM payments WHERE status = 'authorized' \
         AND expiry_warned_at IS NULL AND created_at <= 1 \
         ORDER BY created_at ASC, id ASC LIMIT 50";
    let pool = store.pool().clone();
    let plan = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        match &mut *conn {
            DbConnection::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}"))
                .load::<SqlitePlan>(c)
                .unwrap()
                .into_iter()
                .map(|r| r.detail)
                .collect::<Vec<_>>()
                .join("\n"),
            DbConnection::Pg(c) => {
                // A tiny table is cheaper to scan: forbid that, so the plan
                // shows whether the index can serve the query at all.
                diesel::sql_query("SET enable_seqscan = off")
                    .execute(c)
                    .unwrap();
                let plan = diesel::sql_query(format!("EXPLAIN {query}"))
                    .load::<PgPlan>(c)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.plan)
                    .collect::<Vec<_>>()
                    .join("\n");
                diesel::sql_query("RESET enable_seqscan")
                    .execute(c)
                    .unwrap();
                plan
            }
        }
    })
    .await
    .unwrap();
    assert!(plan.contains("payments_expiry_unwarned"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "sorted by the index: {plan}");
}
