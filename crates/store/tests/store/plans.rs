//! The plans of the hot statements at scale (PostgreSQL): with 20,000
//! orders across 2,000 clients, analyzed, every statement of an
//! authentication (and the batched write of session touches), a submission
//! and an orders/read (with the session, or alone) reaches its rows through
//! an index: no sequential scan of the tables that grow.

use crate::support::TestDb;
use diesel::prelude::*;
use diesel::sql_types::Text;
use ordercore_store::hot_sql::{
    FINALIZE_PG, FLUSH_SENT_MARKS_PG, FLUSH_TOUCHES_PG, INSERT_WITH_REDEMPTION,
};

const CLIENTS: i64 = 2_000;
const ORDERS: i64 = 20_000;

/// Tables a sequential scan of which would grow with the business.
const GROWING: [&str; 9] = [
    "orders",
    "payments",
    "sessions",
    "email_outbox",
    "clients",
    "users",
    "payment_methods",
    "promotion_redemptions",
    "promotions",
];

const FILL: &str = "
INSERT INTO services (id, slug, name, kind, price_cents, active)
  VALUES (900001, 'plan-photos', 'Photos', 'primary', 15000, true);
INSERT INTO users (id, email, created_at)
  SELECT 900000 + g, 'plan' || g || '@example.com', 0 FROM generate_series(1, {clients}) g;
INSERT INTO clients (id, user_id, first_name, last_name, billing, created_at)
  SELECT 900000 + g, 900000 + g, 'Ann', 'Lee', 'card', 0 FROM generate_series(1, {clients}) g;
INSERT INTO sessions (token_digest, user_id, application, created_at, last_used_at, remember_me)
  SELECT 'plan-digest-' || g, 900000 + g, 'planoorder', 0, 0, false
  FROM generate_series(1, {clients}) g;
INSERT INTO payment_methods (id, client_id, name, brand, last4, exp_month, exp_year, is_default,
                             active, customer_profile_id, payment_profile_id, created_at)
  SELECT 900000 + g, 900000 + g, 'Visa', 'visa', '1111', 12, 2040, true, true, 'c', 'p', 0
  FROM generate_series(1, {clients}) g;
INSERT INTO promotions (id, code, kind, value, active, created_at)
  SELECT 900000 + g, 'PLAN' || g, 'percent', 1000, true, 0 FROM generate_series(1, {clients}) g;
INSERT INTO orders (id, client_id, status, subtotal_cents, discount_cents, total_cents,
                    primary_service_id, lines, property_info, property_access, appointments,
                    created_at, updated_at)
  SELECT 900000 + g, 900001 + g % {clients}, 'submitted', 15000, 0, 15000, 900001,
         '{}', '{}', '{}', '[]', g, g
  FROM generate_series(1, {orders}) g;
INSERT INTO payments (order_id, kind, status, amount_cents, transaction_id, brand, last4,
                      payment_method_id, created_at, updated_at)
  SELECT 900000 + g, 'authorization', 'authorized', 15000, 'tx' || g, 'visa', '1111',
         900001 + g % {clients}, g, g
  FROM generate_series(1, {orders}) g;
INSERT INTO email_outbox (order_id, recipient, attempts, next_attempt_at, sent_at, created_at)
  SELECT 900000 + g, 'plan@example.com', 1, g, g, g FROM generate_series(1, {orders}) g;
INSERT INTO promotion_redemptions (promotion_id, client_id, order_id, status, created_at)
  SELECT 900001 + g, 900001 + g, 900000 + g, 'recorded', g
  FROM generate_series(1, {clients} - 1) g;
ANALYZE;
";

