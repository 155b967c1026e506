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

fn client_found(m: &mut SubmitMocks, c: Client) {
    let id = c.id;
    m.clients
        .expect_find_client()
        .with(eq(id))
        .times(1)
        .returning(move |_| Ok(Some(c.clone())));
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
    m.methods
        .expect_find()
        .with(eq(METHOD))
        .times(1)
        .returning(move |_| Ok(Some(pm.clone())));
}

/// Client, catalogue and card all resolve.
fn resolves(m: &mut SubmitMocks) {
    client_found(m, client());
    catalogue_found(m);
    method_found(m, method());
}

fn promotion_found(m: &mut SubmitMocks, p: Option<Promotion>, redeemed: bool) {
    m.promotions
        .expect_find_by_code()
        .withf(|code| code == "SPRING")
        .times(1)
        .returning(move |_| Ok(p.clone()));
    m.promotions
        .expect_has_redeemed()
        .withf(|p, c| *p == PROMO && *c == CLIENT)
        .returning(move |_, _| Ok(redeemed));
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
        .withf(move |id, p: &NewPayment, email, at| {
            *id == ORDER
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

// ---- success ----------------------------------------------------------------

#[tokio::test]
async fn authorize_places_a_hold_and_finalizes_as_authorized() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    m.orders.expect_mark_payment_failed().never();
    m.gateway.expect_void().never();
    mail_sent(&mut m);

    let order = run(m, me(), request().build()).await.unwrap();
    assert_eq!(order.id, ORDER);
    let payment = order.payment.unwrap();
    assert_eq!(payment.status, PaymentStatus::Authorized);
    assert_eq!(payment.transaction_id, TX);
}

#[tokio::test]
async fn charge_mode_charges_at_once_and_finalizes_as_captured() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    m.gateway.expect_authorize().never();
    m.gateway
        .expect_charge()
        .withf(|r| is_our_transaction(r, SUBTOTAL))
        .times(1)
        .returning(|_| Ok(approval(false)));
    finalized_as(&mut m, PaymentStatus::Captured, PaymentKind::Charge);
    m.gateway.expect_void().never();
    mail_sent(&mut m);

    let order = m
        .build()
        .run(PaymentMode::Charge, &me(), request().build())
        .await
        .unwrap();
    assert_eq!(order.payment.unwrap().status, PaymentStatus::Captured);
}

#[tokio::test]
async fn the_order_records_lines_pricing_and_the_applied_promotion() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    // 10 % of $150 + 2 × $25 + $99.99 = 10 % of $299.99 = $29.999 → $30.00.
    promotion_found(
        &mut m,
        Some(promotion(Discount::Percent { basis_points: 1000 })),
        false,
    );
    m.orders
        .expect_create_pending()
        .withf(|new: &NewOrder, _| {
            new.primary_service.service_id == PHOTOS
                && new.add_on_services.len() == 2
                && new.add_on_services[0].quantity == 2
                && new.add_on_services[1].service_id == TOUR
                && new.pricing.subtotal == money(29_999)
                && new.pricing.discount == money(3_000)
                && new.pricing.total == money(26_999)
                && new.promotion.as_ref().is_some_and(|p| {
                    p.id == PROMO && p.code == "SPRING" && p.discount == money(3_000)
                })
                && new.client.name == "Ann Agent"
        })
        .times(1)
        .returning(|new, _| Ok(recorded(new, OrderStatus::PendingPayment)));
    m.gateway
        .expect_authorize()
        .withf(|r| is_our_transaction(r, 26_999))
        .times(1)
        .returning(|_| Ok(approval(false)));
    m.orders
        .expect_finalize_payment()
        .withf(|_, p, _, _| p.amount == money(26_999))
        .times(1)
        .returning(|_, p, _, _| Ok(Some((submitted_order(Some(p)), OUTBOX))));
    mail_sent(&mut m);

    let req = request()
        .add_ons(&[(FLOOR_PLAN, 2), (TOUR, 1)])
        .promotion(" spring ")
        .build();
    run(m, me(), req).await.unwrap();
}

