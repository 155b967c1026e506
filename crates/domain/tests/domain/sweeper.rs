//! `SweepPendingPayments`: voids holds of orders abandoned in
//! `pending_payment` (contract §7 step 6).

use crate::fixtures::*;
use chrono::Duration;
use mockall::Sequence;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{NewNotification, Order, OrderId, OrderStatus, Severity};
use ordercore_domain::ports::{
    MockNotificationRepository, MockOrderRepository, MockPaymentGateway,
    MockPaymentMethodRepository, OrderTransaction, PaymentError, TransactionState,
};
use ordercore_domain::usecases::{SweepPendingPayments, SweepReport};
use std::sync::Arc;

/// An abandoned order whose card is gone: the look-up scans every unsettled
/// transaction (the card-scoped look-up is tested below).
fn abandoned(id: i64) -> Order {
    Order {
        id: OrderId(id),
        status: OrderStatus::PendingPayment,
        payment: None,
        payment_method_id: None,
        ..stored_order(CLIENT)
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
    fn stale(&mut self, ids: &'static [i64]) {
        self.orders
            .expect_stale_pending()
            .with(eq(now() - Duration::minutes(5)), eq(10))
            .times(1)
            .returning(move |_, _| Ok(ids.iter().map(|&i| abandoned(i)).collect()));
    }

    fn claimed(&mut self, id: i64, won: bool, seq: &mut Sequence) {
        self.orders
            .expect_mark_payment_failed()
            .with(eq(OrderId(id)), eq(now()))
            .times(1)
            .in_sequence(seq)
            .returning(move |_, _| Ok(won));
    }

    fn hold_lookup(
        &mut self,
        id: i64,
        answer: Result<Option<String>, PaymentError>,
        seq: &mut Sequence,
    ) {
        self.gateway
            .expect_find_unsettled_transaction()
            .with(eq(OrderId(id)))
            .times(1)
            .in_sequence(seq)
            .return_once(move |_| answer);
    }

    fn notified(&mut self, kind: &'static str, id: i64, severity: Severity) {
        self.notifications
            .expect_record()
            .withf(move |n: &NewNotification, _| {
                n.kind.as_str() == kind
                    && n.severity == severity
                    && n.context.order_id == Some(OrderId(id))
            })
            .times(1)
            .returning(|n, at| Ok(stored_notification(n, at)));
    }

    async fn run(self) -> Result<SweepReport, ordercore_domain::Unexpected> {
        SweepPendingPayments::new(
            Arc::new(self.orders),
            Arc::new(self.gateway),
            Arc::new(self.methods),
            notifier(self.notifications),
            clock(),
        )
        .run_once(10)
        .await
    }
}

#[tokio::test]
async fn an_order_finalize_decided_meanwhile_is_skipped() {
    let mut m = Mocks::default();
    m.stale(&[1]);
    m.claimed(1, false, &mut Sequence::new());
    m.gateway.expect_find_unsettled_transaction().never();
    m.gateway.expect_void().never();
    m.notifications.expect_record().never();
    assert_eq!(m.run().await.unwrap(), SweepReport::default());
}

#[tokio::test]
async fn a_claimed_order_with_a_hold_is_voided_after_the_claim() {
    let mut m = Mocks::default();
    m.stale(&[2]);
    let mut seq = Sequence::new();
    m.claimed(2, true, &mut seq);
    m.hold_lookup(2, Ok(Some("tx-2".into())), &mut seq);
    m.gateway
        .expect_void()
        .withf(|id, tx| *id == OrderId(2) && tx == "tx-2")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    m.notified("pending-payment-voided", 2, Severity::Info);
    let report = m.run().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            failed: 1,
            voided: 1,
            needs_attention: 0
        }
    );
}

#[tokio::test]
async fn a_claimed_order_without_a_hold_is_only_marked_failed() {
    let mut m = Mocks::default();
    m.stale(&[3]);
    let mut seq = Sequence::new();
    m.claimed(3, true, &mut seq);
    m.hold_lookup(3, Ok(None), &mut seq);
    m.gateway.expect_void().never();
    m.notifications.expect_record().never();
    let report = m.run().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            failed: 1,
            voided: 0,
            needs_attention: 0
        }
    );
}

