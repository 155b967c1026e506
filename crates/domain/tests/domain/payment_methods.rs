//! `AddPaymentMethod`, `ListPaymentMethods`, `RemovePaymentMethod`
//! (`payment_methods/create`, `index`, `destroy`).

use crate::fixtures::*;
use chrono::{DateTime, Utc};
use mockall::Sequence;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    CardBrand, CardDetails, CardExpiry, CardNumber, Client, ClientId, Cvc, PaymentMethod,
    PaymentMethodId, StoredPaymentProfile,
};
use ordercore_domain::model::{Field, FieldError};
use ordercore_domain::ports::{
    CustomerProfileRequest, MockClientRepository, MockPaymentGateway, MockPaymentMethodRepository,
    NewPaymentMethod, PaymentError,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{
    AddPaymentMethod, AddPaymentMethodError, ListPaymentMethods, NewCard, PaymentMethodLookupError,
    RemovePaymentMethod,
};
use std::sync::Arc;

const NUMBER: &str = "4111111111111111";
const NEW_PROFILE: &str = "pay-12";

fn card(number: &str, expiry: CardExpiry) -> NewCard {
    NewCard {
        card: CardDetails {
            name_on_card: "Ann Agent".into(),
            number: CardNumber::parse(number).unwrap(),
            cvc: Cvc::parse("123").unwrap(),
            expiry,
            street: "1 Main St".into(),
            street2: None,
            city: "Denver".into(),
            province_iso: "us_co".into(),
            postal_code: "80202".into(),
        },
        name: None,
        is_default: true,
    }
}

fn valid_card() -> NewCard {
    card(NUMBER, CardExpiry::new(12, 2030).unwrap())
}

fn new_profile(customer: &str) -> StoredPaymentProfile {
    StoredPaymentProfile {
        customer_profile_id: customer.into(),
        payment_profile_id: NEW_PROFILE.into(),
    }
}

fn stored(new: &NewPaymentMethod) -> PaymentMethod {
    PaymentMethod {
        id: PaymentMethodId(12),
        client_id: new.client_id,
        name: new.name.clone(),
        brand: new.brand,
        last4: new.last4.clone(),
        expiry: new.expiry,
        is_default: new.is_default,
        active: true,
        profile: new.profile.clone(),
        postal_code: new.postal_code.clone(),
    }
}

#[derive(Default)]
struct Mocks {
    clients: MockClientRepository,
    methods: MockPaymentMethodRepository,
    gateway: MockPaymentGateway,
}

impl Mocks {
    fn client_found(&mut self, c: Client) {
        self.clients
            .expect_find_client()
            .with(eq(c.id))
            .times(1)
            .return_once(move |_| Ok(Some(c)));
    }

    fn no_processor(&mut self) {
        self.gateway.expect_create_customer_profile().never();
        self.gateway.expect_create_payment_profile().never();
        self.methods.expect_insert().never();
    }

    fn payment_profile_created(&mut self, customer: &'static str) {
        self.gateway
            .expect_create_payment_profile()
            .withf(move |c, card: &CardDetails| {
                c == customer && card.number.expose() == NUMBER && card.cvc.expose() == "123"
            })
            .times(1)
            .returning(|_, _| Ok(NEW_PROFILE.into()));
    }

    async fn add(
        self,
        actor: Actor,
        client_id: Option<ClientId>,
        new: NewCard,
    ) -> Result<PaymentMethod, AddPaymentMethodError> {
        AddPaymentMethod::new(
            Arc::new(self.clients),
            Arc::new(self.methods),
            Arc::new(self.gateway),
            clock(),
        )
        .run(&actor, client_id, new)
        .await
    }
}

fn params_paths(errs: &[FieldError]) -> Vec<(Field, bool)> {
    errs.iter().map(|e| (e.field, e.missing)).collect()
}

// ---- AddPaymentMethod -------------------------------------------------------

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

// ---- ListPaymentMethods -----------------------------------------------------

async fn list(
    clients: MockClientRepository,
    methods: MockPaymentMethodRepository,
    actor: Actor,
    client_id: Option<ClientId>,
) -> Result<Vec<PaymentMethod>, PaymentMethodLookupError> {
    ListPaymentMethods::new(Arc::new(clients), Arc::new(methods))
        .run(&actor, client_id)
        .await
}

#[tokio::test]
async fn list_returns_the_clients_active_cards() {
    for (actor, client_id) in [
        (Actor::Client(CLIENT), None),
        (Actor::Employee, Some(CLIENT)),
    ] {
        let mut m = Mocks::default();
        m.client_found(client());
        m.methods
            .expect_list_active()
            .with(eq(CLIENT))
            .times(1)
            .returning(|_| Ok(vec![method()]));
        let cards = list(m.clients, m.methods, actor, client_id).await.unwrap();
        assert_eq!(cards, vec![method()]);
    }
}

#[tokio::test]
async fn list_refuses_a_missing_or_foreign_client() {
    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.methods.expect_list_active().never();
    match list(m.clients, m.methods, Actor::Employee, None).await {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, true)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }

    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.methods.expect_list_active().never();
    match list(
        m.clients,
        m.methods,
        Actor::Client(CLIENT),
        Some(OTHER_CLIENT),
    )
    .await
    {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::CardClient, false)]);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}

