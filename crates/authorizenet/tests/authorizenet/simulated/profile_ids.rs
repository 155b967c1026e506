//! Payment profile ids: the simulator's format, deleted profiles, seeded ids after a restart.

use super::*;

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
