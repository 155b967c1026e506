//! Stored payment methods: one default per client, deactivation.

use crate::fixtures::{another_client, seed_demo};
use ordercore_domain::model::{CardBrand, CardExpiry, PaymentMethodId, StoredPaymentProfile};
use ordercore_domain::ports::{NewPaymentMethod, PaymentMethodRepository};
use ordercore_store::Store;

contract_tests!(payment_methods_default_and_deactivate,);

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
