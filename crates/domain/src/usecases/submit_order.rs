//! `orders/authorize_and_submit` and `orders/pay_and_submit` (contract §7).

use super::notify::Notifier;
use super::outbox::RetryPolicy;
use super::promotions::eligible_promotion;
use crate::model::{
    AppliedPromotion, AppointmentWindow, Client, ClientId, ClientRef, Field, FieldErrors, Money,
    NewOrder, NewPayment, NotificationContext, NotificationKind, Order, OrderLine, PaymentKind,
    PaymentMethod, PaymentMethodId, PaymentStatus, PropertyAccess, PropertyInfo, Service,
    ServiceId, ServiceKind, Severity,
};
use crate::ports::{
    CatalogRepository, ClientRepository, Clock, MailError, Mailer, NewOutboxEmail,
    OrderConfirmation, OrderRepository, OutboxRepository, PaymentError, PaymentGateway,
    PaymentMethodRepository, PromotionRepository, TransactionRequest,
};
use crate::rules::ordering::{Actor, ClientChoiceError, order_client, payment_needed};
use crate::rules::pricing;
use crate::rules::promotion::{Ineligible, InvalidReason};
use crate::{StoreError, Unexpected};
use chrono::Duration;
use std::collections::HashSet;
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

/// Resolves `order.client.id` for the actor. Unknown and not-permitted ids
/// get the same answer, so the existence of a client is not revealed.
pub(crate) async fn resolve_client(
    clients: &dyn ClientRepository,
    actor: &Actor,
    requested: Option<ClientId>,
    errs: &mut FieldErrors,
) -> Result<Option<Client>, Unexpected> {
    match order_client(actor, requested) {
        Ok(id) => match clients.find_client(id).await? {
            Some(c) => Ok(Some(c)),
            None => {
                errs.invalid(
                    Field::OrderClient,
                    ClientChoiceError::NotPermitted.to_string(),
                );
                Ok(None)
            }
        },
        Err(ClientChoiceError::Required) => {
            errs.missing(Field::OrderClient);
            Ok(None)
        }
        Err(e) => {
            errs.invalid(Field::OrderClient, e.to_string());
            Ok(None)
        }
    }
}

/// Resolves the primary and add-on services to priced lines: each must exist,
/// be active and of the right kind; an add-on id may appear once.
pub(crate) async fn resolve_lines(
    catalog: &dyn CatalogRepository,
    primary: ServiceId,
    add_ons: &[(ServiceId, u32)],
    errs: &mut FieldErrors,
) -> Result<Option<(OrderLine, Vec<OrderLine>)>, Unexpected> {
    let ids: Vec<ServiceId> = std::iter::once(primary)
        .chain(add_ons.iter().map(|a| a.0))
        .collect();
    let found = catalog.find_services(&ids).await?;
    let usable = |id: ServiceId, kind: ServiceKind| -> Option<&Service> {
        found
            .iter()
            .find(|s| s.id == id && s.active && s.kind == kind)
    };
    let line = |s: &Service, quantity: u32| OrderLine {
        service_id: s.id,
        slug: s.slug.clone(),
        name: s.name.clone(),
        quantity,
        unit_price: s.price,
    };
    let before = errs.0.len();
    let primary_line = match usable(primary, ServiceKind::Primary) {
        Some(s) => Some(line(s, 1)),
        None => {
            errs.invalid(
                Field::PrimaryService,
                "no active primary service with this id",
            );
            None
        }
    };
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(add_ons.len());
    for (i, (id, quantity)) in add_ons.iter().enumerate() {
        let path = Field::AddOn(i);
        if !seen.insert(*id) {
            errs.invalid(path, "this add-on service is listed twice");
        } else if let Some(s) = usable(*id, ServiceKind::AddOn) {
            lines.push(line(s, *quantity));
        } else {
            errs.invalid(path, "no active add-on service with this id");
        }
    }
    Ok(match primary_line {
        Some(p) if errs.0.len() == before => Some((p, lines)),
        _ => None,
    })
}

/// Places an order and takes payment, following contract §7 steps 1–8:
/// validate and resolve → price → promotion → (card) record `pending_payment`
/// with the redemption reserved → processor → finalize in one unit of work
/// with the e-mail enqueued (voiding the hold if that fails) → send.
pub struct SubmitOrder {
    pub(crate) clients: Arc<dyn ClientRepository>,
    pub(crate) catalog: Arc<dyn CatalogRepository>,
    pub(crate) promotions: Arc<dyn PromotionRepository>,
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
}

