//! `ReconcilePayments`: an order whose processor outcome is unknown is
//! looked up, whatever the processor holds for it is voided, then the order
//! fails and its promotion use is released; a look-up that keeps failing is
//! left to the sweeper with one critical notification.

use crate::fixtures::*;
use chrono::Duration;
use mockall::Sequence;
use mockall::predicate::eq;
use ordercore_domain::model::{NewNotification, Order, OrderStatus, Severity};
use ordercore_domain::ports::{
    DueReconciliation, MockNotificationRepository, MockOrderRepository, MockPaymentGateway,
    MockPaymentMethodRepository, OrderTransaction, PaymentError, TransactionState,
};
use ordercore_domain::usecases::{ReconcilePayments, ReconcilePolicy, ReconcileReport};
use std::sync::Arc;

/// The order the client was told failed: pending, paid with [`method`].
fn unknown_outcome_order() -> Order {
    Order {
        status: OrderStatus::PendingPayment,
        payment: None,
        ..stored_order(CLIENT)
    }
}

fn tx(id: &str, state: TransactionState, status: &str) -> OrderTransaction {
    OrderTransaction {
        transaction_id: id.into(),
        state,
        status: status.into(),
        amount: Some(money(17_500)),
    }
}

fn policy() -> ReconcilePolicy {
    ReconcilePolicy {
        first_look_up: Duration::seconds(2),
        max_delay: Duration::seconds(60),
        max_attempts: 4,
        lease: Duration::minutes(5),
    }
}

#[derive(Default)]
struct Mocks {
    orders: MockOrderRepository,
    gateway: MockPaymentGateway,
    methods: MockPaymentMethodRepository,
    notifications: MockNotificationRepository,
}

impl Mocks {
    /// One due order with `attempts` failed look-ups, claimed under a lease.
    fn due(&mut self, attempts: u32) {
        self.orders
            .expect_claim_due_reconciliations()
            .with(eq(now()), eq(now() + Duration::minutes(5)), eq(10))
            .times(1)
            .returning(move |_, _, _| {
                Ok(vec![DueReconciliation {
                    order: unknown_outcome_order(),
                    attempts,
                }])
            });
        self.methods
            .expect_find()
            .with(eq(METHOD))
            .returning(|_| Ok(Some(method())));
    }

    fn look_up(&mut self, answer: Result<Vec<OrderTransaction>, PaymentError>, seq: &mut Sequence) {
        self.gateway
            .expect_find_order_transactions()
            .withf(|id, p| *id == ORDER && *p == profile())
            .times(1)
            .in_sequence(seq)
            .return_once(move |_, _| answer);
    }

    fn voided(&mut self, id: &'static str, answer: Result<(), PaymentError>, seq: &mut Sequence) {
        self.gateway
            .expect_void()
            .withf(move |o, t| *o == ORDER && t == id)
            .times(1)
            .in_sequence(seq)
            .return_once(move |_, _| answer);
    }

    fn failed(&mut self, seq: &mut Sequence) {
        self.orders
            .expect_mark_payment_failed()
            .with(eq(ORDER), eq(now()))
            .times(1)
            .in_sequence(seq)
            .returning(|_, _| Ok(true));
        self.orders.expect_reschedule_reconciliation().never();
    }

    fn notified(&mut self, kind: &'static str, severity: Severity, times: usize) {
        self.notifications
            .expect_record()
            .withf(move |n: &NewNotification, _| {
                n.kind.as_str() == kind
                    && n.severity == severity
                    && n.context.order_id == Some(ORDER)
            })
            .times(times)
            .returning(|n, at| Ok(stored_notification(n, at)));
    }

    async fn run(self) -> ReconcileReport {
        let mut r = ReconcilePayments::new(
            Arc::new(self.orders),
            Arc::new(self.gateway),
            Arc::new(self.methods),
            notifier(self.notifications),
            clock(),
        );
        r.policy = policy();
        r.run_once(10).await.unwrap()
    }
}

fn unknown() -> PaymentError {
    PaymentError::OutcomeUnknown {
        detail: "timed out".into(),
    }
}

#[tokio::test]
async fn a_hold_found_is_voided_then_the_order_fails_and_its_promotion_is_released() {
    let mut m = Mocks::default();
    m.due(0);
    let mut seq = Sequence::new();
    m.look_up(
        Ok(vec![tx(
            "tx-7",
            TransactionState::Authorized,
            "authorizedPendingCapture",
        )]),
        &mut seq,
    );
    m.voided("tx-7", Ok(()), &mut seq);
    // mark_payment_failed releases the reservation in its own transaction.
    m.failed(&mut seq);
    m.notified("pending-payment-voided", Severity::Info, 1);
    assert_eq!(
        m.run().await,
        ReconcileReport {
            failed: 1,
            voided: 1,
            retrying: 0,
            given_up: 0
        }
    );
}

