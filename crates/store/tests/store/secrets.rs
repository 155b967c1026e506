//! Secrets at rest: an order's access code and on-site contact phone and
//! e-mail, and stored idempotent answers, are sealed under the data key,
//! bound to their row; rotation re-seals them; expired answers are purged.

use crate::fixtures::{new_order, seed_demo, t0};
use chrono::Duration;
use diesel::prelude::*;
use ordercore_crypto::{DataCipher, DataKey};
use ordercore_domain::model::{Email, OrderId};
use ordercore_domain::ports::{IdempotencyBegin, IdempotencyStore, OrderRepository};
use ordercore_store::schema::{idempotency_keys, orders};
use ordercore_store::{RotationReport, Store};
use std::sync::Arc;

contract_tests!(
    order_secrets_are_sealed_and_bound_to_their_row,
    rotation_reseals_clear_and_old_rows_once,
    stored_answers_are_sealed_and_bound_to_their_key,
    expired_answers_are_purged_in_batches,
    rotation_reseals_webhook_secrets,
    the_signing_secret_is_sealed_and_recovered,
);

const SCOPE: &str = "client:1 orders/create";

fn with_keys(store: &Store, current: u8, old: &[u8]) -> Store {
    let cipher = DataCipher::new(
        DataKey::from_bytes([current; 32]),
        old.iter().map(|b| DataKey::from_bytes([*b; 32])).collect(),
    );
    store.clone().with_cipher(Arc::new(cipher))
}

fn raw_access(store: &Store, id: OrderId) -> String {
    let mut c = store.pool().get().unwrap();
    orders::table
        .filter(orders::id.eq(id.0))
        .select(orders::property_access)
        .first::<String>(&mut *c)
        .unwrap()
}

fn set_raw_access(store: &Store, id: OrderId, value: &str) {
    let mut c = store.pool().get().unwrap();
    diesel::update(orders::table.filter(orders::id.eq(id.0)))
        .set(orders::property_access.eq(value))
        .execute(&mut *c)
        .unwrap();
}

fn raw_body(store: &Store, key: &str) -> Option<String> {
    let mut c = store.pool().get().unwrap();
    idempotency_keys::table
        .filter(idempotency_keys::key.eq(key))
        .select(idempotency_keys::body)
        .first::<Option<String>>(&mut *c)
        .unwrap()
}

fn set_raw_body(store: &Store, key: &str, body: &str) {
    let mut c = store.pool().get().unwrap();
    diesel::update(idempotency_keys::table.filter(idempotency_keys::key.eq(key)))
        .set(idempotency_keys::body.eq(body))
        .execute(&mut *c)
        .unwrap();
}

fn code_of(order: &ordercore_domain::model::Order) -> Option<String> {
    order
        .property_access
        .access_code
        .as_ref()
        .map(|c| c.expose().clone())
}

async fn order_secrets_are_sealed_and_bound_to_their_row(store: &Store) {
    let demo = seed_demo(store).await;
    let mut new = new_order(&demo, false);
    new.property_access.onsite_contact_phone = Some("303-555-0188".into());
    let first = store.create_pending(&new, t0()).await.unwrap();
    let second = store.create_pending(&new, t0()).await.unwrap();
    let raw = raw_access(store, first.id);
    for secret in ["4321", "agent@example.com", "303-555-0188"] {
        assert!(!raw.contains(secret), "{secret} stored in clear: {raw}");
    }
    assert!(raw.contains("\"sealed\":\"v1:"), "{raw}");
    assert!(
        raw.contains("Back door"),
        "non-secret members stay readable"
    );
    let read = OrderRepository::find(store, first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.property_access, new.property_access);
    assert_eq!(
        read.property_access.onsite_contact_email,
        Some(Email::parse("agent@example.com").unwrap())
    );
    // The first order's sealed value copied into the second does not open.
    set_raw_access(store, second.id, &raw);
    assert!(OrderRepository::find(store, second.id).await.is_err());
    // Without secrets nothing is sealed.
    new.property_access.access_code = None;
    new.property_access.onsite_contact_email = None;
    new.property_access.onsite_contact_phone = None;
    let plain = store.create_pending(&new, t0()).await.unwrap();
    assert!(!raw_access(store, plain.id).contains("sealed"));
    assert_eq!(
        OrderRepository::find(store, plain.id)
            .await
            .unwrap()
            .unwrap()
            .property_access,
        new.property_access
    );
}