/// The ports `SubmitOrder` needs, named so that wiring reads plainly.
pub struct SubmitOrderPorts {
    pub clients: Arc<dyn ClientRepository>,
    pub catalog: Arc<dyn CatalogRepository>,
    pub promotions: Arc<dyn PromotionRepository>,
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
            promotions: p.promotions,
            methods: p.methods,
            orders: p.orders,
            outbox: p.outbox,
            gateway: p.gateway,
            mailer: p.mailer,
            notifier: p.notifier,
            clock: p.clock,
            retry: RetryPolicy::default(),
        }
    }

    pub async fn run(
        &self,
        mode: PaymentMode,
        actor: &Actor,
        req: OrderRequest,
    ) -> Result<Order, SubmitOrderError> {
        let now = self.clock.now();

        // 1. Resolve client, services, payment method; collect every problem.
        let mut errs = FieldErrors::default();
        let client = resolve_client(&*self.clients, actor, req.client_id, &mut errs).await?;
        let lines = resolve_lines(
            &*self.catalog,
            req.primary_service_id,
            &req.add_ons,
            &mut errs,
        )
        .await?;
        let method = match (req.payment_method_id, &client) {
            (Some(id), Some(c)) => self.resolve_method(id, c, &mut errs).await?,
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
        let promotion = match req.promotion_code.as_deref() {
            Some(code) => Some(eligible_promotion(&*self.promotions, code, &client, now).await??),
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
            next_attempt_at: now + DIRECT_SEND_GRACE,
        };

        let (order, outbox_id) = match method {
            None => self
                .orders
                .create_submitted(&new, &email, now)
                .await
                .map_err(conflict_is_expended)?,
            Some(method) => self.pay(mode, &new, &method, &email).await?,
        };

        // 7. Send the confirmation; on failure the outbox retries it.
        let confirmation = OrderConfirmation::from_order(&order, client.email);
        match self.mailer.send_order_confirmation(&confirmation).await {
            Ok(()) => {
                // If this bookkeeping fails the worker sends the e-mail again
                // after the grace period: a duplicate beats a lost e-mail, and
                // the order itself is already complete.
                let _ = self.outbox.mark_sent(outbox_id, self.clock.now()).await;
                Ok(order)
            }
            Err(error) => {
                let retry_at = error
                    .is_retryable()
                    .then(|| self.clock.now() + self.retry.first_retry);
                let _ = self
                    .outbox
                    .mark_failed(outbox_id, &error.name(), retry_at, self.clock.now())
                    .await;
                self.notifier
                    .notify(
                        NotificationKind::MandrillEmailFailed,
                        Severity::Warning,
                        format!(
                            "The confirmation e-mail of order {} could not be sent.",
                            order.id
                        ),
                        NotificationContext {
                            error: Some(error.name()),
                            will_retry: Some(retry_at.is_some()),
                            ..NotificationContext::order(order.id)
                        },
                    )
                    .await;
                Err(SubmitOrderError::MailFailed {
                    order: Box::new(order),
                    error,
                })
            }
        }
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
        match self.methods.find(id).await? {
            Some(m) if m.active && m.client_id == client.id => Ok(Some(m)),
            _ => {
                errs.invalid(
                    Field::PaymentMethod,
                    "no active payment method of this client with this id",
                );
                Ok(None)
            }
        }
    }

    /// Steps 4–6: expiry, record first, processor, finalize (or release).
    async fn pay(
        &self,
        mode: PaymentMode,
        new: &NewOrder,
        method: &PaymentMethod,
        email: &NewOutboxEmail,
    ) -> Result<(Order, crate::model::OutboxId), SubmitOrderError> {
        if method.expiry.is_expired_at(self.clock.now()) {
            return Err(SubmitOrderError::CardExpired);
        }
        let pending = self
            .orders
            .create_pending(new, self.clock.now())
            .await
            .map_err(conflict_is_expended)?;
        let request = TransactionRequest {
            order_id: pending.id,
            amount: new.pricing.total,
            profile: method.profile.clone(),
        };
        let outcome = match mode {
            PaymentMode::Authorize => self.gateway.authorize(&request).await,
            PaymentMode::Charge => self.gateway.charge(&request).await,
        };
        let approval = match outcome {
            Ok(a) => a,
            Err(e) => {
                // If this write fails the order stays pending and the sweeper
                // releases it; the caller still learns the processor's answer.
                let _ = self
                    .orders
                    .mark_payment_failed(pending.id, self.clock.now())
                    .await;
                self.notify_payment_problem(pending.id, &e).await;
                return Err(SubmitOrderError::Payment(e));
            }
        };
        if approval.held_for_review {
            self.notifier
                .notify(
                    NotificationKind::HeldForReview,
                    Severity::Warning,
                    format!(
                        "The payment of order {} is held for review by the processor.",
                        pending.id
                    ),
                    NotificationContext {
                        transaction_id: Some(approval.transaction_id.clone()),
                        ..NotificationContext::order(pending.id)
                    },
                )
                .await;
        }
        let payment = NewPayment {
            kind: match mode {
                PaymentMode::Authorize => PaymentKind::Authorization,
                PaymentMode::Charge => PaymentKind::Charge,
            },
            status: match (approval.held_for_review, mode) {
                (true, _) => PaymentStatus::HeldForReview,
                (false, PaymentMode::Authorize) => PaymentStatus::Authorized,
                (false, PaymentMode::Charge) => PaymentStatus::Captured,
            },
            amount: new.pricing.total,
            transaction_id: approval.transaction_id.clone(),
            auth_code: approval.auth_code.clone(),
            brand: method.brand,
            last4: method.last4.clone(),
            payment_method_id: method.id,
        };
        let finalized = self
            .orders
            .finalize_payment(pending.id, &payment, email, self.clock.now())
            .await;
        let failure = match finalized {
            Ok(Some(done)) => return Ok(done),
            Ok(None) => "the order was no longer pending when its payment came back".to_string(),
            Err(e) => format!("recording the payment failed: {e}"),
        };
        // No money may move without an order that records it: undo the hold.
        let voided = self
            .gateway
            .void(pending.id, &approval.transaction_id)
            .await;
        match &voided {
            // The hold is gone: the order failed like any refused payment, and
            // its promotion redemption is released now rather than when the
            // sweeper reaches it (a retry would otherwise get
            // `promotion-expended`). A no-op when the order is no longer
            // pending; if it fails, the sweeper releases it later.
            Ok(()) => {
                let _ = self
                    .orders
                    .mark_payment_failed(pending.id, self.clock.now())
                    .await;
            }
            // The hold remains: leave the order pending so the sweeper tries
            // the void again, and tell staff now.
            Err(void_error) => {
                self.notifier
                .notify(
                    NotificationKind::PaymentVoidFailed,
                    Severity::Critical,
                    format!(
                        "Order {} could not be recorded and its payment could not be voided: void it at the processor.",
                        pending.id
                    ),
                    NotificationContext {
                        error: Some(void_error.to_string()),
                        transaction_id: Some(approval.transaction_id.clone()),
                        ..NotificationContext::order(pending.id)
                    },
                )
                .await;
            }
        }
        Err(Unexpected::new(format!(
            "order {}: {failure}; void {}",
            pending.id,
            if voided.is_ok() {
                "succeeded"
            } else {
                "failed"
            }
        ))
        .into())
    }

    /// Staff must hear of outcomes they have to act on.
    async fn notify_payment_problem(&self, order_id: crate::model::OrderId, e: &PaymentError) {
        let (kind, severity, message) = match e {
            PaymentError::OutcomeUnknown { .. } => (
                NotificationKind::PaymentOutcomeUnknown,
                Severity::Critical,
                format!(
                    "The processor did not answer for order {order_id}: reconcile it and void any hold."
                ),
            ),
            PaymentError::InvalidCredentials { .. } => (
                NotificationKind::InvalidPaymentProcessorApiKeys,
                Severity::Critical,
                "The payment processor rejected our API credentials.".to_string(),
            ),
            _ => return,
        };
        self.notifier
            .notify(
                kind,
                severity,
                message,
                NotificationContext::order(order_id),
            )
            .await;
    }
}

/// A unique-constraint conflict on an order insert is the redemption race.
fn conflict_is_expended(e: StoreError) -> SubmitOrderError {
    match e {
        StoreError::Conflict(_) => SubmitOrderError::PromotionExpended,
        other => SubmitOrderError::Unexpected(other.into()),
    }
}
