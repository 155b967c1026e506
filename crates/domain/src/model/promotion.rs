use super::{Money, PromotionId};
use chrono::{DateTime, Utc};

/// What a promotion takes off the subtotal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// Basis points: 1000 = 10 %, 10000 = 100 %.
    Percent { basis_points: u32 },
    /// A fixed amount, capped at the subtotal.
    Amount(Money),
}

/// A promotion code and its limits. `code` is stored upper-cased; look-ups are
/// case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: PromotionId,
    pub code: String,
    pub discount: Discount,
    pub active: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Only clients of this designation may use it; `None` = everyone.
    pub designation: Option<String>,
    /// Global cap on redemptions; `None` = unlimited.
    pub max_redemptions: Option<u32>,
    /// Redemptions so far (reserved or recorded), as read with the promotion.
    pub redemptions: u32,
}

impl Promotion {
    /// Codes compare case-insensitively; this is the stored form.
    pub fn normalize_code(code: &str) -> String {
        code.trim().to_uppercase()
    }
}
