//! `driver-experiment URL MODE [BIND]`: POST /api/v1/orders/read with
//! `{"token", "id"}`, answering `{"status":"action-successful","data":…,
//! "session":…}`, by running orders/read's two statements (the session by
//! its token's digest with its user and client record, then the order with
//! its client and payment; Diesel's query builder, so prepared and cached as
//! in the service) in one of three ways:
//!
//! - `sync2`: Diesel's `PgConnection` from an r2d2 pool, one
//!   `spawn_blocking` per statement (the service's model);
//! - `sync1`: the same, both statements in one `spawn_blocking`;
//! - `async`: diesel-async's `AsyncPgConnection` from a deadpool pool per
//!   actix worker, no blocking thread.
//!
//! Pools hold 10 connections in all (two workers of 5 for `async`). Nothing
//! else of the service runs (no pipeline, views, metrics or logs), so the
//! three differ only in how the statements reach PostgreSQL.

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::{
    ExpressionMethods, JoinOnDsl, NullableExpressionMethods, OptionalExtension, PgConnection,
    QueryDsl, QueryResult, Queryable,
};
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool as AsyncPool;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod schema {
    diesel::table! {
        users (id) {
            id -> BigInt,
            email -> Text,
        }
    }
    diesel::table! {
        clients (id) {
            id -> BigInt,
            user_id -> BigInt,
            first_name -> Text,
            last_name -> Text,
        }
    }
    diesel::table! {
        sessions (id) {
            id -> BigInt,
            token_digest -> Text,
            user_id -> BigInt,
            application -> Text,
            last_used_at -> BigInt,
        }
    }
    diesel::table! {
        orders (id) {
            id -> BigInt,
            client_id -> BigInt,
            status -> Text,
            lines -> Text,
            property_info -> Text,
            total_cents -> BigInt,
        }
    }
    diesel::table! {
        payments (id) {
            id -> BigInt,
            order_id -> BigInt,
            amount_cents -> BigInt,
            last4 -> Text,
        }
    }
    diesel::joinable!(sessions -> users (user_id));
    diesel::joinable!(orders -> clients (client_id));
    diesel::allow_tables_to_appear_in_same_query!(users, clients, sessions, orders, payments);
}

use schema::{clients, orders, payments, sessions, users};

/// The session by its token's digest, with its user and client record.
macro_rules! session_query {
    ($digest:expr) => {
        sessions::table
            .inner_join(users::table)
            .left_join(clients::table.on(clients::user_id.eq(users::id)))
            .filter(sessions::token_digest.eq($digest))
            .select((
                sessions::id,
                sessions::user_id,
                sessions::application,
                sessions::last_used_at,
                users::email,
                clients::id.nullable(),
            ))
    };
}

/// The order with its client and payment.
macro_rules! order_query {
    ($id:expr) => {
        orders::table
            .inner_join(clients::table)
            .left_join(payments::table.on(payments::order_id.eq(orders::id)))
            .filter(orders::id.eq($id))
            .select((
                orders::id,
                orders::status,
                orders::lines,
                orders::property_info,
                orders::total_cents,
                clients::first_name,
                clients::last_name,
                payments::id.nullable(),
                payments::amount_cents.nullable(),
                payments::last4.nullable(),
            ))
    };
}

#[derive(Queryable, Serialize)]
struct SessionRow {
    id: i64,
    user_id: i64,
    application: String,
    last_used_at: i64,
    email: String,
    client_id: Option<i64>,
}

#[derive(Queryable, Serialize)]
struct OrderRow {
    id: i64,
    status: String,
    lines: String,
    property_info: String,
    total_cents: i64,
    first_name: String,
    last_name: String,
    pay_id: Option<i64>,
    amount_cents: Option<i64>,
    last4: Option<String>,
}

#[derive(Deserialize)]
struct ReadParams {
    token: String,
    id: i64,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Sync2,
    Sync1,
    Async,
}

type SyncPool = Pool<ConnectionManager<PgConnection>>;

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn session_sync(c: &mut PgConnection, digest: &str) -> QueryResult<Option<SessionRow>> {
    let q = session_query!(digest);
    diesel::RunQueryDsl::get_result(q, c).optional()
}

