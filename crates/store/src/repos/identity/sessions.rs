//! Sessions: the `sessions` rows (never the token digest), looked up, created, touched and
//! revoked. Touches are written in batches (see `super::touches`).

use super::super::orders::{ORDER_COLUMNS, OrderRow, load_order, order_from_loaded};
use super::super::payments::{PAYMENT_COLUMNS, PaymentRow};
use super::{CLIENT_COLUMNS, ClientRow, parse_email, roles_from};
use crate::Store;
use crate::db::{
    DbConnection, DbResult, backend_fail, columns, from_micros, from_micros_opt, micros,
    on_backend, parse_enum,
};
use crate::schema::{clients, employees, liaisons, orders, payments, sessions, users};
use crate::sealing::Sealer;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{ApplicationSlug, Order, OrderId, Session, SessionId, User, UserId};
use ordercore_domain::ports::{NewSession, SessionStore, SessionWithUser};

/// One `sessions` row (never the token digest).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct SessionRow {
    id: i64,
    user_id: i64,
    application: String,
    created_at: i64,
    last_used_at: i64,
    remember_me: bool,
    revoked_at: Option<i64>,
}

// `SessionRow`'s columns in its field order, for RETURNING: Diesel's
// `returning(SessionRow::as_select())` does not compile on the multi-backend
// connection (see `crate::db::DbConnection`).
columns!(const SESSION_COLUMNS = sessions {
    id,
    user_id,
    application,
    created_at,
    last_used_at,
    remember_me,
    revoked_at,
});

fn session_from_row(row: SessionRow) -> DbResult<Session> {
    Ok(Session {
        id: SessionId(row.id),
        user_id: UserId(row.user_id),
        application: parse_enum("application", &row.application, ApplicationSlug::parse)?,
        created_at: from_micros(row.created_at)?,
        last_used_at: from_micros(row.last_used_at)?,
        remember_me: row.remember_me,
        revoked_at: from_micros_opt(row.revoked_at)?,
    })
}

impl Store {
    /// `session` with its pending use, if later than the stored one.
    fn with_pending_touch(&self, mut session: Session) -> Session {
        session.last_used_at =
            super::touches::latest(&self.touches, session.id.0, session.last_used_at);
        session
    }

    /// A found session with its pending use, as [`Store::with_pending_touch`].
    fn with_pending_touches(&self, found: Option<SessionWithUser>) -> Option<SessionWithUser> {
        found.map(|mut s| {
            s.session = self.with_pending_touch(s.session);
            s
        })
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, session: &NewSession) -> Result<Session, StoreError> {
        let s = session.clone();
        self.run(move |c| {
            let row = diesel::insert_into(sessions::table)
                .values((
                    sessions::token_digest.eq(&s.token_digest),
                    sessions::user_id.eq(s.user_id.0),
                    sessions::application.eq(s.application.as_str()),
                    sessions::created_at.eq(micros(s.created_at)),
                    sessions::last_used_at.eq(micros(s.created_at)),
                    sessions::remember_me.eq(s.remember_me),
                ))
                .returning(SESSION_COLUMNS)
                .get_result::<SessionRow>(c)?;
            session_from_row(row)
        })
        .await
    }

    async fn find_by_token_digest(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        let digest = digest.to_string();
        self.read(move |c| {
            sessions::table
                .filter(sessions::token_digest.eq(digest))
                .select(SessionRow::as_select())
                .first::<SessionRow>(c)
                .optional()?
                .map(session_from_row)
                .transpose()
        })
        .await
        .map(|found| found.map(|s| self.with_pending_touch(s)))
    }

    async fn find_with_user(&self, digest: &str) -> Result<Option<SessionWithUser>, StoreError> {
        let digest = digest.to_string();
        let found = self.read(move |c| session_with_user(c, &digest)).await?;
        Ok(self.with_pending_touches(found))
    }

    async fn find_with_user_and_order(
        &self,
        digest: &str,
        order: OrderId,
    ) -> Result<(Option<SessionWithUser>, Option<Order>), StoreError> {
        let digest = digest.to_string();
        let sealer = self.sealer.clone();
        let (found, order) = self
            .read(move |c| session_with_user_and_order(c, &digest, order, &sealer))
            .await?;
        Ok((self.with_pending_touches(found), order))
    }

    /// Pending until the next [`Store::flush_touches`]; this store's
    /// look-ups see it at once. Never moves `last_used_at` back.
    async fn touch(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.touches.record(id.0, at);
        Ok(())
    }

    async fn revoke(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |c| {
            diesel::update(
                sessions::table
                    .filter(sessions::id.eq(id.0))
                    .filter(sessions::revoked_at.is_null()),
            )
            .set(sessions::revoked_at.eq(micros(at)))
            .execute(c)?;
            Ok(())
        })
        .await
    }
}