#[tokio::test]
async fn a_liaison_orders_for_an_assigned_client() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);

    let liaison = Actor::Liaison(vec![OTHER_CLIENT, CLIENT]);
    run(m, liaison, request().client(CLIENT).build())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_employee_orders_for_any_client() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);

    run(m, Actor::Employee, request().client(CLIENT).build())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_full_discount_submits_without_the_processor() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(
        &mut m,
        Some(promotion(Discount::Percent {
            basis_points: 10_000,
        })),
        false,
    );
    m.orders.expect_create_pending().never();
    m.gateway.expect_authorize().never();
    m.gateway.expect_charge().never();
    m.orders
        .expect_create_submitted()
        .withf(|new: &NewOrder, email, at| {
            new.pricing.subtotal == money(SUBTOTAL)
                && new.pricing.discount == money(SUBTOTAL)
                && new.pricing.total == Money::ZERO
                && new.payment_method_id.is_none()
                && new.promotion.as_ref().is_some_and(|p| p.id == PROMO)
                && is_confirmation_email(email)
                && *at == now()
        })
        .times(1)
        .returning(|new, _, _| Ok((recorded(new, OrderStatus::Submitted), OUTBOX)));
    mail_sent(&mut m);

    let order = run(m, me(), request().promotion("SPRING").build())
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Submitted);
    assert_eq!(order.payment, None);
}

#[tokio::test]
async fn invoice_billing_submits_without_the_processor_or_a_card() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, invoice_client());
    catalogue_found(&mut m);
    m.methods.expect_find().never();
    m.orders.expect_create_pending().never();
    m.gateway.expect_authorize().never();
    m.gateway.expect_charge().never();
    m.orders
        .expect_create_submitted()
        .withf(|new: &NewOrder, email, _| {
            new.pricing.total == money(SUBTOTAL)
                && new.payment_method_id.is_none()
                && is_confirmation_email(email)
        })
        .times(1)
        .returning(|new, _, _| Ok((recorded(new, OrderStatus::Submitted), OUTBOX)));
    mail_sent(&mut m);

    let order = run(m, me(), request().method(None).build()).await.unwrap();
    assert_eq!(order.pricing.total, money(SUBTOTAL));
}

// ---- params -----------------------------------------------------------------

#[tokio::test]
async fn unknown_primary_service_is_invalid() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().primary(ServiceId(99)).build()).await);
    assert_eq!(paths(&errs), [invalid(Field::PrimaryService)]);
}

#[tokio::test]
async fn an_add_on_as_primary_service_is_invalid() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    nothing_recorded(&mut m);
    let req = request().primary(FLOOR_PLAN).add_ons(&[]).build();
    let errs = params(run(m, me(), req).await);
    assert_eq!(paths(&errs), [invalid(Field::PrimaryService)]);
}

#[tokio::test]
async fn an_inactive_primary_service_is_invalid() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    method_found(&mut m, method());
    m.catalog.expect_find_services().times(1).returning(|_| {
        Ok(vec![
            ordercore_domain::model::Service {
                active: false,
                ..photos()
            },
            floor_plan(),
        ])
    });
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().build()).await);
    assert_eq!(paths(&errs), [invalid(Field::PrimaryService)]);
}

#[tokio::test]
async fn a_primary_service_as_add_on_is_invalid() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    nothing_recorded(&mut m);
    let req = request().add_ons(&[(TOUR, 1), (PHOTOS, 1)]).build();
    let errs = params(run(m, me(), req).await);
    assert_eq!(paths(&errs), [invalid(Field::AddOn(1))]);
}

