//! The card and the processor: expired cards, each processor failure, holds held for
//! review, and finalize failures that void the hold.

use super::*;

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
    // hold that could not be voided leaves it pending, looked up soon.
    if void_failed {
        m.orders.expect_mark_payment_failed().never();
        m.orders
            .expect_schedule_reconciliation()
            .with(eq(ORDER), eq(now() + Duration::seconds(2)), eq(now()))
            .times(1)
            .returning(|_, _, _| Ok(true));
    } else {
        m.orders.expect_schedule_reconciliation().never();
        m.orders
            .expect_mark_payment_failed()
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

// ---- unknown outcomes: converge to what the client was told ----------------

/// The processor may have acted: the order stays pending with its
/// reservation (no `mark_payment_failed`, so the promotion is not
/// released), a look-up is scheduled, and the answer names the order.
async fn outcome_unknown(mode: PaymentMode, scheduled: Result<bool, StoreError>) {
    let mut m = SubmitMocks::default();
    resolves(&mut m);
    pending_recorded(&mut m, SUBTOTAL);
    let unknown = Err(PaymentError::OutcomeUnknown {
        detail: "timed out after 20 s".into(),
    });
    match mode {
        PaymentMode::Authorize => authorized_with(&mut m, unknown),
        PaymentMode::Charge => {
            m.gateway
                .expect_charge()
                .withf(|r| is_our_transaction(r, SUBTOTAL))
                .times(1)
                .return_once(move |_| unknown);
        }
    }
    m.orders.expect_mark_payment_failed().never();
    m.orders
        .expect_schedule_reconciliation()
        .with(eq(ORDER), eq(now() + Duration::seconds(2)), eq(now()))
        .times(1)
        .return_once(move |_, _, _| scheduled);
    no_finalize(&mut m);
    // Nothing for staff to do yet: the reconcile worker acts.
    m.notifications.expect_record().never();
    let e = m
        .build()
        .run(mode, &me(), request().build())
        .await
        .unwrap_err();
    assert!(
        matches!(e, SubmitOrderError::PaymentOutcomeUnknown { order } if order == ORDER),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_unknown_outcome_keeps_the_order_pending_and_schedules_a_look_up() {
    outcome_unknown(PaymentMode::Authorize, Ok(true)).await;
}

#[tokio::test]
async fn an_unknown_outcome_of_a_charge_keeps_the_order_pending_too() {
    outcome_unknown(PaymentMode::Charge, Ok(true)).await;
}

/// If the schedule cannot be written the order is still pending, and the
/// sweeper takes it: the answer is the same.
#[tokio::test]
async fn an_unknown_outcome_whose_schedule_fails_still_names_the_order() {
    outcome_unknown(
        PaymentMode::Authorize,
        Err(StoreError::Backend("down".into())),
    )
    .await;
}
