//! Notifications, the route registry and idempotency records.

use crate::Store;
use crate::db::{
    DbConnection, DbResult, Fail, backend_fail, from_micros, from_micros_opt, micros, parse_json,
    to_json,
};
use crate::schema::{api_routes, api_services, idempotency_keys, notifications};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    NewNotification, Notification, NotificationId, NotificationKind, Severity,
};
use ordercore_domain::ports::{
    ApiServiceRecord, IdempotencyBegin, IdempotencyStore, NotificationRepository, Page,
    RouteRecord, RouteRegistry,
};
use std::collections::HashMap;

/// How long a stored first response is replayed (contract §7).
const IDEMPOTENCY_TTL_HOURS: i64 = 24;

type NotificationRow = (i64, String, String, String, String, i64, Option<i64>);

fn notification_from_row(row: NotificationRow) -> DbResult<Notification> {
    let (id, kind, severity, message, context, created, resolved) = row;
    Ok(Notification {
        id: NotificationId(id),
        kind: NotificationKind::parse(&kind)
            .ok_or_else(|| backend_fail(format!("notification {id} has unknown kind {kind}")))?,
        severity: Severity::parse(&severity),
        message,
        context: parse_json("notification context", &context)?,
        created_at: from_micros(created)?,
        resolved_at: from_micros_opt(resolved)?,
    })
}

const NOTIFICATION_COLUMNS: (
    notifications::id,
    notifications::kind,
    notifications::severity,
    notifications::message,
    notifications::context,
    notifications::created_at,
    notifications::resolved_at,
) = (
    notifications::id,
    notifications::kind,
    notifications::severity,
    notifications::message,
    notifications::context,
    notifications::created_at,
    notifications::resolved_at,
);

#[async_trait]
impl NotificationRepository for Store {
    async fn record(
        &self,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, StoreError> {
        let n = notification.clone();
        self.run(move |c| {
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
        })
        .await
    }

    async fn list(&self, page: Page) -> Result<Vec<Notification>, StoreError> {
        self.run(move |c| {
            notifications::table
                .order((notifications::created_at.desc(), notifications::id.desc()))
                .limit(i64::from(page.per_page.clamp(1, Page::MAX_PER_PAGE)))
                .offset(page.offset())
                .select(NOTIFICATION_COLUMNS)
                .load::<NotificationRow>(c)?
                .into_iter()
                .map(notification_from_row)
                .collect()
        })
        .await
    }
}

fn services_by_name(conn: &mut DbConnection) -> DbResult<HashMap<String, bool>> {
    Ok(api_services::table
        .select((api_services::name, api_services::deployed))
        .load::<(String, bool)>(conn)?
        .into_iter()
        .collect())
}

fn route_record(
    services: &HashMap<String, bool>,
    (route, service_name, deployed): (String, String, bool),
) -> RouteRecord {
    RouteRecord {
        route,
        deployed,
        service: services.get(&service_name).map(|d| ApiServiceRecord {
            name: service_name.clone(),
            deployed: *d,
        }),
    }
}

/// Runs an insert whose unique violation means "already there".
fn insert_if_missing(result: QueryResult<usize>) -> DbResult<()> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => match Fail::from(e) {
            Fail(StoreError::Conflict(_)) => Ok(()),
            other => Err(other),
        },
    }
}

#[async_trait]
impl RouteRegistry for Store {
    async fn lookup(&self, route: &str) -> Result<Option<RouteRecord>, StoreError> {
        let route = route.to_string();
        self.run(move |c| {
            let Some(row) = api_routes::table
                .filter(api_routes::route.eq(&route))
                .select((
                    api_routes::route,
                    api_routes::service_name,
                    api_routes::deployed,
                ))
                .first::<(String, String, bool)>(c)
                .optional()?
            else {
                return Ok(None);
            };
            let service = api_services::table
                .filter(api_services::name.eq(&row.1))
                .select((api_services::name, api_services::deployed))
                .first::<(String, bool)>(c)
                .optional()?;
            Ok(Some(RouteRecord {
                route: row.0,
                deployed: row.2,
                service: service.map(|(name, deployed)| ApiServiceRecord { name, deployed }),
            }))
        })
        .await
    }

    async fn list_routes(&self) -> Result<Vec<RouteRecord>, StoreError> {
        self.run(|c| {
            let services = services_by_name(c)?;
            Ok(api_routes::table
                .order(api_routes::route.asc())
                .select((
                    api_routes::route,
                    api_routes::service_name,
                    api_routes::deployed,
                ))
                .load::<(String, String, bool)>(c)?
                .into_iter()
                .map(|row| route_record(&services, row))
                .collect())
        })
        .await
    }

    async fn list_services(&self) -> Result<Vec<ApiServiceRecord>, StoreError> {
        self.run(|c| {
            Ok(api_services::table
                .order(api_services::name.asc())
                .select((api_services::name, api_services::deployed))
                .load::<(String, bool)>(c)?
                .into_iter()
                .map(|(name, deployed)| ApiServiceRecord { name, deployed })
                .collect())
        })
        .await
    }