async fn rotation_reseals_clear_and_old_rows_once(store: &Store) {
    let demo = seed_demo(store).await;
    let under_a = with_keys(store, 1, &[]);
    let new = new_order(&demo, false);
    let sealed_a = under_a.create_pending(&new, t0()).await.unwrap();
    // An order an earlier version stored with its secrets in clear.
    let legacy = under_a.create_pending(&new, t0()).await.unwrap();
    set_raw_access(
        store,
        legacy.id,
        r#"{"access_code":"9911","lockbox_location":null,"method_of_access":"lockbox_code","onsite_contact_email":null,"onsite_contact_name":null,"onsite_contact_phone":"555-0100","vacant":true}"#,
    );
    // Answers: one sealed under A, one stored in clear by an earlier version.
    for key in ["ka", "kclear"] {
        assert_eq!(
            under_a.begin(SCOPE, key, "fp", t0()).await.unwrap(),
            IdempotencyBegin::Started
        );
        under_a
            .complete(SCOPE, key, "action-successful", "{\"code\":\"9911\"}")
            .await
            .unwrap();
    }
    set_raw_body(store, "kclear", "{\"code\":\"9911\"}");

    let b_only = with_keys(store, 2, &[]);
    let b_reading_a = with_keys(store, 2, &[1]);
    // Before the rotation: B alone cannot read A's values; B with A as an
    // old key reads everything.
    assert!(OrderRepository::find(&b_only, sealed_a.id).await.is_err());
    for id in [sealed_a.id, legacy.id] {
        let order = OrderRepository::find(&b_reading_a, id)
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(code_of(&order).as_deref(), Some("4321" | "9911")));
    }

    let report = b_reading_a.rotate_secrets(1).await.unwrap();
    assert_eq!(
        report,
        RotationReport {
            orders_examined: 2,
            orders_resealed: 2,
            answers_examined: 2,
            answers_resealed: 2,
            events_examined: 0,
            events_resealed: 0,
            webhook_secrets_examined: 0,
            webhook_secrets_resealed: 0,
        }
    );
    let again = b_reading_a.rotate_secrets(100).await.unwrap();
    assert_eq!((again.orders_resealed, again.answers_resealed), (0, 0));

    // After it: B alone reads every row; A no longer does; nothing in clear.
    let read = OrderRepository::find(&b_only, legacy.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code_of(&read).as_deref(), Some("9911"));
    assert_eq!(
        read.property_access.onsite_contact_phone.as_deref(),
        Some("555-0100")
    );
    let read = OrderRepository::find(&b_only, sealed_a.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.property_access, new.property_access);
    assert!(OrderRepository::find(&under_a, sealed_a.id).await.is_err());
    assert!(!raw_access(store, legacy.id).contains("9911"));
    for key in ["ka", "kclear"] {
        assert!(!raw_body(store, key).unwrap().contains("9911"));
        assert_eq!(
            b_only
                .begin(SCOPE, key, "fp", t0() + Duration::hours(1))
                .await
                .unwrap(),
            IdempotencyBegin::Replay {
                status: "action-successful".into(),
                body: "{\"code\":\"9911\"}".into()
            }
        );
    }
}

async fn stored_answers_are_sealed_and_bound_to_their_key(store: &Store) {
    let body = "{\"data\":{\"property_access\":{\"access_code\":\"4321\"}}}";
    for key in ["k1", "k2"] {
        store.begin(SCOPE, key, "fp", t0()).await.unwrap();
        store
            .complete(SCOPE, key, "action-successful", body)
            .await
            .unwrap();
    }
    let raw = raw_body(store, "k1").unwrap();
    assert!(raw.starts_with("v1:") && !raw.contains("4321"), "{raw}");
    assert_eq!(
        store.begin(SCOPE, "k1", "fp", t0()).await.unwrap(),
        IdempotencyBegin::Replay {
            status: "action-successful".into(),
            body: body.into()
        }
    );
    // k1's sealed answer copied under k2 does not open.
    set_raw_body(store, "k2", &raw);
    assert!(store.begin(SCOPE, "k2", "fp", t0()).await.is_err());
}

