//! The money-safety invariants of the crash suites, checked against the stub
//! processor's own ledger, the Mandrill stub's received sends, what each
//! client was told under each Idempotency-Key, and the database:
//!
//! 1. every live hold or charge at the processor belongs to exactly one
//!    `submitted` order (whose payment row names it), and every `submitted`
//!    card order has exactly one;
//! 2. no order has two live authorizations;
//! 3. no Idempotency-Key led to two authorizations;
//! 4. a promotion's redemptions equal its `submitted` orders that used it, and
//!    never exceed its cap;
//! 5. every `submitted` order's confirmation e-mail was sent at least once
//!    (how many were sent more than once is counted, not refused: a crash
//!    between the send and its bookkeeping sends it again);
//! 6. no key whose client was told the submission failed has a live hold;
//! 7. (where a test registers a webhook receiver, [`events`]) every
//!    `submitted` order's `order.submitted` event was delivered.
//!
//! An authorization is attributed to a key by its customer profile (each test
//! client has its own card) and its arrival time: a client sends the attempts
//! of one key, and only those, between the key's `started` and `ended`.

pub mod events;

use crate::stubs::{LedgerEntry, LedgerState};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// What the client finally heard under one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `action-successful`: the order, submitted.
    Submitted(i64),
    /// An answer naming a failure (the slug).
    Failed(String),
    /// No answer it could act on: connection errors, or the key still
    /// running (`idempotency-key-conflict`) until the client gave up.
    Unknown(String),
}

/// One logical submission: every attempt a client made under one key.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub key: String,
    /// The customer profile of the card the client paid with.
    pub customer_profile_id: String,
    pub started: Instant,
    pub ended: Instant,
    pub attempts: u32,
    pub outcome: Outcome,
}

impl KeyRecord {
    fn covers(&self, e: &LedgerEntry) -> bool {
        e.customer_profile_id == self.customer_profile_id
            && e.at >= self.started
            && e.at <= self.ended
    }
}

/// The counts of one check, and every broken invariant.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub orders: usize,
    pub submitted: usize,
    pub payment_failed: usize,
    pub still_pending: usize,
    pub authorizations: usize,
    pub holds_live: usize,
    pub holds_voided: usize,
    pub keys: usize,
    pub keys_told_failed: usize,
    pub keys_unknown: usize,
    /// What the clients told of a failure heard, by slug.
    pub failures_told: BTreeMap<String, usize>,
    /// Keys that led to more than one authorization (must be 0).
    pub duplicate_authorizations: usize,
    pub emails_sent: usize,
    /// Submitted orders whose confirmation was sent more than once.
    pub emails_duplicated: usize,
    /// Broken invariants, one line each; empty when all hold.
    pub violations: Vec<String>,
}

impl Report {
    /// The counts in one line, for the test's output.
    pub fn summary(&self) -> String {
        format!(
            "orders {} (submitted {}, payment_failed {}, pending {}); authorizations {}: live {}, voided {}; keys {} (told failed {} {:?}, unknown {}), duplicate authorizations {}; e-mails sent {} (orders sent twice or more: {}); violations {}",
            self.orders,
            self.submitted,
            self.payment_failed,
            self.still_pending,
            self.authorizations,
            self.holds_live,
            self.holds_voided,
            self.keys,
            self.keys_told_failed,
            self.failures_told,
            self.keys_unknown,
            self.duplicate_authorizations,
            self.emails_sent,
            self.emails_duplicated,
            self.violations.len()
        )
    }

    /// The orders the violations name.
    pub fn orders_named(&self) -> BTreeSet<i64> {
        let mut ids = BTreeSet::new();
        for v in &self.violations {
            let words: Vec<&str> = v.split_whitespace().collect();
            for pair in words.windows(2) {
                if pair[0] == "order"
                    && let Ok(id) = pair[1].trim_end_matches(',').parse()
                {
                    ids.insert(id);
                }
            }
        }
        ids
    }

    /// Panics with every violation.
    pub fn assert_holds(&self) {
        assert!(
            self.violations.is_empty(),
            "money-safety invariants broken ({}):\n{}",
            self.summary(),
            self.violations.join("\n")
        );
    }
}

#[derive(QueryableByName)]
struct OrderRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    promotion_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    payment_method_id: Option<i64>,
}

