//! Services, promotions and payment methods.

use crate::fixtures::{FakeHasher, FakeTokens, another_client, seed_demo};
use ordercore_domain::model::{
    CardBrand, CardExpiry, Discount, PaymentMethodId, ServiceId, ServiceKind, StoredPaymentProfile,
};
use ordercore_domain::ports::{
    CatalogRepository, NewPaymentMethod, PaymentMethodRepository, PromotionRepository,
};
use ordercore_store::seed::{SeedPromotion, SeedPromotionKind, SeedService};
use ordercore_store::{SeedFile, Store};

contract_tests!(
    services_primary_first_then_name,
    promotions_by_code_with_redemptions,
    payment_methods_default_and_deactivate,
);

async fn services_primary_first_then_name(store: &Store) {
    seed_demo(store).await;
    let extra = SeedFile {
        services: vec![
            SeedService {
                slug: "twilight".into(),
                name: "Twilight photos".into(),
                kind: ServiceKind::Primary,
                price_cents: 20000,
                active: true,
            },
            SeedService {
                slug: "retired".into(),
                name: "Retired".into(),
                kind: ServiceKind::AddOn,
                price_cents: 100,
                active: false,
            },
        ],
        ..SeedFile::default()
    };
    store.seed(&extra, &FakeHasher, &FakeTokens).await.unwrap();
    let slugs: Vec<String> = store
        .active_services()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.slug)
        .collect();
    assert_eq!(
        slugs,
        ["photos", "twilight", "3d_tour", "drone", "floor_plan"]
    );

    let all = store.active_services().await.unwrap();
    let photos = all.iter().find(|s| s.slug == "photos").unwrap();
    assert_eq!(photos.price.cents(), 15000);
    let retired_id = {
        let ids: Vec<ServiceId> = (1..=10).map(ServiceId).collect();
        store
            .find_services(&ids)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.slug == "retired")
            .unwrap()
            .id
    };
    let found = store
        .find_services(&[photos.id, retired_id, ServiceId(999_999)])
        .await
        .unwrap();
    assert_eq!(found.len(), 2, "inactive included, unknown left out");
    assert!(found.iter().any(|s| s.id == retired_id && !s.active));
}

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

async fn payment_methods_default_and_deactivate(store: &Store) {
    seed_demo(store).await;
    let client = another_client(store, "cards@example.com").await;
    let card = |n: &str, is_default: bool| NewPaymentMethod {
        client_id: client.id,
        name: format!("Card {n}"),
        brand: CardBrand::Mastercard,
        last4: n.into(),
        expiry: CardExpiry::new(4, 2031).unwrap(),
        is_default,
        profile: StoredPaymentProfile {
            customer_profile_id: "cust-9".into(),
            payment_profile_id: format!("pp-{n}"),
        },
        postal_code: Some("80202".into()),
    };
    let first = store
        .insert(&card("0001", false), crate::fixtures::t0())
        .await
        .unwrap();
    assert!(first.is_default, "the first card becomes the default");
    assert!(first.active);
    let second = store
        .insert(&card("0002", false), crate::fixtures::t0())
        .await
        .unwrap();
    assert!(!second.is_default);
    let third = store
        .insert(&card("0003", true), crate::fixtures::t0())
        .await
        .unwrap();
    assert!(third.is_default);

    let listed = store.list_active(client.id).await.unwrap();
    let ids: Vec<PaymentMethodId> = listed.iter().map(|m| m.id).collect();
    assert_eq!(ids, [third.id, first.id, second.id], "default first");
    assert_eq!(listed.iter().filter(|m| m.is_default).count(), 1);
    assert_eq!(listed[0].brand, CardBrand::Mastercard);
    assert_eq!(listed[0].expiry, CardExpiry::new(4, 2031).unwrap());
    assert_eq!(listed[0].profile.payment_profile_id, "pp-0003");
    assert_eq!(listed[0].postal_code.as_deref(), Some("80202"));

    assert!(store.deactivate(second.id).await.unwrap());
    assert!(
        !store.deactivate(second.id).await.unwrap(),
        "already inactive"
    );
    let gone = PaymentMethodRepository::find(store, second.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!gone.active);
    assert_eq!(store.list_active(client.id).await.unwrap().len(), 2);
    assert!(
        PaymentMethodRepository::find(store, PaymentMethodId(999_999))
            .await
            .unwrap()
            .is_none()
    );
}
