//! How an order is stored: the `orders` row, its JSON columns (lines, appointments) and the
//! functions that turn rows into domain orders and a new order into rows (with its promotion
//! redemption).

use super::super::identity::{
    CLIENT_COLUMNS, ClientRow, client_from_row, load_client, load_clients,
};
use super::super::payments::{self as stored_payments, PaymentRow};
use super::secrets::{OrderIds, open_row};
use crate::db::{
    DbConnection, DbResult, backend_fail, columns, from_micros, money, on_backend, parse_enum,
    parse_json, to_json, write_tx,
};
use crate::schema::{clients, orders, payments, promotion_redemptions, users};
use crate::sealing::Sealer;
use crate::stored_access::{StoredAccess, has_secrets};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::model::{
    AppliedPromotion, AppointmentWindow, Client, ClientId, ClientRef, NewOrder, Order, OrderId,
    OrderLine, OrderStatus, Payment, PaymentMethodId, Pricing, PromotionId, PropertyInfo,
    ServiceId,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One order line as stored in the `lines` JSON column (prices as ordered).
#[derive(Debug, Serialize, Deserialize)]
struct StoredLine {
    service_id: i64,
    slug: String,
    name: String,
    quantity: u32,
    unit_price_cents: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredLines {
    primary: StoredLine,
    add_ons: Vec<StoredLine>,
}

impl StoredLine {
    fn from_line(l: &OrderLine) -> StoredLine {
        StoredLine {
            service_id: l.service_id.0,
            slug: l.slug.clone(),
            name: l.name.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price.cents(),
        }
    }

    fn into_line(self) -> DbResult<OrderLine> {
        Ok(OrderLine {
            service_id: ServiceId(self.service_id),
            slug: self.slug,
            name: self.name,
            quantity: self.quantity,
            unit_price: money(self.unit_price_cents)?,
        })
    }
}

/// An appointment window as stored in the `appointments` JSON column.
#[derive(Debug, Serialize, Deserialize)]
struct StoredWindow {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = orders)]
pub(in crate::repos) struct OrderRow {
    pub(super) id: i64,
    pub(super) client_id: i64,
    pub(super) status: String,
    pub(super) subtotal_cents: i64,
    pub(super) discount_cents: i64,
    pub(super) total_cents: i64,
    pub(super) lines: String,
    pub(super) property_info: String,
    pub(super) property_access: String,
    pub(super) appointments: String,
    pub(super) promotion_id: Option<i64>,
    pub(super) promotion_code: Option<String>,
    pub(super) promotion_discount_cents: Option<i64>,
    pub(super) payment_method_id: Option<i64>,
    pub(super) created_at: i64,
    pub(super) updated_at: i64,
}

// `OrderRow`'s columns in its field order, for RETURNING and joins.
columns!(pub(in crate::repos) const ORDER_COLUMNS = orders {
    id,
    client_id,
    status,
    subtotal_cents,
    discount_cents,
    total_cents,
    lines,
    property_info,
    property_access,
    appointments,
    promotion_id,
    promotion_code,
    promotion_discount_cents,
    payment_method_id,
    created_at,
    updated_at,
});

/// Turns rows into orders, loading their clients and latest payments in two
/// queries.
pub(super) fn assemble(conn: &mut DbConnection, rows: Vec<OrderRow>) -> DbResult<Vec<Order>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut client_ids: Vec<i64> = rows.iter().map(|r| r.client_id).collect();
    client_ids.sort_unstable();
    client_ids.dedup();
    let clients: HashMap<i64, ClientRef> = load_clients(conn, &client_ids)?
        .into_iter()
        .map(|c| (c.id.0, client_ref_of(c)))
        .collect();
    let order_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut latest_payment = stored_payments::latest_of_orders(conn, &order_ids)?;
    rows.into_iter()
        .map(|r| {
            let client = clients
                .get(&r.client_id)
                .cloned()
                .ok_or_else(|| backend_fail(format!("order {} has no client", r.id)))?;
            let payment = latest_payment.remove(&r.id);
            order_from_row(r, client, payment)
        })
        .collect()
}

