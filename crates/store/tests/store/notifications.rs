//! Notifications: recorded and listed newest first; filtered, counted,
//! acknowledged and resolved (the staff console).

use crate::fixtures::t0;
use chrono::Duration;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationFilter, NotificationId, NotificationKind,
    OrderId, Severity, UserId,
};
use ordercore_domain::ports::{NotificationRepository, Page};
use ordercore_store::Store;

contract_tests!(
    notifications_newest_first,
    notifications_are_filtered_and_counted,
    the_first_acknowledgement_and_resolution_are_kept,
);

async fn record(
    store: &Store,
    kind: NotificationKind,
    severity: Severity,
    order: Option<i64>,
    minute: i64,
) -> NotificationId {
    store
        .record(
            &NewNotification {
                kind,
                severity,
                message: format!("{} at {minute}", kind.as_str()),
                context: NotificationContext {
                    order_id: order.map(OrderId),
                    ..NotificationContext::default()
                },
            },
            t0() + Duration::minutes(minute),
        )
        .await
        .unwrap()
        .id
}

async fn notifications_are_filtered_and_counted(store: &Store) {
    use NotificationKind::{HeldForReview, MandrillEmailFailed};
    let a = record(store, MandrillEmailFailed, Severity::Critical, Some(7), 0).await;
    let b = record(store, HeldForReview, Severity::Warning, Some(8), 1).await;
    let c = record(store, MandrillEmailFailed, Severity::Warning, None, 2).await;
    let ids = |list: Vec<ordercore_domain::model::Notification>| -> Vec<NotificationId> {
        list.into_iter().map(|n| n.id).collect()
    };
    let list = |filter: NotificationFilter| async move {
        ids(store.list_filtered(&filter, Page::default()).await.unwrap())
    };
    assert_eq!(list(NotificationFilter::default()).await, [c, b, a]);
    let mail = NotificationFilter {
        kind: Some(MandrillEmailFailed),
        ..NotificationFilter::default()
    };
    assert_eq!(list(mail.clone()).await, [c, a]);
    let warning_mail = NotificationFilter {
        severity: Some(Severity::Warning),
        ..mail
    };
    assert_eq!(list(warning_mail).await, [c]);
    let of_order = NotificationFilter {
        order_id: Some(OrderId(8)),
        ..NotificationFilter::default()
    };
    assert_eq!(list(of_order).await, [b]);
    assert_eq!(store.count_unresolved().await.unwrap(), 3);

    store.resolve(b, UserId(1), t0()).await.unwrap().unwrap();
    assert_eq!(store.count_unresolved().await.unwrap(), 2);
    assert_eq!(
        list(NotificationFilter::default()).await,
        [c, a],
        "resolved ones leave the default list"
    );
    let everything = NotificationFilter {
        include_resolved: true,
        ..NotificationFilter::default()
    };
    assert_eq!(list(everything).await, [c, b, a]);
}

async fn the_first_acknowledgement_and_resolution_are_kept(store: &Store) {
    let id = record(
        store,
        NotificationKind::PaymentOutcomeUnknown,
        Severity::Critical,
        None,
        0,
    )
    .await;
    let (first, second) = (UserId(11), UserId(12));
    let at = |m| t0() + Duration::minutes(m);

    let n = store.acknowledge(id, first, at(1)).await.unwrap().unwrap();
    assert_eq!(
        (n.acknowledged_by, n.acknowledged_at),
        (Some(first), Some(at(1)))
    );
    assert_eq!((n.resolved_by, n.resolved_at), (None, None));
    let n = store.acknowledge(id, second, at(2)).await.unwrap().unwrap();
    assert_eq!(
        n.acknowledged_by,
        Some(first),
        "the first acknowledgement is kept"
    );

    let n = store.resolve(id, second, at(3)).await.unwrap().unwrap();
    assert_eq!((n.resolved_by, n.resolved_at), (Some(second), Some(at(3))));
    assert_eq!(n.acknowledged_by, Some(first));
    let n = store.resolve(id, first, at(4)).await.unwrap().unwrap();
    assert_eq!(
        (n.resolved_by, n.resolved_at),
        (Some(second), Some(at(3))),
        "the first resolution is kept"
    );

    // Resolving an unacknowledged one acknowledges it too, by the same person.
    let other = record(
        store,
        NotificationKind::HeldForReview,
        Severity::Warning,
        None,
        5,
    )
    .await;
    let n = store.resolve(other, first, at(6)).await.unwrap().unwrap();
    assert_eq!(
        (n.acknowledged_by, n.acknowledged_at),
        (Some(first), Some(at(6)))
    );

    assert!(
        store
            .acknowledge(NotificationId(999_999), first, at(7))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .resolve(NotificationId(999_999), first, at(7))
            .await
            .unwrap()
            .is_none()
    );
}

async fn notifications_newest_first(store: &Store) {
    for i in 0..3 {
        let n = store
            .record(
                &NewNotification {
                    kind: NotificationKind::MandrillEmailFailed,
                    severity: Severity::Warning,
                    message: format!("E-mail {i} failed."),
                    context: NotificationContext {
                        error: Some("Invalid_Key".into()),
                        ..NotificationContext::order(OrderId(i))
                    },
                },
                t0() + Duration::minutes(i),
            )
            .await
            .unwrap();
        assert_eq!(n.severity, Severity::Warning);
        assert_eq!(n.resolved_at, None);
    }
    let list = NotificationRepository::list(store, Page::default())
        .await
        .unwrap();
    let messages: Vec<&str> = list.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(
        messages,
        ["E-mail 2 failed.", "E-mail 1 failed.", "E-mail 0 failed."]
    );
    assert_eq!(list[0].context.error.as_deref(), Some("Invalid_Key"));
    assert_eq!(list[0].kind, NotificationKind::MandrillEmailFailed);
    assert_eq!(list[0].created_at, t0() + Duration::minutes(2));
    let page2 = NotificationRepository::list(
        store,
        Page {
            page: 2,
            per_page: 2,
        },
    )
    .await
    .unwrap();
    assert_eq!(page2.len(), 1);
}
