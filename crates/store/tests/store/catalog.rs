//! The service catalog.

use crate::fixtures::{FakeHasher, FakeTokens, seed_demo};
use ordercore_domain::model::{ServiceId, ServiceKind};
use ordercore_domain::ports::CatalogRepository;
use ordercore_store::seed::SeedService;
use ordercore_store::{SeedFile, Store};

contract_tests!(services_primary_first_then_name,);

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
