//! Notifications: recorded and listed newest first.

use crate::fixtures::t0;
use chrono::Duration;
use ordercore_domain::model::{
    NewNotification, NotificationContext, NotificationKind, OrderId, Severity,
};
use ordercore_domain::ports::{NotificationRepository, Page};
use ordercore_store::Store;

contract_tests!(notifications_newest_first,);

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