    async fn register(&self, routes: &[(String, String)]) -> Result<(), StoreError> {
        let routes = routes.to_vec();
        self.run(move |c| {
            // One statement at a time, outside a transaction: a concurrent
            // instance registering the same records makes an insert fail
            // with a unique violation, which here means "already there".
            for (route, service) in &routes {
                let exists = api_services::table
                    .filter(api_services::name.eq(service))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    insert_if_missing(
                        diesel::insert_into(api_services::table)
                            .values((
                                api_services::name.eq(service),
                                api_services::deployed.eq(true),
                            ))
                            .execute(c),
                    )?;
                }
                let exists = api_routes::table
                    .filter(api_routes::route.eq(route))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    insert_if_missing(
                        diesel::insert_into(api_routes::table)
                            .values((
                                api_routes::route.eq(route),
                                api_routes::service_name.eq(service),
                                api_routes::deployed.eq(true),
                            ))
                            .execute(c),
                    )?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn set_route_deployed(&self, route: &str, deployed: bool) -> Result<bool, StoreError> {
        let route = route.to_string();
        self.run(move |c| {
            let n = diesel::update(api_routes::table.filter(api_routes::route.eq(route)))
                .set(api_routes::deployed.eq(deployed))
                .execute(c)?;
            Ok(n > 0)
        })
        .await
    }

    async fn set_service_deployed(
        &self,
        service: &str,
        deployed: bool,
    ) -> Result<bool, StoreError> {
        let service = service.to_string();
        self.run(move |c| {
            let n = diesel::update(api_services::table.filter(api_services::name.eq(service)))
                .set(api_services::deployed.eq(deployed))
                .execute(c)?;
            Ok(n > 0)
        })
        .await
    }
}

type IdempotencyRow = (String, String, Option<i32>, Option<String>);

/// How long a first request may run before its key counts as abandoned: far
/// longer than the processor and mailer timeouts together.
const IDEMPOTENCY_ABANDONED_AFTER: Duration = Duration::minutes(10);

fn begin(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> DbResult<IdempotencyBegin> {
    let expired_before = micros(now - Duration::hours(IDEMPOTENCY_TTL_HOURS));
    // A record past its lifetime counts as absent.
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::created_at.lt(expired_before)),
    )
    .execute(conn)?;
    // A request still "running" long after any request could have finished
    // died with its process: its key is free again.
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::state.eq("running"))
            .filter(idempotency_keys::created_at.lt(micros(now - IDEMPOTENCY_ABANDONED_AFTER))),
    )
    .execute(conn)?;
    // The unique (scope, key) constraint decides between concurrent callers;
    // a loser reads the winner's record. A record abandoned in between makes
    // the loop try again.
    for _ in 0..3 {
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::scope.eq(scope),
                idempotency_keys::key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::state.eq("running"),
                idempotency_keys::created_at.eq(micros(now)),
            ))
            .execute(conn);
        match inserted.map_err(Fail::from) {
            Ok(_) => return Ok(IdempotencyBegin::Started),
            Err(Fail(StoreError::Conflict(_))) => {}
            Err(other) => return Err(other),
        }
        let existing = idempotency_keys::table
            .filter(idempotency_keys::scope.eq(scope))
            .filter(idempotency_keys::key.eq(key))
            .select((
                idempotency_keys::fingerprint,
                idempotency_keys::state,
                idempotency_keys::http_status,
                idempotency_keys::body,
            ))
            .first::<IdempotencyRow>(conn)
            .optional()?;
        let Some((stored_fingerprint, state, status, body)) = existing else {
            continue;
        };
        return Ok(if stored_fingerprint != fingerprint {
            IdempotencyBegin::Mismatch
        } else if state == "done" {
            IdempotencyBegin::Replay {
                http_status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(500),
                body: body.unwrap_or_default(),
            }
        } else {
            IdempotencyBegin::InFlight
        });
    }
    Ok(IdempotencyBegin::InFlight)
}

#[async_trait]
impl IdempotencyStore for Store {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError> {
        let (scope, key, fingerprint) =
            (scope.to_string(), key.to_string(), fingerprint.to_string());
        self.run(move |c| begin(c, &scope, &key, &fingerprint, now))
            .await
    }

    async fn complete(
        &self,
        scope: &str,
        key: &str,
        http_status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        let (scope, key, body) = (scope.to_string(), key.to_string(), body.to_string());
        self.run(move |c| {
            diesel::update(
                idempotency_keys::table
                    .filter(idempotency_keys::scope.eq(scope))
                    .filter(idempotency_keys::key.eq(key)),
            )
            .set((
                idempotency_keys::state.eq("done"),
                idempotency_keys::http_status.eq(i32::from(http_status)),
                idempotency_keys::body.eq(body),
            ))
            .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.run(move |c| {
            diesel::delete(
                idempotency_keys::table
                    .filter(idempotency_keys::scope.eq(scope))
                    .filter(idempotency_keys::key.eq(key))
                    .filter(idempotency_keys::state.eq("running")),
            )
            .execute(c)?;
            Ok(())
        })
        .await
    }
}
