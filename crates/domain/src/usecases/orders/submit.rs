//! `orders/authorize_and_submit` and `orders/pay_and_submit` (contract §7).

mod confirm;
mod pay;

use super::resolve::{client_choice, found_client, resolve_client, resolve_lines};
use crate::crash_points::crash_point;
use crate::model::{
    AppliedPromotion, AppointmentWindow, Client, ClientId, ClientRef, Field, FieldErrors, Money,
    NewOrder, Order, OrderId, PaymentMethod, PaymentMethodId, Promotion, PropertyAccess,
    PropertyInfo, ServiceId,
};
use crate::ports::{
    CatalogRepository, ClaimedKey, ClientRepository, Clock, IdempotencyStore, MailError, Mailer,
    NewOutboxEmail, OrderRepository, OutboxRepository, PaymentError, PaymentGateway,
    PaymentMethodRepository, SubmissionReads,
};
use crate::rules::orders::pricing;
use crate::rules::orders::{Actor, payment_needed};
use crate::rules::promotions::{Ineligible, InvalidReason};
use crate::usecases::notifications::Notifier;
use crate::usecases::outbox::RetryPolicy;
use crate::usecases::promotions::eligibility;
use crate::{StoreError, Unexpected};
use chrono::Duration;
use std::sync::Arc;

/// Hold (`authOnlyTransaction`) or charge at once (`authCaptureTransaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    Authorize,
    Charge,
}

/// A parsed order request: everything the params carried, ids unresolved.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub client_id: Option<ClientId>,
    pub primary_service_id: ServiceId,
    /// `(id, quantity)`, in request order.
    pub add_ons: Vec<(ServiceId, u32)>,
    pub property_info: PropertyInfo,
    pub property_access: PropertyAccess,
    pub appointments: Vec<AppointmentWindow>,
    pub payment_method_id: Option<PaymentMethodId>,
    pub promotion_code: Option<String>,
    /// The `Idempotency-Key` the request claimed, if any: bound to the
    /// pending order before the processor is called (contract §7).
    pub idempotency: Option<ClaimedKey>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitOrderError {
    /// → `missing-param` / `invalid-param`, with every problem.
    #[error("invalid parameters")]
    Params(FieldErrors),
    /// → `invalid-promotion`
    #[error("the promotion code is not valid: {0}")]
    InvalidPromotion(InvalidReason),
    /// → `promotion-expended` (also when a concurrent order won the race).
    #[error("this client has already used this promotion code")]
    PromotionExpended,
    /// → `card-expired` (the stored card's expiry, checked before the processor).
    #[error("the card has expired")]
    CardExpired,
    /// The processor refused or failed; the order is `payment_failed` and the
    /// promotion released. Mapped as in contract §9.
    #[error(transparent)]
    Payment(PaymentError),
    /// The processor may have acted but did not say (timeout, connection
    /// lost, 5xx after sending): the order stays `pending_payment` with its
    /// reservation and is reconciled in the background, which voids any
    /// hold and fails the order → `external-application-error` naming the
    /// order (contract §7 step 5).
    #[error("the payment processor did not say what it did for order {order}")]
    PaymentOutcomeUnknown { order: OrderId },
    /// → `mandrill-email-failed` (500) **with the order**: it is saved and
    /// paid; the outbox retries the e-mail.
    #[error("the order was saved but its confirmation e-mail failed: {error}")]
    MailFailed { order: Box<Order>, error: MailError },
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<Ineligible> for SubmitOrderError {
    fn from(e: Ineligible) -> Self {
        match e {
            Ineligible::Invalid(r) => SubmitOrderError::InvalidPromotion(r),
            Ineligible::Expended => SubmitOrderError::PromotionExpended,
        }
    }
}

/// How long the outbox worker leaves a fresh confirmation to the request that
/// enqueued it.
pub const DIRECT_SEND_GRACE: Duration = Duration::minutes(1);

/// Places an order and takes payment, following contract §7 steps 1–8:
/// validate and resolve → price → promotion → (card) record `pending_payment`
/// with the redemption reserved → processor → finalize in one unit of work
/// with the e-mail enqueued (voiding the hold if that fails) → send.
pub struct SubmitOrder {
    pub(crate) clients: Arc<dyn ClientRepository>,
    pub(crate) catalog: Arc<dyn CatalogRepository>,
    pub(crate) context: Arc<dyn SubmissionReads>,
    pub(crate) methods: Arc<dyn PaymentMethodRepository>,
    pub(crate) orders: Arc<dyn OrderRepository>,
    pub(crate) outbox: Arc<dyn OutboxRepository>,
    pub(crate) gateway: Arc<dyn PaymentGateway>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) notifier: Notifier,
    pub(crate) clock: Arc<dyn Clock>,
    /// When a failed confirmation is first retried by the outbox; keep it
    /// equal to the outbox worker's policy.
    pub retry: RetryPolicy,
    /// After an unknown outcome, when the reconcile worker first looks the
    /// order up; keep it equal to the worker's policy.
    pub first_look_up: Duration,
    /// Where claimed `Idempotency-Key`s are bound to their order (the store
    /// that claimed them; see [`SubmitOrder::bind_keys_in`]).
    pub(crate) keys: Option<Arc<dyn IdempotencyStore>>,
    /// How long the outbox worker leaves a new confirmation to this request
    /// (default [`DIRECT_SEND_GRACE`]); longer than the mailer's timeout.
    pub direct_send_grace: Duration,
}

