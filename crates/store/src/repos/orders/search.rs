//! The staff console's order search: by id, client e-mail and status.

use super::rows::{OrderRow, assemble};
use super::secrets::open_rows;
use crate::db::{DbConnection, DbResult};
use crate::schema::{clients, orders, users};
use crate::sealing::Sealer;
use diesel::prelude::*;
use ordercore_domain::model::Order;
use ordercore_domain::ports::{OrderQuery, Page};

/// Orders matching `query`, newest first, at most `limit` (≤ 100). The
/// e-mail is looked up first (users' e-mails are stored lower-case and
/// unique), so the order query itself uses `orders_client_id` or
/// `orders_status`.
pub(super) fn search(
    c: &mut DbConnection,
    sealer: &Sealer,
    query: &OrderQuery,
    limit: u32,
) -> DbResult<Vec<Order>> {
    let mut q = orders::table
        .select(OrderRow::as_select())
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(i64::from(limit.clamp(1, Page::MAX_PER_PAGE)))
        .into_boxed();
    if let Some(email) = &query.client_email {
        let client: Option<i64> = clients::table
            .inner_join(users::table)
            .filter(users::email.eq(email.as_str().to_lowercase()))
            .select(clients::id)
            .first(c)
            .optional()?;
        let Some(client) = client else {
            return Ok(Vec::new());
        };
        q = q.filter(orders::client_id.eq(client));
    }
    if let Some(id) = query.id {
        q = q.filter(orders::id.eq(id.0));
    }
    if let Some(status) = query.status {
        q = q.filter(orders::status.eq(status.as_str()));
    }
    let rows = open_rows(sealer, q.load::<OrderRow>(c)?)?;
    assemble(c, rows)
}