/// `sessions` left joined to the user and the user's client, employee and
/// liaison records: what both session look-ups read.
macro_rules! sessions_with_roles {
    () => {
        sessions::table.left_join(
            users::table
                .left_join(clients::table)
                .left_join(employees::table)
                .left_join(liaisons::table),
        )
    };
}

/// What both look-ups select of [`sessions_with_roles`]: the session, its
/// user's e-mail, the user's client row and whether it is an employee or a
/// liaison (a [`LoadedSession`]).
macro_rules! session_selection {
    () => {
        (
            SESSION_COLUMNS,
            users::email.nullable(),
            CLIENT_COLUMNS.nullable(),
            employees::id.nullable(),
            liaisons::id.nullable(),
        )
    };
}

/// What the session look-ups load (see [`session_selection`]).
type LoadedSession = (
    SessionRow,
    Option<String>,
    Option<ClientRow>,
    Option<i64>,
    Option<i64>,
);

/// The session whose token has this digest, with its user and roles.
fn session_with_user(c: &mut DbConnection, digest: &str) -> DbResult<Option<SessionWithUser>> {
    // One statement: the session, its user, the user's client row
    // and whether it is an employee or a liaison (a liaison's
    // clients take a second one, for liaisons only).
    let query = sessions_with_roles!()
        .filter(sessions::token_digest.eq(digest))
        .select(session_selection!());
    on_backend!(c, |b| query.first::<LoadedSession>(b).optional())?
        .map(|loaded| session_from_loaded(c, loaded))
        .transpose()
}

// The order's client and user, beside the session's own in one statement.
diesel::alias!(clients as order_clients: OrderClients, users as order_users: OrderUsers);

/// [`session_with_user`] and [`load_order`] in one statement: the session's
/// select, then (left joined by its id alone) the order's with its client,
/// user and newest payment. No session row means no row at all; an
/// application's token then reads the order alone.
fn session_with_user_and_order(
    c: &mut DbConnection,
    digest: &str,
    id: OrderId,
    sealer: &Sealer,
) -> DbResult<(Option<SessionWithUser>, Option<Order>)> {
    let query = sessions_with_roles!()
        .left_join(orders::table.on(orders::id.eq(id.0)))
        .left_join(order_clients.on(order_clients.field(clients::id).eq(orders::client_id)))
        .left_join(
            order_users.on(order_users
                .field(users::id)
                .eq(order_clients.field(clients::user_id))),
        )
        .left_join(payments::table.on(payments::order_id.eq(orders::id)))
        .filter(sessions::token_digest.eq(digest))
        .order(payments::id.desc())
        .select((
            session_selection!(),
            ORDER_COLUMNS.nullable(),
            order_clients.fields(CLIENT_COLUMNS).nullable(),
            order_users.field(users::email).nullable(),
            PAYMENT_COLUMNS.nullable(),
        ));
    // The order's parts each nullable on their own: one nullable tuple
    // nesting them, `(ORDER_COLUMNS, (client columns, email)).nullable()`,
    // took the compiler ten minutes to type-check (CONTRIBUTING.md,
    // "Compile time").
    type Loaded = (
        LoadedSession,
        Option<OrderRow>,
        Option<ClientRow>,
        Option<String>,
        Option<PaymentRow>,
    );
    let Some((session, order, client, email, payment)) =
        on_backend!(c, |b| query.first::<Loaded>(b).optional())?
    else {
        return Ok((None, load_order(c, id, sealer)?));
    };
    let order = match (order, client, email) {
        (None, _, _) => None,
        (Some(row), Some(client), Some(email)) => {
            Some(order_from_loaded(sealer, (row, (client, email), payment))?)
        }
        // foreign keys make this impossible; say so rather than hide the order
        (Some(_), _, _) => {
            return Err(backend_fail(format!(
                "order {} read without its client or the client's user",
                id.0
            )));
        }
    };
    Ok((Some(session_from_loaded(c, session)?), order))
}

/// The session of a [`LoadedSession`], with its user and roles (a
/// liaison's clients take one more statement).
fn session_from_loaded(
    c: &mut DbConnection,
    (row, email, client, employee, liaison): LoadedSession,
) -> DbResult<SessionWithUser> {
    let session = session_from_row(row)?;
    let Some(email) = email else {
        return Ok(SessionWithUser {
            session,
            user: None,
            roles: Default::default(),
        });
    };
    let user = User {
        id: session.user_id,
        email: parse_email(&email)?,
    };
    let roles = roles_from(c, client, email, employee, liaison)?;
    Ok(SessionWithUser {
        session,
        user: Some(user),
        roles,
    })
}
