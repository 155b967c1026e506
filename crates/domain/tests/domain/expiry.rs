//! Authorization expiry: the watch (`WatchAuthorizationExpiry`) with a fake
//! clock at 24, 25 and 31 days, and the capture refusal at 30 days.

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use mockall::predicate::eq;
use ordercore_domain::model::{
    NewNotification, NotificationKind, Payment, PaymentId, PaymentStatus, Severity,
};
use ordercore_domain::ports::{
    MockAuthorizationExpiryRepository, MockNotificationRepository, MockOrderRepository,
    MockPaymentGateway,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{
    CapturePayment, ExpiryWatchReport, PaymentActionError, WatchAuthorizationExpiry,
};
use std::sync::{Arc, Mutex};

/// When the payments of these tests were authorized.
fn authorized_at() -> DateTime<Utc> {
    now()
}

/// A stored payment as the store's rows would hold it.
#[derive(Clone)]
struct Row {
    payment: Payment,
    warned_at: Option<DateTime<Utc>>,
}

/// The payments table and the notifications recorded with the marks.
#[derive(Default)]
struct Table {
    rows: Vec<Row>,
    notifications: Vec<NewNotification>,
}

/// A port over `table` answering as the store's contract says: the list
/// filters by status, warned mark and age; the mark is conditional and
/// records the notification with it.
fn port(table: Arc<Mutex<Table>>) -> MockAuthorizationExpiryRepository {
    let mut m = MockAuthorizationExpiryRepository::new();
    let t = table.clone();
    m.expect_unwarned_authorizations()
        .returning(move |before, limit| {
            let t = t.lock().unwrap();
            Ok(t.rows
                .iter()
                .filter(|r| {
                    r.payment.status == PaymentStatus::Authorized
                        && r.warned_at.is_none()
                        && r.payment.created_at <= before
                })
                .take(limit as usize)
                .map(|r| r.payment.clone())
                .collect())
        });
    m.expect_mark_expiry_warned().returning(move |id, n, at| {
        let mut t = table.lock().unwrap();
        let Some(row) = t.rows.iter_mut().find(|r| r.payment.id == id) else {
            return Ok(false);
        };
        if row.payment.status != PaymentStatus::Authorized || row.warned_at.is_some() {
            return Ok(false);
        }
        row.warned_at = Some(at);
        t.notifications.push(n.clone());
        Ok(true)
    });
    m
}

fn authorization(id: i64, status: PaymentStatus) -> Row {
    let mut payment = payment(status);
    payment.id = PaymentId(id);
    payment.transaction_id = format!("tx-{id}");
    payment.created_at = authorized_at();
    Row {
        payment,
        warned_at: None,
    }
}

async fn pass(table: &Arc<Mutex<Table>>, days: i64) -> ExpiryWatchReport {
    let watch = WatchAuthorizationExpiry::new(
        Arc::new(port(table.clone())),
        clock_at(authorized_at() + Duration::days(days)),
        25,
    );
    watch.run_once(50).await.unwrap()
}

#[tokio::test]
async fn the_watch_warns_once_at_25_days_and_not_at_24() {
    let table = Arc::new(Mutex::new(Table {
        rows: vec![
            authorization(1, PaymentStatus::Authorized),
            authorization(2, PaymentStatus::Captured),
            authorization(3, PaymentStatus::Voided),
            authorization(4, PaymentStatus::Capturing),
        ],
        notifications: vec![],
    }));

    // 24 days (and a second short of 25): nothing is old enough.
    assert_eq!(pass(&table, 24).await, ExpiryWatchReport::default());
    let watch = WatchAuthorizationExpiry::new(
        Arc::new(port(table.clone())),
        clock_at(authorized_at() + Duration::days(25) - Duration::seconds(1)),
        25,
    );
    assert_eq!(watch.run_once(50).await.unwrap().warned, 0);
    assert!(table.lock().unwrap().notifications.is_empty());

    // 25 days: the open authorization is warned about, once.
    let report = pass(&table, 25).await;
    assert_eq!(report.warned, 1);
    {
        let t = table.lock().unwrap();
        assert_eq!(
            t.rows[0].warned_at,
            Some(authorized_at() + Duration::days(25))
        );
        assert!(t.rows[1..].iter().all(|r| r.warned_at.is_none()));
        assert_eq!(t.notifications.len(), 1);
        let n = &t.notifications[0];
        assert_eq!(n.kind, NotificationKind::AuthorizationExpiring);
        assert_eq!(n.kind.as_str(), "payment-authorization-expiring");
        assert_eq!(n.severity, Severity::Warning);
        assert_eq!(n.context.order_id, Some(ORDER));
        assert_eq!(n.context.transaction_id.as_deref(), Some("tx-1"));
        assert!(n.message.contains("payment 1"), "{}", n.message);
        assert!(n.message.contains("2026-07-01 12:00 UTC"), "{}", n.message);
        assert!(n.message.contains("capture or void it"), "{}", n.message);
        // No card data in a notification.
        assert!(!n.message.contains("1111"), "{}", n.message);
    }

    // A second pass, later still: nothing more.
    assert_eq!(pass(&table, 25).await, ExpiryWatchReport::default());
    assert_eq!(pass(&table, 31).await, ExpiryWatchReport::default());
    assert_eq!(table.lock().unwrap().notifications.len(), 1);
}

#[tokio::test]
async fn an_authorization_first_seen_after_its_expiry_is_reported_expired() {
    let table = Arc::new(Mutex::new(Table {
        rows: vec![authorization(7, PaymentStatus::Authorized)],
        notifications: vec![],
    }));
    assert_eq!(pass(&table, 31).await.warned, 1);
    let t = table.lock().unwrap();
    let n = &t.notifications[0];
    assert!(n.message.contains("expired"), "{}", n.message);
    assert!(n.message.contains("new authorization"), "{}", n.message);
}

#[tokio::test]
async fn a_mark_lost_to_another_watcher_is_skipped() {
    let mut m = MockAuthorizationExpiryRepository::new();
    let cutoff = now() - Duration::days(25);
    m.expect_unwarned_authorizations()
        .with(eq(cutoff), eq(10))
        .times(1)
        .returning(|_, _| {
            let mut p = payment(PaymentStatus::Authorized);
            p.created_at = now() - Duration::days(26);
            Ok(vec![p])
        });
    m.expect_mark_expiry_warned()
        .withf(|id, n, at| {
            *id == PAYMENT && n.kind.as_str() == "payment-authorization-expiring" && *at == now()
        })
        .times(1)
        .returning(|_, _, _| Ok(false));
    let watch = WatchAuthorizationExpiry::new(Arc::new(m), clock(), 25);
    let report = watch.run_once(10).await.unwrap();
    assert_eq!(
        report,
        ExpiryWatchReport {
            warned: 0,
            skipped: 1
        }
    );
}

#[tokio::test]
async fn a_failing_store_fails_the_pass() {
    let mut m = MockAuthorizationExpiryRepository::new();
    m.expect_unwarned_authorizations()
        .returning(|_, _| Err(ordercore_domain::StoreError::backend("down")));
    m.expect_mark_expiry_warned().never();
    let watch = WatchAuthorizationExpiry::new(Arc::new(m), clock(), 25);
    assert!(watch.run_once(10).await.is_err());
}

/// A capture of a payment authorized `age` ago, at [`now`].
async fn capture_aged(age: Duration, processor_called: bool) -> Result<(), PaymentActionError> {
    let mut orders = MockOrderRepository::new();
    let mut gateway = MockPaymentGateway::new();
    orders
        .expect_find_payment()
        .with(eq(PAYMENT))
        .times(1)
        .returning(move |_| {
            let mut p = payment(PaymentStatus::Authorized);
            p.created_at = now() - age;
            Ok(Some(p))
        });
    orders
        .expect_find()
        .with(eq(ORDER))
        .returning(|_| Ok(Some(stored_order(CLIENT))));
    if processor_called {
        orders
            .expect_transition_payment()
            .returning(|_, _, _, _| Ok(true));
        gateway.expect_capture().times(1).returning(|_| {
            Ok(ordercore_domain::ports::Approval {
                transaction_id: "tx-900".into(),
                auth_code: None,
                held_for_review: false,
            })
        });
    } else {
        // Refused before the claim and before the processor.
        orders.expect_transition_payment().never();
        gateway.expect_capture().never();
    }
    gateway.expect_void().never();
    let mut notifications = MockNotificationRepository::new();
    notifications.expect_record().never();
    CapturePayment::new(
        Arc::new(orders),
        Arc::new(gateway),
        clock(),
        notifier(notifications),
    )
    .run(&Actor::Employee, PAYMENT)
    .await
    .map(|_| ())
}

#[tokio::test]
async fn a_capture_at_31_days_is_refused_before_the_processor() {
    match capture_aged(Duration::days(31), false).await {
        Err(PaymentActionError::AuthorizationExpired { expired_at }) => {
            assert_eq!(expired_at, now() - Duration::days(1));
        }
        other => panic!("expected AuthorizationExpired, got {other:?}"),
    }
}

#[tokio::test]
async fn the_capture_boundary_is_exactly_thirty_days() {
    assert!(matches!(
        capture_aged(Duration::days(30), false).await,
        Err(PaymentActionError::AuthorizationExpired { .. })
    ));
    capture_aged(Duration::days(30) - Duration::microseconds(1), true)
        .await
        .unwrap();
    capture_aged(Duration::days(25), true).await.unwrap();
}
