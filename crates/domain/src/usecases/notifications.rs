use crate::StoreError;
use crate::Unexpected;
use crate::model::{
    NewNotification, Notification, NotificationContext, NotificationFilter, NotificationId,
    NotificationKind, Severity, User, UserId,
};
use crate::ports::{Clock, NotificationRepository, Page, UserRepository};
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

    /// The staff console's list: newest first, matching `filter`.
    pub async fn filtered(
        &self,
        filter: &NotificationFilter,
        page: Page,
    ) -> Result<Vec<Notification>, StoreError> {
        let page = Page {
            page: page.page.max(1),
            per_page: page.per_page.clamp(1, Page::MAX_PER_PAGE),
        };
        self.repo.list_filtered(filter, page).await
    }

    /// How many notifications wait for staff (shown on every console page).
    pub async fn unresolved_count(&self) -> Result<u64, StoreError> {
        self.repo.count_unresolved().await
    }
}

/// What a staff member does with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStep {
    /// "I am on it": who and when are recorded; it stays in the list.
    Acknowledge,
    /// Done: who and when are recorded; it leaves the default list.
    Resolve,
}

#[derive(Debug, thiserror::Error)]
pub enum HandleNotificationError {
    #[error("no notification with this id")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Staff acknowledge or resolve a notification. Both are idempotent: the
/// first person and instant are kept.
pub struct HandleNotification {
    repo: Arc<dyn NotificationRepository>,
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
}

impl HandleNotification {
    pub fn new(
        repo: Arc<dyn NotificationRepository>,
        users: Arc<dyn UserRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repo, users, clock }
    }

    /// The staff members named by these ids (who acknowledged or resolved
    /// what), each once; ids of users that no longer exist are left out.
    pub async fn staff(&self, ids: &[UserId]) -> Result<Vec<User>, Unexpected> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(user) = self.users.find_user(id).await? {
                out.push(user);
            }
        }
        Ok(out)
    }

    /// Returns the notification as stored after the step.
    pub async fn run(
        &self,
        staff: &User,
        id: NotificationId,
        step: NotificationStep,
    ) -> Result<Notification, HandleNotificationError> {
        let now = self.clock.now();
        let stored = match step {
            NotificationStep::Acknowledge => self.repo.acknowledge(id, staff.id, now).await,
            NotificationStep::Resolve => self.repo.resolve(id, staff.id, now).await,
        };
        stored
            .map_err(Unexpected::from)?
            .ok_or(HandleNotificationError::NotFound)
    }
}
