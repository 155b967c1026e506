//! Notifications: the staff "production notifications tab".

use crate::StoreError;
use crate::model::{NewNotification, Notification, NotificationFilter, NotificationId, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Page;

/// The staff "production notifications tab".
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores a notification created at `now`.
    async fn record(
        &self,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, StoreError>;
    /// Newest first.
    async fn list(&self, page: Page) -> Result<Vec<Notification>, StoreError>;
    /// Newest first, those matching `filter` (the staff console).
    async fn list_filtered(
        &self,
        filter: &NotificationFilter,
        page: Page,
    ) -> Result<Vec<Notification>, StoreError>;
    /// How many notifications are not resolved.
    async fn count_unresolved(&self) -> Result<u64, StoreError>;
    /// Records that `by` acknowledged `id` at `at`, unless it already was
    /// acknowledged (the first acknowledgement is kept: a conditional
    /// update). Returns the notification as stored now; `None` when there is
    /// no such notification.
    async fn acknowledge(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError>;
    /// Records that `by` resolved `id` at `at`, unless it already was
    /// resolved (the first resolution is kept); an unacknowledged
    /// notification is acknowledged by the same person at the same instant.
    /// Returns the notification as stored now; `None` when there is none.
    async fn resolve(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError>;
}
