//! The confirmation e-mail after a successful payment, and what a mail failure does.

use super::*;

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