#[tokio::test]
async fn the_same_add_on_twice_is_invalid_at_its_second_place() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    nothing_recorded(&mut m);
    let req = request()
        .add_ons(&[(FLOOR_PLAN, 1), (FLOOR_PLAN, 2)])
        .build();
    let errs = params(run(m, me(), req).await);
    assert_eq!(paths(&errs), [invalid(Field::AddOn(1))]);
    assert_eq!(errs[0].reason, "this add-on service is listed twice");
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    method_found(
        &mut m,
        PaymentMethod {
            active: false,
            ..method()
        },
    );
    nothing_recorded(&mut m);
    let req = request()
        .primary(ServiceId(99))
        .add_ons(&[(ServiceId(98), 1)])
        .build();
    let errs = params(run(m, me(), req).await);
    assert_eq!(
        paths(&errs),
        [
            invalid(Field::PrimaryService),
            invalid(Field::AddOn(0)),
            invalid(Field::PaymentMethod),
        ]
    );
}

#[tokio::test]
async fn a_client_may_not_order_for_another_client() {
    let mut m = SubmitMocks::default();
    m.clients.expect_find_client().never();
    catalogue_found(&mut m);
    m.methods.expect_find().never();
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().client(OTHER_CLIENT).build()).await);
    assert_eq!(paths(&errs), [invalid(Field::OrderClient)]);
}

#[tokio::test]
async fn a_client_may_name_itself() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);
    run(m, me(), request().client(CLIENT).build())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_employee_must_name_the_client() {
    let mut m = SubmitMocks::default();
    m.clients.expect_find_client().never();
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let errs = params(run(m, Actor::Employee, request().build()).await);
    assert_eq!(paths(&errs), [missing(Field::OrderClient)]);
}

#[tokio::test]
async fn an_unknown_client_looks_like_a_forbidden_one() {
    let mut m = SubmitMocks::default();
    m.clients
        .expect_find_client()
        .with(eq(ClientId(404)))
        .times(1)
        .returning(|_| Ok(None));
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let errs = params(run(m, Actor::Employee, request().client(ClientId(404)).build()).await);
    assert_eq!(paths(&errs), [invalid(Field::OrderClient)]);

    let mut m = SubmitMocks::default();
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let forbidden = params(run(m, me(), request().client(ClientId(404)).build()).await);
    assert_eq!(errs[0].reason, forbidden[0].reason);
}

#[tokio::test]
async fn a_liaison_may_not_order_for_a_client_not_assigned() {
    let mut m = SubmitMocks::default();
    m.clients.expect_find_client().never();
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let liaison = Actor::Liaison(vec![OTHER_CLIENT]);
    let errs = params(run(m, liaison, request().client(CLIENT).build()).await);
    assert_eq!(paths(&errs), [invalid(Field::OrderClient)]);
}

#[tokio::test]
async fn a_liaison_must_name_the_client() {
    let mut m = SubmitMocks::default();
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let errs = params(run(m, Actor::Liaison(vec![CLIENT]), request().build()).await);
    assert_eq!(paths(&errs), [missing(Field::OrderClient)]);
}

#[tokio::test]
async fn a_payment_method_of_another_client_is_invalid() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    method_found(
        &mut m,
        PaymentMethod {
            client_id: OTHER_CLIENT,
            ..method()
        },
    );
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().build()).await);
    assert_eq!(paths(&errs), [invalid(Field::PaymentMethod)]);
}

#[tokio::test]
async fn an_unknown_or_inactive_payment_method_is_invalid() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    m.methods.expect_find().times(1).returning(|_| Ok(None));
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().build()).await);
    assert_eq!(paths(&errs), [invalid(Field::PaymentMethod)]);

    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    method_found(
        &mut m,
        PaymentMethod {
            active: false,
            ..method()
        },
    );
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().build()).await);
    assert_eq!(paths(&errs), [invalid(Field::PaymentMethod)]);
}

#[tokio::test]
async fn a_payment_method_is_required_when_a_card_must_pay() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    m.methods.expect_find().never();
    nothing_recorded(&mut m);
    let errs = params(run(m, me(), request().method(None).build()).await);
    assert_eq!(paths(&errs), [missing(Field::PaymentMethod)]);
}

