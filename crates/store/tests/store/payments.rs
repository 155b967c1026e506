//! Payments: conditional status transitions (the claims of capture and
//! void); a void cancels the order and releases its promotion redemption.

use crate::fixtures::{authorization, new_order, outbox_email, paid_order, seed_demo, t0};
use chrono::Duration;
use ordercore_domain::model::{OrderStatus, PaymentId, PaymentStatus};
use ordercore_domain::ports::{OrderRepository, PromotionRepository};
use ordercore_store::Store;

contract_tests!(
    payment_transitions_are_conditional,
    claims_settle_and_a_void_releases_the_redemption,
);

async fn payment_transitions_are_conditional(store: &Store) {
    let demo = seed_demo(store).await;
    let pay = |o: &ordercore_domain::model::Order| authorization(&demo, o.pricing.total, "T");
    let o1 = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let (o1, _) = store
        .finalize_payment(&o1, &pay(&o1), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap()
        .unwrap();
    let p1 = o1.payment.unwrap().id;
    let later = t0() + Duration::hours(1);
    assert!(
        store
            .transition_payment(
                p1,
                PaymentStatus::Authorized,
                PaymentStatus::Captured,
                later
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .transition_payment(
                p1,
                PaymentStatus::Authorized,
                PaymentStatus::Captured,
                later
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .transition_payment(p1, PaymentStatus::Authorized, PaymentStatus::Voided, later)
            .await
            .unwrap()
    );
    let o1 = OrderRepository::find(store, o1.id).await.unwrap().unwrap();
    assert_eq!(o1.status, OrderStatus::Submitted);
    assert_eq!(o1.payment.unwrap().status, PaymentStatus::Captured);

    let o2 = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let (o2, _) = store
        .finalize_payment(&o2, &pay(&o2), &outbox_email(&demo, t0()), t0())
        .await
        .unwrap()
        .unwrap();
    let p2 = o2.payment.unwrap().id;
    assert!(
        store
            .transition_payment(p2, PaymentStatus::Authorized, PaymentStatus::Voided, later)
            .await
            .unwrap()
    );
    let o2 = OrderRepository::find(store, o2.id).await.unwrap().unwrap();
    assert_eq!(
        o2.status,
        OrderStatus::Cancelled,
        "voiding cancels the order"
    );
    assert_eq!(o2.updated_at, later);
    assert_eq!(o2.payment.unwrap().status, PaymentStatus::Voided);
    assert!(
        !store
            .transition_payment(
                PaymentId(999_999),
                PaymentStatus::Authorized,
                PaymentStatus::Voided,
                later
            )
            .await
            .unwrap()
    );
}

async fn claims_settle_and_a_void_releases_the_redemption(store: &Store) {
    let demo = seed_demo(store).await;
    let later = t0() + Duration::hours(1);
    let order = paid_order(store, &demo, true, "T", t0()).await;
    let id = order.payment.unwrap().id;
    let redemptions = || async {
        store
            .find_by_code(&demo.promotion.code)
            .await
            .unwrap()
            .unwrap()
            .redemptions
    };
    assert_eq!(redemptions().await, 1);
    let step = |from, to| store.transition_payment(id, from, to, later);
    use PaymentStatus::{Authorized, Capturing, Voided, Voiding};
    // A claim is stored, and excludes the other action.
    assert!(step(Authorized, Voiding).await.unwrap());
    assert!(!step(Authorized, Capturing).await.unwrap());
    let stored = OrderRepository::find(store, order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.payment.unwrap().status, Voiding);
    assert_eq!(
        stored.status,
        OrderStatus::Submitted,
        "a claim cancels nothing"
    );
    assert_eq!(redemptions().await, 1);
    // Given back, then claimed again and settled.
    assert!(step(Voiding, Authorized).await.unwrap());
    assert!(step(Authorized, Voiding).await.unwrap());
    assert!(step(Voiding, Voided).await.unwrap());
    assert!(!step(Voiding, Voided).await.unwrap());
    let stored = OrderRepository::find(store, order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    assert_eq!(stored.payment.unwrap().status, Voided);
    // The cancelled order's code use is given back: counted no more, and
    // the client may use the code again.
    assert_eq!(redemptions().await, 0);
    assert!(
        !store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );
    store
        .create_pending(&new_order(&demo, true), later)
        .await
        .unwrap();
}
