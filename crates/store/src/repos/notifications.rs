//! Staff notifications: recorded once, listed newest first, acknowledged
//! and resolved by staff (conditional updates: the first person is kept).

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
    NewNotification, Notification, NotificationFilter, NotificationId, NotificationKind, Severity,
    UserId,
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
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<i64>,
    resolved_by: Option<i64>,
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
        acknowledged_at: from_micros_opt(row.acknowledged_at)?,
        acknowledged_by: row.acknowledged_by.map(UserId),
        resolved_at: from_micros_opt(row.resolved_at)?,
        resolved_by: row.resolved_by.map(UserId),
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
    acknowledged_at,
    acknowledged_by,
    resolved_by,
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
            notifications::order_id.eq(n.context.order_id.map(|o| o.0)),
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
        self.read(move |c| {
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

    async fn list_filtered(
        &self,
        filter: &NotificationFilter,
        page: Page,
    ) -> Result<Vec<Notification>, StoreError> {
        let filter = filter.clone();
        self.read(move |c| {
            let mut query = notifications::table
                .order((notifications::created_at.desc(), notifications::id.desc()))
                .limit(i64::from(page.per_page.clamp(1, Page::MAX_PER_PAGE)))
                .offset(page.offset())
                .select(NotificationRow::as_select())
                .into_boxed();
            if let Some(kind) = filter.kind {
                query = query.filter(notifications::kind.eq(kind.as_str()));
            }
            if let Some(severity) = filter.severity {
                query = query.filter(notifications::severity.eq(severity.as_str()));
            }
            if let Some(order) = filter.order_id {
                query = query.filter(notifications::order_id.eq(order.0));
            }
            if !filter.include_resolved {
                query = query.filter(notifications::resolved_at.is_null());
            }
            query
                .load::<NotificationRow>(c)?
                .into_iter()
                .map(notification_from_row)
                .collect()
        })
        .await
    }

    async fn count_unresolved(&self) -> Result<u64, StoreError> {
        self.read(move |c| {
            let n: i64 = notifications::table
                .filter(notifications::resolved_at.is_null())
                .count()
                .get_result(c)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn acknowledge(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError> {
        self.run(move |c| {
            acknowledge_once(c, id, by, at)?;
            find_notification(c, id)
        })
        .await
    }

    async fn resolve(
        &self,
        id: NotificationId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, StoreError> {
        self.run(move |c| {
            // Each statement is conditional on its own column, so a
            // concurrent acknowledgement or resolution keeps the first one.
            acknowledge_once(c, id, by, at)?;
            diesel::update(
                notifications::table
                    .filter(notifications::id.eq(id.0))
                    .filter(notifications::resolved_at.is_null()),
            )
            .set((
                notifications::resolved_at.eq(micros(at)),
                notifications::resolved_by.eq(by.0),
            ))
            .execute(c)?;
            find_notification(c, id)
        })
        .await
    }
}

/// Records who acknowledged `id` and when, unless someone already did (the
/// first acknowledgement is kept).
fn acknowledge_once(
    c: &mut DbConnection,
    id: NotificationId,
    by: UserId,
    at: DateTime<Utc>,
) -> DbResult<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::id.eq(id.0))
            .filter(notifications::acknowledged_at.is_null()),
    )
    .set((
        notifications::acknowledged_at.eq(micros(at)),
        notifications::acknowledged_by.eq(by.0),
    ))
    .execute(c)?)
}

fn find_notification(c: &mut DbConnection, id: NotificationId) -> DbResult<Option<Notification>> {
    notifications::table
        .filter(notifications::id.eq(id.0))
        .select(NotificationRow::as_select())
        .first::<NotificationRow>(c)
        .optional()?
        .map(notification_from_row)
        .transpose()
}