// ---- promotion --------------------------------------------------------------

async fn promotion_outcome(p: Option<Promotion>, redeemed: bool) -> SubmitOrderError {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(&mut m, p, redeemed);
    nothing_recorded(&mut m);
    run(m, me(), request().promotion("spring").build())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn each_invalid_promotion_reason_comes_from_the_repository_data() {
    for (p, reason) in invalid_promotions(promotion(Discount::Amount(money(1_000)))) {
        match promotion_outcome(p, false).await {
            SubmitOrderError::InvalidPromotion(r) => assert_eq!(r, reason),
            other => panic!("{reason:?}: got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_promotion_starting_now_or_for_the_clients_designation_is_valid() {
    let p = Promotion {
        starts_at: Some(now()),
        designation: Some("AGENT".into()),
        ..promotion(Discount::Amount(money(1_000)))
    };
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(&mut m, Some(p), false);
    pending_recorded(&mut m, SUBTOTAL - 1_000);
    m.gateway
        .expect_authorize()
        .withf(|r| is_our_transaction(r, SUBTOTAL - 1_000))
        .times(1)
        .returning(|_| Ok(approval(false)));
    m.orders
        .expect_finalize_payment()
        .times(1)
        .returning(|_, p, _, _| Ok(Some((submitted_order(Some(p)), OUTBOX))));
    mail_sent(&mut m);
    run(m, me(), request().promotion("spring").build())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_promotion_this_client_redeemed_is_expended() {
    let p = Some(promotion(Discount::Amount(money(1_000))));
    assert!(matches!(
        promotion_outcome(p, true).await,
        SubmitOrderError::PromotionExpended
    ));
}

#[tokio::test]
async fn the_loser_of_a_redemption_race_gets_promotion_expended() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    promotion_found(
        &mut m,
        Some(promotion(Discount::Amount(money(1_000)))),
        false,
    );
    m.orders
        .expect_create_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Conflict("promotion_redemptions_unique".into())));
    m.gateway.expect_authorize().never();
    m.orders.expect_mark_payment_failed().never();
    no_finalize(&mut m);
    let e = run(m, me(), request().promotion("SPRING").build())
        .await
        .unwrap_err();
    assert!(matches!(e, SubmitOrderError::PromotionExpended), "{e:?}");
}

#[tokio::test]
async fn the_loser_of_a_redemption_race_without_payment_gets_promotion_expended() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, invoice_client());
    catalogue_found(&mut m);
    promotion_found(
        &mut m,
        Some(promotion(Discount::Amount(money(1_000)))),
        false,
    );
    m.orders
        .expect_create_submitted()
        .times(1)
        .returning(|_, _, _| Err(StoreError::Conflict("promotion_redemptions_unique".into())));
    m.mailer.expect_send_order_confirmation().never();
    let req = request().method(None).promotion("SPRING").build();
    let e = run(m, me(), req).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::PromotionExpended), "{e:?}");
}

#[tokio::test]
async fn a_storage_failure_recording_the_order_is_unexpected() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    m.orders
        .expect_create_pending()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.gateway.expect_authorize().never();
    no_finalize(&mut m);
    let e = run(m, me(), request().build()).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}

// ---- card and processor -----------------------------------------------------

#[tokio::test]
async fn an_expired_card_is_refused_before_anything_is_recorded() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    // now() is June 2026: a card valid through May 2026 has expired.
    method_found(
        &mut m,
        PaymentMethod {
            expiry: CardExpiry::new(5, 2026).unwrap(),
            ..method()
        },
    );
    nothing_recorded(&mut m);
    let e = run(m, me(), request().build()).await.unwrap_err();
    assert!(matches!(e, SubmitOrderError::CardExpired), "{e:?}");
}

