use crate::StoreError;
use crate::model::{
    NewNotification, Notification, NotificationContext, NotificationKind, Severity,
};
use crate::ports::{Clock, NotificationRepository, Page};
use std::sync::Arc;

/// Records notifications for staff. A failure to record is logged by the
/// caller's error path only through its return value: recording never hides
/// the outcome it is about.
#[derive(Clone)]
pub struct Notifier {
    repo: Arc<dyn NotificationRepository>,
    clock: Arc<dyn Clock>,
}

impl Notifier {
    pub fn new(repo: Arc<dyn NotificationRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    /// Best effort: returns whether it was stored.
    pub async fn notify(
        &self,
        kind: NotificationKind,
        severity: Severity,
        message: impl Into<String>,
        context: NotificationContext,
    ) -> bool {
        let n = NewNotification {
            kind,
            severity,
            message: message.into(),
            context,
        };
        self.repo.record(&n, self.clock.now()).await.is_ok()
    }
}

/// `notifications/index`: newest first.
pub struct ListNotifications {
    repo: Arc<dyn NotificationRepository>,
}

impl ListNotifications {
    pub fn new(repo: Arc<dyn NotificationRepository>) -> Self {
        Self { repo }
    }

    pub async fn run(&self, page: Page) -> Result<Vec<Notification>, StoreError> {
        self.repo.list(page).await
    }
}
