//! Events and webhook deliveries: each event is written in the transaction
//! of its change (and rolls back with it), fanned out to the endpoints that
//! want it, claimed by exactly one caller, one order's events in order.

use crate::fixtures::{new_order, outbox_email, paid_order, seed_demo, t0};
use chrono::Duration;
use diesel::RunQueryDsl;
use ordercore_domain::model::{
    EventId, EventKind, NewNotification, NewWebhookEndpoint, NotificationContext, NotificationKind,
    PaymentStatus, Secret, Severity, WebhookEndpoint, WebhookUrl,
};
use ordercore_domain::ports::{
    DeliveryFailure, EventRepository, NotificationRepository, OrderRepository, Page,
    WebhookRepository,
};
use ordercore_store::Store;
use std::collections::HashSet;

contract_tests!(
    an_event_is_written_with_its_change,
    a_change_that_fails_leaves_no_event,
    an_event_that_cannot_be_written_undoes_its_change,
    each_due_delivery_goes_to_exactly_one_caller,
    one_orders_events_are_delivered_in_order,
    endpoints_receive_the_kinds_they_chose,
    failures_back_off_and_disable_and_replay_sends_again
);

async fn endpoint(store: &Store, kinds: Option<Vec<EventKind>>) -> WebhookEndpoint {
    store
        .create_endpoint(
            &NewWebhookEndpoint {
                url: WebhookUrl::parse("https://hooks.test/in").unwrap(),
                events: kinds,
                secret: Secret::new("whsec_topsecret".into()),
            },
            t0(),
        )
        .await
        .unwrap()
}

async fn submit(store: &Store) -> ordercore_domain::model::Order {
    let demo = seed_demo(store).await;
    let (order, _) = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap();
    order
}

async fn an_event_is_written_with_its_change(store: &Store) {
    let demo = seed_demo(store).await;
    let order = submit(store).await;
    let events = store.list_events(None, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::OrderSubmitted);
    assert_eq!(events[0].order_id, Some(order.id));
    assert_eq!(events[0].created_at, t0());
    let data: serde_json::Value = serde_json::from_str(&events[0].data).unwrap();
    assert_eq!(data["id"], order.id.0);
    assert_eq!(data["status"], "submitted");
    assert_eq!(data["property_access"]["method_of_access"], "lockbox_code");
    assert!(!events[0].data.contains("4321"), "never the access code");
    // At rest the payload is sealed (it holds on-site contact details).
    #[derive(diesel::QueryableByName)]
    struct Raw {
        #[diesel(sql_type = diesel::sql_types::Text)]
        data: String,
    }
    let mut c = store.pool().get().unwrap();
    let raw = diesel::sql_query("SELECT data FROM events")
        .load::<Raw>(&mut *c)
        .unwrap();
    drop(c);
    assert!(!raw[0].data.contains("submitted") && !raw[0].data.contains("Main St"));
    assert!(!events[0].data.contains("access_code"));

    // A card order: submitted, then its authorization; then captured.
    let paid = paid_order(store, &demo, false, "tx-1", t0()).await;
    let payment = paid.payment.unwrap();
    assert!(
        store
            .transition_payment(
                payment.id,
                PaymentStatus::Authorized,
                PaymentStatus::Capturing,
                t0()
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .transition_payment(
                payment.id,
                PaymentStatus::Capturing,
                PaymentStatus::Captured,
                t0()
            )
            .await
            .unwrap()
    );
    let events = store.list_events(Some(events[0].id), 10).await.unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::OrderSubmitted,
            EventKind::PaymentAuthorized,
            EventKind::PaymentCaptured
        ]
    );
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    let captured: serde_json::Value = serde_json::from_str(&events[2].data).unwrap();
    assert_eq!(captured["status"], "captured");
    assert_eq!(captured["order_id"], paid.id.0);

    // A failed payment and a void each report their change.
    let failed = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    assert!(store.mark_payment_failed(failed.id, t0()).await.unwrap());
    assert!(!store.mark_payment_failed(failed.id, t0()).await.unwrap());
    let last = events[2].id;
    let more = store.list_events(Some(last), 10).await.unwrap();
    assert_eq!(
        more.len(),
        1,
        "a change that did not happen reports nothing"
    );
    assert_eq!(more[0].kind, EventKind::OrderPaymentFailed);
    assert_eq!(more[0].order_id, Some(failed.id));
}

