//! `promotions/validate`, and the promotion step shared with order submission.

use super::orders::resolve::{resolve_client, resolve_lines};
use crate::Unexpected;
use crate::model::{Client, ClientId, Field, FieldErrors, Pricing, Promotion, ServiceId};
use crate::ports::{CatalogRepository, ClientRepository, Clock, PromotionRepository};
use crate::rules::orders::Actor;
use crate::rules::orders::pricing;
use crate::rules::promotions as promotion_rules;
use crate::rules::promotions::{Ineligible, InvalidReason};
use std::sync::Arc;

/// What a code would give.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionQuote {
    pub promotion: Promotion,
    /// With an order: its pricing after the discount.
    pub pricing: Option<Pricing>,
}

#[derive(Debug, thiserror::Error)]
pub enum ValidatePromotionError {
    /// → `invalid-promotion`
    #[error("the promotion code is not valid: {0}")]
    InvalidPromotion(InvalidReason),
    /// → `promotion-expended`
    #[error("this client has already used this promotion code")]
    PromotionExpended,
    /// → `invalid-param` / `missing-param`
    #[error("invalid parameters")]
    Params(FieldErrors),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<Ineligible> for ValidatePromotionError {
    fn from(e: Ineligible) -> Self {
        match e {
            Ineligible::Invalid(r) => ValidatePromotionError::InvalidPromotion(r),
            Ineligible::Expended => ValidatePromotionError::PromotionExpended,
        }
    }
}

/// Looks a code up and checks it for a client at the current instant.
pub(crate) async fn eligible_promotion(
    promotions: &dyn PromotionRepository,
    code: &str,
    client: &Client,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Promotion, Ineligible>, Unexpected> {
    let Some(found) = promotions
        .find_by_code(&Promotion::normalize_code(code))
        .await?
    else {
        return Ok(Err(Ineligible::Invalid(InvalidReason::Unknown)));
    };
    let redeemed = promotions.has_redeemed(found.id, client.id).await?;
    Ok(eligibility(Some((found, redeemed)), client, now))
}

/// The promotion a code found (and whether the client has redeemed it),
/// checked for `client` at `now`.
pub(crate) fn eligibility(
    found: Option<(Promotion, bool)>,
    client: &Client,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Promotion, Ineligible> {
    let Some((found, redeemed)) = found else {
        return Err(Ineligible::Invalid(InvalidReason::Unknown));
    };
    promotion_rules::check_eligibility(Some(&found), client, redeemed, now).map(|()| found)
}

/// `promotions/validate`: the discount a code would give a client, priced on
/// an order when the request carries one.
pub struct ValidatePromotion {
    clients: Arc<dyn ClientRepository>,
    catalog: Arc<dyn CatalogRepository>,
    promotions: Arc<dyn PromotionRepository>,
    clock: Arc<dyn Clock>,
}

impl ValidatePromotion {
    pub fn new(
        clients: Arc<dyn ClientRepository>,
        catalog: Arc<dyn CatalogRepository>,
        promotions: Arc<dyn PromotionRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            clients,
            catalog,
            promotions,
            clock,
        }
    }

    /// `client_id` is `order.client.id`; `order` is the primary service and
    /// add-ons `(id, quantity)` when given.
    pub async fn run(
        &self,
        actor: &Actor,
        code: &str,
        client_id: Option<ClientId>,
        order: Option<(ServiceId, Vec<(ServiceId, u32)>)>,
    ) -> Result<PromotionQuote, ValidatePromotionError> {
        let mut errs = FieldErrors::default();
        let client = resolve_client(&*self.clients, actor, client_id, &mut errs).await?;
        let lines = match &order {
            Some((primary, add_ons)) => {
                resolve_lines(&*self.catalog, *primary, add_ons, &mut errs).await?
            }
            None => None,
        };
        let Some(client) = client else {
            return Err(ValidatePromotionError::Params(errs));
        };
        if !errs.is_empty() {
            return Err(ValidatePromotionError::Params(errs));
        }
        let promotion =
            eligible_promotion(&*self.promotions, code, &client, self.clock.now()).await??;
        let pricing = match lines {
            Some((primary, add_ons)) => {
                let subtotal = pricing::subtotal(&primary, &add_ons).map_err(|e| {
                    ValidatePromotionError::Params(FieldErrors::one_invalid(
                        Field::AddOns,
                        e.to_string(),
                    ))
                })?;
                Some(pricing::price(
                    subtotal,
                    pricing::discount(subtotal, promotion.discount),
                ))
            }
            None => None,
        };
        Ok(PromotionQuote { promotion, pricing })
    }
}
