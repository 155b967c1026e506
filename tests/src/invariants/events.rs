//! The event invariant of the crash suites: every `submitted` order has its
//! `order.submitted` event, and that event was accepted by the webhook
//! receiver (at least once) — a crash between a change and its delivery
//! loses nothing.

use diesel::sql_types::{BigInt, Nullable};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use std::collections::BTreeSet;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    order_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    event_id: Option<i64>,
}

/// One line per `submitted` order whose `order.submitted` event is missing
/// or was not among `accepted` (event ids the receiver answered 2xx).
pub fn undelivered_submissions(database_url: &str, accepted: &BTreeSet<i64>) -> Vec<String> {
    let mut conn = PgConnection::establish(database_url)
        .unwrap_or_else(|e| panic!("the invariant check cannot reach the database: {e}"));
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT o.id AS order_id, e.id AS event_id FROM orders o \
         LEFT JOIN events e ON e.order_id = o.id AND e.kind = 'order.submitted' \
         WHERE o.status = 'submitted' ORDER BY o.id",
    )
    .load(&mut conn)
    .expect("orders and their events");
    rows.iter()
        .filter_map(|r| match r.event_id {
            None => Some(format!(
                "order {} is submitted without an order.submitted event",
                r.order_id
            )),
            Some(e) if !accepted.contains(&e) => Some(format!(
                "order {}: its order.submitted event {e} was never delivered",
                r.order_id
            )),
            Some(_) => None,
        })
        .collect()
}

/// How many `submitted` orders there are (for the test's output).
pub fn submitted_orders(database_url: &str) -> usize {
    let mut conn = PgConnection::establish(database_url).expect("database");
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM orders WHERE status = 'submitted'")
        .get_result::<N>(&mut conn)
        .map_or(0, |r| r.n as usize)
}
