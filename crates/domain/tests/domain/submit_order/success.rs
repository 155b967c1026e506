//! Submissions that succeed: authorize and charge modes, the recorded order, who may order
//! for whom, and the submissions that need no processor.

use super::*;

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
