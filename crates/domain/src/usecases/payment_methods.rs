//! `payment_methods/create`, `index`, `destroy`.

use crate::model::{CardDetails, ClientId, PaymentMethod, PaymentMethodId, StoredPaymentProfile};
use crate::model::{Field, FieldErrors};
use crate::ports::{
    ClientRepository, Clock, CustomerProfileRequest, NewPaymentMethod, PaymentError,
    PaymentGateway, PaymentMethodRepository,
};
use crate::rules::orders::{Actor, ClientChoiceError, order_client};
use crate::rules::payment_methods::luhn_valid;
use crate::{StoreError, Unexpected};
use std::sync::Arc;

/// A card to add, with its display name and default flag.
#[derive(Debug, Clone)]
pub struct NewCard {
    pub card: CardDetails,
    /// Display name; defaults to `<brand> ending in <last4>`.
    pub name: Option<String>,
    pub is_default: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AddPaymentMethodError {
    /// → `card-number-invalid` (local Luhn check)
    #[error("the card number is not valid")]
    CardNumberInvalid,
    /// → `card-expired` (local expiry check)
    #[error("the card has expired")]
    CardExpired,
    /// The processor refused; mapped as in contract §9.
    #[error(transparent)]
    Payment(PaymentError),
    /// → `invalid-param` / `missing-param` (`client_id`)
    #[error("invalid parameters")]
    Params(FieldErrors),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Resolves the client a card route acts on: a client's own, or (staff)
/// `client_id`, which must exist. Problems are reported on `client_id`.
async fn resolve_client(
    clients: &dyn ClientRepository,
    actor: &Actor,
    requested: Option<ClientId>,
) -> Result<crate::model::Client, Result<FieldErrors, Unexpected>> {
    let mut errs = FieldErrors::default();
    let id = match order_client(actor, requested) {
        Ok(id) => id,
        Err(ClientChoiceError::Required) => {
            errs.missing(Field::CardClient);
            return Err(Ok(errs));
        }
        Err(e @ ClientChoiceError::NotPermitted) => {
            errs.invalid(Field::CardClient, e.to_string());
            return Err(Ok(errs));
        }
    };
    match clients.find_client(id).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => {
            errs.invalid(
                Field::CardClient,
                ClientChoiceError::NotPermitted.to_string(),
            );
            Err(Ok(errs))
        }
        Err(e) => Err(Err(e.into())),
    }
}

/// Checks the card locally (Luhn, expiry), creates the processor customer
/// profile once per client and a payment profile, and stores only profile
/// ids, brand, last 4 and expiry. If storing fails, the processor payment
/// profile is deleted again.
pub struct AddPaymentMethod {
    clients: Arc<dyn ClientRepository>,
    methods: Arc<dyn PaymentMethodRepository>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
}

impl AddPaymentMethod {
    pub fn new(
        clients: Arc<dyn ClientRepository>,
        methods: Arc<dyn PaymentMethodRepository>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            clients,
            methods,
            gateway,
            clock,
        }
    }