pub(super) fn order_from_row(
    r: OrderRow,
    client: ClientRef,
    payment: Option<Payment>,
) -> DbResult<Order> {
    let lines: StoredLines = parse_json("order lines", &r.lines)?;
    let property_info: PropertyInfo = parse_json("property info", &r.property_info)?;
    let property_access =
        parse_json::<StoredAccess>("property access", &r.property_access)?.into_domain()?;
    let windows: Vec<StoredWindow> = parse_json("appointments", &r.appointments)?;
    let promotion = match (r.promotion_id, r.promotion_code) {
        (Some(id), Some(code)) => Some(AppliedPromotion {
            id: PromotionId(id),
            code,
            discount: money(r.promotion_discount_cents.unwrap_or(0))?,
        }),
        _ => None,
    };
    Ok(Order {
        id: OrderId(r.id),
        status: parse_enum("order status", &r.status, OrderStatus::parse)?,
        client,
        primary_service: lines.primary.into_line()?,
        add_on_services: lines
            .add_ons
            .into_iter()
            .map(StoredLine::into_line)
            .collect::<DbResult<_>>()?,
        property_info,
        property_access,
        appointments: windows
            .into_iter()
            .map(|w| AppointmentWindow::from_stored(w.starts_at, w.ends_at))
            .collect(),
        promotion,
        pricing: Pricing {
            subtotal: money(r.subtotal_cents)?,
            discount: money(r.discount_cents)?,
            total: money(r.total_cents)?,
        },
        payment_method_id: r.payment_method_id.map(PaymentMethodId),
        payment,
        created_at: from_micros(r.created_at)?,
        updated_at: from_micros(r.updated_at)?,
    })
}

/// What [`load_order`] selects for one order: its row, its client with the
/// user's e-mail, and its newest payment. The order read with a session
/// selects the same beside the session (`identity::sessions`).
pub(in crate::repos) type LoadedOrder = (OrderRow, (ClientRow, String), Option<PaymentRow>);

/// One order with its client and latest payment, in one statement: the
/// order joined to its client and user and (left) to its payments, newest
/// payment first. Without payments there is exactly one row.
pub(in crate::repos) fn load_order(
    conn: &mut DbConnection,
    id: OrderId,
    sealer: &Sealer,
) -> DbResult<Option<Order>> {
    let query = orders::table
        .inner_join(clients::table.inner_join(users::table))
        .left_join(payments::table)
        .filter(orders::id.eq(id.0))
        .order(payments::id.desc())
        .select((
            ORDER_COLUMNS,
            (CLIENT_COLUMNS, users::email),
            stored_payments::PAYMENT_COLUMNS.nullable(),
        ));
    on_backend!(conn, |c| query.first::<LoadedOrder>(c).optional())?
        .map(|loaded| order_from_loaded(sealer, loaded))
        .transpose()
}

/// The order of a [`LoadedOrder`], its access opened.
pub(in crate::repos) fn order_from_loaded(
    sealer: &Sealer,
    (row, (client, email), payment): LoadedOrder,
) -> DbResult<Order> {
    let client = client_ref_of(client_from_row(client, email)?);
    let payment = payment.map(stored_payments::payment_from_row).transpose()?;
    order_from_row(open_row(sealer, row)?, client, payment)
}

/// An order's column values, encoded once for either way of inserting it.
pub(super) struct Encoded {
    pub(super) lines: String,
    pub(super) property_info: String,
    pub(super) appointments: String,
}

fn encode(order: &NewOrder) -> DbResult<Encoded> {
    let lines = StoredLines {
        primary: StoredLine::from_line(&order.primary_service),
        add_ons: order
            .add_on_services
            .iter()
            .map(StoredLine::from_line)
            .collect(),
    };
    let windows: Vec<StoredWindow> = order
        .appointments
        .iter()
        .map(|w| StoredWindow {
            starts_at: w.starts_at(),
            ends_at: w.ends_at(),
        })
        .collect();
    Ok(Encoded {
        lines: to_json("order lines", &lines)?,
        property_info: to_json("property info", &order.property_info)?,
        appointments: to_json("appointments", &windows)?,
    })
}

/// The redemption status an order inserted with `status` holds.
pub(super) fn redemption_status(status: OrderStatus) -> &'static str {
    if status == OrderStatus::PendingPayment {
        "reserved"
    } else {
        "recorded"
    }
}