#[tokio::test]
async fn a_card_expiring_this_month_is_still_charged() {
    let mut m = SubmitMocks::default();
    client_found(&mut m, client());
    catalogue_found(&mut m);
    method_found(
        &mut m,
        PaymentMethod {
            expiry: CardExpiry::new(6, 2026).unwrap(),
            ..method()
        },
    );
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    mail_sent(&mut m);
    run(m, me(), request().build()).await.unwrap();
}

fn every_payment_error() -> Vec<(PaymentError, Option<&'static str>)> {
    vec![
        (
            PaymentError::Declined {
                error_code: Some("2".into()),
            },
            None,
        ),
        (
            PaymentError::CardNumberInvalid {
                error_code: "6".into(),
            },
            None,
        ),
        (PaymentError::CardExpired, None),
        (PaymentError::Duplicate, None),
        (
            PaymentError::Failed {
                error_code: Some("5".into()),
            },
            None,
        ),
        (
            PaymentError::InvalidCredentials {
                code: "E00007".into(),
            },
            Some("invalid-payment-processor-api-keys"),
        ),
        (
            PaymentError::External {
                code: Some("E00001".into()),
                detail: "internal error".into(),
            },
            None,
        ),
        (
            PaymentError::OutcomeUnknown {
                detail: "timed out after 20 s".into(),
            },
            Some("payment-outcome-unknown"),
        ),
    ]
}

async fn processor_fails(mode: PaymentMode, error: PaymentError, notification: Option<&str>) {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    let outcome = Err(error.clone());
    match mode {
        PaymentMode::Authorize => authorized_with(&mut m, outcome),
        PaymentMode::Charge => {
            m.gateway.expect_authorize().never();
            m.gateway
                .expect_charge()
                .withf(|r| is_our_transaction(r, SUBTOTAL))
                .times(1)
                .return_once(move |_| outcome);
        }
    }
    m.orders
        .expect_mark_payment_failed()
        .with(eq(ORDER), eq(now()))
        .times(1)
        .returning(|_, _| Ok(true));
    no_finalize(&mut m);
    match notification {
        Some(kind) => {
            let kind = kind.to_string();
            m.notifications
                .expect_record()
                .withf(move |n: &NewNotification, _| {
                    n.kind.as_str() == kind
                        && n.severity == Severity::Critical
                        && n.context.order_id == Some(ORDER)
                })
                .times(1)
                .returning(|n, at| Ok(stored_notification(n, at)));
        }
        None => {
            m.notifications.expect_record().never();
        }
    }
    let e = m
        .build()
        .run(mode, &me(), request().build())
        .await
        .unwrap_err();
    match e {
        SubmitOrderError::Payment(got) => assert_eq!(got, error),
        other => panic!("{error:?}: got {other:?}"),
    }
}

#[tokio::test]
async fn each_processor_failure_marks_the_order_failed_and_returns_the_error() {
    for (error, notification) in every_payment_error() {
        processor_fails(PaymentMode::Authorize, error, notification).await;
    }
}

#[tokio::test]
async fn each_processor_failure_of_a_charge_marks_the_order_failed() {
    for (error, notification) in every_payment_error() {
        processor_fails(PaymentMode::Charge, error, notification).await;
    }
}