/// The ports `SubmitOrder` needs, named so that wiring reads plainly.
pub struct SubmitOrderPorts {
    pub clients: Arc<dyn ClientRepository>,
    pub catalog: Arc<dyn CatalogRepository>,
    /// The client, card and promotion of a submission, in one look-up.
    pub context: Arc<dyn SubmissionReads>,
    pub methods: Arc<dyn PaymentMethodRepository>,
    pub orders: Arc<dyn OrderRepository>,
    pub outbox: Arc<dyn OutboxRepository>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub mailer: Arc<dyn Mailer>,
    pub notifier: Notifier,
    pub clock: Arc<dyn Clock>,
}

impl SubmitOrder {
    pub fn new(p: SubmitOrderPorts) -> Self {
        Self {
            clients: p.clients,
            catalog: p.catalog,
            context: p.context,
            methods: p.methods,
            orders: p.orders,
            outbox: p.outbox,
            gateway: p.gateway,
            mailer: p.mailer,
            notifier: p.notifier,
            clock: p.clock,
            retry: RetryPolicy::default(),
            first_look_up: super::ReconcilePolicy::default().first_look_up,
            keys: None,
            direct_send_grace: DIRECT_SEND_GRACE,
        }
    }

    /// Binds each request's claimed `Idempotency-Key` to its pending order
    /// in `keys`, the store that claimed it. A request that carries a key
    /// while none is set is refused before anything is recorded.
    pub fn bind_keys_in(&mut self, keys: Arc<dyn IdempotencyStore>) {
        self.keys = Some(keys);
    }

