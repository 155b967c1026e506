//! Services, promotions and stored payment methods.

use crate::Store;
use crate::db::{
    DbConnection, DbResult, backend_fail, from_micros_opt, micros, parse_enum, write_tx,
};
use crate::schema::{payment_methods, promotion_redemptions, promotions, services};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    CardBrand, CardExpiry, ClientId, Discount, Money, PaymentMethod, PaymentMethodId, Promotion,
    PromotionId, Service, ServiceId, ServiceKind, StoredPaymentProfile,
};
use ordercore_domain::ports::{
    CatalogRepository, NewPaymentMethod, PaymentMethodRepository, PromotionRepository,
};

pub(crate) fn money(cents: i64) -> DbResult<Money> {
    Money::from_cents(cents).map_err(|_| backend_fail(format!("negative amount {cents} stored")))
}

type ServiceRow = (i64, String, String, String, i64, bool);

fn service_from_row((id, slug, name, kind, price, active): ServiceRow) -> DbResult<Service> {
    Ok(Service {
        id: ServiceId(id),
        slug,
        name,
        kind: parse_enum("service kind", &kind, ServiceKind::parse)?,
        price: money(price)?,
        active,
    })
}

const SERVICE_COLUMNS: (
    services::id,
    services::slug,
    services::name,
    services::kind,
    services::price_cents,
    services::active,
) = (
    services::id,
    services::slug,
    services::name,
    services::kind,
    services::price_cents,
    services::active,
);

#[async_trait]
impl CatalogRepository for Store {
    async fn active_services(&self) -> Result<Vec<Service>, StoreError> {
        self.run(|c| {
            let mut list = services::table
                .filter(services::active.eq(true))
                .select(SERVICE_COLUMNS)
                .load::<ServiceRow>(c)?
                .into_iter()
                .map(service_from_row)
                .collect::<DbResult<Vec<_>>>()?;
            list.sort_by(|a, b| {
                (a.kind != ServiceKind::Primary, &a.name, a.id).cmp(&(
                    b.kind != ServiceKind::Primary,
                    &b.name,
                    b.id,
                ))
            });
            Ok(list)
        })
        .await
    }

    async fn find_services(&self, ids: &[ServiceId]) -> Result<Vec<Service>, StoreError> {
        let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
        self.run(move |c| {
            services::table
                .filter(services::id.eq_any(ids))
                .order(services::id.asc())
                .select(SERVICE_COLUMNS)
                .load::<ServiceRow>(c)?
                .into_iter()
                .map(service_from_row)
                .collect()
        })
        .await
    }
}

type PromotionRow = (
    i64,
    String,
    String,
    i64,
    bool,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

pub(crate) fn discount_from(kind: &str, value: i64) -> DbResult<Discount> {
    match kind {
        "percent" => Ok(Discount::Percent {
            basis_points: u32::try_from(value)
                .map_err(|_| backend_fail(format!("bad percent value {value}")))?,
        }),
        "amount" => Ok(Discount::Amount(money(value)?)),
        other => Err(backend_fail(format!("unknown promotion kind {other:?}"))),
    }
}

fn load_promotion(conn: &mut DbConnection, code: &str) -> DbResult<Option<Promotion>> {
    let Some(row) = promotions::table
        .filter(promotions::code.eq(code))
        .select((
            promotions::id,
            promotions::code,
            promotions::kind,
            promotions::value,
            promotions::active,
            promotions::starts_at,
            promotions::ends_at,
            promotions::designation,
            promotions::max_redemptions,
        ))
        .first::<PromotionRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let (id, code, kind, value, active, starts_at, ends_at, designation, max) = row;
    let redemptions: i64 = promotion_redemptions::table
        .filter(promotion_redemptions::promotion_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Some(Promotion {
        id: PromotionId(id),
        code,
        discount: discount_from(&kind, value)?,
        active,
        starts_at: from_micros_opt(starts_at)?,
        ends_at: from_micros_opt(ends_at)?,
        designation,
        max_redemptions: max.map(|m| u32::try_from(m.max(0)).unwrap_or(u32::MAX)),
        redemptions: u32::try_from(redemptions).unwrap_or(u32::MAX),
    }))
}

#[async_trait]
impl PromotionRepository for Store {
    async fn find_by_code(&self, code: &str) -> Result<Option<Promotion>, StoreError> {
        let code = Promotion::normalize_code(code);
        self.run(move |c| load_promotion(c, &code)).await
    }

    async fn has_redeemed(
        &self,
        promotion: PromotionId,
        client: ClientId,
    ) -> Result<bool, StoreError> {
        self.run(move |c| {
            let n: i64 = promotion_redemptions::table
                .filter(promotion_redemptions::promotion_id.eq(promotion.0))
                .filter(promotion_redemptions::client_id.eq(client.0))
                .count()
                .get_result(c)?;
            Ok(n > 0)
        })
        .await
    }
}

type PaymentMethodRow = (
    i64,
    i64,
    String,
    String,
    String,
    i32,
    i32,
    bool,
    bool,
    String,
    String,
    Option<String>,
);

const PAYMENT_METHOD_COLUMNS: (
    payment_methods::id,
    payment_methods::client_id,
    payment_methods::name,
    payment_methods::brand,
    payment_methods::last4,
    payment_methods::exp_month,
    payment_methods::exp_year,
    payment_methods::is_default,
    payment_methods::active,
    payment_methods::customer_profile_id,
    payment_methods::payment_profile_id,
    payment_methods::postal_code,
) = (
    payment_methods::id,
    payment_methods::client_id,
    payment_methods::name,
    payment_methods::brand,
    payment_methods::last4,
    payment_methods::exp_month,
    payment_methods::exp_year,
    payment_methods::is_default,
    payment_methods::active,
    payment_methods::customer_profile_id,
    payment_methods::payment_profile_id,
    payment_methods::postal_code,
);

fn payment_method_from_row(row: PaymentMethodRow) -> DbResult<PaymentMethod> {
    let (id, client_id, name, brand, last4, month, year, is_default, active, cpid, ppid, postal) =
        row;
    Ok(PaymentMethod {
        id: PaymentMethodId(id),
        client_id: ClientId(client_id),
        name,
        brand: CardBrand::parse(&brand),
        last4,
        expiry: CardExpiry::new(i64::from(month), i64::from(year))
            .map_err(|e| backend_fail(format!("stored card expiry unreadable: {e}")))?,
        is_default,
        active,
        profile: StoredPaymentProfile {
            customer_profile_id: cpid,
            payment_profile_id: ppid,
        },
        postal_code: postal,
    })
}

pub(crate) fn load_payment_method(
    conn: &mut DbConnection,
    id: PaymentMethodId,
) -> DbResult<Option<PaymentMethod>> {
    payment_methods::table
        .filter(payment_methods::id.eq(id.0))
        .select(PAYMENT_METHOD_COLUMNS)
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
        self.run(move |c| load_payment_method(c, id)).await
    }

    async fn list_active(&self, client: ClientId) -> Result<Vec<PaymentMethod>, StoreError> {
        self.run(move |c| {
            let mut list = payment_methods::table
                .filter(payment_methods::client_id.eq(client.0))
                .filter(payment_methods::active.eq(true))
                .order(payment_methods::id.asc())
                .select(PAYMENT_METHOD_COLUMNS)
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