#[tokio::test]
async fn the_processor_answer_is_returned_even_if_marking_the_failure_fails() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Err(PaymentError::Duplicate));
    m.orders
        .expect_mark_payment_failed()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    no_finalize(&mut m);
    let e = run(m, me(), request().build()).await.unwrap_err();
    assert!(
        matches!(e, SubmitOrderError::Payment(PaymentError::Duplicate)),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_hold_held_for_review_is_recorded_as_such_and_notified() {
    for (mode, kind) in [
        (PaymentMode::Authorize, PaymentKind::Authorization),
        (PaymentMode::Charge, PaymentKind::Charge),
    ] {
        let mut m = SubmitMocks::default();
        resolves(&mut m);
        pending_recorded(&mut m, SUBTOTAL);
        match mode {
            PaymentMode::Authorize => authorized_with(&mut m, Ok(approval(true))),
            PaymentMode::Charge => {
                m.gateway
                    .expect_charge()
                    .times(1)
                    .returning(|_| Ok(approval(true)));
            }
        }
        finalized_as(&mut m, PaymentStatus::HeldForReview, kind);
        m.notifications
            .expect_record()
            .withf(|n: &NewNotification, _| {
                n.kind.as_str() == "held-for-review"
                    && n.context.order_id == Some(ORDER)
                    && n.context.transaction_id.as_deref() == Some(TX)
            })
            .times(1)
            .returning(|n, at| Ok(stored_notification(n, at)));
        m.gateway.expect_void().never();
        mail_sent(&mut m);
        let order = m.build().run(mode, &me(), request().build()).await.unwrap();
        assert_eq!(order.payment.unwrap().status, PaymentStatus::HeldForReview);
    }
}

// ---- finalize failures: the hold is voided ---------------------------------

async fn finalize_fails(
    finalized: Result<Option<(Order, OutboxId)>, StoreError>,
    voided: Result<(), PaymentError>,
) -> (SubmitOrderError, bool) {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    m.orders
        .expect_finalize_payment()
        .times(1)
        .return_once(move |_, _, _, _| finalized);
    let void_failed = voided.is_err();
    m.gateway
        .expect_void()
        .withf(|id, tx| *id == ORDER && tx == TX)
        .times(1)
        .return_once(move |_, _| voided);
    // A voided hold fails the order at once (releasing its redemption); a
    // hold that could not be voided leaves it pending for the sweeper.
    let marking = m.orders.expect_mark_payment_failed();
    if void_failed {
        marking.never();
    } else {
        marking
            .with(eq(ORDER), eq(now()))
            .times(1)
            .returning(|_, _| Ok(true));
    }
    m.mailer.expect_send_order_confirmation().never();
    m.outbox.expect_mark_sent().never();
    if void_failed {
        m.notifications
            .expect_record()
            .withf(|n: &NewNotification, _| {
                n.kind.as_str() == "payment-void-failed"
                    && n.severity == Severity::Critical
                    && n.context.transaction_id.as_deref() == Some(TX)
            })
            .times(1)
            .returning(|n, at| Ok(stored_notification(n, at)));
    } else {
        m.notifications.expect_record().never();
    }
    let e = run(m, me(), request().build()).await.unwrap_err();
    (e, void_failed)
}

#[tokio::test]
async fn a_failed_finalize_voids_the_hold_once() {
    let (e, _) = finalize_fails(Err(StoreError::Backend("down".into())), Ok(())).await;
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn an_order_no_longer_pending_at_finalize_voids_the_hold_once() {
    let (e, _) = finalize_fails(Ok(None), Ok(())).await;
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn a_failed_void_after_a_failed_finalize_is_a_critical_notification() {
    let void_error = PaymentError::External {
        code: None,
        detail: "HTTP 503".into(),
    };
    let (e, notified) =
        finalize_fails(Err(StoreError::Backend("down".into())), Err(void_error)).await;
    assert!(notified);
    assert!(matches!(e, SubmitOrderError::Unexpected(_)), "{e:?}");
}

// ---- the confirmation e-mail ------------------------------------------------

async fn mail_fails(error: MailError, retry_at: Option<chrono::DateTime<chrono::Utc>>) {
    mail_fails_booked(error, retry_at, true).await;
}

#[tokio::test]
async fn a_mail_failure_whose_booking_fails_still_notifies_staff() {
    mail_fails_booked(
        MailError::Timeout,
        Some(now() + Duration::minutes(1)),
        false,
    )
    .await;
}

/// `booked`: whether the outbox accepts the failure and its notification.
async fn mail_fails_booked(
    error: MailError,
    retry_at: Option<chrono::DateTime<chrono::Utc>>,
    booked: bool,
) {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    let sent = error.clone();
    m.mailer
        .expect_send_order_confirmation()
        .withf(is_confirmation_of_our_order)
        .times(1)
        .return_once(move |_| Err(sent));
    // The failure and its notification are booked in one call (one unit of
    // work); only when that call fails does the notification go through the
    // notifications store on its own.
    let name = error.name();
    let is_ours = move |n: &NewNotification| {
        n.kind.as_str() == "mandrill-email-failed"
            && n.context.order_id == Some(ORDER)
            && n.context.error.as_deref() == Some(name.as_str())
            && n.context.will_retry == Some(retry_at.is_some())
            && !n.message.contains(ACCESS_CODE)
    };
    let name = error.name();
    let check = is_ours.clone();
    m.outbox
        .expect_mark_failed()
        .withf(move |id, e, at, n: &Option<&NewNotification>, when| {
            *id == OUTBOX && e == name && *at == retry_at && *when == now() && n.is_some_and(&check)
        })
        .times(1)
        .returning(move |_, _, _, _, _| {
            if booked {
                Ok(())
            } else {
                Err(StoreError::Backend("down".into()))
            }
        });
    m.outbox.expect_mark_sent().never();
    m.notifications
        .expect_record()
        .withf(move |n: &NewNotification, _| is_ours(n))
        .times(usize::from(!booked))
        .returning(|n, at| Ok(stored_notification(n, at)));
    m.gateway.expect_void().never();
    match run(m, me(), request().build()).await {
        Err(SubmitOrderError::MailFailed { order, error: got }) => {
            assert_eq!(order.id, ORDER);
            assert_eq!(order.payment.unwrap().status, PaymentStatus::Authorized);
            assert_eq!(got, error);
        }
        other => panic!("expected MailFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_retryable_mail_failure_keeps_the_order_and_retries_in_a_minute() {
    let in_a_minute = Some(now() + Duration::minutes(1));
    mail_fails(MailError::Timeout, in_a_minute).await;
    mail_fails(
        MailError::Api {
            name: "GeneralError".into(),
            retryable: true,
        },
        in_a_minute,
    )
    .await;
    mail_fails(MailError::Http { status: 502 }, in_a_minute).await;
}

#[tokio::test]
async fn a_permanent_mail_failure_keeps_the_order_and_stops_retrying() {
    mail_fails(
        MailError::Rejected {
            reason: "hard-bounce".into(),
        },
        None,
    )
    .await;
    mail_fails(MailError::InvalidRecipient, None).await;
    mail_fails(
        MailError::Api {
            name: "Invalid_Key".into(),
            retryable: false,
        },
        None,
    )
    .await;
}

#[tokio::test]
async fn a_failure_to_mark_the_email_sent_still_returns_the_order() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    m.mailer
        .expect_send_order_confirmation()
        .times(1)
        .returning(|_| Ok(()));
    m.outbox
        .expect_mark_sent()
        .with(eq(OUTBOX), eq(now()))
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    m.notifications.expect_record().never();
    let order = run(m, me(), request().build()).await.unwrap();
    assert_eq!(order.id, ORDER);
}

#[tokio::test]
async fn the_confirmation_lists_lines_total_address_and_windows_but_no_access_code() {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    authorized_with(&mut m, Ok(approval(false)));
    finalized_as(
        &mut m,
        PaymentStatus::Authorized,
        PaymentKind::Authorization,
    );
    m.mailer
        .expect_send_order_confirmation()
        .withf(|c: &OrderConfirmation| {
            c.lines.len() == 2
                && c.total == "$175.00"
                && c.address == "1 Main St, Denver, CO 80202"
                && c.appointments.len() == 1
                && c.to_name == "Ann Agent"
                && !format!("{c:?}").contains(ACCESS_CODE)
        })
        .times(1)
        .returning(|_| Ok(()));
    m.outbox
        .expect_mark_sent()
        .times(1)
        .returning(|_, _| Ok(()));
    run(m, me(), request().build()).await.unwrap();
}