    pub async fn run(
        &self,
        mode: PaymentMode,
        actor: &Actor,
        req: OrderRequest,
    ) -> Result<Order, SubmitOrderError> {
        let now = self.clock.now();

        // 1. Resolve client, services, payment method; collect every problem.
        // The client, its card and the promotion are one look-up; the
        // catalogue is served from memory by its adapter.
        let mut errs = FieldErrors::default();
        let code = req.promotion_code.as_deref().map(Promotion::normalize_code);
        let context = match client_choice(actor, req.client_id, &mut errs) {
            Some(id) => Some(
                self.context
                    .submission_context(id, req.payment_method_id, code.clone())
                    .await
                    .map_err(Unexpected::from)?,
            ),
            None => None,
        };
        let (client, method, found_promotion) = match context {
            Some(ctx) => (
                found_client(ctx.client, &mut errs),
                ctx.method,
                ctx.promotion,
            ),
            None => (None, None, None),
        };
        let lines = resolve_lines(
            &*self.catalog,
            req.primary_service_id,
            &req.add_ons,
            &mut errs,
        )
        .await?;
        let method = match (req.payment_method_id, &client) {
            (Some(_), Some(c)) => usable_method(method, c, &mut errs),
            _ => None,
        };
        let (Some(client), Some((primary, add_ons))) = (client, lines) else {
            return Err(SubmitOrderError::Params(errs));
        };
        if !errs.is_empty() {
            return Err(SubmitOrderError::Params(errs));
        }

        // 2. Price.
        let subtotal = pricing::subtotal(&primary, &add_ons).map_err(|e| {
            SubmitOrderError::Params(FieldErrors::one_invalid(Field::AddOns, e.to_string()))
        })?;

        // 3. Promotion.
        let promotion = match code {
            Some(_) => Some(eligibility(found_promotion, &client, now)?),
            None => None,
        };
        let discount = promotion
            .as_ref()
            .map_or(Money::ZERO, |p| pricing::discount(subtotal, p.discount));
        let prices = pricing::price(subtotal, discount);

        let needs_card = payment_needed(prices.total, client.billing);
        let method = match (needs_card, method) {
            (true, None) => {
                return Err(SubmitOrderError::Params(FieldErrors::one_missing(
                    Field::PaymentMethod,
                )));
            }
            (true, Some(m)) => Some(m),
            (false, _) => None,
        };
        let new = NewOrder {
            client: ClientRef {
                id: client.id,
                name: client.display_name(),
                email: client.email.clone(),
            },
            primary_service: primary,
            add_on_services: add_ons,
            property_info: req.property_info,
            property_access: req.property_access,
            appointments: req.appointments,
            promotion: promotion.map(|p| AppliedPromotion {
                id: p.id,
                code: p.code,
                discount: prices.discount,
            }),
            pricing: prices,
            payment_method_id: method.as_ref().map(|m| m.id),
        };
        let email = NewOutboxEmail {
            recipient: client.email.clone(),
            next_attempt_at: now + self.direct_send_grace,
        };

        let (order, outbox_id) = match method {
            None => self
                .orders
                .create_submitted(&new, &email, now)
                .await
                .map_err(conflict_is_expended)?,
            Some(method) => {
                let key = req.idempotency.as_ref();
                if key.is_some() && self.keys.is_none() {
                    return Err(
                        Unexpected::new("an idempotency key without a store to bind it").into(),
                    );
                }
                self.pay(mode, &new, &method, &email, key).await?
            }
        };

        crash_point!("submit.after_finalize");
        // 7. Send the confirmation; on failure the outbox retries it.
        self.confirm(order, outbox_id, client.email).await
    }

    /// The problems that resolving an order's references finds: its client,
    /// its services (when their ids were readable) and its card. For a
    /// request whose other params already failed, so that one answer lists
    /// every problem (SPEC §3 step 8) without submitting anything.
    pub async fn resolution_problems(
        &self,
        actor: &Actor,
        client_id: Option<ClientId>,
        services: Option<(ServiceId, &[(ServiceId, u32)])>,
        payment_method_id: Option<PaymentMethodId>,
    ) -> Result<FieldErrors, Unexpected> {
        let mut errs = FieldErrors::default();
        let client = resolve_client(&*self.clients, actor, client_id, &mut errs).await?;
        if let Some((primary, add_ons)) = services {
            resolve_lines(&*self.catalog, primary, add_ons, &mut errs).await?;
        }
        if let (Some(id), Some(c)) = (payment_method_id, &client) {
            self.resolve_method(id, c, &mut errs).await?;
        }
        Ok(errs)
    }

    /// A stored, active card of this client; problems go to `payment_method_id`.
    async fn resolve_method(
        &self,
        id: PaymentMethodId,
        client: &Client,
        errs: &mut FieldErrors,
    ) -> Result<Option<PaymentMethod>, Unexpected> {
        Ok(usable_method(self.methods.find(id).await?, client, errs))
    }
}

/// The payment method found, when it is an active card of this client;
/// otherwise the problem goes to `payment_method_id`.
fn usable_method(
    found: Option<PaymentMethod>,
    client: &Client,
    errs: &mut FieldErrors,
) -> Option<PaymentMethod> {
    match found {
        Some(m) if m.active && m.client_id == client.id => Some(m),
        _ => {
            errs.invalid(
                Field::PaymentMethod,
                "no active payment method of this client with this id",
            );
            None
        }
    }
}

/// A unique-constraint conflict on an order insert is the redemption race.
fn conflict_is_expended(e: StoreError) -> SubmitOrderError {
    match e {
        StoreError::Conflict(_) => SubmitOrderError::PromotionExpended,
        other => SubmitOrderError::Unexpected(other.into()),
    }
}
