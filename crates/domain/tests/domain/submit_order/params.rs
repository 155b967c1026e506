//! Submissions refused for their parameters: services, client, payment method; every
//! problem reported at once.

use super::*;

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
    catalogue_found(&mut m);
    nothing_recorded(&mut m);
    let errs = params(run(m, Actor::Employee, request().build()).await);
    assert_eq!(paths(&errs), [missing(Field::OrderClient)]);
}

#[tokio::test]
async fn an_unknown_client_looks_like_a_forbidden_one() {
    let mut m = SubmitMocks::default();
    // Looked up, not found.
    m.context_of(ClientId(404));
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
    // The context look-up finds no card with this id.
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
