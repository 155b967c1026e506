//! `DestroySession`: sign-out.

use super::*;

#[tokio::test]
async fn destroy_session_revokes_the_calling_session() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_revoke()
        .with(eq(SESSION), eq(now()))
        .times(1)
        .returning(|_, _| Ok(()));
    let s = session(now() - Duration::hours(1), now());
    let revoked = DestroySession::new(Arc::new(sessions), clock())
        .run(&s)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(now()));
    assert_eq!(revoked.id, SESSION);
}

#[tokio::test]
async fn destroy_session_reports_a_storage_failure() {
    let mut sessions = MockSessionStore::new();
    sessions
        .expect_revoke()
        .times(1)
        .returning(|_, _| Err(StoreError::Backend("down".into())));
    let s = session(now(), now());
    assert!(
        DestroySession::new(Arc::new(sessions), clock())
            .run(&s)
            .await
            .is_err()
    );
}
