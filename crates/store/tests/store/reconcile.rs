//! Look-ups of unknown payment outcomes on the `orders` table: scheduling,
//! claiming due orders exactly once, rescheduling, giving up to the
//! sweeper; the reservation is kept until the order fails; an order being
//! looked up cannot be finalized.

use crate::fixtures::{authorization, new_order, outbox_email, seed_demo, t0};
use chrono::Duration;
use ordercore_domain::model::OrderStatus;
use ordercore_domain::ports::{OrderRepository, PromotionRepository};
use ordercore_store::Store;

contract_tests!(
    reconciliations_are_due_claimed_once_and_rescheduled,
    an_order_being_looked_up_cannot_be_finalized,
);

async fn reconciliations_are_due_claimed_once_and_rescheduled(store: &Store) {
    let demo = seed_demo(store).await;
    let order = store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let plain = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let first = t0() + Duration::seconds(2);
    assert!(
        store
            .schedule_reconciliation(order.id, first, t0())
            .await
            .unwrap()
    );
    // A second schedule (a sweeper racing another) changes nothing: the
    // first look-up, or a worker's claim, stands.
    assert!(
        !store
            .schedule_reconciliation(order.id, t0(), t0())
            .await
            .unwrap()
    );
    let lease = |at| at + Duration::minutes(5);

    // Not due before its time; an order without a schedule never is.
    let early = t0() + Duration::seconds(1);
    assert!(
        store
            .claim_due_reconciliations(early, lease(early), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Due: claimed once, with its attempts; a second claim finds nothing
    // until the lease ends.
    let due = store
        .claim_due_reconciliations(first, lease(first), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].order.id, order.id);
    assert_eq!(due[0].order.status, OrderStatus::PendingPayment);
    assert_eq!(due[0].order.payment_method_id, order.payment_method_id);
    assert_eq!(due[0].attempts, 0);
    assert!(
        store
            .claim_due_reconciliations(first, lease(first), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let after_lease = lease(first);
    let again = store
        .claim_due_reconciliations(after_lease, lease(after_lease), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "a worker that died leaves it due again");

    // A failed look-up: attempts counted, due again at its next time.
    let next = after_lease + Duration::seconds(4);
    assert!(
        store
            .reschedule_reconciliation(order.id, 1, Some(next), after_lease)
            .await
            .unwrap()
    );
    let due = store
        .claim_due_reconciliations(next, lease(next), 10)
        .await
        .unwrap();
    assert_eq!(due[0].attempts, 1);

    // The reservation is held while pending; the reconcile worker's orders
    // are not the sweeper's until it gives up.
    assert!(
        store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );
    let stale = |s: &Store| {
        let s = s.clone();
        async move {
            s.stale_pending(t0() + Duration::hours(1), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|o| o.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(stale(store).await, [plain.id]);
    assert!(
        store
            .reschedule_reconciliation(order.id, 8, None, next)
            .await
            .unwrap()
    );
    let far = next + Duration::days(1);
    assert!(
        store
            .claim_due_reconciliations(far, lease(far), 10)
            .await
            .unwrap()
            .is_empty(),
        "given up: never due again"
    );
    let mut swept = stale(store).await;
    swept.sort();
    let mut expected = vec![order.id, plain.id];
    expected.sort();
    assert_eq!(swept, expected);

    // Failing the order releases the reservation; a decided order can be
    // neither scheduled nor rescheduled.
    assert!(store.mark_payment_failed(order.id, far).await.unwrap());
    assert!(
        !store
            .has_redeemed(demo.promotion.id, demo.client.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .schedule_reconciliation(order.id, far, far)
            .await
            .unwrap()
    );
    assert!(
        !store
            .reschedule_reconciliation(order.id, 1, Some(far), far)
            .await
            .unwrap()
    );
}

/// The sweeper handed the order to the reconcile worker (which may be voiding
/// its hold): a request finishing that late loses and voids its own hold.
async fn an_order_being_looked_up_cannot_be_finalized(store: &Store) {
    let demo = seed_demo(store).await;
    let handed = store
        .create_pending(&new_order(&demo, true), t0())
        .await
        .unwrap();
    let untouched = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    let later = t0() + Duration::minutes(6);
    assert!(
        store
            .schedule_reconciliation(handed.id, later, later)
            .await
            .unwrap()
    );
    let fin = store
        .finalize_payment(
            &handed,
            &authorization(&demo, handed.pricing.total, "T-late"),
            &outbox_email(&demo, later),
            later,
        )
        .await
        .unwrap();
    assert!(fin.is_none(), "a late finalize must lose");
    let still = store.find(handed.id).await.unwrap().unwrap();
    assert_eq!(still.status, OrderStatus::PendingPayment);
    assert!(still.payment.is_none());
    // An order with no look-up scheduled is finalized as before.
    let fin = store
        .finalize_payment(
            &untouched,
            &authorization(&demo, untouched.pricing.total, "T-on-time"),
            &outbox_email(&demo, t0()),
            t0(),
        )
        .await
        .unwrap();
    assert!(fin.is_some());
}
