//! `Authenticate`, `Principal::acting_as`, `CreateSession`, `DestroySession`
//! (contract §3 steps 5–6, §6).

use crate::fixtures::*;
use chrono::{DateTime, Duration, Utc};
use mockall::predicate::eq;
use ordercore_domain::StoreError;
use ordercore_domain::model::{
    Application, ApplicationId, ApplicationSlug, ClientId, Role, Session, SessionId, User,
    UserAccount, UserId, UserRoles,
};
use ordercore_domain::ports::{
    MockApplicationRepository, MockPasswordHasher, MockSessionStore, MockTokenGenerator,
    MockUserRepository, NewSession,
};
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::{
    AuthError, Authenticate, CreateSession, CreateSessionError, DestroySession, IdentityPorts,
    Principal, PrincipalKind,
};
use std::sync::Arc;

const TOKEN: &str = "clear-token-of-256-bits";
const DIGEST: &str = "sha256-of-token";
const USER: UserId = UserId(70);
const SESSION: SessionId = SessionId(500);

pub fn application(slug: ApplicationSlug, token_role: Role) -> Application {
    Application {
        id: ApplicationId(1),
        slug,
        name: slug.as_str().into(),
        token_role,
    }
}

pub fn user() -> User {
    User {
        id: USER,
        email: email("ann@example.com"),
    }
}

pub fn client_roles() -> UserRoles {
    UserRoles {
        client: Some(client()),
        ..UserRoles::default()
    }
}

fn session(created_at: DateTime<Utc>, last_used_at: DateTime<Utc>) -> Session {
    Session {
        id: SESSION,
        user_id: USER,
        application: ApplicationSlug::Planoorder,
        created_at,
        last_used_at,
        remember_me: false,
        revoked_at: None,
    }
}

fn tokens() -> MockTokenGenerator {
    let mut t = MockTokenGenerator::new();
    t.expect_digest()
        .withf(|token| token == TOKEN)
        .returning(|_| DIGEST.into());
    t
}

#[derive(Default)]
struct AuthMocks {
    sessions: MockSessionStore,
    applications: MockApplicationRepository,
    users: MockUserRepository,
}

impl AuthMocks {
    fn session_found(&mut self, s: Option<Session>) {
        self.sessions
            .expect_find_by_token_digest()
            .withf(|d| d == DIGEST)
            .times(1)
            .return_once(move |_| Ok(s));
    }

    fn user_found(&mut self) {
        self.users
            .expect_find_user()
            .with(eq(USER))
            .times(1)
            .returning(|_| Ok(Some(user())));
        self.users
            .expect_roles()
            .with(eq(USER))
            .times(1)
            .returning(|_| Ok(client_roles()));
    }

    fn no_user_lookup(&mut self) {
        self.users.expect_find_user().never();
        self.users.expect_roles().never();
        self.sessions.expect_touch().never();
    }

    fn touched(&mut self, expected: bool) {
        let e = self.sessions.expect_touch();
        if expected {
            e.with(eq(SESSION), eq(now()))
                .times(1)
                .returning(|_, _| Ok(()));
        } else {
            e.never();
        }
    }

    async fn run(self) -> Result<Principal, AuthError> {
        Authenticate::new(
            Arc::new(self.sessions),
            Arc::new(self.applications),
            Arc::new(self.users),
            Arc::new(tokens()),
            clock(),
        )
        .run(TOKEN)
        .await
    }
}

/// A session that is valid at `now()`, with the touch it should cause.
async fn valid(s: Session, touch: bool) -> Session {
    let mut m = AuthMocks::default();
    m.session_found(Some(s));
    m.applications.expect_find_by_token_digest().never();
    m.user_found();
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
    m.no_user_lookup();
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
    m.no_user_lookup();
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
    m.no_user_lookup();
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
    m.session_found(Some(session(now(), now())));
    m.users.expect_find_user().times(1).returning(|_| Ok(None));
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::Unexpected(_)), "{e:?}");
}

#[tokio::test]
async fn a_storage_failure_is_unexpected() {
    let mut m = AuthMocks::default();
    m.sessions
        .expect_find_by_token_digest()
        .times(1)
        .returning(|_| Err(StoreError::Backend("down".into())));
    m.applications.expect_find_by_token_digest().never();
    let e = m.run().await.unwrap_err();
    assert!(matches!(e, AuthError::Unexpected(_)), "{e:?}");
}

// ---- Principal --------------------------------------------------------------

fn principal(roles: UserRoles) -> Principal {
    Principal {
        kind: PrincipalKind::Session {
            session: session(now(), now()),
            user: user(),
            roles,
        },
    }
}