#[derive(QueryableByName)]
struct PaymentRow {
    #[diesel(sql_type = BigInt)]
    order_id: i64,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    transaction_id: String,
}

#[derive(QueryableByName)]
struct PromotionRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    max_redemptions: Option<i64>,
    #[diesel(sql_type = BigInt)]
    redemptions: i64,
}

fn live(e: &LedgerEntry) -> bool {
    e.state != LedgerState::Voided
}

/// Checks every invariant; `sends` are the bodies the Mandrill stub received.
pub fn check(
    database_url: &str,
    ledger: &[LedgerEntry],
    sends: &[Value],
    keys: &[KeyRecord],
) -> Report {
    let mut conn = PgConnection::establish(database_url)
        .unwrap_or_else(|e| panic!("the invariant check cannot reach the database: {e}"));
    let orders: Vec<OrderRow> = diesel::sql_query(
        "SELECT id, status, promotion_id, payment_method_id FROM orders ORDER BY id",
    )
    .load(&mut conn)
    .expect("orders");
    let payments: Vec<PaymentRow> =
        diesel::sql_query("SELECT order_id, status, transaction_id FROM payments")
            .load(&mut conn)
            .expect("payments");
    let promotions: Vec<PromotionRow> = diesel::sql_query(
        "SELECT p.id, p.code, p.max_redemptions, \
         (SELECT COUNT(*) FROM promotion_redemptions r WHERE r.promotion_id = p.id) AS redemptions \
         FROM promotions p",
    )
    .load(&mut conn)
    .expect("promotions");

    let mut r = Report {
        orders: orders.len(),
        authorizations: ledger.len(),
        holds_live: ledger.iter().filter(|e| live(e)).count(),
        holds_voided: ledger.iter().filter(|e| !live(e)).count(),
        keys: keys.len(),
        ..Report::default()
    };
    let by_id: BTreeMap<i64, &OrderRow> = orders.iter().map(|o| (o.id, o)).collect();
    for o in &orders {
        match o.status.as_str() {
            "submitted" => r.submitted += 1,
            "payment_failed" => r.payment_failed += 1,
            "pending_payment" => r.still_pending += 1,
            _ => {}
        }
    }

    // 1 and 2: live money ↔ submitted card orders, one each.
    let mut live_by_order: BTreeMap<i64, Vec<&LedgerEntry>> = BTreeMap::new();
    for e in ledger.iter().filter(|e| live(e)) {
        let order = e
            .invoice_number
            .as_deref()
            .and_then(|i| i.parse::<i64>().ok());
        match order.and_then(|id| by_id.get(&id)) {
            None => r.violations.push(format!(
                "live {} {} for {} cents belongs to no order",
                e.transaction_type, e.trans_id, e.amount_cents
            )),
            Some(o) if o.status != "submitted" => r.violations.push(format!(
                "live {} {} belongs to order {}, which is {}",
                e.transaction_type, e.trans_id, o.id, o.status
            )),
            Some(o) => {
                if !payments.iter().any(|p| {
                    p.order_id == o.id && p.transaction_id == e.trans_id && p.status != "voided"
                }) {
                    r.violations.push(format!(
                        "live {} {} of submitted order {} is not its recorded payment",
                        e.transaction_type, e.trans_id, o.id
                    ));
                }
                live_by_order.entry(o.id).or_default().push(e);
            }
        }
    }
    for o in orders
        .iter()
        .filter(|o| o.status == "submitted" && o.payment_method_id.is_some())
    {
        let n = live_by_order.get(&o.id).map_or(0, Vec::len);
        if n != 1 {
            r.violations.push(format!(
                "submitted card order {} has {n} live authorizations at the processor",
                o.id
            ));
        }
    }

    // 3 and 6: per key.
    for k in keys {
        let made: Vec<&LedgerEntry> = ledger.iter().filter(|e| k.covers(e)).collect();
        if made.len() > 1 {
            r.duplicate_authorizations += 1;
            r.violations.push(format!(
                "Idempotency-Key {} led to {} authorizations: {:?}",
                k.key,
                made.len(),
                made.iter().map(|e| &e.trans_id).collect::<Vec<_>>()
            ));
        }
        match &k.outcome {
            Outcome::Failed(slug) => {
                r.keys_told_failed += 1;
                *r.failures_told.entry(slug.clone()).or_default() += 1;
                if let Some(e) = made.iter().find(|e| live(e)) {
                    r.violations.push(format!(
                        "the client was told {slug} under key {} but {} is live",
                        k.key, e.trans_id
                    ));
                }
            }
            Outcome::Unknown(_) => r.keys_unknown += 1,
            Outcome::Submitted(id) => {
                if by_id.get(id).is_none_or(|o| o.status != "submitted") {
                    r.violations.push(format!(
                        "the client was told order {id} was submitted (key {}), the database disagrees",
                        k.key
                    ));
                }
            }
        }
    }

    // 4: promotions.
    for p in &promotions {
        let used = orders
            .iter()
            .filter(|o| o.status == "submitted" && o.promotion_id == Some(p.id))
            .count() as i64;
        if p.redemptions != used {
            r.violations.push(format!(
                "promotion {} has {} redemptions for {used} submitted orders",
                p.code, p.redemptions
            ));
        }
        if let Some(cap) = p.max_redemptions
            && p.redemptions > cap
        {
            r.violations.push(format!(
                "promotion {} has {} redemptions over its cap {cap}",
                p.code, p.redemptions
            ));
        }
    }

    // 5: e-mails.
    let mut sent: BTreeMap<i64, usize> = BTreeMap::new();
    for s in sends {
        if let Some(id) = s["message"]["metadata"]["order_id"]
            .as_str()
            .and_then(|i| i.parse::<i64>().ok())
        {
            *sent.entry(id).or_default() += 1;
        }
    }
    r.emails_sent = sent.values().sum();
    r.emails_duplicated = sent.values().filter(|n| **n > 1).count();
    let submitted: BTreeSet<i64> = orders
        .iter()
        .filter(|o| o.status == "submitted")
        .map(|o| o.id)
        .collect();
    for id in &submitted {
        if !sent.contains_key(id) {
            r.violations
                .push(format!("submitted order {id} has no confirmation e-mail"));
        }
    }
    r
}

