//! `SweepPendingPayments`: orders abandoned in `pending_payment` (contract
//! §7 step 6) are handed to the reconcile worker by scheduling a look-up
//! now. The sweeper is built without the processor, so it cannot call it;
//! these tests show it never fails an order itself either.

use crate::fixtures::*;
use chrono::Duration;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{Order, OrderId, OrderStatus};
use ordercore_domain::ports::MockOrderRepository;
use ordercore_domain::usecases::{SweepPendingPayments, SweepReport};
use std::sync::Arc;

fn abandoned(id: i64) -> Order {
    Order {
        id: OrderId(id),
        status: OrderStatus::PendingPayment,
        payment: None,
        ..stored_order(CLIENT)
    }
}

struct Mocks {
    orders: MockOrderRepository,
}

impl Mocks {
    /// The sweeper never decides an order's outcome: only the reconcile
    /// worker fails an order, after it has voided what the processor holds.
    fn new() -> Self {
        let mut orders = MockOrderRepository::new();
        orders.expect_mark_payment_failed().never();
        orders.expect_claim_due_reconciliations().never();
        orders.expect_reschedule_reconciliation().never();
        Mocks { orders }
    }

    /// The orders pending for longer than the default five minutes with no
    /// look-up scheduled.
    fn stale(&mut self, ids: &'static [i64]) {
        self.orders
            .expect_stale_pending()
            .with(eq(now() - Duration::minutes(5)), eq(10))
            .times(1)
            .returning(move |_, _| Ok(ids.iter().map(|&i| abandoned(i)).collect()));
    }

    /// The look-up of order `id` is scheduled now; `still_pending` is what
    /// the conditional update answers.
    fn scheduled(&mut self, id: i64, still_pending: bool) {
        self.orders
            .expect_schedule_reconciliation()
            .with(eq(OrderId(id)), eq(now()), eq(now()))
            .times(1)
            .returning(move |_, _, _| Ok(still_pending));
    }

    async fn run(self) -> Result<SweepReport, ordercore_domain::Unexpected> {
        SweepPendingPayments::new(Arc::new(self.orders), clock())
            .run_once(10)
            .await
    }
}

#[tokio::test]
async fn stale_orders_are_handed_to_the_reconcile_worker_with_a_look_up_now() {
    let mut m = Mocks::new();
    m.stale(&[1, 2]);
    m.scheduled(1, true);
    m.scheduled(2, true);
    assert_eq!(
        m.run().await.unwrap(),
        SweepReport {
            handed_to_reconcile: 2,
            skipped: 0
        }
    );
}

/// Finalized or failed between the listing and the update (or scheduled by
/// a concurrent sweeper that the reconcile worker already concluded): the
/// conditional update changes nothing and the order is skipped.
#[tokio::test]
async fn an_order_no_longer_pending_is_skipped() {
    let mut m = Mocks::new();
    m.stale(&[3, 4]);
    m.scheduled(3, false);
    m.scheduled(4, true);
    assert_eq!(
        m.run().await.unwrap(),
        SweepReport {
            handed_to_reconcile: 1,
            skipped: 1
        }
    );
}

#[tokio::test]
async fn the_configured_pending_age_picks_the_stale_orders() {
    let mut m = Mocks::new();
    m.orders
        .expect_stale_pending()
        .with(eq(now() - Duration::minutes(15)), eq(3))
        .times(1)
        .returning(|_, _| Ok(vec![]));
    m.orders.expect_schedule_reconciliation().never();
    let mut sweeper = SweepPendingPayments::new(Arc::new(m.orders), clock());
    sweeper.max_pending = Duration::minutes(15);
    assert_eq!(sweeper.run_once(3).await.unwrap(), SweepReport::default());
}

#[tokio::test]
async fn a_storage_failure_listing_is_unexpected() {
    let mut m = Mocks::new();
    m.orders
        .expect_stale_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.orders.expect_schedule_reconciliation().never();
    assert!(m.run().await.is_err());
}

/// The order stays pending with no look-up: the next pass lists it again.
#[tokio::test]
async fn a_storage_failure_scheduling_is_unexpected() {
    let mut m = Mocks::new();
    m.stale(&[5, 6]);
    m.orders
        .expect_schedule_reconciliation()
        .with(eq(OrderId(5)), eq(now()), eq(now()))
        .times(1)
        .returning(|_, _, _| Err(StoreError::Backend("down".into())));
    assert!(m.run().await.is_err());
}