async fn a_change_that_fails_leaves_no_event(store: &Store) {
    submit(store).await;
    let mut c = store.pool().get().unwrap();
    // The e-mail is enqueued after the event is written: its failure must
    // take the event (and the order) back with it.
    diesel::sql_query("DROP TABLE email_outbox")
        .execute(&mut *c)
        .unwrap();
    drop(c);
    let demo = seed_demo(store).await;
    let e = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await;
    assert!(e.is_err());
    assert_eq!(store.list_events(None, 10).await.unwrap().len(), 1);
    assert_eq!(
        OrderRepository::list(store, None, Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn an_event_that_cannot_be_written_undoes_its_change(store: &Store) {
    let demo = seed_demo(store).await;
    let mut c = store.pool().get().unwrap();
    diesel::sql_query("DROP TABLE webhook_deliveries")
        .execute(&mut *c)
        .unwrap();
    drop(c);
    let e = store
        .create_submitted(&new_order(&demo, false), &outbox_email(&demo, t0()), t0())
        .await;
    assert!(e.is_err());
    assert!(
        OrderRepository::list(store, None, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn each_due_delivery_goes_to_exactly_one_caller(store: &Store) {
    let hook = endpoint(store, None).await;
    for _ in 0..12 {
        submit(store).await;
    }
    let now = t0() + Duration::seconds(1);
    let lease = now + Duration::minutes(1);
    let (a, b) = tokio::join!(
        store.claim_due_deliveries(now, lease, 12),
        store.claim_due_deliveries(now, lease, 12)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let a_ids: HashSet<_> = a.iter().map(|d| d.id).collect();
    let b_ids: HashSet<_> = b.iter().map(|d| d.id).collect();
    assert!(
        a_ids.is_disjoint(&b_ids),
        "claimed twice: {a_ids:?} {b_ids:?}"
    );
    assert_eq!(a_ids.len() + b_ids.len(), 12);
    assert!(a.iter().chain(&b).all(|d| d.endpoint_id == hook.id));
    assert!(
        store
            .claim_due_deliveries(now, lease, 12)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    let again = store
        .claim_due_deliveries(lease, lease + Duration::minutes(1), 50)
        .await
        .unwrap();
    assert_eq!(again.len(), 12, "due again once the lease is over");
}

async fn one_orders_events_are_delivered_in_order(store: &Store) {
    let hook = endpoint(store, None).await;
    let demo = seed_demo(store).await;
    paid_order(store, &demo, false, "tx-2", t0()).await;
    let now = t0() + Duration::seconds(1);
    let first = store.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(first.len(), 1, "the second waits for the first");
    assert_eq!(first[0].event.kind, EventKind::OrderSubmitted);
    // Still undelivered (its lease ended): the second still waits.
    let again = store.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    store
        .mark_delivered(first[0].id, hook.id, now)
        .await
        .unwrap();
    let second = store.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event.kind, EventKind::PaymentAuthorized);
}

async fn endpoints_receive_the_kinds_they_chose(store: &Store) {
    let all = endpoint(store, None).await;
    let captures = endpoint(store, Some(vec![EventKind::PaymentCaptured])).await;
    let removed = endpoint(store, None).await;
    assert!(store.remove_endpoint(removed.id, t0()).await.unwrap());
    assert!(!store.remove_endpoint(removed.id, t0()).await.unwrap());
    submit(store).await;
    let now = t0() + Duration::seconds(1);
    let due = store.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].endpoint_id, all.id);
    let listed: Vec<_> = store
        .list_endpoints()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.events))
        .collect();
    assert_eq!(
        listed,
        [
            (all.id, None),
            (captures.id, Some(vec![EventKind::PaymentCaptured]))
        ]
    );
}

async fn failures_back_off_and_disable_and_replay_sends_again(store: &Store) {
    let hook = endpoint(store, None).await;
    submit(store).await;
    let now = t0() + Duration::seconds(1);
    let d = store.claim_due_deliveries(now, now, 10).await.unwrap();
    let retry = now + Duration::seconds(30);
    store
        .mark_delivery_failed(
            &DeliveryFailure {
                id: d[0].id,
                endpoint_id: hook.id,
                status: Some(500),
                error: "http 500".into(),
                retry_at: Some(retry),
                disable: None,
            },
            now,
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_due_deliveries(now, now, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let d = store.claim_due_deliveries(retry, retry, 10).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].attempts, 1);
    assert_eq!(d[0].failing_since, Some(now), "the run of failures started");

    let notification = NewNotification {
        kind: NotificationKind::WebhookEndpointDisabled,
        severity: Severity::Warning,
        message: "disabled".into(),
        context: NotificationContext {
            webhook_endpoint_id: Some(hook.id),
            ..NotificationContext::default()
        },
    };
    store
        .mark_delivery_failed(
            &DeliveryFailure {
                id: d[0].id,
                endpoint_id: hook.id,
                status: None,
                error: "timeout".into(),
                retry_at: Some(retry),
                disable: Some(notification),
            },
            retry,
        )
        .await
        .unwrap();
    let listed = store.list_endpoints().await.unwrap();
    assert!(!listed[0].enabled);
    assert_eq!(listed[0].disabled_at, Some(retry));
    let notes = NotificationRepository::list(store, Page::default())
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, NotificationKind::WebhookEndpointDisabled);
    let later = retry + Duration::hours(1);
    assert!(
        store
            .claim_due_deliveries(later, later, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing goes to a disabled endpoint"
    );

    // Replay re-enables it and sends the events again, attempts reset.
    let n = store.replay(hook.id, EventId(1), later).await.unwrap();
    assert_eq!(n, Some(1));
    let d = store.claim_due_deliveries(later, later, 10).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].attempts, 0);
    store.mark_delivered(d[0].id, hook.id, later).await.unwrap();
    assert!(
        store.list_endpoints().await.unwrap()[0]
            .failing_since
            .is_none()
    );
    assert_eq!(
        store.replay(hook.id, EventId(1), later).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .claim_due_deliveries(later, later, 10)
            .await
            .unwrap()
            .len(),
        1,
        "a delivered event is sent again"
    );
    assert_eq!(
        store
            .replay(
                ordercore_domain::model::WebhookEndpointId(999),
                EventId(1),
                later
            )
            .await
            .unwrap(),
        None
    );
}
