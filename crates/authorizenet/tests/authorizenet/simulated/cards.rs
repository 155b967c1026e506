//! Storing cards in the simulator: customer profile ids, sandbox test cards, Luhn, expiry and
//! the declining postal code.

use super::*;

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
