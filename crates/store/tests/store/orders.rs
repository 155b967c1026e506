//! Orders: creation with redemption, conditional transitions.

use crate::fixtures::{
    another_client, authorization, new_order, new_order_for, outbox_email, seed_demo, t0,
};
use chrono::Duration;
use ordercore_domain::StoreError;
use ordercore_domain::model::{OrderId, OrderStatus, PaymentId, PaymentKind, PaymentStatus};
use ordercore_domain::ports::{OrderRepository, Page, PromotionRepository};
use ordercore_store::Store;

contract_tests!(
    pending_order_round_trips,
    second_redemption_is_a_conflict,
    submitted_order_records_redemption_and_email,
    payment_failure_releases_the_redemption_once,
    finalize_wins_once,
    list_and_stale_pending,
);

async fn pending_order_round_trips(store: &Store) {
    let demo = seed_demo(store).await;
    let new = new_order(&demo, true);
    let order = store.create_pending(&new, t0()).await.unwrap();
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(order.client, new.client);
    assert_eq!(order.primary_service, new.primary_service);
    assert_eq!(order.add_on_services, new.add_on_services);
    assert_eq!(order.property_info, new.property_info);
    assert_eq!(
        order.property_access, new.property_access,
        "access code round-trips"
    );
    assert_eq!(
        order
            .property_access
            .access_code
            .as_ref()
            .map(|c| c.expose().clone()),
        Some("4321".to_string())
    );
    assert_eq!(order.appointments, new.appointments);
    assert_eq!(order.promotion, new.promotion);
    assert_eq!(order.pricing, new.pricing);
    assert_eq!(order.payment_method_id, new.payment_method_id);
    assert_eq!(order.payment, None);
    assert_eq!(order.created_at, t0());
    assert_eq!(order.updated_at, t0());
    assert_eq!(
        OrderRepository::find(store, order.id).await.unwrap(),
        Some(order)
    );
    assert!(
        OrderRepository::find(store, OrderId(999_999))
            .await
            .unwrap()
            .is_none()
    );
}

async fn second_redemption_is_a_conflict(store: &Store) {
    let demo = seed_demo(store).await;
    store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let again = store.create_pending(&new_order(&demo, true), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let submitted = store
        .create_submitted(&new_order(&demo, true), &outbox_email(&demo, t0()), t0())
        .await;
    assert!(
        matches!(submitted, Err(StoreError::Conflict(_))),
        "{submitted:?}"
    );
    // Nothing of the losers was kept.
    let orders = store.list(None, Page::default()).await.unwrap();
    assert_eq!(orders.len(), 1);
    // Without a promotion the same client may order again.
    store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    // Another client may use the code.
    let other = another_client(store, "other@example.com").await;
    store
        .create_pending(&new_order_for(&demo, &other, true), t0())
        .await
        .unwrap();
}

async fn submitted_order_records_redemption_and_email(store: &Store) {
    let demo = seed_demo(store).await;
    let (order, outbox) = store
        .create_submitted(&new_order(&demo, true), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Submitted);
    assert!(outbox.0 > 0);
    assert!(
        store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );
    // A submitted order is not pending: neither decider may touch it.
    assert!(!store.mark_payment_failed(order.id, t0()).await.unwrap());
    let fin = store
        .finalize_payment(
            &order,
            &authorization(&demo, order.pricing.total, "T1"),
            &outbox_email(&demo, t0()),
            t0(),
        )
        .await
        .unwrap();
    assert!(fin.is_none());
}

async fn payment_failure_releases_the_redemption_once(store: &Store) {
    let demo = seed_demo(store).await;
    let order = store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let later = t0() + Duration::seconds(3);
    assert!(store.mark_payment_failed(order.id, later).await.unwrap());
    assert!(!store.mark_payment_failed(order.id, later).await.unwrap());
    let failed = OrderRepository::find(store, order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, OrderStatus::PaymentFailed);
    assert_eq!(failed.updated_at, later);
    assert!(
        !store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );
    // The code is usable again.
    store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    // And finalize cannot resurrect the failed order.
    let fin = store
        .finalize_payment(
            &order,
            &authorization(&demo, order.pricing.total, "T1"),
            &outbox_email(&demo, t0()),
            t0(),
        )
        .await
        .unwrap();
    assert!(fin.is_none());
}

async fn finalize_wins_once(store: &Store) {
    let demo = seed_demo(store).await;
    let order = store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let later = t0() + Duration::seconds(2);
    let (done, outbox) = store
        .finalize_payment(
            &order,
            &authorization(&demo, order.pricing.total, "60012345"),
            &outbox_email(&demo, later),
            later,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(outbox.0 > 0);
    assert_eq!(done.status, OrderStatus::Submitted);
    assert_eq!(done.updated_at, later);
    let payment = done.payment.clone().unwrap();
    assert_eq!(payment.order_id, order.id);
    assert_eq!(payment.kind, PaymentKind::Authorization);
    assert_eq!(payment.status, PaymentStatus::Authorized);
    assert_eq!(payment.amount, order.pricing.total);
    assert_eq!(payment.transaction_id, "60012345");
    assert_eq!(payment.auth_code.as_deref(), Some("ABC123"));
    assert_eq!(payment.last4, "1111");
    assert_eq!(store.find_payment(payment.id).await.unwrap(), Some(payment));
    assert!(
        store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );

    let twice = store
        .finalize_payment(
            &order,
            &authorization(&demo, order.pricing.total, "T2"),
            &outbox_email(&demo, later),
            later,
        )
        .await
        .unwrap();
    assert!(twice.is_none());
    assert!(!store.mark_payment_failed(order.id, later).await.unwrap());
    assert!(
        store
            .find_payment(PaymentId(999_999))
            .await
            .unwrap()
            .is_none()
    );
}

async fn list_and_stale_pending(store: &Store) {
    let demo = seed_demo(store).await;
    let other = another_client(store, "lister@example.com").await;
    let a = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let b = store
        .create_pending(
            &new_order_for(&demo, &other, false),
            t0() + Duration::minutes(1),
        )
        .await
        .unwrap();
    let c = store
        .create_pending(&new_order(&demo, false), t0() + Duration::minutes(2))
        .await
        .unwrap();
    let ids =
        |v: Vec<ordercore_domain::model::Order>| v.into_iter().map(|o| o.id).collect::<Vec<_>>();

    assert_eq!(
        ids(store.list(None, Page::default()).await.unwrap()),
        [c.id, b.id, a.id]
    );
    assert_eq!(
        ids(store
            .list(Some(vec![demo.client.id]), Page::default())
            .await
            .unwrap()),
        [c.id, a.id]
    );
    assert_eq!(
        ids(store.list(Some(vec![]), Page::default()).await.unwrap()),
        []
    );
    let page2 = Page {
        page: 2,
        per_page: 2,
    };
    assert_eq!(ids(store.list(None, page2).await.unwrap()), [a.id]);

    store.mark_payment_failed(b.id, t0()).await.unwrap();
    let stale = store
        .stale_pending(t0() + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(
        ids(stale),
        [a.id],
        "b is decided, c is not older than the cut-off"
    );
    assert_eq!(
        store
            .stale_pending(t0() + Duration::hours(1), 1)
            .await
            .unwrap()
            .len(),
        1
    );
}
