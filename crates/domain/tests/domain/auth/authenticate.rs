//! `Authenticate`: token lookup, session age and idle limits, remember-me, touch throttling.

use super::*;

/// A session that is valid at `now()`, with the touch it should cause.
async fn valid(s: Session, touch: bool) -> Session {
    let mut m = AuthMocks::default();
    m.session_found(Some(s));
    m.applications.expect_find_by_token_digest().never();
    m.touched(touch);
    let p = m.run().await.unwrap();
    let (session, user_found, roles) = p.session().unwrap();
    assert_eq!(user_found, &user());
    assert_eq!(roles, &client_roles());
    session.clone()
}

async fn expired(s: Session) {
    let mut m = AuthMocks::default();
    m.session_found(Some(s));
    m.no_touch();
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::SessionExpired), "{e:?}");
}

#[tokio::test]
async fn an_unknown_token_is_invalid() {
    let mut m = AuthMocks::default();
    m.session_found(None);
    m.applications
        .expect_find_by_token_digest()
        .withf(|d| d == DIGEST)
        .times(1)
        .returning(|_| Ok(None));
    m.no_touch();
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::InvalidToken), "{e:?}");
}

#[tokio::test]
async fn an_application_token_is_that_application() {
    let mut m = AuthMocks::default();
    m.session_found(None);
    m.applications
        .expect_find_by_token_digest()
        .withf(|d| d == DIGEST)
        .times(1)
        .returning(|_| Ok(Some(application(ApplicationSlug::Planox2, Role::Employee))));
    m.no_touch();
    let p = m.run().await.unwrap();
    assert_eq!(
        p.kind,
        PrincipalKind::Application(application(ApplicationSlug::Planox2, Role::Employee))
    );
    assert_eq!(p.default_application(), ApplicationSlug::Planox2);
}

#[tokio::test]
async fn a_session_older_than_seven_days_is_expired() {
    let s = session(
        now() - Duration::days(7) - Duration::seconds(1),
        now() - Duration::hours(1),
    );
    expired(s).await;
}

#[tokio::test]
async fn a_session_exactly_seven_days_old_is_valid() {
    let s = session(now() - Duration::days(7), now() - Duration::hours(1));
    valid(s, true).await;
}

#[tokio::test]
async fn a_session_idle_more_than_72_hours_is_expired() {
    let s = session(
        now() - Duration::days(5),
        now() - Duration::hours(72) - Duration::seconds(1),
    );
    expired(s).await;
}

#[tokio::test]
async fn a_session_idle_exactly_72_hours_is_valid() {
    let s = session(now() - Duration::days(5), now() - Duration::hours(72));
    valid(s, true).await;
}

#[tokio::test]
async fn a_revoked_session_is_expired_even_with_remember_me() {
    let s = Session {
        revoked_at: Some(now() - Duration::seconds(1)),
        remember_me: true,
        ..session(now() - Duration::minutes(5), now() - Duration::minutes(1))
    };
    expired(s).await;
}

#[tokio::test]
async fn a_remember_me_session_never_ages() {
    let s = Session {
        remember_me: true,
        ..session(now() - Duration::days(400), now() - Duration::days(300))
    };
    valid(s, true).await;
}

#[tokio::test]
async fn last_used_at_is_refreshed_at_most_once_a_minute() {
    let recent = session(now() - Duration::hours(1), now() - Duration::seconds(59));
    let s = valid(recent.clone(), false).await;
    assert_eq!(s.last_used_at, recent.last_used_at);

    let minute = session(now() - Duration::hours(1), now() - Duration::minutes(1));
    let s = valid(minute, true).await;
    assert_eq!(s.last_used_at, now());
}

#[tokio::test]
async fn a_session_without_its_user_is_unexpected() {
    let mut m = AuthMocks::default();
    m.session_with(Some(SessionWithUser {
        session: session(now(), now()),
        user: None,
        roles: UserRoles::default(),
    }));
    m.no_touch();
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn a_storage_failure_is_unexpected() {
    let mut m = AuthMocks::default();
    m.sessions
        .expect_find_with_user()
        .times(1)
        .returning(|_| Err(StoreError::Backend("down".into())));
    m.applications.expect_find_by_token_digest().never();
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::Unexpected(_)), "{e:?}");
}

mod reading_an_order {
    //! `Authenticate::run_reading_order`: the session and the order in one
    //! look-up, judged as `run` judges the session alone.
    use super::*;
    use ordercore_domain::model::{Order, OrderId};

    const ORDER: OrderId = OrderId(31);

    fn order() -> Order {
        stored_order(client().id)
    }

    fn authenticate(
        sessions: MockSessionStore,
        applications: MockApplicationRepository,
    ) -> Authenticate {
        Authenticate::new(
            Arc::new(sessions),
            Arc::new(applications),
            Arc::new(tokens()),
            clock(),
        )
    }

    /// The one look-up of token and order; no other session look-up.
    fn found(found: Option<SessionWithUser>, order: Option<Order>) -> MockSessionStore {
        let mut sessions = MockSessionStore::new();
        sessions
            .expect_find_with_user_and_order()
            .withf(|d, id| d == DIGEST && *id == ORDER)
            .times(1)
            .return_once(move |_, _| Ok((found, order)));
        sessions.expect_find_with_user().never();
        sessions.expect_find_by_token_digest().never();
        sessions
    }

    fn with_user(s: Session) -> SessionWithUser {
        SessionWithUser {
            session: s,
            user: Some(user()),
            roles: client_roles(),
        }
    }

    #[tokio::test]
    async fn a_valid_session_comes_with_the_order_it_read() {
        let mut sessions = found(
            Some(with_user(session(
                now() - Duration::hours(2),
                now() - Duration::hours(1),
            ))),
            Some(order()),
        );
        sessions
            .expect_touch()
            .with(eq(SESSION), eq(now()))
            .times(1)
            .returning(|_, _| Ok(()));
        let mut applications = MockApplicationRepository::new();
        applications.expect_find_by_token_digest().never();
        let (p, read) = authenticate(sessions, applications)
            .run_reading_order(TOKEN, ORDER)
            .await
            .unwrap();
        let (s, u, _) = p.session().unwrap();
        assert_eq!((s.id, s.last_used_at, u), (SESSION, now(), &user()));
        assert_eq!(read, Some(order()));
    }

    #[tokio::test]
    async fn an_expired_session_is_refused_and_its_order_dropped() {
        let mut sessions = found(
            Some(with_user(session(
                now() - Duration::days(8),
                now() - Duration::hours(1),
            ))),
            Some(order()),
        );
        sessions.expect_touch().never();
        let e = authenticate(sessions, MockApplicationRepository::new())
            .run_reading_order(TOKEN, ORDER)
            .await
            .unwrap_err();
        assert!(matches!(e, AuthError::SessionExpired), "{e:?}");
    }

    #[tokio::test]
    async fn without_a_session_the_token_may_still_be_an_application_s() {
        let mut applications = MockApplicationRepository::new();
        applications
            .expect_find_by_token_digest()
            .withf(|d| d == DIGEST)
            .times(1)
            .returning(|_| Ok(Some(application(ApplicationSlug::Planox2, Role::Employee))));
        let (p, read) = authenticate(found(None, None), applications)
            .run_reading_order(TOKEN, ORDER)
            .await
            .unwrap();
        assert!(matches!(p.kind, PrincipalKind::Application(_)));
        assert_eq!(read, None);
    }
}
