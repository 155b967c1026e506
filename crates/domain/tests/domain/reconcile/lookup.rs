//! What the look-up finds: every live transaction is voided before the
//! order fails, whether the look-up is scoped to the card's payment profile
//! or (the card removed since) scans every unsettled transaction. These are
//! also the orders the sweeper hands over.

use super::*;

/// With the order's card known, the look-up is scoped to its payment
/// profile; every live transaction is voided, a settled one is reported,
/// and only then does the order fail.
#[tokio::test]
async fn every_live_transaction_on_the_cards_profile_is_voided_before_the_order_fails() {
    let mut m = Mocks::default();
    m.due(0);
    m.gateway.expect_find_unsettled_transaction().never();
    let mut seq = Sequence::new();
    m.look_up(
        Ok(vec![
            tx(
                "tx-a",
                TransactionState::Authorized,
                "authorizedPendingCapture",
            ),
            tx("tx-b", TransactionState::Voided, "voided"),
            tx(
                "tx-c",
                TransactionState::CapturedPendingSettlement,
                "capturedPendingSettlement",
            ),
            tx("tx-d", TransactionState::Settled, "settledSuccessfully"),
        ]),
        &mut seq,
    );
    m.voided("tx-a", Ok(()), &mut seq);
    m.voided("tx-c", Ok(()), &mut seq);
    m.failed(&mut seq);
    m.notified("pending-payment-voided", Severity::Info, 2);
    m.notifications
        .expect_record()
        .withf(|n: &NewNotification, _| {
            n.kind.as_str() == "pending-payment-unresolved"
                && n.severity == Severity::Critical
                && n.context.transaction_id.as_deref() == Some("tx-d")
        })
        .times(1)
        .returning(|n, at| Ok(stored_notification(n, at)));
    assert_eq!(
        m.run().await,
        ReconcileReport {
            failed: 1,
            voided: 2,
            ..ReconcileReport::default()
        }
    );
}

/// An abandoned order whose card was removed: no profile to scope the
/// look-up to, so every unsettled transaction is scanned for the order's.
#[tokio::test]
async fn without_the_card_the_unsettled_transactions_are_scanned_and_the_hold_voided() {
    let mut m = Mocks::default();
    m.orders
        .expect_claim_due_reconciliations()
        .times(1)
        .returning(|_, _, _| {
            Ok(vec![DueReconciliation {
                order: Order {
                    payment_method_id: None,
                    ..unknown_outcome_order()
                },
                attempts: 0,
            }])
        });
    m.methods.expect_find().never();
    m.gateway.expect_find_order_transactions().never();
    let mut seq = Sequence::new();
    m.gateway
        .expect_find_unsettled_transaction()
        .with(eq(ORDER))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(Some("tx-5".into())));
    m.voided("tx-5", Ok(()), &mut seq);
    m.failed(&mut seq);
    m.notified("pending-payment-voided", Severity::Info, 1);
    assert_eq!(
        m.run().await,
        ReconcileReport {
            failed: 1,
            voided: 1,
            ..ReconcileReport::default()
        }
    );
}

/// A failed void leaves the order pending (never failed with a live hold):
/// it is claimable again after the back-off.
#[tokio::test]
async fn without_the_card_a_failed_void_leaves_the_order_pending() {
    let mut m = Mocks::default();
    m.orders
        .expect_claim_due_reconciliations()
        .times(1)
        .returning(|_, _, _| {
            Ok(vec![DueReconciliation {
                order: Order {
                    payment_method_id: None,
                    ..unknown_outcome_order()
                },
                attempts: 0,
            }])
        });
    let mut seq = Sequence::new();
    m.gateway
        .expect_find_unsettled_transaction()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(Some("tx-6".into())));
    m.voided("tx-6", Err(unknown()), &mut seq);
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