#[test]
fn acting_as_for_each_application_and_role_combination() {
    use ApplicationSlug::*;
    let liaison_clients = vec![ClientId(3), ClientId(4)];
    let client_only = client_roles();
    let employee_only = UserRoles {
        employee: true,
        ..UserRoles::default()
    };
    let liaison_only = UserRoles {
        liaison_clients: Some(liaison_clients.clone()),
        ..UserRoles::default()
    };
    let employee_and_liaison = UserRoles {
        employee: true,
        liaison_clients: Some(liaison_clients.clone()),
        ..UserRoles::default()
    };
    let client_and_employee = UserRoles {
        client: Some(client()),
        employee: true,
        ..UserRoles::default()
    };
    let as_client = Some((Role::Client, Actor::Client(CLIENT)));
    let as_employee = Some((Role::Employee, Actor::Employee));
    let as_liaison = Some((Role::Liaison, Actor::Liaison(liaison_clients)));
    let cases = [
        (&client_only, Planoauth, None),
        (&client_only, Planoorder, as_client.clone()),
        (&client_only, Planox2, None),
        (&employee_only, Planoauth, None),
        (&employee_only, Planoorder, None),
        (&employee_only, Planox2, as_employee.clone()),
        (&liaison_only, Planoauth, None),
        (&liaison_only, Planoorder, None),
        (&liaison_only, Planox2, as_liaison.clone()),
        (&employee_and_liaison, Planox2, as_employee.clone()),
        (&client_and_employee, Planoorder, as_client),
        (&client_and_employee, Planox2, as_employee),
        (&UserRoles::default(), Planoauth, None),
        (&UserRoles::default(), Planoorder, None),
        (&UserRoles::default(), Planox2, None),
    ];
    for (roles, app, expected) in cases {
        assert_eq!(
            principal(roles.clone()).acting_as(app),
            expected,
            "{roles:?} in {app:?}"
        );
    }
}

#[test]
fn an_application_token_acts_in_its_configured_role_in_its_own_application_only() {
    use ApplicationSlug::*;
    let app = |slug, role| Principal {
        kind: PrincipalKind::Application(application(slug, role)),
    };
    assert_eq!(
        app(Planox2, Role::Employee).acting_as(Planox2),
        Some((Role::Employee, Actor::Employee))
    );
    assert_eq!(
        app(Planox2, Role::Liaison).acting_as(Planox2),
        Some((Role::Liaison, Actor::Liaison(Vec::new())))
    );
    assert_eq!(app(Planoorder, Role::Client).acting_as(Planoorder), None);
    assert_eq!(app(Planox2, Role::Employee).acting_as(Planoorder), None);
    assert_eq!(app(Planox2, Role::Employee).acting_as(Planoauth), None);
    assert!(app(Planoauth, Role::Client).has_role_record());
    assert!(app(Planoauth, Role::Client).session().is_none());
}

#[test]
fn a_session_needs_a_role_record() {
    assert!(!principal(UserRoles::default()).has_role_record());
    assert!(principal(client_roles()).has_role_record());
    assert!(
        principal(UserRoles {
            employee: true,
            ..UserRoles::default()
        })
        .has_role_record()
    );
    assert!(
        principal(UserRoles {
            liaison_clients: Some(Vec::new()),
            ..UserRoles::default()
        })
        .has_role_record()
    );
    assert_eq!(
        principal(client_roles()).default_application(),
        ApplicationSlug::Planoorder
    );
}

// ---- CreateSession ----------------------------------------------------------

const PASSWORD: &str = "correct horse";
const PHC: &str = "$argon2id$v=19$stored";

fn account(password_hash: Option<&str>, roles: UserRoles) -> UserAccount {
    UserAccount {
        user: user(),
        password_hash: password_hash.map(str::to_string),
        roles,
    }
}

#[derive(Default)]
struct SessionMocks {
    users: MockUserRepository,
    applications: MockApplicationRepository,
    sessions: MockSessionStore,
    hasher: MockPasswordHasher,
    tokens: MockTokenGenerator,
}

impl SessionMocks {
    fn account_found(&mut self, a: Option<UserAccount>) {
        self.users
            .expect_find_account_by_email()
            .withf(|e| e.as_str() == "ann@example.com")
            .times(1)
            .return_once(move |_| Ok(a));
    }

    fn password_checked(&mut self, ok: bool) {
        self.hasher
            .expect_verify()
            .withf(|p, phc| p == PASSWORD && phc == PHC)
            .times(1)
            .return_const(ok);
    }

    fn no_session(&mut self) {
        self.sessions.expect_create().never();
        self.tokens.expect_new_token().never();
    }