/// Each hot statement as the store sends it (the Diesel-built ones written
/// out the same way), with values of the filled rows.
fn hot_statements() -> Vec<(&'static str, String)> {
    let finalize = FINALIZE_PG
        .replace("$15", "999999")
        .replace("$16", "'order.submitted'")
        .replace("$17", "'sealed'")
        .replace("$18", "'payment.authorized'")
        .replace("$19", "'sealed'")
        .replace("$10", "'visa'")
        .replace("$11", "'1111'")
        .replace("$12", "900005")
        .replace("$13", "'plan5@example.com'")
        .replace("$14", "1")
        .replace("$1", "'submitted'")
        .replace("$2", "1")
        .replace("$3", "900005")
        .replace("$4", "'pending_payment'")
        .replace("$5", "'authorization'")
        .replace("$6", "'authorized'")
        .replace("$7", "15000")
        .replace("$8", "'tx'")
        .replace("$9", "NULL");
    let insert = INSERT_WITH_REDEMPTION
        .replace("$10", "'{}'")
        .replace("$11", "'[]'")
        .replace("$12", "'PLAN7'")
        .replace("$13", "1500")
        .replace("$14", "900007")
        .replace("$15", "1")
        .replace("$16", "900007")
        .replace("$17", "'reserved'")
        .replace("$1", "999999")
        .replace("$2", "900007")
        .replace("$3", "'pending_payment'")
        .replace("$4", "15000")
        .replace("$5", "1500")
        .replace("$6", "13500")
        .replace("$7", "900001")
        .replace("$8", "'{}'")
        .replace("$9", "'{}'");
    // A second's touches: 50 sessions used since the last write.
    let ids: Vec<String> = (1..=50).map(|g| (37 * g).to_string()).collect();
    let touches = FLUSH_TOUCHES_PG
        .replace("$1", &format!("ARRAY[{}]", ids.join(",")))
        .replace("$2", &format!("ARRAY[{}]", vec!["5"; ids.len()].join(",")));
    // A second's sent marks: 50 e-mails.
    let sent_marks = FLUSH_SENT_MARKS_PG
        .replace("$1", &format!("ARRAY[{}]", ids.join(",")))
        .replace("$2", &format!("ARRAY[{}]", vec!["5"; ids.len()].join(",")));
    vec![
        (
            "authenticate",
            "SELECT sessions.id, users.email, clients.id, employees.id, liaisons.id \
             FROM sessions LEFT JOIN (users LEFT JOIN clients ON clients.user_id = users.id \
               LEFT JOIN employees ON employees.user_id = users.id \
               LEFT JOIN liaisons ON liaisons.user_id = users.id) \
             ON sessions.user_id = users.id \
             WHERE sessions.token_digest = 'plan-digest-77' LIMIT 1"
                .into(),
        ),
        (
            "submission context",
            "SELECT clients.id, users.email, payment_methods.id, promotions.id, \
                    promotion_redemptions.id \
             FROM clients INNER JOIN users ON clients.user_id = users.id \
             LEFT JOIN payment_methods ON payment_methods.id = 900077 \
             LEFT JOIN promotions ON promotions.code = 'PLAN7' \
             LEFT JOIN promotion_redemptions \
               ON promotion_redemptions.promotion_id = promotions.id \
              AND promotion_redemptions.client_id = clients.id \
             WHERE clients.id = 900077 LIMIT 1"
                .into(),
        ),
        ("session touches", touches),
        ("pending order with its redemption", insert),
        ("finalize", finalize),
        ("sent marks", sent_marks),
        (
            "orders/read with the session",
            "SELECT sessions.id, users.email, clients.id, employees.id, liaisons.id, \
                    orders.id, order_clients.id, order_users.email, payments.id \
             FROM sessions LEFT JOIN (users LEFT JOIN clients ON clients.user_id = users.id \
               LEFT JOIN employees ON employees.user_id = users.id \
               LEFT JOIN liaisons ON liaisons.user_id = users.id) \
             ON sessions.user_id = users.id \
             LEFT JOIN orders ON orders.id = 910077 \
             LEFT JOIN clients AS order_clients ON order_clients.id = orders.client_id \
             LEFT JOIN users AS order_users ON order_users.id = order_clients.user_id \
             LEFT JOIN payments ON payments.order_id = orders.id \
             WHERE sessions.token_digest = 'plan-digest-77' \
             ORDER BY payments.id DESC LIMIT 1"
                .into(),
        ),
        (
            "orders/read (an application's token)",
            "SELECT orders.id, clients.id, users.email, payments.id \
             FROM orders INNER JOIN (clients INNER JOIN users ON clients.user_id = users.id) \
               ON orders.client_id = clients.id \
             LEFT JOIN payments ON payments.order_id = orders.id \
             WHERE orders.id = 910000 ORDER BY payments.id DESC LIMIT 1"
                .into(),
        ),
    ]
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_statements_use_indexes_at_scale() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let mut conn = db.store.pool().get().unwrap();
    let ordercore_store::DbConnection::Pg(pg) = &mut *conn else {
        panic!("a PostgreSQL test database");
    };
    let fill = FILL
        .replace("{clients}", &CLIENTS.to_string())
        .replace("{orders}", &ORDERS.to_string());
    diesel::connection::SimpleConnection::batch_execute(pg, &fill).unwrap();
    for (what, sql) in hot_statements() {
        let plan: Vec<String> = diesel::sql_query(format!("EXPLAIN {sql}"))
            .load::<PlanLine>(pg)
            .unwrap_or_else(|e| panic!("{what}: {e}\n{sql}"))
            .into_iter()
            .map(|l| l.line)
            .collect();
        let plan = plan.join("\n");
        println!("{what}:\n{plan}\n");
        for table in GROWING {
            assert!(
                !plan.contains(&format!("Seq Scan on {table} "))
                    && !plan.ends_with(&format!("Seq Scan on {table}")),
                "{what} scans {table}:\n{plan}"
            );
        }
        assert!(plan.contains("Index"), "{what} uses no index:\n{plan}");
    }
}
