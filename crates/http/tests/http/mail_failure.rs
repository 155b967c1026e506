//! `mandrill-email-failed` always leaves its notification: it is recorded in
//! the outbox failure's own unit of work, not through the notifications port,
//! so a notifications port that cannot record does not lose it.

use crate::support::{TestApp, post_json, send};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    NewNotification, Notification, NotificationFilter, NotificationId, UserId,
};
use ordercore_domain::ports::{NotificationRepository, Page};
use ordercore_store::Store;
use serde_json::json;
use std::sync::Arc;

/// Refuses every `record`; reads and handles what the store holds.
struct CannotRecord(Store);

#[async_trait]
impl NotificationRepository for CannotRecord {
    async fn record(
        &self,
        _: &NewNotification,
        _: DateTime<Utc>,
    ) -> Result<Notification, StoreError> {
        Err(StoreError::Backend("notifications are down".into()))
    }

    async fn list(&self, page: Page) -> Result<Vec<Notification>, StoreError> {
        self.0.list(page).await
    }

    async fn list_filtered(
        &self,
        filter: &NotificationFilter,
        page: Page,
    ) -> Result<Vec<Notification>, StoreError> {
        self.0.list_filtered(filter, page).await
    }

    async fn count_unresolved(&self) -> Result<u64, StoreError> {
        self.0.count_unresolved().await
    }

    async fn acknowledge(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError> {
        self.0.acknowledge(id, by, at).await
    }

    async fn resolve(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError> {
        self.0.resolve(id, by, at).await
    }
}

#[actix_web::test]
async fn a_failed_confirmation_is_notified_even_when_notifications_cannot_record() {
    let mut t = TestApp::new().await;
    t.notifications = Arc::new(CannotRecord(t.store.clone()));
    let state = t.state();
    let token = t.client_token().await;
    *t.mailer.fail.lock().unwrap() = true;
    let r = t
        .submit_with_new_card(&state, &token, "orders/authorize_and_submit", "80202")
        .await;
    r.expect("mandrill-email-failed", 500, &["data", "session"]);
    let id = r.body["data"]["id"].clone();

    let staff = t.staff_token().await;
    let r = send(
        &state,
        post_json("notifications/index", &json!({"token": staff})),
    )
    .await;
    r.expect("action-successful", 200, &["data", "session"]);
    let notes = r.body["data"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["kind"] == "mandrill-email-failed" && n["context"]["order_id"] == id),
        "{notes:?}"
    );
}