    async fn run(
        self,
        remember_me: bool,
    ) -> Result<ordercore_domain::usecases::CreatedSession, CreateSessionError> {
        CreateSession::new(IdentityPorts {
            users: Arc::new(self.users),
            applications: Arc::new(self.applications),
            sessions: Arc::new(self.sessions),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            clock: clock(),
        })
        .run(
            &email("Ann@Example.com"),
            PASSWORD,
            ApplicationSlug::Planoorder,
            remember_me,
        )
        .await
    }
}

/// Expects a new session to be stored under the token's digest only.
pub fn session_opened(
    sessions: &mut MockSessionStore,
    tokens: &mut MockTokenGenerator,
    app: ApplicationSlug,
    remember_me: bool,
) {
    tokens
        .expect_new_token()
        .times(1)
        .returning(|| TOKEN.into());
    tokens
        .expect_digest()
        .withf(|t| t == TOKEN)
        .times(1)
        .returning(|_| DIGEST.into());
    sessions
        .expect_create()
        .withf(move |s: &NewSession| {
            s.user_id == USER
                && s.application == app
                && s.token_digest == DIGEST
                && s.remember_me == remember_me
                && s.created_at == now()
                && !format!("{s:?}").contains(TOKEN)
        })
        .times(1)
        .returning(|s| {
            Ok(Session {
                id: SESSION,
                user_id: s.user_id,
                application: s.application,
                created_at: s.created_at,
                last_used_at: s.created_at,
                remember_me: s.remember_me,
                revoked_at: None,
            })
        });
}

#[tokio::test]
async fn create_session_refuses_an_unknown_email() {
    let mut m = SessionMocks::default();
    m.account_found(None);
    m.hasher.expect_verify().never();
    m.no_session();
    let e = m.run(false).await.unwrap_err();
    assert!(matches!(e, CreateSessionError::EmailNotFound), "{e:?}");
}

#[tokio::test]
async fn create_session_refuses_a_user_without_password() {
    let mut m = SessionMocks::default();
    m.account_found(Some(account(None, client_roles())));
    m.hasher.expect_verify().never();
    m.no_session();
    let e = m.run(false).await.unwrap_err();
    assert!(matches!(e, CreateSessionError::UserHasNoPassword), "{e:?}");
}

#[tokio::test]
async fn create_session_refuses_a_wrong_password() {
    let mut m = SessionMocks::default();
    m.account_found(Some(account(Some(PHC), client_roles())));
    m.password_checked(false);
    m.applications.expect_find_by_slug().never();
    m.no_session();
    let e = m.run(false).await.unwrap_err();
    assert!(matches!(e, CreateSessionError::InvalidPassword), "{e:?}");
}

#[tokio::test]
async fn create_session_refuses_a_user_without_a_role_record() {
    let mut m = SessionMocks::default();
    m.account_found(Some(account(Some(PHC), UserRoles::default())));
    m.password_checked(true);
    m.applications.expect_find_by_slug().never();
    m.no_session();
    let e = m.run(false).await.unwrap_err();
    assert!(matches!(e, CreateSessionError::UserRequiresRole), "{e:?}");
}

#[tokio::test]
async fn create_session_refuses_an_unknown_application() {
    let mut m = SessionMocks::default();
    m.account_found(Some(account(Some(PHC), client_roles())));
    m.password_checked(true);
    m.applications
        .expect_find_by_slug()
        .with(eq(ApplicationSlug::Planoorder))
        .times(1)
        .returning(|_| Ok(None));
    m.no_session();
    let e = m.run(false).await.unwrap_err();
    assert!(matches!(e, CreateSessionError::UnknownApplication), "{e:?}");
}

#[tokio::test]
async fn create_session_stores_the_digest_and_returns_the_token() {
    for remember_me in [false, true] {
        let mut m = SessionMocks::default();
        m.account_found(Some(account(Some(PHC), client_roles())));
        m.password_checked(true);
        m.applications
            .expect_find_by_slug()
            .with(eq(ApplicationSlug::Planoorder))
            .times(1)
            .returning(|s| Ok(Some(application(s, Role::Client))));
        session_opened(
            &mut m.sessions,
            &mut m.tokens,
            ApplicationSlug::Planoorder,
            remember_me,
        );
        let created = m.run(remember_me).await.unwrap();
        assert_eq!(created.token, TOKEN);
        assert_eq!(created.session.id, SESSION);
        assert_eq!(created.session.remember_me, remember_me);
        assert_eq!(created.user, user());
        assert_eq!(created.roles, client_roles());
    }
}

// ---- DestroySession ---------------------------------------------------------

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
