//! Seeding: the documented file format and idempotency.

use crate::fixtures::{FakeHasher, FakeTokens};
use diesel::prelude::*;
use ordercore_store::schema::*;
use ordercore_store::{SeedError, SeedFile, Store};

contract_tests!(seeding_twice_changes_nothing, seed_file_example_loads);

fn table_counts(store: &Store) -> Vec<(&'static str, i64)> {
    let mut c = store.pool().get().unwrap();
    let c = &mut *c;
    vec![
        ("users", users::table.count().get_result(c).unwrap()),
        ("clients", clients::table.count().get_result(c).unwrap()),
        ("employees", employees::table.count().get_result(c).unwrap()),
        ("liaisons", liaisons::table.count().get_result(c).unwrap()),
        (
            "liaison_clients",
            liaison_clients::table.count().get_result(c).unwrap(),
        ),
        (
            "applications",
            applications::table.count().get_result(c).unwrap(),
        ),
        ("services", services::table.count().get_result(c).unwrap()),
        (
            "promotions",
            promotions::table.count().get_result(c).unwrap(),
        ),
        (
            "payment_methods",
            payment_methods::table.count().get_result(c).unwrap(),
        ),
    ]
}

fn password_hashes(store: &Store) -> Vec<Option<String>> {
    let mut c = store.pool().get().unwrap();
    users::table
        .order(users::id.asc())
        .select(users::password_hash)
        .load(&mut *c)
        .unwrap()
}

async fn seeding_twice_changes_nothing(store: &Store) {
    let first = store
        .seed(&SeedFile::demo(), &FakeHasher, &FakeTokens)
        .await
        .unwrap();
    assert!(first.inserted > 0);
    let counts = table_counts(store);
    assert_eq!(
        counts,
        [
            ("users", 3),
            ("clients", 1),
            ("employees", 1),
            ("liaisons", 1),
            ("liaison_clients", 1),
            ("applications", 3),
            ("services", 4),
            ("promotions", 1),
            ("payment_methods", 1),
        ]
    );
    let hashes = password_hashes(store);
    let second = store
        .seed(&SeedFile::demo(), &FakeHasher, &FakeTokens)
        .await
        .unwrap();
    assert_eq!(second.inserted, 0);
    assert_eq!(table_counts(store), counts);
    assert_eq!(password_hashes(store), hashes, "matching hashes are kept");
}

pub const EXAMPLE: &str = include_str!("../fixtures/seed-example.json");

async fn seed_file_example_loads(store: &Store) {
    let file = SeedFile::from_json(EXAMPLE).unwrap();
    let summary = store.seed(&file, &FakeHasher, &FakeTokens).await.unwrap();
    assert_eq!(summary.users, 3);
    let again = store.seed(&file, &FakeHasher, &FakeTokens).await.unwrap();
    assert_eq!(again.inserted, 0);

    // A payment method for an e-mail without a client record is refused.
    let bad = SeedFile::from_json(
        r#"{"payment_methods": [{"client_email": "ghost@example.com", "customer_profile_id": "c",
            "payment_profile_id": "p", "brand": "visa", "last4": "1111",
            "exp_month": 1, "exp_year": 2030}]}"#,
    )
    .unwrap();
    let err = store
        .seed(&bad, &FakeHasher, &FakeTokens)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SeedError::Invalid(ref m) if m.contains("ghost@example.com")),
        "{err}"
    );
}

#[test]
fn seed_files_refuse_unknown_fields_and_bad_values() {
    assert!(SeedFile::from_json(r#"{"users": [{"email": "a@b.co", "pasword": "x"}]}"#).is_err());
    assert!(SeedFile::from_json(r#"{"services": [{"slug": "x", "name": "X", "kind": "main", "price_cents": 1, "active": true}]}"#).is_err());
    assert!(SeedFile::from_json(r#"{"users": [{"email": "not-an-email"}]}"#).is_err());
    let f = SeedFile::from_json(r#"{"users": [{"email": "A@B.co", "employee": {}}, {"email": "c@d.co", "employee": true}]}"#).unwrap();
    assert!(f.users.iter().all(|u| u.employee));
    assert_eq!(f.users[0].email.as_str(), "a@b.co");
}