#[derive(QueryableByName)]
struct ProfileRow {
    #[diesel(sql_type = Text)]
    customer_profile_id: String,
}

/// The processor's customer profile of a stored card.
pub fn customer_profile_of(database_url: &str, payment_method_id: i64) -> String {
    let mut conn = PgConnection::establish(database_url).expect("database");
    let rows: Vec<ProfileRow> =
        diesel::sql_query("SELECT customer_profile_id FROM payment_methods WHERE id = $1")
            .bind::<BigInt, _>(payment_method_id)
            .load(&mut conn)
            .expect("payment method");
    rows.into_iter()
        .next()
        .map(|r| r.customer_profile_id)
        .unwrap_or_else(|| panic!("no payment method {payment_method_id}"))
}

#[derive(QueryableByName)]
struct StoryLine {
    #[diesel(sql_type = Text)]
    line: String,
}

/// What the database says of one order: its status, payments, outbox rows
/// and notifications, one line each (for a failing test's output).
pub fn order_story(database_url: &str, order_id: i64) -> Vec<String> {
    let Ok(mut conn) = PgConnection::establish(database_url) else {
        return vec!["(database unreachable)".into()];
    };
    let sql = "SELECT 'order ' || status || ' updated_at=' || updated_at AS line FROM orders WHERE id = $1 \
         UNION ALL SELECT 'payment ' || kind || ' ' || status || ' ' || transaction_id FROM payments WHERE order_id = $1 \
         UNION ALL SELECT 'outbox attempts=' || attempts || ' next_attempt_at=' || next_attempt_at \
             || ' sent_at=' || COALESCE(sent_at::text, '-') || ' failed_at=' || COALESCE(failed_at::text, '-') \
             || ' last_error=' || COALESCE(last_error, '-') FROM email_outbox WHERE order_id = $1 \
         UNION ALL SELECT 'notification ' || kind || ': ' || message FROM notifications \
             WHERE context::jsonb ->> 'order_id' = $1::text";
    diesel::sql_query(sql)
        .bind::<BigInt, _>(order_id)
        .load::<StoryLine>(&mut conn)
        .map(|rows| rows.into_iter().map(|r| r.line).collect())
        .unwrap_or_else(|e| vec![format!("(cannot read: {e})")])
}