#[tokio::test]
async fn an_unsettled_charge_is_voided_the_same_way() {
    let mut m = Mocks::default();
    m.due(1);
    let mut seq = Sequence::new();
    m.look_up(
        Ok(vec![
            tx(
                "tx-8",
                TransactionState::CapturedPendingSettlement,
                "capturedPendingSettlement",
            ),
            tx("tx-6", TransactionState::Refused, "declined"),
        ]),
        &mut seq,
    );
    m.voided("tx-8", Ok(()), &mut seq);
    m.failed(&mut seq);
    m.notified("pending-payment-voided", Severity::Info, 1);
    assert_eq!(m.run().await.voided, 1);
}

#[tokio::test]
async fn nothing_found_fails_the_order_and_releases_its_promotion() {
    let mut m = Mocks::default();
    m.due(0);
    let mut seq = Sequence::new();
    m.look_up(Ok(vec![]), &mut seq);
    m.gateway.expect_void().never();
    m.failed(&mut seq);
    m.notifications.expect_record().never();
    assert_eq!(
        m.run().await,
        ReconcileReport {
            failed: 1,
            ..ReconcileReport::default()
        }
    );
}

/// A settled charge cannot be voided: the order fails (the client was told
/// so) and staff are told to refund it; never silently ignored.
#[tokio::test]
async fn a_settled_charge_fails_the_order_and_asks_staff_for_a_refund() {
    let mut m = Mocks::default();
    m.due(0);
    let mut seq = Sequence::new();
    m.look_up(
        Ok(vec![tx(
            "tx-9",
            TransactionState::Settled,
            "settledSuccessfully",
        )]),
        &mut seq,
    );
    m.gateway.expect_void().never();
    m.failed(&mut seq);
    m.notified("pending-payment-unresolved", Severity::Critical, 1);
    assert_eq!(m.run().await.failed, 1);
}

/// A failed look-up leaves the order pending (reservation kept) and looks
/// again later, the delay doubling with each failure.
#[tokio::test]
async fn a_failed_look_up_is_tried_again_later_and_the_order_stays_pending() {
    for (attempts_before, delay) in [(0, 4), (1, 8), (2, 16)] {
        let mut m = Mocks::default();
        m.due(attempts_before);
        let mut seq = Sequence::new();
        m.look_up(Err(unknown()), &mut seq);
        m.orders.expect_mark_payment_failed().never();
        m.orders
            .expect_reschedule_reconciliation()
            .with(
                eq(ORDER),
                eq(attempts_before + 1),
                eq(Some(now() + Duration::seconds(delay))),
                eq(now()),
            )
            .times(1)
            .returning(|_, _, _, _| Ok(true));
        m.notifications.expect_record().never();
        assert_eq!(m.run().await.retrying, 1);
    }
}

#[tokio::test]
async fn a_failed_void_is_tried_again_later() {
    let mut m = Mocks::default();
    m.due(0);
    let mut seq = Sequence::new();
    m.look_up(
        Ok(vec![tx(
            "tx-7",
            TransactionState::Authorized,
            "authorizedPendingCapture",
        )]),
        &mut seq,
    );
    m.voided("tx-7", Err(unknown()), &mut seq);
    m.orders.expect_mark_payment_failed().never();
    m.orders
        .expect_reschedule_reconciliation()
        .with(
            eq(ORDER),
            eq(1),
            eq(Some(now() + Duration::seconds(4))),
            eq(now()),
        )
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    m.notifications.expect_record().never();
    assert_eq!(m.run().await.retrying, 1);
}

/// The N-th failure stops the look-ups: one critical notification, the
/// order stays pending (no failure, no release) for the sweeper.
#[tokio::test]
async fn a_look_up_failing_n_times_notifies_once_and_leaves_the_order_pending() {
    let mut m = Mocks::default();
    m.due(3);
    let mut seq = Sequence::new();
    m.look_up(Err(unknown()), &mut seq);
    m.orders.expect_mark_payment_failed().never();
    m.orders
        .expect_reschedule_reconciliation()
        .with(eq(ORDER), eq(4), eq(None), eq(now()))
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    m.notified("pending-payment-unresolved", Severity::Critical, 1);
    assert_eq!(
        m.run().await,
        ReconcileReport {
            given_up: 1,
            ..ReconcileReport::default()
        }
    );
}

#[tokio::test]
async fn nothing_due_does_nothing() {
    let mut m = Mocks::default();
    m.orders
        .expect_claim_due_reconciliations()
        .times(1)
        .returning(|_, _, _| Ok(vec![]));
    m.gateway.expect_find_order_transactions().never();
    m.orders.expect_mark_payment_failed().never();
    assert_eq!(m.run().await, ReconcileReport::default());
}

#[test]
fn the_delay_doubles_up_to_its_cap() {
    let p = policy();
    assert_eq!(p.delay_after(0), Duration::seconds(2));
    assert_eq!(p.delay_after(1), Duration::seconds(4));
    assert_eq!(p.delay_after(4), Duration::seconds(32));
    assert_eq!(p.delay_after(5), Duration::seconds(60));
    assert_eq!(p.delay_after(u32::MAX), Duration::seconds(60));
}

mod lookup;