#[tokio::test]
async fn a_failed_lookup_or_void_is_unresolved_and_notified() {
    let mut m = Mocks::default();
    m.stale(&[4, 5]);
    let mut seq = Sequence::new();
    m.claimed(4, true, &mut seq);
    m.hold_lookup(
        4,
        Err(PaymentError::OutcomeUnknown {
            detail: "timeout".into(),
        }),
        &mut seq,
    );
    m.claimed(5, true, &mut seq);
    m.hold_lookup(5, Ok(Some("tx-5".into())), &mut seq);
    m.gateway
        .expect_void()
        .withf(|id, tx| *id == OrderId(5) && tx == "tx-5")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Err(PaymentError::External {
                code: None,
                detail: "HTTP 500".into(),
            })
        });
    m.notified("pending-payment-unresolved", 4, Severity::Critical);
    m.notified("pending-payment-unresolved", 5, Severity::Critical);
    let report = m.run().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            failed: 2,
            voided: 0,
            needs_attention: 2
        }
    );
}

#[tokio::test]
async fn one_pass_handles_every_outcome() {
    let mut m = Mocks::default();
    m.stale(&[1, 2, 3]);
    let mut seq = Sequence::new();
    m.claimed(1, false, &mut seq);
    m.claimed(2, true, &mut seq);
    m.hold_lookup(2, Ok(Some("tx-2".into())), &mut seq);
    m.gateway
        .expect_void()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    m.claimed(3, true, &mut seq);
    m.hold_lookup(3, Ok(None), &mut seq);
    m.notified("pending-payment-voided", 2, Severity::Info);
    let report = m.run().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            failed: 2,
            voided: 1,
            needs_attention: 0
        }
    );
}

#[tokio::test]
async fn a_storage_failure_listing_is_unexpected() {
    let mut m = Mocks::default();
    m.orders
        .expect_stale_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.orders.expect_mark_payment_failed().never();
    assert!(m.run().await.is_err());
}

fn listed(id: &str, state: TransactionState, status: &str) -> OrderTransaction {
    OrderTransaction {
        transaction_id: id.into(),
        state,
        status: status.into(),
        amount: Some(money(17_500)),
    }
}

/// With the order's card known, the look-up is scoped to its payment
/// profile; every live transaction is voided, a settled one is reported.
#[tokio::test]
async fn the_look_up_is_scoped_to_the_cards_profile_and_every_live_transaction_is_voided() {
    let mut m = Mocks::default();
    m.orders.expect_stale_pending().times(1).returning(|_, _| {
        Ok(vec![Order {
            status: OrderStatus::PendingPayment,
            payment: None,
            ..stored_order(CLIENT)
        }])
    });
    let mut seq = Sequence::new();
    m.claimed(ORDER.0, true, &mut seq);
    m.methods
        .expect_find()
        .with(eq(METHOD))
        .times(1)
        .returning(|_| Ok(Some(method())));
    m.gateway.expect_find_unsettled_transaction().never();
    m.gateway
        .expect_find_order_transactions()
        .withf(|id, p| *id == ORDER && *p == profile())
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Ok(vec![
                listed(
                    "tx-a",
                    TransactionState::Authorized,
                    "authorizedPendingCapture",
                ),
                listed("tx-b", TransactionState::Voided, "voided"),
                listed(
                    "tx-c",
                    TransactionState::CapturedPendingSettlement,
                    "capturedPendingSettlement",
                ),
                listed("tx-d", TransactionState::Settled, "settledSuccessfully"),
            ])
        });
    for tx in ["tx-a", "tx-c"] {
        m.gateway
            .expect_void()
            .withf(move |id, t| *id == ORDER && t == tx)
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
    }
    m.notifications
        .expect_record()
        .withf(|n: &NewNotification, _| {
            n.kind.as_str() == "pending-payment-voided" && n.severity == Severity::Info
        })
        .times(2)
        .returning(|n, at| Ok(stored_notification(n, at)));
    m.notifications
        .expect_record()
        .withf(|n: &NewNotification, _| {
            n.kind.as_str() == "pending-payment-unresolved"
                && n.severity == Severity::Critical
                && n.context.transaction_id.as_deref() == Some("tx-d")
        })
        .times(1)
        .returning(|n, at| Ok(stored_notification(n, at)));
    let report = m.run().await.unwrap();
    assert_eq!(
        report,
        SweepReport {
            failed: 1,
            voided: 2,
            needs_attention: 1
        }
    );
}
