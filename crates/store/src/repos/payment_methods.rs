//! Stored payment methods (cards kept at the processor): at most one default
//! per client.

use crate::Store;
use crate::db::{DbConnection, DbResult, backend_fail, columns, micros, write_tx};
use crate::schema::payment_methods;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    CardBrand, CardExpiry, ClientId, PaymentMethod, PaymentMethodId, StoredPaymentProfile,
};
use ordercore_domain::ports::{NewPaymentMethod, PaymentMethodRepository};

/// One `payment_methods` row (without its creation time).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = payment_methods)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct PaymentMethodRow {
    id: i64,
    client_id: i64,
    name: String,
    brand: String,
    last4: String,
    exp_month: i32,
    exp_year: i32,
    is_default: bool,
    active: bool,
    customer_profile_id: String,
    payment_profile_id: String,
    postal_code: Option<String>,
}

// `PaymentMethodRow`'s columns in its field order, for RETURNING: Diesel's
// `returning(PaymentMethodRow::as_select())` does not compile on the
// multi-backend connection (see `crate::db::DbConnection`).
columns!(pub(crate) const PAYMENT_METHOD_COLUMNS = payment_methods {
    id,
    client_id,
    name,
    brand,
    last4,
    exp_month,
    exp_year,
    is_default,
    active,
    customer_profile_id,
    payment_profile_id,
    postal_code,
});

pub(crate) fn payment_method_from_row(row: PaymentMethodRow) -> DbResult<PaymentMethod> {
    Ok(PaymentMethod {
        id: PaymentMethodId(row.id),
        client_id: ClientId(row.client_id),
        name: row.name,
        brand: CardBrand::parse(&row.brand),
        last4: row.last4,
        expiry: CardExpiry::new(i64::from(row.exp_month), i64::from(row.exp_year))
            .map_err(|e| backend_fail(format!("stored card expiry unreadable: {e}")))?,
        is_default: row.is_default,
        active: row.active,
        profile: StoredPaymentProfile {
            customer_profile_id: row.customer_profile_id,
            payment_profile_id: row.payment_profile_id,
        },
        postal_code: row.postal_code,
    })
}

pub(crate) fn load_payment_method(
    conn: &mut DbConnection,
    id: PaymentMethodId,
) -> DbResult<Option<PaymentMethod>> {
    payment_methods::table
        .filter(payment_methods::id.eq(id.0))
        .select(PaymentMethodRow::as_select())
        .first::<PaymentMethodRow>(conn)
        .optional()?
        .map(payment_method_from_row)
        .transpose()
}

/// Inserts a card; when it is the default or the client's first active card,
/// the client's other cards stop being default. Call inside a write transaction.
pub(crate) fn insert_payment_method(
    conn: &mut DbConnection,
    m: &NewPaymentMethod,
    now_micros: i64,
) -> DbResult<PaymentMethod> {
    let active_count: i64 = payment_methods::table
        .filter(payment_methods::client_id.eq(m.client_id.0))
        .filter(payment_methods::active.eq(true))
        .count()
        .get_result(conn)?;
    let is_default = m.is_default || active_count == 0;
    if is_default {
        diesel::update(
            payment_methods::table
                .filter(payment_methods::client_id.eq(m.client_id.0))
                .filter(payment_methods::is_default.eq(true)),
        )
        .set(payment_methods::is_default.eq(false))
        .execute(conn)?;
    }
    let month = i32::try_from(m.expiry.month).map_err(|_| backend_fail("bad expiry month"))?;
    let row = diesel::insert_into(payment_methods::table)
        .values((
            payment_methods::client_id.eq(m.client_id.0),
            payment_methods::name.eq(&m.name),
            payment_methods::brand.eq(m.brand.as_str()),
            payment_methods::last4.eq(&m.last4),
            payment_methods::exp_month.eq(month),
            payment_methods::exp_year.eq(m.expiry.year),
            payment_methods::is_default.eq(is_default),
            payment_methods::active.eq(true),
            payment_methods::customer_profile_id.eq(&m.profile.customer_profile_id),
            payment_methods::payment_profile_id.eq(&m.profile.payment_profile_id),
            payment_methods::postal_code.eq(&m.postal_code),
            payment_methods::created_at.eq(now_micros),
        ))
        .returning(PAYMENT_METHOD_COLUMNS)
        .get_result::<PaymentMethodRow>(conn)?;
    payment_method_from_row(row)
}

#[async_trait]
impl PaymentMethodRepository for Store {
    async fn find(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>, StoreError> {
        self.read(move |c| load_payment_method(c, id)).await
    }

    async fn list_active(&self, client: ClientId) -> Result<Vec<PaymentMethod>, StoreError> {
        self.read(move |c| {
            let mut list = payment_methods::table
                .filter(payment_methods::client_id.eq(client.0))
                .filter(payment_methods::active.eq(true))
                .order(payment_methods::id.asc())
                .select(PaymentMethodRow::as_select())
                .load::<PaymentMethodRow>(c)?
                .into_iter()
                .map(payment_method_from_row)
                .collect::<DbResult<Vec<_>>>()?;
            list.sort_by_key(|m| (!m.is_default, m.id));
            Ok(list)
        })
        .await
    }

    async fn insert(
        &self,
        method: &NewPaymentMethod,
        now: DateTime<Utc>,
    ) -> Result<PaymentMethod, StoreError> {
        let m = method.clone();
        let now = micros(now);
        self.run(move |c| write_tx(c, |c| insert_payment_method(c, &m, now)))
            .await
    }

    async fn deactivate(&self, id: PaymentMethodId) -> Result<bool, StoreError> {
        self.run(move |c| {
            let n = diesel::update(
                payment_methods::table
                    .filter(payment_methods::id.eq(id.0))
                    .filter(payment_methods::active.eq(true)),
            )
            .set((
                payment_methods::active.eq(false),
                payment_methods::is_default.eq(false),
            ))
            .execute(c)?;
            Ok(n > 0)
        })
        .await
    }
}