async fn expired_answers_are_purged_in_batches(store: &Store) {
    let count = || {
        let mut c = store.pool().get().unwrap();
        idempotency_keys::table
            .count()
            .get_result::<i64>(&mut *c)
            .unwrap()
    };
    for i in 0..5 {
        let key = format!("old{i}");
        store.begin(SCOPE, &key, "fp", t0()).await.unwrap();
        store
            .complete(SCOPE, &key, "action-successful", "{}")
            .await
            .unwrap();
    }
    store
        .begin(SCOPE, "young", "fp", t0() + Duration::hours(23))
        .await
        .unwrap();
    assert_eq!(count(), 6);
    // Nothing is older than 24 hours yet.
    let at = t0() + Duration::hours(24) - Duration::seconds(1);
    assert_eq!(store.purge_expired_idempotency(at, 2).await.unwrap(), 0);
    // Five are, deleted two at a time; the young record stays.
    let at = t0() + Duration::hours(24) + Duration::seconds(1);
    assert_eq!(store.purge_expired_idempotency(at, 2).await.unwrap(), 5);
    assert_eq!(count(), 1);
    assert_eq!(store.purge_expired_idempotency(at, 2).await.unwrap(), 0);
    let later = t0() + Duration::hours(48);
    assert_eq!(store.purge_expired_idempotency(later, 2).await.unwrap(), 1);
    assert_eq!(count(), 0);
}

async fn rotation_reseals_webhook_secrets(store: &Store) {
    use ordercore_domain::model::{NewWebhookEndpoint, Secret, WebhookUrl};
    use ordercore_domain::ports::WebhookRepository;
    let a = with_keys(store, 1, &[]);
    a.create_endpoint(
        &NewWebhookEndpoint {
            url: WebhookUrl::parse("https://hooks.test/r").unwrap(),
            events: None,
            secret: Secret::new("whsec_rotate_me".into()),
        },
        t0(),
    )
    .await
    .unwrap();
    let demo = seed_demo(store).await;
    a.create_submitted(
        &new_order(&demo, false),
        &crate::fixtures::outbox_email(&demo, t0()),
        t0(),
    )
    .await
    .unwrap();
    let b_only = with_keys(store, 2, &[]);
    let now = t0() + Duration::seconds(1);
    assert!(b_only.claim_due_deliveries(now, now, 10).await.is_err());
    let report = with_keys(store, 2, &[1]).rotate_secrets(10).await.unwrap();
    assert_eq!(
        (
            report.webhook_secrets_examined,
            report.webhook_secrets_resealed
        ),
        (1, 1)
    );
    let due = b_only.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(due[0].secret.expose(), "whsec_rotate_me");
    let again = with_keys(store, 2, &[1]).rotate_secrets(10).await.unwrap();
    assert_eq!(
        (again.webhook_secrets_resealed, again.events_resealed),
        (0, 0)
    );
}

async fn the_signing_secret_is_sealed_and_recovered(store: &Store) {
    use ordercore_domain::model::{NewWebhookEndpoint, Secret, WebhookUrl};
    use ordercore_domain::ports::WebhookRepository;
    store
        .create_endpoint(
            &NewWebhookEndpoint {
                url: WebhookUrl::parse("https://hooks.test/in").unwrap(),
                events: None,
                secret: Secret::new("whsec_topsecret".into()),
            },
            t0(),
        )
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Raw {
        #[diesel(sql_type = diesel::sql_types::Text)]
        secret_sealed: String,
    }
    let mut c = store.pool().get().unwrap();
    let raw = diesel::sql_query("SELECT secret_sealed FROM webhook_endpoints")
        .load::<Raw>(&mut *c)
        .unwrap();
    drop(c);
    assert!(!raw[0].secret_sealed.contains("topsecret"));
    assert!(!raw[0].secret_sealed.is_empty());
    let demo = seed_demo(store).await;
    store
        .create_submitted(
            &new_order(&demo, false),
            &crate::fixtures::outbox_email(&demo, t0()),
            t0(),
        )
        .await
        .unwrap();
    let now = t0() + Duration::seconds(1);
    let d = store.claim_due_deliveries(now, now, 10).await.unwrap();
    assert_eq!(d[0].secret.expose(), "whsec_topsecret");
    assert_eq!(d[0].url, "https://hooks.test/in");
}
