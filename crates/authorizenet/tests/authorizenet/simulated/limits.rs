//! The simulator's bounds: the duplicate window and the limits on tracked state.

use super::*;

#[tokio::test]
async fn duplicate_window_ends_at_exactly_120_seconds() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    sim.authorize(&tx(1, 777, &profile)).await.unwrap();

    clock.advance(119);
    assert_eq!(
        sim.authorize(&tx(2, 777, &profile)).await.unwrap_err(),
        PaymentError::Duplicate
    );
    // Exactly 120 s after the approval the window is closed …
    clock.advance(1);
    sim.charge(&tx(3, 777, &profile)).await.unwrap();
    // … and that approval opens a new window, again of exactly 120 s.
    clock.advance(119);
    assert_eq!(
        sim.charge(&tx(4, 777, &profile)).await.unwrap_err(),
        PaymentError::Duplicate
    );
    clock.advance(1);
    sim.authorize(&tx(5, 777, &profile)).await.unwrap();
}

#[tokio::test]
async fn duplicate_window_survives_expiry_of_other_entries() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    sim.authorize(&tx(1, 100, &profile)).await.unwrap();
    clock.advance(60);
    sim.authorize(&tx(2, 200, &profile)).await.unwrap();
    assert_eq!(sim.tracked_duplicate_windows(), 2);

    // 120 s after the first: its entry expires, the second's (60 s) stays.
    clock.advance(60);
    sim.authorize(&tx(3, 100, &profile)).await.unwrap();
    assert_eq!(
        sim.authorize(&tx(4, 200, &profile)).await.unwrap_err(),
        PaymentError::Duplicate
    );
    assert_eq!(sim.tracked_duplicate_windows(), 2);
    clock.advance(60);
    sim.authorize(&tx(5, 200, &profile)).await.unwrap();
    // Only the approvals of the last 120 s remain: amount 100 at 120 s
    // (60 s old) and amount 200 just now.
    assert_eq!(sim.tracked_duplicate_windows(), 2);
    clock.advance(120);
    sim.authorize(&tx(6, 300, &profile)).await.unwrap();
    assert_eq!(sim.tracked_duplicate_windows(), 1);
}

#[tokio::test]
async fn state_stays_bounded_over_a_long_run() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    let first = sim.authorize(&tx(0, 1, &profile)).await.unwrap();
    let mut first_captured = None;
    // 4000 orders, one every 30 s (over 33 hours): each authorized, then
    // captured or voided; every tenth is charged.
    for order in 1..=4000_i64 {
        clock.advance(30);
        let request = tx(order, 1000 + order % 7, &profile);
        if order % 10 == 0 {
            sim.charge(&request).await.unwrap();
            continue;
        }
        let auth = sim.authorize(&request).await.unwrap();
        if order % 2 == 0 {
            sim.capture(&capture(
                order,
                &auth.transaction_id,
                request.amount.cents(),
            ))
            .await
            .unwrap();
            first_captured.get_or_insert((order, auth.transaction_id));
        } else {
            sim.void(OrderId(order), &auth.transaction_id)
                .await
                .unwrap();
        }
    }
    // Finished transactions of the last 24 hours, plus the one still open.
    let day = 24 * 3600 / 30;
    assert!(
        sim.tracked_transactions() <= day + 2,
        "{} transactions tracked",
        sim.tracked_transactions()
    );
    // Approvals of the last 120 s only.
    assert!(
        sim.tracked_duplicate_windows() <= 5,
        "{} duplicate windows tracked",
        sim.tracked_duplicate_windows()
    );
    // A captured transaction of the first day is forgotten, as after a restart.
    let (order, id) = first_captured.unwrap();
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(order))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sim.void(OrderId(order), &id).await.unwrap_err(),
        failed("16")
    );
    // An authorization never captured is kept, and can still be captured.
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(0)).await.unwrap(),
        Some(first.transaction_id.clone())
    );
    sim.capture(&capture(0, &first.transaction_id, 1))
        .await
        .unwrap();
}

#[tokio::test]
async fn transaction_limit_forgets_finished_then_oldest_transactions() {
    let clock = Arc::new(TestClock::at(NOW));
    let sim = SimulatedGateway::with_transaction_limit(clock.clone(), 10);
    let profile = seeded("98004", 2030, 12);
    let mut ids = Vec::new();
    for order in 0..10_i64 {
        ids.push(
            sim.authorize(&tx(order, 100 + order, &profile))
                .await
                .unwrap()
                .transaction_id,
        );
    }
    // A voided transaction is forgotten before older open authorizations.
    sim.void(OrderId(5), &ids[5]).await.unwrap();
    sim.authorize(&tx(10, 110, &profile)).await.unwrap();
    assert_eq!(sim.tracked_transactions(), 10);
    assert_eq!(
        sim.void(OrderId(5), &ids[5]).await.unwrap_err(),
        failed("16")
    );
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(0)).await.unwrap(),
        Some(ids[0].clone())
    );

    // With only open authorizations, the oldest goes first.
    for order in 11..25_i64 {
        sim.authorize(&tx(order, 100 + order, &profile))
            .await
            .unwrap();
    }
    assert_eq!(sim.tracked_transactions(), 10);
    assert_eq!(
        sim.capture(&capture(0, &ids[0], 100)).await.unwrap_err(),
        failed("16")
    );
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(0)).await.unwrap(),
        None
    );
    let newest = sim.find_unsettled_transaction(OrderId(24)).await.unwrap();
    sim.capture(&capture(24, &newest.unwrap(), 124))
        .await
        .unwrap();
}
