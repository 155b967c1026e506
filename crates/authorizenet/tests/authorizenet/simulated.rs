//! The simulated processor: one test per rule (see the `simulated` module docs).

use crate::support::{TestClock, card};
use ordercore_authorizenet::SimulatedGateway;
use ordercore_authorizenet::simulated::SANDBOX_TEST_CARDS;
use ordercore_domain::model::{ClientId, Email, Money, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    CaptureRequest, CustomerProfileRequest, PaymentError, PaymentGateway, TransactionRequest,
};
use std::sync::Arc;

const NOW: &str = "2026-03-15T12:00:00Z";

fn simulator() -> (Arc<TestClock>, SimulatedGateway) {
    let clock = Arc::new(TestClock::at(NOW));
    let gateway = SimulatedGateway::new(clock.clone());
    (clock, gateway)
}

fn seeded(postal: &str, year: i32, month: u32) -> StoredPaymentProfile {
    StoredPaymentProfile {
        customer_profile_id: "sim-cust-7".into(),
        payment_profile_id: SimulatedGateway::payment_profile_id_for(
            postal, year, month, "1111", 1,
        )
        .unwrap(),
    }
}

fn tx(order: i64, cents: i64, profile: &StoredPaymentProfile) -> TransactionRequest {
    TransactionRequest {
        order_id: OrderId(order),
        amount: Money::from_cents(cents).unwrap(),
        profile: profile.clone(),
    }
}

fn capture(order: i64, transaction_id: &str, cents: i64) -> CaptureRequest {
    CaptureRequest {
        order_id: OrderId(order),
        transaction_id: transaction_id.into(),
        amount: Money::from_cents(cents).unwrap(),
    }
}

fn failed(code: &str) -> PaymentError {
    PaymentError::Failed {
        error_code: Some(code.into()),
    }
}

fn record_not_found() -> PaymentError {
    PaymentError::External {
        code: Some("E00040".into()),
        detail: "record not found".into(),
    }
}

#[tokio::test]
async fn customer_profile_id_is_sim_cust_client_id_every_time() {
    let (_, sim) = simulator();
    let request = CustomerProfileRequest {
        client_id: ClientId(42),
        email: Email::parse("a@example.com").unwrap(),
        description: "x".into(),
    };
    assert_eq!(
        sim.create_customer_profile(&request).await.unwrap(),
        "sim-cust-42"
    );
    assert_eq!(
        sim.create_customer_profile(&request).await.unwrap(),
        "sim-cust-42"
    );
}

#[tokio::test]
async fn sandbox_test_cards_are_stored_and_approve() {
    let (_, sim) = simulator();
    for (i, number) in SANDBOX_TEST_CARDS.iter().enumerate() {
        let id = sim
            .create_payment_profile("sim-cust-7", &card(number, 12, 2030, "98004"))
            .await
            .unwrap_or_else(|e| panic!("{number}: {e:?}"));
        assert!(id.starts_with("sim-pp-98004-203012-"), "{id}");
        assert!(id.contains(&number[number.len() - 4..]), "{id}");
        let profile = StoredPaymentProfile {
            customer_profile_id: "sim-cust-7".into(),
            payment_profile_id: id,
        };
        let approval = sim.authorize(&tx(i as i64, 1000, &profile)).await.unwrap();
        assert!(!approval.held_for_review);
        assert!(approval.auth_code.is_some());
    }
}