// ---- RemovePaymentMethod ----------------------------------------------------

async fn remove(
    m: Mocks,
    actor: Actor,
) -> Result<(PaymentMethod, Result<(), PaymentError>), PaymentMethodLookupError> {
    RemovePaymentMethod::new(Arc::new(m.methods), Arc::new(m.gateway))
        .run(&actor, METHOD)
        .await
}

fn found(m: &mut Mocks, pm: Option<PaymentMethod>) {
    m.methods
        .expect_find()
        .with(eq(METHOD))
        .times(1)
        .return_once(move |_| Ok(pm));
}

fn invalid_id(r: Result<(PaymentMethod, Result<(), PaymentError>), PaymentMethodLookupError>) {
    match r {
        Err(PaymentMethodLookupError::Params(errs)) => {
            assert_eq!(params_paths(&errs.0), [(Field::TargetPaymentMethod, false)]);
        }
        other => panic!("expected Params on id, got {other:?}"),
    }
}

#[tokio::test]
async fn removing_an_unknown_inactive_or_foreign_card_is_invalid() {
    let inactive = PaymentMethod {
        active: false,
        ..method()
    };
    for (pm, actor) in [
        (None, Actor::Client(CLIENT)),
        (Some(inactive), Actor::Client(CLIENT)),
        (Some(method()), Actor::Client(OTHER_CLIENT)),
        (Some(method()), Actor::Liaison(vec![OTHER_CLIENT])),
    ] {
        let mut m = Mocks::default();
        found(&mut m, pm);
        m.methods.expect_deactivate().never();
        m.gateway.expect_delete_payment_profile().never();
        invalid_id(remove(m, actor).await);
    }
}

#[tokio::test]
async fn removing_a_card_deactivated_meanwhile_is_invalid() {
    let mut m = Mocks::default();
    found(&mut m, Some(method()));
    m.methods
        .expect_deactivate()
        .with(eq(METHOD))
        .times(1)
        .returning(|_| Ok(false));
    m.gateway.expect_delete_payment_profile().never();
    invalid_id(remove(m, Actor::Client(CLIENT)).await);
}

#[tokio::test]
async fn removing_deactivates_then_deletes_the_processor_profile() {
    for (actor, processor) in [
        (Actor::Client(CLIENT), Ok(())),
        (
            Actor::Employee,
            Err(PaymentError::External {
                code: Some("E00040".into()),
                detail: "record not found".into(),
            }),
        ),
    ] {
        let mut m = Mocks::default();
        found(&mut m, Some(method()));
        let mut seq = Sequence::new();
        m.methods
            .expect_deactivate()
            .with(eq(METHOD))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(true));
        let answer = processor.clone();
        m.gateway
            .expect_delete_payment_profile()
            .withf(|p| *p == profile())
            .times(1)
            .in_sequence(&mut seq)
            .return_once(move |_| answer);
        let (pm, deleted) = remove(m, actor).await.unwrap();
        assert!(!pm.active);
        assert_eq!(pm.id, METHOD);
        assert_eq!(deleted, processor);
    }
}
