//! `CreateSession`: sign-in outcomes and the session it records.

use super::*;

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
        self.run_in(ApplicationSlug::Planoorder, remember_me).await
    }

    async fn run_in(
        self,
        application: ApplicationSlug,
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
            application,
            remember_me,
        )
        .await
    }
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

fn employee_roles() -> UserRoles {
    UserRoles {
        employee: true,
        ..UserRoles::default()
    }
}

#[tokio::test]
async fn create_session_refuses_an_application_the_user_has_no_role_in() {
    for (roles, app) in [
        (employee_roles(), ApplicationSlug::Planoorder),
        (client_roles(), ApplicationSlug::Planox2),
    ] {
        let mut m = SessionMocks::default();
        m.account_found(Some(account(Some(PHC), roles)));
        m.password_checked(true);
        m.applications
            .expect_find_by_slug()
            .with(eq(app))
            .times(1)
            .returning(move |s| Ok(Some(application(s, Role::Employee))));
        m.no_session();
        let e = m.run_in(app, false).await.unwrap_err();
        assert!(
            matches!(e, CreateSessionError::NoRoleInApplication(a) if a == app),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn create_session_opens_a_session_where_the_user_has_a_role_and_in_planoauth() {
    for (roles, app) in [
        (employee_roles(), ApplicationSlug::Planox2),
        (employee_roles(), ApplicationSlug::Planoauth),
        (client_roles(), ApplicationSlug::Planoauth),
    ] {
        let mut m = SessionMocks::default();
        m.account_found(Some(account(Some(PHC), roles.clone())));
        m.password_checked(true);
        m.applications
            .expect_find_by_slug()
            .with(eq(app))
            .times(1)
            .returning(|s| Ok(Some(application(s, Role::Employee))));
        session_opened(&mut m.sessions, &mut m.tokens, app, false);
        let created = m.run_in(app, false).await.unwrap();
        assert_eq!(created.roles, roles);
    }
}
