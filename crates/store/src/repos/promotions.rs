//! Promotions and who has redeemed them.

use crate::Store;
use crate::db::{DbConnection, DbResult, Fail, backend_fail, columns, from_micros_opt, money};
use crate::schema::{promotion_redemptions, promotions};
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{ClientId, Discount, Promotion, PromotionId};
use ordercore_domain::ports::PromotionRepository;

/// One `promotions` row.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = promotions)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct PromotionRow {
    pub(crate) id: i64,
    code: String,
    kind: String,
    value: i64,
    active: bool,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    designation: Option<String>,
    pub(crate) max_redemptions: Option<i64>,
}

// `PromotionRow`'s columns in its field order, for joins where the row may
// be absent (`PROMOTION_COLUMNS.nullable()`).
columns!(pub(crate) const PROMOTION_COLUMNS = promotions {
    id,
    code,
    kind,
    value,
    active,
    starts_at,
    ends_at,
    designation,
    max_redemptions,
});

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
        .select(PromotionRow::as_select())
        .first::<PromotionRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let redemptions = count_uses(conn, row.id)?;
    promotion_from_row(row, redemptions).map(Some)
}

/// How many redemptions (reserved or recorded) promotion `id` has.
pub(crate) fn count_uses(conn: &mut DbConnection, id: i64) -> DbResult<i64> {
    Ok(promotion_redemptions::table
        .filter(promotion_redemptions::promotion_id.eq(id))
        .count()
        .get_result(conn)?)
}

pub(crate) fn promotion_from_row(row: PromotionRow, redemptions: i64) -> DbResult<Promotion> {
    Ok(Promotion {
        id: PromotionId(row.id),
        code: row.code,
        discount: discount_from(&row.kind, row.value)?,
        active: row.active,
        starts_at: from_micros_opt(row.starts_at)?,
        ends_at: from_micros_opt(row.ends_at)?,
        designation: row.designation,
        max_redemptions: row
            .max_redemptions
            .map(|m| u32::try_from(m.max(0)).unwrap_or(u32::MAX)),
        redemptions: u32::try_from(redemptions).unwrap_or(u32::MAX),
    })
}

/// Takes one use of promotion `id` against its global cap, or refuses with
/// `Conflict` (→ `promotion-expended`) when the cap is reached. Call inside
/// the write transaction that inserts the redemption: the no-op update locks
/// the promotion row until commit (PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// already serializes writers), so the recount after it sees every use
/// committed before and no other order can take the same last use.
pub(super) fn take_use(conn: &mut DbConnection, id: PromotionId) -> DbResult<()> {
    let cap: Option<i64> = diesel::update(promotions::table.filter(promotions::id.eq(id.0)))
        .set(promotions::max_redemptions.eq(promotions::max_redemptions))
        .returning(promotions::max_redemptions)
        .get_result(conn)?;
    let Some(cap) = cap else {
        return Ok(());
    };
    let used: i64 = promotion_redemptions::table
        .filter(promotion_redemptions::promotion_id.eq(id.0))
        .count()
        .get_result(conn)?;
    if used >= cap {
        return Err(Fail(StoreError::Conflict(
            "promotions.max_redemptions".into(),
        )));
    }
    Ok(())
}

#[async_trait]
impl PromotionRepository for Store {
    async fn find_by_code(&self, code: &str) -> Result<Option<Promotion>, StoreError> {
        let code = Promotion::normalize_code(code);
        self.read(move |c| load_promotion(c, &code)).await
    }

    async fn has_redeemed(
        &self,
        promotion: PromotionId,
        client: ClientId,
    ) -> Result<bool, StoreError> {
        self.read(move |c| {
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