fn order_sync(c: &mut PgConnection, id: i64) -> QueryResult<Option<OrderRow>> {
    let q = order_query!(id);
    diesel::RunQueryDsl::get_result(q, c).optional()
}

async fn blocking<T: Send + 'static>(
    pool: &SyncPool,
    f: impl FnOnce(&mut PgConnection) -> QueryResult<T> + Send + 'static,
) -> Result<T, String> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = pool.get().map_err(|e| e.to_string())?;
        f(&mut c).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

type Found = (Option<SessionRow>, Option<OrderRow>);

async fn read_sync(pool: &SyncPool, mode: Mode, p: ReadParams) -> Result<Found, String> {
    let d = digest(&p.token);
    if mode == Mode::Sync1 {
        return blocking(pool, move |c| {
            Ok((session_sync(c, &d)?, order_sync(c, p.id)?))
        })
        .await;
    }
    let session = blocking(pool, move |c| session_sync(c, &d)).await?;
    if session.is_none() {
        return Ok((None, None));
    }
    let order = blocking(pool, move |c| order_sync(c, p.id)).await?;
    Ok((session, order))
}

async fn read_async(pool: &AsyncPool<AsyncPgConnection>, p: ReadParams) -> Result<Found, String> {
    let d = digest(&p.token);
    let mut c = pool.get().await.map_err(|e| e.to_string())?;
    let q = session_query!(&d);
    let session: Option<SessionRow> = diesel_async::RunQueryDsl::get_result(q, &mut c)
        .await
        .optional()
        .map_err(|e| e.to_string())?;
    if session.is_none() {
        return Ok((None, None));
    }
    let q = order_query!(p.id);
    let order: Option<OrderRow> = diesel_async::RunQueryDsl::get_result(q, &mut c)
        .await
        .optional()
        .map_err(|e| e.to_string())?;
    Ok((session, order))
}

/// The envelope, `status` first (the wrk script reads it from the start).
#[derive(Serialize)]
struct Answer {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<OrderRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<SessionRow>,
}

struct State {
    mode: Mode,
    sync: Option<SyncPool>,
    async_pool: Option<AsyncPool<AsyncPgConnection>>,
}

async fn read(state: web::Data<State>, body: web::Json<ReadParams>) -> HttpResponse {
    let p = body.into_inner();
    let found = match (&state.sync, &state.async_pool) {
        (Some(pool), _) => read_sync(pool, state.mode, p).await,
        (_, Some(pool)) => read_async(pool, p).await,
        _ => Err("no pool".into()),
    };
    let (status, data, session, message) = match found {
        Ok((Some(session), Some(order))) => ("action-successful", Some(order), Some(session), None),
        Ok((None, _)) => ("invalid-token", None, None, None),
        Ok((Some(session), None)) => ("not-found", None, Some(session), None),
        Err(e) => ("application-crash", None, None, Some(e)),
    };
    let body = Answer {
        status,
        message,
        data,
        session,
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .body(serde_json::to_string(&body).unwrap_or_default())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: driver-experiment URL MODE [BIND]")
        .clone();
    let mode = match args.get(2).map(String::as_str) {
        Some("sync2") => Mode::Sync2,
        Some("sync1") => Mode::Sync1,
        Some("async") => Mode::Async,
        _ => panic!("MODE: sync2, sync1 or async"),
    };
    let bind = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:18080".into());
    let sync = (mode != Mode::Async).then(|| {
        Pool::builder()
            .max_size(10)
            .build(ConnectionManager::<PgConnection>::new(&url))
            .expect("pool")
    });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            // One pool per worker for `async`: a connection's socket is
            // driven by the runtime that opened it.
            let async_pool = (mode == Mode::Async).then(|| {
                AsyncPool::builder(AsyncDieselConnectionManager::<AsyncPgConnection>::new(&url))
                    .max_size(5)
                    .build()
                    .expect("pool")
            });
            let state = web::Data::new(State {
                mode,
                sync: sync.clone(),
                async_pool,
            });
            App::new()
                .app_data(state)
                .route("/api/v1/orders/read", web::post().to(read))
        })
        .workers(2)
        .bind(bind)?
        .run()
        .await
    })
}
