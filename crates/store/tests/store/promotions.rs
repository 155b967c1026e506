//! Promotions by code, with their redemptions.

use crate::fixtures::{FakeHasher, FakeTokens, seed_demo};
use ordercore_domain::model::Discount;
use ordercore_domain::ports::PromotionRepository;
use ordercore_store::seed::{SeedPromotion, SeedPromotionKind};
use ordercore_store::{SeedFile, Store};

contract_tests!(promotions_by_code_with_redemptions,);

async fn promotions_by_code_with_redemptions(store: &Store) {
    let demo = seed_demo(store).await;
    let extra = SeedFile {
        promotions: vec![SeedPromotion {
            code: "flat5".into(),
            kind: SeedPromotionKind::Amount,
            value: 500,
            active: false,
            starts_at: Some(crate::fixtures::t0()),
            ends_at: None,
            designation: Some("broker".into()),
            max_redemptions: Some(3),
        }],
        ..SeedFile::default()
    };
    store.seed(&extra, &FakeHasher, &FakeTokens).await.unwrap();
    let p = store.find_by_code(" Flat5 ").await.unwrap().unwrap();
    assert_eq!(p.code, "FLAT5");
    assert!(matches!(p.discount, Discount::Amount(m) if m.cents() == 500));
    assert!(!p.active);
    assert_eq!(p.starts_at, Some(crate::fixtures::t0()));
    assert_eq!(p.designation.as_deref(), Some("broker"));
    assert_eq!(p.max_redemptions, Some(3));
    assert_eq!(p.redemptions, 0);

    let w = store.find_by_code("Welcome10").await.unwrap().unwrap();
    assert_eq!(w.discount, Discount::Percent { basis_points: 1000 });
    assert!(store.find_by_code("NOPE").await.unwrap().is_none());
    assert!(!store.has_redeemed(w.id, demo.client.id).await.unwrap());

    use ordercore_domain::ports::OrderRepository;
    store
        .create_pending(
            &crate::fixtures::new_order(&demo, true),
            crate::fixtures::t0(),
        )
        .await
        .unwrap();
    assert!(store.has_redeemed(w.id, demo.client.id).await.unwrap());
    assert_eq!(
        store
            .find_by_code("WELCOME10")
            .await
            .unwrap()
            .unwrap()
            .redemptions,
        1
    );
}
