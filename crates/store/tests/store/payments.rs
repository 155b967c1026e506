//! Payments: conditional status transitions; a void cancels the order.

use crate::fixtures::{authorization, new_order, outbox_email, seed_demo, t0};
use chrono::Duration;
use ordercore_domain::model::{OrderStatus, PaymentId, PaymentStatus};
use ordercore_domain::ports::OrderRepository;
use ordercore_store::Store;

contract_tests!(payment_transitions_are_conditional,);

async fn payment_transitions_are_conditional(store: &Store) {
    let demo = seed_demo(store).await;
    let pay = |o: &ordercore_domain::model::Order| authorization(&demo, o.pricing.total, "T");
    let o1 = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let (o1, _) = store
        .finalize_payment(o1.id, &pay(&o1), &outbox_email(&demo, t0()), t0())
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
        .finalize_payment(o2.id, &pay(&o2), &outbox_email(&demo, t0()), t0())
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
