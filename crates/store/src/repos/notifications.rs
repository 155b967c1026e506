//! Staff notifications: recorded once, listed newest first.

use crate::Store;
use crate::db::{
    DbConnection, DbResult, backend_fail, columns, from_micros, from_micros_opt, micros,
    parse_json, to_json,
};
use crate::schema::notifications;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    NewNotification, Notification, NotificationId, NotificationKind, Severity,
};
use ordercore_domain::ports::{NotificationRepository, Page};

/// One `notifications` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = notifications)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct NotificationRow {
    id: i64,
    kind: String,
    severity: String,
    message: String,
    context: String,
    created_at: i64,
    resolved_at: Option<i64>,
}

fn notification_from_row(row: NotificationRow) -> DbResult<Notification> {
    Ok(Notification {
        id: NotificationId(row.id),
        kind: NotificationKind::parse(&row.kind).ok_or_else(|| {
            backend_fail(format!(
                "notification {} has unknown kind {}",
                row.id, row.kind
            ))
        })?,
        severity: Severity::parse(&row.severity),
        message: row.message,
        context: parse_json("notification context", &row.context)?,
        created_at: from_micros(row.created_at)?,
        resolved_at: from_micros_opt(row.resolved_at)?,
    })
}

// `NotificationRow`'s columns in its field order, for RETURNING: Diesel's
// `returning(NotificationRow::as_select())` does not compile on the
// multi-backend connection (see `crate::db::DbConnection`).
columns!(const NOTIFICATION_COLUMNS = notifications {
    id,
    kind,
    severity,
    message,
    context,
    created_at,
    resolved_at,
});

/// Inserts a notification created at `now` on `conn`, inside whatever
/// transaction the caller holds (the outbox records a failed e-mail's
/// notification in the failure's own transaction).
pub(crate) fn insert_notification(
    c: &mut DbConnection,
    n: &NewNotification,
    now: DateTime<Utc>,
) -> DbResult<Notification> {
    let row = diesel::insert_into(notifications::table)
        .values((
            notifications::kind.eq(n.kind.as_str()),
            notifications::severity.eq(n.severity.as_str()),
            notifications::message.eq(&n.message),
            notifications::context.eq(to_json("notification context", &n.context)?),
            notifications::created_at.eq(micros(now)),
        ))
        .returning(NOTIFICATION_COLUMNS)
        .get_result::<NotificationRow>(c)?;
    notification_from_row(row)
}

#[async_trait]
impl NotificationRepository for Store {
    async fn record(
        &self,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, StoreError> {
        let n = notification.clone();
        self.run(move |c| insert_notification(c, &n, now)).await
    }

    async fn list(&self, page: Page) -> Result<Vec<Notification>, StoreError> {
        self.run(move |c| {
            notifications::table
                .order((notifications::created_at.desc(), notifications::id.desc()))
                .limit(i64::from(page.per_page.clamp(1, Page::MAX_PER_PAGE)))
                .offset(page.offset())
                .select(NotificationRow::as_select())
                .load::<NotificationRow>(c)?
                .into_iter()
                .map(notification_from_row)
                .collect()
        })
        .await
    }
}
