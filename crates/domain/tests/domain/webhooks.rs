//! `DeliverWebhooks` (retries with back-off for 3 days, an endpoint failing
//! for 24 hours is disabled with a notification), `ManageWebhooks`, and the
//! event payloads (never the access code).

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use mockall::predicate::eq;
use ordercore_domain::model::{
    Event, EventData, EventId, EventKind, NewEvent, NotificationKind, Secret, WebhookDeliveryId,
    WebhookEndpoint, WebhookEndpointId, WebhookUrl,
};
use ordercore_domain::ports::{
    DeliveryFailure, DueDelivery, MockEventRepository, MockTokenGenerator, MockWebhookRepository,
    MockWebhookSender, SendFailure,
};
use ordercore_domain::usecases::{DeliverWebhooks, ManageWebhooks, WebhookPolicy, WebhookReport};
use std::sync::Arc;

const DELIVERY: WebhookDeliveryId = WebhookDeliveryId(5);
const ENDPOINT: WebhookEndpointId = WebhookEndpointId(3);

fn due(attempts: u32, event_age: Duration, failing_for: Option<Duration>) -> DueDelivery {
    DueDelivery {
        id: DELIVERY,
        endpoint_id: ENDPOINT,
        url: "https://hooks.test/x".into(),
        secret: Secret::new("whsec_s".into()),
        failing_since: failing_for.map(|d| now() - d),
        event: Event {
            id: EventId(77),
            kind: EventKind::OrderSubmitted,
            order_id: Some(ORDER),
            data: "{}".into(),
            created_at: now() - event_age,
        },
        attempts,
    }
}

fn worker(repo: MockWebhookRepository, sender: MockWebhookSender) -> DeliverWebhooks {
    DeliverWebhooks::new(Arc::new(repo), Arc::new(sender), clock())
}

fn claims(repo: &mut MockWebhookRepository, d: DueDelivery) {
    repo.expect_claim_due_deliveries()
        .with(eq(now()), eq(now() + Duration::minutes(1)), eq(10))
        .times(1)
        .return_once(move |_, _, _| Ok(vec![d]));
}

fn answers(sender: &mut MockWebhookSender, answer: Result<(), SendFailure>) {
    sender
        .expect_send()
        .withf(|d: &DueDelivery, at: &DateTime<Utc>| d.id == DELIVERY && *at == now())
        .times(1)
        .return_once(move |_, _| answer);
}

fn http_500() -> Result<(), SendFailure> {
    Err(SendFailure {
        status: Some(500),
        message: "http 500".into(),
    })
}

#[tokio::test]
async fn an_accepted_delivery_is_marked_delivered() {
    let mut repo = MockWebhookRepository::new();
    let mut sender = MockWebhookSender::new();
    claims(&mut repo, due(0, Duration::seconds(1), None));
    answers(&mut sender, Ok(()));
    repo.expect_mark_delivered()
        .with(eq(DELIVERY), eq(ENDPOINT), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(()));
    repo.expect_mark_delivery_failed().never();
    let report = worker(repo, sender).run_once(10).await.unwrap();
    assert_eq!(
        report,
        WebhookReport {
            delivered: 1,
            ..WebhookReport::default()
        }
    );
}

#[tokio::test]
async fn a_failed_attempt_is_retried_after_the_back_off() {
    let mut repo = MockWebhookRepository::new();
    let mut sender = MockWebhookSender::new();
    claims(
        &mut repo,
        due(2, Duration::minutes(3), Some(Duration::minutes(3))),
    );
    answers(&mut sender, http_500());
    let expected = now() + WebhookPolicy::default().delay_after(3, DELIVERY.0);
    repo.expect_mark_delivery_failed()
        .withf(move |f: &DeliveryFailure, at| {
            f.id == DELIVERY
                && f.endpoint_id == ENDPOINT
                && f.status == Some(500)
                && f.retry_at == Some(expected)
                && f.disable.is_none()
                && *at == now()
        })
        .times(1)
        .returning(|_, _| Ok(()));
    repo.expect_mark_delivered().never();
    let report = worker(repo, sender).run_once(10).await.unwrap();
    assert_eq!(report.retrying, 1);
    // The third failure waits 4 × 30 s, less its jitter.
    let wait = expected - now();
    assert!(
        wait >= Duration::seconds(60) && wait < Duration::seconds(120),
        "{wait}"
    );
}