/// Inserts the order and reserves (or records) its promotion. Returns the
/// row with its property access in clear, as [`order_from_row`] reads it.
///
/// PostgreSQL: the id comes from `ids` (a block taken from the sequence), so
/// the secrets are sealed bound to it before the INSERT; with a promotion the
/// INSERT and the redemption are one statement (`insert_pg`), and only a
/// capped promotion takes the transaction with the cap check. SQLite (no
/// network round trips): the caller holds a transaction when
/// [`needs_transaction`](super::secrets::needs_transaction) says so; the
/// INSERT writes no secrets and an UPDATE seals them once the row has its id.
pub(super) fn insert_order(
    conn: &mut DbConnection,
    order: &NewOrder,
    status: OrderStatus,
    now: i64,
    sealer: &Sealer,
    ids: &OrderIds,
) -> DbResult<OrderRow> {
    let access = StoredAccess::from_domain(&order.property_access);
    let secrets = has_secrets(&order.property_access);
    let encoded = encode(order)?;
    let reserved = ids.next(conn)?;
    let stored_access = match reserved {
        Some(id) if secrets => access.sealed_json(sealer, id)?,
        // No secrets, or (SQLite) sealed below once the row has its id.
        _ => access.without_secrets_json()?,
    };
    if let (Some(id), Some(p), DbConnection::Pg(pg)) = (reserved, &order.promotion, &mut *conn)
        && let Some(mut row) = super::insert_pg::insert_with_redemption(
            pg,
            id,
            order,
            &encoded,
            &stored_access,
            status,
            p.id,
            now,
        )?
    {
        row.property_access = access.clear_json()?;
        return Ok(row);
    }
    let insert = |conn: &mut DbConnection| -> DbResult<OrderRow> {
        let values = (
            orders::client_id.eq(order.client.id.0),
            orders::status.eq(status.as_str()),
            orders::subtotal_cents.eq(order.pricing.subtotal.cents()),
            orders::discount_cents.eq(order.pricing.discount.cents()),
            orders::total_cents.eq(order.pricing.total.cents()),
            orders::primary_service_id.eq(order.primary_service.service_id.0),
            orders::lines.eq(&encoded.lines),
            orders::property_info.eq(&encoded.property_info),
            orders::property_access.eq(&stored_access),
            orders::appointments.eq(&encoded.appointments),
            orders::promotion_id.eq(order.promotion.as_ref().map(|p| p.id.0)),
            orders::promotion_code.eq(order.promotion.as_ref().map(|p| p.code.clone())),
            orders::promotion_discount_cents
                .eq(order.promotion.as_ref().map(|p| p.discount.cents())),
            orders::payment_method_id.eq(order.payment_method_id.map(|p| p.0)),
            orders::created_at.eq(now),
            orders::updated_at.eq(now),
        );
        // Two statement shapes, each prepared once (an optional value in
        // the tuple would make Diesel prepare the INSERT anew every time).
        let mut row = match reserved {
            Some(id) => diesel::insert_into(orders::table)
                .values((orders::id.eq(id), values))
                .returning(ORDER_COLUMNS)
                .get_result::<OrderRow>(conn)?,
            None => diesel::insert_into(orders::table)
                .values(values)
                .returning(ORDER_COLUMNS)
                .get_result::<OrderRow>(conn)?,
        };
        if secrets && reserved.is_none() {
            // The access code is stored (the `full` view shows it back), sealed.
            let sealed = access.sealed_json(sealer, row.id)?;
            diesel::update(orders::table.filter(orders::id.eq(row.id)))
                .set(orders::property_access.eq(sealed))
                .execute(conn)?;
        }
        row.property_access = access.clear_json()?;
        if let Some(p) = &order.promotion {
            // The global cap, under the promotion's row lock; then UNIQUE
            // (promotion_id, client_id): a second use is a Conflict.
            super::super::promotions::take_use(conn, p.id)?;
            diesel::insert_into(promotion_redemptions::table)
                .values((
                    promotion_redemptions::promotion_id.eq(p.id.0),
                    promotion_redemptions::client_id.eq(order.client.id.0),
                    promotion_redemptions::order_id.eq(row.id),
                    promotion_redemptions::status.eq(redemption_status(status)),
                    promotion_redemptions::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(row)
    };
    match conn {
        // A capped promotion: the cap is checked under the promotion's row
        // lock, in a transaction (a savepoint inside the caller's).
        DbConnection::Pg(_) if order.promotion.is_some() => write_tx(conn, insert),
        _ => insert(conn),
    }
}

/// The client of a stored order, as orders show it.
pub(super) fn client_ref(conn: &mut DbConnection, order: i64, client: i64) -> DbResult<ClientRef> {
    let c = load_client(conn, ClientId(client))?
        .ok_or_else(|| backend_fail(format!("order {order} has no client")))?;
    Ok(client_ref_of(c))
}

/// A client as orders show it: id, display name, e-mail.
fn client_ref_of(c: Client) -> ClientRef {
    ClientRef {
        id: c.id,
        name: c.display_name(),
        email: c.email,
    }
}
