//! Notifications: the staff "production notifications tab".

use crate::StoreError;
use crate::model::{NewNotification, Notification};
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
}
