//! `ValidatePromotion` (`promotions/validate`).

use crate::fixtures::*;
use mockall::predicate::eq;
use ordercore_domain::model::{ClientId, Discount, Field, Pricing, Promotion, ServiceId};
use ordercore_domain::ports::{
    MockCatalogRepository, MockClientRepository, MockPromotionRepository,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{PromotionQuote, ValidatePromotion, ValidatePromotionError};
use std::sync::Arc;

type Order = Option<(ServiceId, Vec<(ServiceId, u32)>)>;

#[derive(Default)]
struct Mocks {
    clients: MockClientRepository,
    catalog: MockCatalogRepository,
    promotions: MockPromotionRepository,
}

impl Mocks {
    fn client_found(&mut self) {
        self.clients
            .expect_find_client()
            .with(eq(CLIENT))
            .times(1)
            .returning(|_| Ok(Some(client())));
    }

    fn catalogue_found(&mut self) {
        self.catalog
            .expect_find_services()
            .times(1)
            .returning(|ids| {
                Ok(catalogue()
                    .into_iter()
                    .filter(|s| ids.contains(&s.id))
                    .collect())
            });
    }

    fn promotion_found(&mut self, p: Option<Promotion>, redeemed: bool) {
        self.promotions
            .expect_find_by_code()
            .withf(|c| c == "SPRING")
            .times(1)
            .return_once(move |_| Ok(p));
        self.promotions
            .expect_has_redeemed()
            .withf(|p, c| *p == PROMO && *c == CLIENT)
            .returning(move |_, _| Ok(redeemed));
    }

    async fn run(
        self,
        actor: Actor,
        client_id: Option<ClientId>,
        order: Order,
    ) -> Result<PromotionQuote, ValidatePromotionError> {
        ValidatePromotion::new(
            Arc::new(self.clients),
            Arc::new(self.catalog),
            Arc::new(self.promotions),
            clock(),
        )
        .run(&actor, "Spring", client_id, order)
        .await
    }
}

fn ten_percent() -> Promotion {
    promotion(Discount::Percent { basis_points: 1000 })
}

#[tokio::test]
async fn without_an_order_the_promotion_is_returned_unpriced() {
    let mut m = Mocks::default();
    m.client_found();
    m.catalog.expect_find_services().never();
    m.promotion_found(Some(ten_percent()), false);
    let quote = m.run(Actor::Client(CLIENT), None, None).await.unwrap();
    assert_eq!(quote.promotion, ten_percent());
    assert_eq!(quote.pricing, None);
}

#[tokio::test]
async fn with_an_order_the_discount_is_priced() {
    let mut m = Mocks::default();
    m.client_found();
    m.catalogue_found();
    m.promotion_found(Some(ten_percent()), false);
    let order = Some((PHOTOS, vec![(FLOOR_PLAN, 1)]));
    let quote = m.run(Actor::Employee, Some(CLIENT), order).await.unwrap();
    assert_eq!(
        quote.pricing,
        Some(Pricing {
            subtotal: money(17_500),
            discount: money(1_750),
            total: money(15_750),
        })
    );
}

#[tokio::test]
async fn a_fixed_discount_larger_than_the_order_is_capped() {
    let mut m = Mocks::default();
    m.client_found();
    m.catalogue_found();
    m.promotion_found(Some(promotion(Discount::Amount(money(50_000)))), false);
    let quote = m
        .run(Actor::Client(CLIENT), None, Some((PHOTOS, vec![])))
        .await
        .unwrap();
    assert_eq!(
        quote.pricing,
        Some(Pricing {
            subtotal: money(15_000),
            discount: money(15_000),
            total: money(0),
        })
    );
}

#[tokio::test]
async fn each_invalid_reason_is_returned() {
    for (p, reason) in invalid_promotions(ten_percent()) {
        let mut m = Mocks::default();
        m.client_found();
        m.promotion_found(p, false);
        match m.run(Actor::Client(CLIENT), None, None).await {
            Err(ValidatePromotionError::InvalidPromotion(r)) => assert_eq!(r, reason),
            other => panic!("{reason:?}: got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_code_this_client_used_is_expended() {
    let mut m = Mocks::default();
    m.client_found();
    m.promotion_found(Some(ten_percent()), true);
    let e = m.run(Actor::Client(CLIENT), None, None).await.unwrap_err();
    assert!(
        matches!(e, ValidatePromotionError::PromotionExpended),
        "{e:?}"
    );
}

#[tokio::test]
async fn params_are_checked_before_the_code() {
    // An employee must name the client.
    let mut m = Mocks::default();
    m.clients.expect_find_client().never();
    m.promotions.expect_find_by_code().never();
    match m.run(Actor::Employee, None, None).await {
        Err(ValidatePromotionError::Params(errs)) => {
            assert_eq!(errs.0[0].field, Field::OrderClient);
            assert!(errs.0[0].missing);
        }
        other => panic!("expected Params, got {other:?}"),
    }

    // An unknown primary service in the order.
    let mut m = Mocks::default();
    m.client_found();
    m.catalogue_found();
    m.promotions.expect_find_by_code().never();
    match m
        .run(Actor::Client(CLIENT), None, Some((ServiceId(99), vec![])))
        .await
    {
        Err(ValidatePromotionError::Params(errs)) => {
            assert_eq!(errs.0[0].field, Field::PrimaryService);
        }
        other => panic!("expected Params, got {other:?}"),
    }
}
