//! Users, clients, applications and sessions.

use crate::fixtures::{FakeTokens, email, new_order, paid_order, seed_demo, t0};
use chrono::Duration;
use diesel::RunQueryDsl;
use ordercore_domain::StoreError;
use ordercore_domain::model::{ApplicationSlug, Billing, ClientProfile, OrderId, Role};
use ordercore_domain::ports::{
    ApplicationRepository, ClientRepository, NewClientRegistration, NewSession, OrderRepository,
    SessionStore, TokenGenerator, UserRepository,
};
use ordercore_store::Store;

contract_tests!(
    accounts_carry_hash_and_roles,
    register_client_creates_once,
    clients_store_profile_ids,
    applications_by_slug_and_token,
    sessions_lifecycle,
    session_touches_are_written_in_batches_and_only_forward,
    an_order_is_read_with_its_session,
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

/// `last_used_at` as stored, bypassing the store's pending touches.
fn stored_last_used(store: &Store, id: i64) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Raw {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        last_used_at: i64,
    }
    let mut c = store.pool().get().unwrap();
    let raw = diesel::sql_query(format!("SELECT last_used_at FROM sessions WHERE id = {id}"))
        .load::<Raw>(&mut *c)
        .unwrap();
    raw[0].last_used_at
}

async fn session_touches_are_written_in_batches_and_only_forward(store: &Store) {
    let demo = seed_demo(store).await;
    let mut ids = Vec::new();
    for digest in ["touch-1", "touch-2"] {
        let new = NewSession {
            user_id: demo.client.user_id,
            application: ApplicationSlug::Planoorder,
            token_digest: digest.into(),
            remember_me: false,
            created_at: t0(),
        };
        ids.push(store.create(&new).await.unwrap().id);
    }
    let at = |d: Duration| t0() + d;
    let micros = |d: Duration| at(d).timestamp_micros();

    // A touch is pending: the table is unchanged, this store's look-ups see it.
    store.touch(ids[0], at(Duration::minutes(2))).await.unwrap();
    store.touch(ids[1], at(Duration::minutes(3))).await.unwrap();
    store.touch(ids[0], at(Duration::minutes(1))).await.unwrap();
    assert_eq!(store.pending_touches(), 2);
    assert_eq!(stored_last_used(store, ids[0].0), t0().timestamp_micros());
    let found = store.find_with_user("touch-1").await.unwrap().unwrap();
    assert_eq!(
        found.session.last_used_at,
        at(Duration::minutes(2)),
        "the latest use, not the last call"
    );
    // The look-up with an order sees it too (no order 999 999: `None`).
    let (found, order) = store
        .find_with_user_and_order("touch-1", OrderId(999_999))
        .await
        .unwrap();
    assert_eq!(
        found.map(|f| f.session.last_used_at),
        Some(at(Duration::minutes(2)))
    );
    assert_eq!(order, None);
    let (found, _) = store
        .find_with_user_and_order("unknown", OrderId(999_999))
        .await
        .unwrap();
    assert_eq!(found, None);
    let found = SessionStore::find_by_token_digest(store, "touch-2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.last_used_at, at(Duration::minutes(3)));

    // One flush writes both, to the microsecond.
    let later = Duration::minutes(5) + Duration::microseconds(7);
    store.touch(ids[1], at(later)).await.unwrap();
    assert_eq!(store.flush_touches().await.unwrap(), 2);
    assert_eq!(store.pending_touches(), 0);
    assert_eq!(store.flush_touches().await.unwrap(), 0, "nothing left");
    assert_eq!(
        stored_last_used(store, ids[0].0),
        micros(Duration::minutes(2))
    );
    assert_eq!(stored_last_used(store, ids[1].0), micros(later));

    // An earlier use written later (by another instance, say) never moves
    // it back.
    store.touch(ids[1], at(Duration::minutes(4))).await.unwrap();
    assert_eq!(store.flush_touches().await.unwrap(), 1);
    assert_eq!(stored_last_used(store, ids[1].0), micros(later));
    let found = store.find_with_user("touch-2").await.unwrap().unwrap();
    assert_eq!(found.session.last_used_at, at(later));
}

/// orders/read's look-up: the session and the order in one statement give
/// what the two look-ups give apart, for each role, with the order's newest
/// payment; a token without a session still reads the order (an
/// application's token is judged after it).
async fn an_order_is_read_with_its_session(store: &Store) {
    let demo = seed_demo(store).await;
    for who in ["client", "liaison", "staff"] {
        let account = store
            .find_account_by_email(&email(&format!("{who}@example.com")))
            .await
            .unwrap()
            .unwrap();
        let new = NewSession {
            user_id: account.user.id,
            application: ApplicationSlug::Planox2,
            token_digest: format!("read-{who}"),
            remember_me: false,
            created_at: t0(),
        };
        store.create(&new).await.unwrap();
    }
    let paid = paid_order(store, &demo, true, "tx-1", t0()).await;
    let unpaid = store
        .create_pending(&new_order(&demo, false), t0())
        .await
        .unwrap();
    // A second payment row: the order shows the newest.
    let mut c = store.pool().get().unwrap();
    diesel::sql_query(format!(
        "INSERT INTO payments (order_id, kind, status, amount_cents, transaction_id, brand, \
                               last4, payment_method_id, created_at, updated_at) \
         VALUES ({}, 'authorization', 'authorized', 18000, 'tx-2', 'visa', '1111', {}, 1, 1)",
        paid.id.0, demo.card.id.0
    ))
    .execute(&mut *c)
    .unwrap();
    drop(c);
    let newest = OrderRepository::find(store, paid.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(newest.payment.as_ref().unwrap().transaction_id, "tx-2");

    for who in ["client", "liaison", "staff"] {
        let digest = format!("read-{who}");
        let alone = store.find_with_user(&digest).await.unwrap();
        assert!(alone.as_ref().is_some_and(|s| s.user.is_some()), "{who}");
        for id in [paid.id, unpaid.id] {
            let (found, order) = store.find_with_user_and_order(&digest, id).await.unwrap();
            assert_eq!(found, alone, "{who}'s session, reading order {}", id.0);
            assert_eq!(order, OrderRepository::find(store, id).await.unwrap());
        }
        let (found, order) = store
            .find_with_user_and_order(&digest, OrderId(999_999))
            .await
            .unwrap();
        assert_eq!((found, order), (alone, None), "{who}, no such order");
    }
    let (_, order) = store
        .find_with_user_and_order("read-client", paid.id)
        .await
        .unwrap();
    assert_eq!(order.as_ref(), Some(&newest));
    let (_, order) = store
        .find_with_user_and_order("read-client", unpaid.id)
        .await
        .unwrap();
    assert_eq!(order.unwrap().payment, None);

    let (found, order) = store
        .find_with_user_and_order("no-session", paid.id)
        .await
        .unwrap();
    assert_eq!((found, order.as_ref()), (None, Some(&newest)));
}
