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

mod add;
mod list;
mod remove;
