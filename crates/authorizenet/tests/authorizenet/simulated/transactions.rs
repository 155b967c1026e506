//! Transactions in the simulator: duplicates, ids, capture, void and lookup by order.

use super::*;

#[tokio::test]
async fn same_profile_and_amount_within_120_seconds_is_duplicate() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    sim.authorize(&tx(1, 12345, &profile)).await.unwrap();

    clock.advance(119);
    assert_eq!(
        sim.authorize(&tx(2, 12345, &profile)).await.unwrap_err(),
        PaymentError::Duplicate
    );
    assert_eq!(
        sim.charge(&tx(2, 12345, &profile)).await.unwrap_err(),
        PaymentError::Duplicate
    );
    // Another amount, or another profile, is not a duplicate.
    sim.authorize(&tx(3, 12346, &profile)).await.unwrap();
    sim.authorize(&tx(4, 12345, &seeded("98004", 2031, 1)))
        .await
        .unwrap();

    clock.advance(2);
    sim.authorize(&tx(5, 12345, &profile)).await.unwrap();
}

#[tokio::test]
async fn transaction_ids_are_unique_and_increasing() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    let mut last = 0_i64;
    for cents in 1..=20 {
        if cents % 5 == 0 {
            clock.advance(1);
        }
        let id: i64 = sim
            .authorize(&tx(cents, cents, &profile))
            .await
            .unwrap()
            .transaction_id
            .parse()
            .unwrap();
        assert!(id > last, "{id} after {last}");
        last = id;
    }
    // A new process (same clock) continues above the old ids.
    let restarted = SimulatedGateway::new(clock.clone());
    let id: i64 = restarted
        .authorize(&tx(99, 99, &profile))
        .await
        .unwrap()
        .transaction_id
        .parse()
        .unwrap();
    assert!(id >= last, "{id} after restart vs {last}");
}

#[tokio::test]
async fn capture_only_an_authorization_and_only_once() {
    let (_, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    let auth = sim.authorize(&tx(1, 5000, &profile)).await.unwrap();

    assert_eq!(
        sim.capture(&capture(1, &auth.transaction_id, 5001))
            .await
            .unwrap_err(),
        failed("47")
    );
    let captured = sim
        .capture(&capture(1, &auth.transaction_id, 5000))
        .await
        .unwrap();
    assert_eq!(captured.transaction_id, auth.transaction_id);
    assert_eq!(
        sim.capture(&capture(1, &auth.transaction_id, 5000))
            .await
            .unwrap_err(),
        failed("311")
    );

    let charge = sim.charge(&tx(2, 6000, &profile)).await.unwrap();
    assert_eq!(
        sim.capture(&capture(2, &charge.transaction_id, 6000))
            .await
            .unwrap_err(),
        failed("311")
    );
    assert_eq!(
        sim.capture(&capture(3, "123", 100)).await.unwrap_err(),
        failed("16")
    );
}

#[tokio::test]
async fn void_only_an_unsettled_authorization() {
    let (_, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    let auth = sim.authorize(&tx(1, 5000, &profile)).await.unwrap();

    sim.void(OrderId(1), &auth.transaction_id).await.unwrap();
    assert_eq!(
        sim.void(OrderId(1), &auth.transaction_id)
            .await
            .unwrap_err(),
        failed("310")
    );
    assert_eq!(
        sim.capture(&capture(1, &auth.transaction_id, 5000))
            .await
            .unwrap_err(),
        failed("310")
    );

    let captured = sim.authorize(&tx(2, 6000, &profile)).await.unwrap();
    sim.capture(&capture(2, &captured.transaction_id, 6000))
        .await
        .unwrap();
    assert_eq!(
        sim.void(OrderId(2), &captured.transaction_id)
            .await
            .unwrap_err(),
        failed("311")
    );
    let charge = sim.charge(&tx(3, 7000, &profile)).await.unwrap();
    assert_eq!(
        sim.void(OrderId(3), &charge.transaction_id)
            .await
            .unwrap_err(),
        failed("311")
    );
    assert_eq!(sim.void(OrderId(4), "999").await.unwrap_err(), failed("16"));
}

#[tokio::test]
async fn find_unsettled_transaction_by_order_id() {
    let (_, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(1)).await.unwrap(),
        None
    );

    let auth = sim.authorize(&tx(1, 5000, &profile)).await.unwrap();
    sim.authorize(&tx(2, 6000, &profile)).await.unwrap();
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(1)).await.unwrap(),
        Some(auth.transaction_id.clone())
    );

    sim.void(OrderId(1), &auth.transaction_id).await.unwrap();
    assert_eq!(
        sim.find_unsettled_transaction(OrderId(1)).await.unwrap(),
        None
    );
}