#[tokio::test]
async fn luhn_failure_is_error_6() {
    let (_, sim) = simulator();
    let error = sim
        .create_payment_profile("sim-cust-7", &card("4111111111111112", 12, 2030, "98004"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        PaymentError::CardNumberInvalid {
            error_code: "6".into()
        }
    );
}

#[tokio::test]
async fn past_expiry_is_card_expired_when_storing() {
    let (_, sim) = simulator();
    let error = sim
        .create_payment_profile("sim-cust-7", &card("4111111111111111", 2, 2026, "98004"))
        .await
        .unwrap_err();
    assert_eq!(error, PaymentError::CardExpired);
    // The current month is still valid.
    sim.create_payment_profile("sim-cust-7", &card("4111111111111111", 3, 2026, "98004"))
        .await
        .unwrap();
}

#[tokio::test]
async fn past_expiry_is_card_expired_when_authorizing() {
    let (clock, sim) = simulator();
    let profile = seeded("98004", 2026, 3);
    sim.authorize(&tx(1, 1000, &profile)).await.unwrap();
    clock.advance(31 * 24 * 3600);
    let error = sim.authorize(&tx(2, 2000, &profile)).await.unwrap_err();
    assert_eq!(error, PaymentError::CardExpired);
}

#[tokio::test]
async fn postal_code_46282_is_stored_then_declined() {
    let (_, sim) = simulator();
    let id = sim
        .create_payment_profile("sim-cust-7", &card("4111111111111111", 12, 2030, "46282"))
        .await
        .unwrap();
    let profile = StoredPaymentProfile {
        customer_profile_id: "sim-cust-7".into(),
        payment_profile_id: id,
    };
    let declined = PaymentError::Declined {
        error_code: Some("2".into()),
    };
    assert_eq!(
        sim.authorize(&tx(1, 1000, &profile)).await.unwrap_err(),
        declined
    );
    // A decline opens no duplicate window: a retry declines again.
    assert_eq!(
        sim.charge(&tx(1, 1000, &profile)).await.unwrap_err(),
        declined
    );
}

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

#[tokio::test]
async fn profile_ids_not_in_the_simulator_format_are_record_not_found() {
    let (_, sim) = simulator();
    let foreign = StoredPaymentProfile {
        customer_profile_id: "31390172".into(),
        payment_profile_id: "28393490".into(),
    };
    assert_eq!(
        sim.authorize(&tx(1, 100, &foreign)).await.unwrap_err(),
        record_not_found()
    );
    let wrong_customer = StoredPaymentProfile {
        customer_profile_id: "31390172".into(),
        ..seeded("98004", 2030, 12)
    };
    assert_eq!(
        sim.charge(&tx(1, 100, &wrong_customer)).await.unwrap_err(),
        record_not_found()
    );
    assert_eq!(
        sim.create_payment_profile("31390172", &card("4111111111111111", 12, 2030, "98004"))
            .await
            .unwrap_err(),
        record_not_found()
    );
    assert_eq!(
        sim.delete_payment_profile(&foreign).await.unwrap_err(),
        record_not_found()
    );
}

#[tokio::test]
async fn a_deleted_payment_profile_is_record_not_found() {
    let (_, sim) = simulator();
    let profile = seeded("98004", 2030, 12);
    sim.delete_payment_profile(&profile).await.unwrap();
    assert_eq!(
        sim.authorize(&tx(1, 100, &profile)).await.unwrap_err(),
        record_not_found()
    );
    assert_eq!(
        sim.delete_payment_profile(&profile).await.unwrap_err(),
        record_not_found()
    );
}

#[tokio::test]
async fn seeded_profile_ids_work_in_a_fresh_process() {
    // What seed data stores; no create_payment_profile call in this process.
    let id = SimulatedGateway::payment_profile_id_for("80202-1234", 2030, 12, "0015", 3).unwrap();
    assert_eq!(id, "sim-pp-802021234-203012-0015-3");
    assert!(SimulatedGateway::payment_profile_id_for("80202", 2030, 13, "0015", 3).is_none());
    assert!(SimulatedGateway::payment_profile_id_for("80202", 2030, 12, "15", 3).is_none());

    let (_, sim) = simulator();
    let profile = StoredPaymentProfile {
        customer_profile_id: SimulatedGateway::customer_profile_id_for(ClientId(9)),
        payment_profile_id: id,
    };
    sim.authorize(&tx(1, 100, &profile)).await.unwrap();
    let declining = seeded("46282", 2030, 12);
    assert!(matches!(
        sim.authorize(&tx(2, 100, &declining)).await,
        Err(PaymentError::Declined { .. })
    ));
}

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