#[tokio::test]
async fn a_delivery_is_given_up_after_three_days() {
    let mut repo = MockWebhookRepository::new();
    let mut sender = MockWebhookSender::new();
    claims(
        &mut repo,
        due(20, Duration::days(3) - Duration::minutes(1), None),
    );
    answers(&mut sender, http_500());
    repo.expect_mark_delivery_failed()
        .withf(|f: &DeliveryFailure, _| f.retry_at.is_none() && f.disable.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    let report = worker(repo, sender).run_once(10).await.unwrap();
    assert_eq!(report.given_up, 1);
    assert_eq!(report.retrying, 0);
}

#[tokio::test]
async fn an_endpoint_failing_for_24_hours_is_disabled_with_a_notification() {
    let mut repo = MockWebhookRepository::new();
    let mut sender = MockWebhookSender::new();
    claims(
        &mut repo,
        due(12, Duration::hours(25), Some(Duration::hours(24))),
    );
    answers(
        &mut sender,
        Err(SendFailure {
            status: None,
            message: "timeout".into(),
        }),
    );
    repo.expect_mark_delivery_failed()
        .withf(|f: &DeliveryFailure, _| {
            f.retry_at.is_some()
                && f.disable.as_ref().is_some_and(|n| {
                    n.kind == NotificationKind::WebhookEndpointDisabled
                        && n.context.webhook_endpoint_id == Some(ENDPOINT)
                        && n.message.contains("24 hours")
                        && !n.message.contains("whsec_")
                })
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let report = worker(repo, sender).run_once(10).await.unwrap();
    assert_eq!(report.endpoints_disabled, 1);
}

#[tokio::test]
async fn an_endpoint_failing_for_less_than_a_day_stays_enabled() {
    let mut repo = MockWebhookRepository::new();
    let mut sender = MockWebhookSender::new();
    claims(
        &mut repo,
        due(9, Duration::hours(24), Some(Duration::hours(23))),
    );
    answers(&mut sender, http_500());
    repo.expect_mark_delivery_failed()
        .withf(|f: &DeliveryFailure, _| f.disable.is_none() && f.retry_at.is_some())
        .times(1)
        .returning(|_, _| Ok(()));
    let report = worker(repo, sender).run_once(10).await.unwrap();
    assert_eq!(report.endpoints_disabled, 0);
}

#[tokio::test]
async fn a_new_endpoint_gets_a_prefixed_random_secret() {
    let mut repo = MockWebhookRepository::new();
    let mut tokens = MockTokenGenerator::new();
    tokens
        .expect_new_token()
        .times(1)
        .returning(|| "random256".into());
    repo.expect_create_endpoint()
        .withf(|e, at| {
            e.secret.expose() == "whsec_random256"
                && e.url.as_str() == "https://hooks.test/x"
                && e.events == Some(vec![EventKind::PaymentCaptured])
                && *at == now()
        })
        .times(1)
        .returning(|e, at| {
            Ok(WebhookEndpoint {
                id: ENDPOINT,
                url: e.url.as_str().into(),
                events: e.events.clone(),
                enabled: true,
                failing_since: None,
                disabled_at: None,
                created_at: at,
            })
        });
    let manage = ManageWebhooks::new(
        Arc::new(repo),
        Arc::new(MockEventRepository::new()),
        Arc::new(tokens),
        clock(),
    );
    let created = manage
        .create(
            WebhookUrl::parse("https://hooks.test/x").unwrap(),
            Some(vec![EventKind::PaymentCaptured]),
        )
        .await
        .unwrap();
    assert_eq!(created.secret.expose(), "whsec_random256");
    assert_eq!(created.endpoint.id, ENDPOINT);
    assert!(!format!("{created:?}").contains("random256"));
}

#[test]
fn an_order_event_carries_the_default_view_without_the_access_code() {
    let order = stored_order(CLIENT);
    let e = NewEvent::order(EventKind::OrderSubmitted, &order);
    assert_eq!(e.order_id, Some(order.id));
    let EventData::Order(view) = &e.data else {
        panic!("an order event carries the order");
    };
    assert_eq!(view.id, order.id.0);
    assert_eq!(view.status, order.status.as_str());
    assert!(!format!("{e:?}").contains(ACCESS_CODE));
}

#[test]
fn every_kind_has_a_stable_name() {
    for k in EventKind::ALL {
        assert_eq!(EventKind::parse(k.as_str()), Some(k));
    }
    assert_eq!(
        EventKind::PaymentAuthorizationExpiring.as_str(),
        "payment.authorization_expiring"
    );
    assert_eq!(EventKind::parse("order.shipped"), None);
}
