//! `DeliverOutbox` and `RetryPolicy` (contract §10: the outbox retries with
//! exponential back-off).

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use mockall::predicate::eq;
use ordercore_domain::model::{NewNotification, OutboxId, Severity};
use ordercore_domain::ports::{
    MailError, MockMailer, MockOrderRepository, MockOutboxRepository, OrderConfirmation,
    OutboxMessage,
};
use ordercore_domain::usecases::{DeliverOutbox, DeliveryReport, RetryPolicy};
use std::sync::Arc;

const MESSAGE: OutboxId = OutboxId(9);

fn message(attempts: u32) -> OutboxMessage {
    OutboxMessage {
        id: MESSAGE,
        order_id: ORDER,
        recipient: email("ann@example.com"),
        attempts,
    }
}

#[derive(Default)]
struct Mocks {
    outbox: MockOutboxRepository,
    orders: MockOrderRepository,
    mailer: MockMailer,
}

impl Mocks {
    fn claims(&mut self, attempts: u32) {
        self.outbox
            .expect_claim_due()
            .with(eq(now()), eq(now() + Duration::minutes(5)), eq(20))
            .times(1)
            .returning(move |_, _, _| Ok(vec![message(attempts)]));
    }

    fn order_found(&mut self) {
        self.orders
            .expect_find()
            .with(eq(ORDER))
            .times(1)
            .returning(|_| Ok(Some(stored_order(CLIENT))));
    }

    fn mail(&mut self, answer: Result<(), MailError>) {
        self.mailer
            .expect_send_order_confirmation()
            .withf(|c: &OrderConfirmation| {
                c.order_id == ORDER.0
                    && c.to.as_str() == "ann@example.com"
                    && !format!("{c:?}").contains(ACCESS_CODE)
            })
            .times(1)
            .return_once(move |_| answer);
    }

    /// A failed attempt is booked once; when it gives up (`retry_at` =
    /// `None`) the same call carries the staff notification, so both are one
    /// unit of work.
    fn failed(&mut self, error: &str, retry_at: Option<DateTime<Utc>>) {
        let error = error.to_string();
        self.outbox
            .expect_mark_failed()
            .withf(move |id, e, at, n: &Option<&NewNotification>, when| {
                *id == MESSAGE
                    && e == error
                    && *at == retry_at
                    && *when == now()
                    && match (retry_at, n) {
                        (Some(_), None) => true,
                        (None, Some(n)) => gives_up_on(n, &error),
                        _ => false,
                    }
            })
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        self.outbox.expect_mark_sent().never();
    }

    async fn run(self) -> DeliveryReport {
        DeliverOutbox::new(
            Arc::new(self.outbox),
            Arc::new(self.orders),
            Arc::new(self.mailer),
            clock(),
        )
        .run_once(20)
        .await
        .unwrap()
    }
}

/// The notification that giving up records: critical, final, with the error.
fn gives_up_on(n: &NewNotification, error: &str) -> bool {
    n.kind.as_str() == "mandrill-email-failed"
        && n.severity == Severity::Critical
        && n.context.order_id == Some(ORDER)
        && n.context.error.as_deref() == Some(error)
        && n.context.is_final == Some(true)
}

fn report(sent: u32, retrying: u32, given_up: u32) -> DeliveryReport {
    DeliveryReport {
        sent,
        retrying,
        given_up,
    }
}

#[tokio::test]
async fn a_sent_message_is_marked_sent() {
    let mut m = Mocks::default();
    m.claims(1);
    m.order_found();
    m.mail(Ok(()));
    m.outbox
        .expect_mark_sent()
        .with(eq(MESSAGE), eq(now()))
        .times(1)
        .returning(|_, _| Ok(()));
    m.outbox.expect_mark_failed().never();
    assert_eq!(m.run().await, report(1, 0, 0));
}

#[tokio::test]
async fn a_retryable_failure_backs_off_exponentially() {
    // `attempts` counts the attempts made before this one.
    for (attempts_before, minutes) in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 64)] {
        let mut m = Mocks::default();
        m.claims(attempts_before);
        m.order_found();
        m.mail(Err(MailError::Timeout));
        m.failed("timeout", Some(now() + Duration::minutes(minutes)));
        assert_eq!(m.run().await, report(0, 1, 0), "after {attempts_before}");
    }
}

#[tokio::test]
async fn the_eighth_failed_attempt_gives_up_with_a_notification() {
    let mut m = Mocks::default();
    m.claims(7);
    m.order_found();
    m.mail(Err(MailError::Http { status: 503 }));
    m.failed("http_503", None);
    assert_eq!(m.run().await, report(0, 0, 1));
}

#[tokio::test]
async fn a_permanent_failure_gives_up_after_one_attempt() {
    let mut m = Mocks::default();
    m.claims(0);
    m.order_found();
    m.mail(Err(MailError::Api {
        name: "Invalid_Key".into(),
        retryable: false,
    }));
    m.failed("Invalid_Key", None);
    assert_eq!(m.run().await, report(0, 0, 1));
}

#[tokio::test]
async fn a_message_whose_order_is_missing_gives_up_without_mailing() {
    let mut m = Mocks::default();
    m.claims(0);
    m.orders
        .expect_find()
        .with(eq(ORDER))
        .times(1)
        .returning(|_| Ok(None));
    m.mailer.expect_send_order_confirmation().never();
    m.failed("order_missing", None);
    assert_eq!(m.run().await, report(0, 0, 1));
}

#[tokio::test]
async fn nothing_due_does_nothing() {
    let mut m = Mocks::default();
    m.outbox
        .expect_claim_due()
        .times(1)
        .returning(|_, _, _| Ok(vec![]));
    m.orders.expect_find().never();
    m.mailer.expect_send_order_confirmation().never();
    assert_eq!(m.run().await, DeliveryReport::default());
}

#[test]
fn retry_policy_delays_double_until_the_last_attempt() {
    let p = RetryPolicy::default();
    assert_eq!(p.max_attempts, 8);
    let min = Duration::minutes;
    assert_eq!(p.delay_after(1), Some(min(1)));
    assert_eq!(p.delay_after(2), Some(min(2)));
    assert_eq!(p.delay_after(3), Some(min(4)));
    assert_eq!(p.delay_after(7), Some(min(64)));
    assert_eq!(p.delay_after(8), None);
    assert_eq!(p.delay_after(9), None);
    assert_eq!(p.delay_after(u32::MAX), None);
    let once = RetryPolicy {
        max_attempts: 1,
        ..p
    };
    assert_eq!(once.delay_after(1), None);
    let fast = RetryPolicy {
        first_retry: Duration::seconds(1),
        ..p
    };
    assert_eq!(fast.delay_after(1), Some(Duration::seconds(1)));
    assert_eq!(fast.delay_after(4), Some(Duration::seconds(8)));
    assert_eq!(fast.delay_after(8), None);
}
