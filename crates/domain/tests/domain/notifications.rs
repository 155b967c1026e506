//! `HandleNotification` (acknowledge, resolve) and the staff console's
//! filtered list and unresolved count of `ListNotifications`.

use crate::fixtures::*;
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    Email, Notification, NotificationContext, NotificationFilter, NotificationId, NotificationKind,
    Severity, User, UserId,
};
use ordercore_domain::ports::{MockNotificationRepository, MockUserRepository, Page};
use ordercore_domain::usecases::{
    HandleNotification, HandleNotificationError, ListNotifications, NotificationStep,
};
use std::sync::Arc;

const STAFF: UserId = UserId(5);
const ID: NotificationId = NotificationId(9);

fn staff() -> User {
    User {
        id: STAFF,
        email: Email::parse("staff@example.com").unwrap(),
    }
}

fn handled(step: NotificationStep) -> Notification {
    Notification {
        id: ID,
        kind: NotificationKind::MandrillEmailFailed,
        severity: Severity::Critical,
        message: "m".into(),
        context: NotificationContext::default(),
        created_at: now(),
        acknowledged_at: Some(now()),
        acknowledged_by: Some(STAFF),
        resolved_at: (step == NotificationStep::Resolve).then(now),
        resolved_by: (step == NotificationStep::Resolve).then_some(STAFF),
    }
}

fn handler(repo: MockNotificationRepository) -> HandleNotification {
    HandleNotification::new(Arc::new(repo), Arc::new(MockUserRepository::new()), clock())
}

#[tokio::test]
async fn acknowledge_records_who_and_when() {
    let mut repo = MockNotificationRepository::new();
    repo.expect_acknowledge()
        .with(eq(ID), eq(STAFF), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(Some(handled(NotificationStep::Acknowledge))));
    let n = handler(repo)
        .run(&staff(), ID, NotificationStep::Acknowledge)
        .await
        .unwrap();
    assert_eq!(n.acknowledged_by, Some(STAFF));
    assert_eq!(n.resolved_at, None);
}

#[tokio::test]
async fn resolve_records_who_and_when_and_calls_nothing_else() {
    let mut repo = MockNotificationRepository::new();
    repo.expect_resolve()
        .with(eq(ID), eq(STAFF), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(Some(handled(NotificationStep::Resolve))));
    let n = handler(repo)
        .run(&staff(), ID, NotificationStep::Resolve)
        .await
        .unwrap();
    assert_eq!((n.resolved_by, n.resolved_at), (Some(STAFF), Some(now())));
}

#[tokio::test]
async fn an_unknown_notification_is_not_found() {
    let mut repo = MockNotificationRepository::new();
    repo.expect_resolve().returning(|_, _, _| Ok(None));
    let e = handler(repo)
        .run(&staff(), ID, NotificationStep::Resolve)
        .await
        .unwrap_err();
    assert!(matches!(e, HandleNotificationError::NotFound), "{e:?}");
}

#[tokio::test]
async fn a_store_failure_is_unexpected() {
    let mut repo = MockNotificationRepository::new();
    repo.expect_acknowledge()
        .returning(|_, _, _| Err(StoreError::backend("down")));
    let e = handler(repo)
        .run(&staff(), ID, NotificationStep::Acknowledge)
        .await
        .unwrap_err();
    assert!(matches!(e, HandleNotificationError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn staff_names_are_looked_up_once_each_and_missing_users_left_out() {
    let mut users = MockUserRepository::new();
    users
        .expect_find_user()
        .with(eq(STAFF))
        .times(1)
        .returning(|_| Ok(Some(staff())));
    users
        .expect_find_user()
        .with(eq(UserId(6)))
        .times(1)
        .returning(|_| Ok(None));
    let h = HandleNotification::new(
        Arc::new(MockNotificationRepository::new()),
        Arc::new(users),
        clock(),
    );
    let found = h.staff(&[STAFF, UserId(6), STAFF]).await.unwrap();
    assert_eq!(found, vec![staff()]);
}

#[tokio::test]
async fn the_filtered_list_passes_the_filter_and_clamps_the_page() {
    let filter = NotificationFilter {
        kind: Some(NotificationKind::HeldForReview),
        severity: Some(Severity::Warning),
        order_id: None,
        include_resolved: false,
    };
    let mut repo = MockNotificationRepository::new();
    repo.expect_list_filtered()
        .with(
            eq(filter.clone()),
            eq(Page {
                page: 1,
                per_page: 100,
            }),
        )
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    repo.expect_count_unresolved().times(1).returning(|| Ok(3));
    let list = ListNotifications::new(Arc::new(repo));
    let found = list
        .filtered(
            &filter,
            Page {
                page: 0,
                per_page: 1000,
            },
        )
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(list.unresolved_count().await.unwrap(), 3);
}
