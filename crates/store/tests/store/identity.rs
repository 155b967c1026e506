//! Users, clients, applications and sessions.

use crate::fixtures::{FakeTokens, email, seed_demo, t0};
use chrono::Duration;
use ordercore_domain::StoreError;
use ordercore_domain::model::{ApplicationSlug, Billing, ClientProfile, Role};
use ordercore_domain::ports::{
    ApplicationRepository, ClientRepository, NewClientRegistration, NewSession, SessionStore,
    TokenGenerator, UserRepository,
};
use ordercore_store::Store;

contract_tests!(
    accounts_carry_hash_and_roles,
    register_client_creates_once,
    clients_store_profile_ids,
    applications_by_slug_and_token,
    sessions_lifecycle,
);

async fn accounts_carry_hash_and_roles(store: &Store) {
    let demo = seed_demo(store).await;
    let account = store
        .find_account_by_email(&email("CLIENT@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.user.email.as_str(), "client@example.com");
    assert!(account.password_hash.unwrap().starts_with("fake$"));
    assert_eq!(account.roles.names(), ["client"]);
    let client = account.roles.client.unwrap();
    assert_eq!(client, demo.client);
    assert_eq!(client.billing, Billing::Card);
    assert_eq!(client.customer_profile_id.as_deref(), Some("sim-cust-1"));

    let staff = store
        .find_account_by_email(&email("staff@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(staff.roles.names(), ["employee"]);
    let liaison = store
        .find_account_by_email(&email("liaison@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(liaison.roles.liaison_clients, Some(vec![client.id]));
    assert_eq!(store.roles(liaison.user.id).await.unwrap(), liaison.roles);

    assert_eq!(
        store.find_user(staff.user.id).await.unwrap(),
        Some(staff.user)
    );
    assert!(
        store
            .find_account_by_email(&email("nobody@example.com"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .find_user(ordercore_domain::model::UserId(999_999))
            .await
            .unwrap()
            .is_none()
    );
}

fn registration(address: &str) -> NewClientRegistration {
    NewClientRegistration {
        email: email(address),
        password_hash: "fake$new$secret".into(),
        profile: ClientProfile {
            first_name: "Ann".into(),
            last_name: "Agent".into(),
            phone: Some("555-0100".into()),
            company_name: Some("Ann Homes".into()),
            designation: Some("broker".into()),
            billing: Billing::Invoice,
        },
    }
}

async fn register_client_creates_once(store: &Store) {
    seed_demo(store).await;
    let (user, client) = store
        .register_client(&registration("ann@example.com"), t0())
        .await
        .unwrap();
    assert_eq!(client.user_id, user.id);
    assert_eq!(client.email.as_str(), "ann@example.com");
    assert_eq!(client.phone.as_deref(), Some("555-0100"));
    assert_eq!(client.billing, Billing::Invoice);
    let again = store
        .register_client(&registration("ann@example.com"), t0())
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // An existing user without a client record gets one and keeps its hash.
    let before = store
        .find_account_by_email(&email("staff@example.com"))
        .await
        .unwrap()
        .unwrap();
    let (user, _) = store
        .register_client(&registration("staff@example.com"), t0())
        .await
        .unwrap();
    assert_eq!(user.id, before.user.id);
    let after = store
        .find_account_by_email(&email("staff@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.password_hash, before.password_hash);
    assert_eq!(after.roles.names(), ["client", "employee"]);
}

async fn clients_store_profile_ids(store: &Store) {
    let demo = seed_demo(store).await;
    store
        .set_customer_profile_id(demo.client.id, "cust-42")
        .await
        .unwrap();
    let client = store.find_client(demo.client.id).await.unwrap().unwrap();
    assert_eq!(client.customer_profile_id.as_deref(), Some("cust-42"));
    assert!(
        store
            .find_client(ordercore_domain::model::ClientId(999_999))
            .await
            .unwrap()
            .is_none()
    );
}

async fn applications_by_slug_and_token(store: &Store) {
    seed_demo(store).await;
    let app = ApplicationRepository::find_by_slug(store, ApplicationSlug::Planox2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.token_role, Role::Employee);
    let digest = FakeTokens.digest("demo-planoorder-application-token");
    let by_token = ApplicationRepository::find_by_token_digest(store, &digest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_token.slug, ApplicationSlug::Planoorder);
    assert_eq!(by_token.token_role, Role::Client);
    assert!(
        ApplicationRepository::find_by_token_digest(store, "nope")
            .await
            .unwrap()
            .is_none()
    );
}

async fn sessions_lifecycle(store: &Store) {
    let demo = seed_demo(store).await;
    let new = NewSession {
        user_id: demo.client.user_id,
        application: ApplicationSlug::Planoorder,
        token_digest: "session-digest-1".into(),
        remember_me: true,
        created_at: t0(),
    };
    let session = store.create(&new).await.unwrap();
    assert_eq!(session.created_at, t0());
    assert_eq!(session.last_used_at, t0());
    assert!(session.remember_me);
    assert_eq!(session.revoked_at, None);
    let dup = store.create(&new).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    let later = t0() + Duration::minutes(5) + Duration::microseconds(7);
    store.touch(session.id, later).await.unwrap();
    let found = SessionStore::find_by_token_digest(store, "session-digest-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found.last_used_at, later,
        "microsecond precision round-trips"
    );
    assert_eq!(found.application, ApplicationSlug::Planoorder);

    let revoked_at = t0() + Duration::hours(1);
    store.revoke(session.id, revoked_at).await.unwrap();
    store
        .revoke(session.id, revoked_at + Duration::hours(1))
        .await
        .unwrap();
    let found = SessionStore::find_by_token_digest(store, "session-digest-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.revoked_at, Some(revoked_at), "revoke is idempotent");
    assert!(
        SessionStore::find_by_token_digest(store, "unknown")
            .await
            .unwrap()
            .is_none()
    );
}