    pub async fn run(
        &self,
        actor: &Actor,
        client_id: Option<ClientId>,
        new: NewCard,
    ) -> Result<PaymentMethod, AddPaymentMethodError> {
        let client = resolve_client(&*self.clients, actor, client_id)
            .await
            .map_err(|e| match e {
                Ok(errs) => AddPaymentMethodError::Params(errs),
                Err(u) => AddPaymentMethodError::Unexpected(u),
            })?;
        let card = &new.card;
        if !luhn_valid(card.number.expose()) {
            return Err(AddPaymentMethodError::CardNumberInvalid);
        }
        if card.expiry.is_expired_at(self.clock.now()) {
            return Err(AddPaymentMethodError::CardExpired);
        }
        let customer_profile_id = match &client.customer_profile_id {
            Some(id) => id.clone(),
            None => {
                let request = CustomerProfileRequest {
                    client_id: client.id,
                    email: client.email.clone(),
                    description: client.display_name(),
                };
                let id = self
                    .gateway
                    .create_customer_profile(&request)
                    .await
                    .map_err(AddPaymentMethodError::Payment)?;
                self.clients
                    .set_customer_profile_id(client.id, &id)
                    .await
                    .map_err(Unexpected::from)?;
                id
            }
        };
        let payment_profile_id = self
            .gateway
            .create_payment_profile(&customer_profile_id, card)
            .await
            .map_err(AddPaymentMethodError::Payment)?;
        let profile = StoredPaymentProfile {
            customer_profile_id,
            payment_profile_id,
        };
        let brand = card.number.brand();
        let last4 = card.number.last4();
        let method = NewPaymentMethod {
            client_id: client.id,
            name: new
                .name
                .unwrap_or_else(|| format!("{} ending in {last4}", brand.as_str())),
            brand,
            last4,
            expiry: card.expiry,
            is_default: new.is_default,
            profile: profile.clone(),
            postal_code: Some(card.postal_code.clone()),
        };
        match self.methods.insert(&method, self.clock.now()).await {
            Ok(stored) => Ok(stored),
            Err(e) => {
                // Leave nothing at the processor that we do not record.
                let undo = match self.gateway.delete_payment_profile(&profile).await {
                    Ok(()) => String::new(),
                    Err(undo) => {
                        format!("; deleting the processor payment profile also failed: {undo}")
                    }
                };
                Err(Unexpected::new(format!("storing the payment method failed: {e}{undo}")).into())
            }
        }
    }
}

/// `payment_methods/index`: the client's active cards.
pub struct ListPaymentMethods {
    clients: Arc<dyn ClientRepository>,
    methods: Arc<dyn PaymentMethodRepository>,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentMethodLookupError {
    /// → `invalid-param` / `missing-param` on `client_id` or `id`
    #[error("invalid parameters")]
    Params(FieldErrors),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl ListPaymentMethods {
    pub fn new(
        clients: Arc<dyn ClientRepository>,
        methods: Arc<dyn PaymentMethodRepository>,
    ) -> Self {
        Self { clients, methods }
    }

    pub async fn run(
        &self,
        actor: &Actor,
        client_id: Option<ClientId>,
    ) -> Result<Vec<PaymentMethod>, PaymentMethodLookupError> {
        let client = resolve_client(&*self.clients, actor, client_id)
            .await
            .map_err(|e| match e {
                Ok(errs) => PaymentMethodLookupError::Params(errs),
                Err(u) => PaymentMethodLookupError::Unexpected(u),
            })?;
        Ok(self
            .methods
            .list_active(client.id)
            .await
            .map_err(Unexpected::from)?)
    }
}

/// `payment_methods/destroy`: deactivates a card the actor may manage, then
/// deletes the processor payment profile. The card is unusable from the
/// moment it is deactivated; a processor failure to delete is returned as
/// `Ok(Err(..))` for the caller to log, not undone.
pub struct RemovePaymentMethod {
    methods: Arc<dyn PaymentMethodRepository>,
    gateway: Arc<dyn PaymentGateway>,
}

impl RemovePaymentMethod {
    pub fn new(
        methods: Arc<dyn PaymentMethodRepository>,
        gateway: Arc<dyn PaymentGateway>,
    ) -> Self {
        Self { methods, gateway }
    }

    #[allow(clippy::type_complexity)]
    pub async fn run(
        &self,
        actor: &Actor,
        id: PaymentMethodId,
    ) -> Result<(PaymentMethod, Result<(), PaymentError>), PaymentMethodLookupError> {
        let not_found = || {
            PaymentMethodLookupError::Params(FieldErrors::one_invalid(
                Field::TargetPaymentMethod,
                "no active payment method with this id",
            ))
        };
        let method = self
            .methods
            .find(id)
            .await
            .map_err(Unexpected::from)?
            .ok_or_else(not_found)?;
        if !method.active || !actor.may_act_for(method.client_id) {
            return Err(not_found());
        }
        match self.methods.deactivate(id).await {
            Ok(true) => {}
            Ok(false) => return Err(not_found()),
            Err(StoreError::Conflict(_)) => return Err(not_found()),
            Err(e) => return Err(Unexpected::from(e).into()),
        }
        let processor = self.gateway.delete_payment_profile(&method.profile).await;
        Ok((
            PaymentMethod {
                active: false,
                ..method
            },
            processor,
        ))
    }
}
