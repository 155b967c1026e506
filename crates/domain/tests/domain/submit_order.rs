//! `SubmitOrder` (contract §7), authorize and charge modes: every outcome, with
//! the calls made on each port.

use crate::fixtures::*;
use chrono::Duration;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    CardExpiry, Client, ClientId, Discount, Money, NewNotification, NewOrder, NewPayment, Order,
    OrderStatus, OutboxId, PaymentKind, PaymentMethod, PaymentStatus, Promotion, ServiceId,
    Severity,
};
use ordercore_domain::model::{Field, FieldError};
use ordercore_domain::ports::{
    Approval, MailError, NewOutboxEmail, OrderConfirmation, PaymentError, TransactionRequest,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{OrderRequest, PaymentMode, SubmitOrderError};

const OUTBOX: OutboxId = OutboxId(5);
const TX: &str = "tx-1";

/// Photos ($150) + one floor plan ($25).
const SUBTOTAL: i64 = 17_500;

fn me() -> Actor {
    Actor::Client(CLIENT)
}

/// The context look-up finds this client (its card and promotion as other
/// helpers set them).
fn client_found(m: &mut SubmitMocks, c: Client) {
    let id = c.id;
    m.context_of(id).client = Some(c);
}

fn catalogue_found(m: &mut SubmitMocks) {
    m.catalog.expect_find_services().times(1).returning(|ids| {
        Ok(catalogue()
            .into_iter()
            .filter(|s| ids.contains(&s.id))
            .collect())
    });
}

fn method_found(m: &mut SubmitMocks, pm: PaymentMethod) {
    m.context_of(CLIENT).method = Some(pm);
}

/// Client, catalogue and card all resolve.
fn resolves(m: &mut SubmitMocks) {
    client_found(m, client());
    catalogue_found(m);
    method_found(m, method());
}

fn promotion_found(m: &mut SubmitMocks, p: Option<Promotion>, redeemed: bool) {
    m.context_of(CLIENT).promotion = p.map(|p| (p, redeemed));
}

fn pending_recorded(m: &mut SubmitMocks, total: i64) {
    m.orders
        .expect_create_pending()
        .withf(move |new: &NewOrder, at| {
            new.client.id == CLIENT
                && new.pricing.total == money(total)
                && new.payment_method_id == Some(METHOD)
                && *at == now()
        })
        .times(1)
        .returning(|new, _| Ok(recorded(new, OrderStatus::PendingPayment)));
}

fn approval(held_for_review: bool) -> Approval {
    Approval {
        transaction_id: TX.into(),
        auth_code: Some("A1B2".into()),
        held_for_review,
    }
}

fn is_our_transaction(r: &TransactionRequest, total: i64) -> bool {
    r.order_id == ORDER && r.amount == money(total) && r.profile == profile()
}

fn authorized_with(m: &mut SubmitMocks, outcome: Result<Approval, PaymentError>) {
    m.gateway
        .expect_authorize()
        .withf(|r| is_our_transaction(r, SUBTOTAL))
        .times(1)
        .return_once(move |_| outcome);
    m.gateway.expect_charge().never();
}

fn is_confirmation_email(e: &NewOutboxEmail) -> bool {
    e.recipient == client().email && e.next_attempt_at == now() + Duration::minutes(1)
}

fn submitted_order(payment: Option<&NewPayment>) -> Order {
    let mut o = stored_order(CLIENT);
    o.payment = payment.map(|p| ordercore_domain::model::Payment {
        id: PAYMENT,
        order_id: ORDER,
        kind: p.kind,
        status: p.status,
        amount: p.amount,
        transaction_id: p.transaction_id.clone(),
        auth_code: p.auth_code.clone(),
        brand: p.brand,
        last4: p.last4.clone(),
        payment_method_id: p.payment_method_id,
        created_at: now(),
    });
    o
}

fn finalized_as(m: &mut SubmitMocks, status: PaymentStatus, kind: PaymentKind) {
    m.orders
        .expect_finalize_payment()
        .withf(move |pending: &Order, p: &NewPayment, email, at| {
            pending.id == ORDER
                && pending.status == OrderStatus::PendingPayment
                && p.status == status
                && p.kind == kind
                && p.amount == money(SUBTOTAL)
                && p.transaction_id == TX
                && p.auth_code.as_deref() == Some("A1B2")
                && p.last4 == "1111"
                && p.payment_method_id == METHOD
                && is_confirmation_email(email)
                && *at == now()
        })
        .times(1)
        .returning(|_, p, _, _| Ok(Some((submitted_order(Some(p)), OUTBOX))));
}

fn is_confirmation_of_our_order(c: &OrderConfirmation) -> bool {
    c.order_id == ORDER.0 && c.to == client().email && !format!("{c:?}").contains(ACCESS_CODE)
}

fn mail_sent(m: &mut SubmitMocks) {
    m.mailer
        .expect_send_order_confirmation()
        .withf(is_confirmation_of_our_order)
        .times(1)
        .returning(|_| Ok(()));
    m.outbox
        .expect_mark_sent()
        .with(eq(OUTBOX), eq(now()))
        .times(1)
        .returning(|_, _| Ok(()));
    m.outbox.expect_mark_failed().never();
}

/// Nothing is recorded and the processor is not called.
fn nothing_recorded(m: &mut SubmitMocks) {
    m.orders.expect_create_pending().never();
    m.orders.expect_create_submitted().never();
    m.gateway.expect_authorize().never();
    m.gateway.expect_charge().never();
    m.mailer.expect_send_order_confirmation().never();
}

/// The processor's answer reached no finalize, no void and no e-mail.
fn no_finalize(m: &mut SubmitMocks) {
    m.orders.expect_finalize_payment().never();
    m.gateway.expect_void().never();
    m.mailer.expect_send_order_confirmation().never();
}

async fn run(m: SubmitMocks, actor: Actor, req: OrderRequest) -> Result<Order, SubmitOrderError> {
    m.build().run(PaymentMode::Authorize, &actor, req).await
}

fn params(r: Result<Order, SubmitOrderError>) -> Vec<FieldError> {
    match r {
        Err(SubmitOrderError::Params(errs)) => errs.0,
        other => panic!("expected Params, got {other:?}"),
    }
}

fn invalid(field: Field) -> (Field, bool) {
    (field, false)
}

fn missing(field: Field) -> (Field, bool) {
    (field, true)
}

fn paths(errs: &[FieldError]) -> Vec<(Field, bool)> {
    errs.iter().map(|e| (e.field, e.missing)).collect()
}

mod key_binding;
mod mail;
mod params;
mod payment;
mod promotion;
mod success;
