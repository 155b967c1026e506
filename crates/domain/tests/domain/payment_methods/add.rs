//! `AddPaymentMethod`: card checks before the processor, customer and payment profiles,
//! refusals, and who may add a card for whom.

use super::*;

#[tokio::test]
async fn a_number_failing_luhn_never_reaches_the_processor() {
    let mut m = Mocks::default();
    m.client_found(client());
    m.no_processor();
    let new = card("4111111111111112", CardExpiry::new(12, 2030).unwrap());
    let e = m.add(Actor::Client(CLIENT), None, new).await.unwrap_err();
    assert!(
        matches!(e, AddPaymentMethodError::CardNumberInvalid),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_expired_card_never_reaches_the_processor() {
    let mut m = Mocks::default();
    m.client_found(client());
    m.no_processor();
    let new = card(NUMBER, CardExpiry::new(5, 2026).unwrap());
    let e = m.add(Actor::Client(CLIENT), None, new).await.unwrap_err();
    assert!(matches!(e, AddPaymentMethodError::CardExpired), "{e:?}");
}

#[tokio::test]
async fn a_client_with_a_customer_profile_gets_only_a_payment_profile() {
    let mut m = Mocks::default();
    m.client_found(client());
    m.gateway.expect_create_customer_profile().never();
    m.clients.expect_set_customer_profile_id().never();
    m.payment_profile_created("cust-7");
    m.methods
        .expect_insert()
        .withf(|n: &NewPaymentMethod, at: &DateTime<Utc>| {
            n.client_id == CLIENT
                && n.name == "visa ending in 1111"
                && n.brand == CardBrand::Visa
                && n.last4 == "1111"
                && n.expiry == CardExpiry::new(12, 2030).unwrap()
                && n.is_default
                && n.profile == new_profile("cust-7")
                && n.postal_code.as_deref() == Some("80202")
                && !format!("{n:?}").contains(NUMBER)
                && *at == now()
        })
        .times(1)
        .returning(|n, _| Ok(stored(n)));
    m.gateway.expect_delete_payment_profile().never();
    let pm = m
        .add(Actor::Client(CLIENT), None, valid_card())
        .await
        .unwrap();
    assert_eq!(pm.profile, new_profile("cust-7"));
    assert_eq!(pm.last4, "1111");
}

#[tokio::test]
async fn the_first_card_creates_and_stores_the_customer_profile() {
    let mut m = Mocks::default();
    m.client_found(Client {
        customer_profile_id: None,
        ..client()
    });
    let mut seq = Sequence::new();
    m.gateway
        .expect_create_customer_profile()
        .withf(|r: &CustomerProfileRequest| {
            r.client_id == CLIENT
                && r.email.as_str() == "ann@example.com"
                && r.description == "Ann Agent"
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok("cust-new".into()));
    m.clients
        .expect_set_customer_profile_id()
        .withf(|id, p| *id == CLIENT && p == "cust-new")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    m.gateway
        .expect_create_payment_profile()
        .withf(|c, _| c == "cust-new")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(NEW_PROFILE.into()));
    m.methods
        .expect_insert()
        .withf(|n: &NewPaymentMethod, _: &DateTime<Utc>| n.profile == new_profile("cust-new"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|n, _| Ok(stored(n)));
    let new = NewCard {
        name: Some("Work card".into()),
        ..valid_card()
    };
    let pm = m.add(Actor::Client(CLIENT), None, new).await.unwrap();
    assert_eq!(pm.name, "Work card");
}

#[tokio::test]
async fn a_customer_profile_refusal_is_returned() {
    let mut m = Mocks::default();
    m.client_found(Client {
        customer_profile_id: None,
        ..client()
    });
    let error = PaymentError::InvalidCredentials {
        code: "E00007".into(),
    };
    let returned = error.clone();
    m.gateway
        .expect_create_customer_profile()
        .times(1)
        .return_once(move |_| Err(returned));
    m.clients.expect_set_customer_profile_id().never();
    m.gateway.expect_create_payment_profile().never();
    m.methods.expect_insert().never();
    match m.add(Actor::Client(CLIENT), None, valid_card()).await {
        Err(AddPaymentMethodError::Payment(e)) => assert_eq!(e, error),
        other => panic!("expected Payment, got {other:?}"),
    }
}

#[tokio::test]
async fn each_payment_profile_refusal_is_returned_and_nothing_stored() {
    let errors = [
        PaymentError::CardNumberInvalid {
            error_code: "6".into(),
        },
        PaymentError::CardExpired,
        PaymentError::Declined {
            error_code: Some("27".into()),
        },
        PaymentError::External {
            code: Some("E00001".into()),
            detail: "down".into(),
        },
    ];
    for error in errors {
        let mut m = Mocks::default();
        m.client_found(client());
        let returned = error.clone();
        m.gateway
            .expect_create_payment_profile()
            .times(1)
            .return_once(move |_, _| Err(returned));
        m.methods.expect_insert().never();
        m.gateway.expect_delete_payment_profile().never();
        match m.add(Actor::Client(CLIENT), None, valid_card()).await {
            Err(AddPaymentMethodError::Payment(e)) => assert_eq!(e, error),
            other => panic!("expected Payment, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_failure_to_store_deletes_the_processor_payment_profile() {
    for delete_fails in [false, true] {
        let mut m = Mocks::default();
        m.client_found(client());
        m.payment_profile_created("cust-7");
        m.methods
            .expect_insert()
            .times(1)
            .returning(|_, _| Err(StoreError::Backend("down".into())));
        m.gateway
            .expect_delete_payment_profile()
            .withf(|p| *p == new_profile("cust-7"))
            .times(1)
            .returning(move |_| {
                if delete_fails {
                    Err(PaymentError::OutcomeUnknown {
                        detail: "timeout".into(),
                    })
                } else {
                    Ok(())
                }
            });
        let e = m
            .add(Actor::Client(CLIENT), None, valid_card())
            .await
            .unwrap_err();
        assert!(matches!(e, AddPaymentMethodError::Unexpected(_)), "{e:?}");
    }
}

#[tokio::test]
async fn an_employee_must_name_the_client() {
    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.no_processor();
    match m.add(Actor::Employee, None, valid_card()).await {
        Err(AddPaymentMethodError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, true)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}

#[tokio::test]
async fn an_employee_adds_a_card_for_a_named_client() {
    let mut m = Mocks::default();
    m.client_found(client());
    m.payment_profile_created("cust-7");
    m.methods
        .expect_insert()
        .withf(|n, _| n.client_id == CLIENT)
        .times(1)
        .returning(|n, _| Ok(stored(n)));
    m.add(Actor::Employee, Some(CLIENT), valid_card())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_employee_naming_an_unknown_client_is_invalid() {
    let mut m = Mocks::default();
    m.clients
        .expect_find_client()
        .times(1)
        .returning(|_| Ok(None));
    m.no_processor();
    match m
        .add(Actor::Employee, Some(ClientId(404)), valid_card())
        .await
    {
        Err(AddPaymentMethodError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, false)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_may_not_add_a_card_for_another_client() {
    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.no_processor();
    match m
        .add(Actor::Client(CLIENT), Some(OTHER_CLIENT), valid_card())
        .await
    {
        Err(AddPaymentMethodError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, false)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}
