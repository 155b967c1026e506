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
    MockUserRepository, NewSession, SessionWithUser,
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
}

impl AuthMocks {
    /// The one look-up of the token: the session with its user and roles.
    fn session_found(&mut self, s: Option<Session>) {
        self.session_with(s.map(|session| SessionWithUser {
            session,
            user: Some(user()),
            roles: client_roles(),
        }));
    }

    fn session_with(&mut self, found: Option<SessionWithUser>) {
        self.sessions
            .expect_find_with_user()
            .withf(|d| d == DIGEST)
            .times(1)
            .return_once(move |_| Ok(found));
        self.sessions.expect_find_by_token_digest().never();
    }

    fn no_touch(&mut self) {
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
            Arc::new(tokens()),
            clock(),
        )
        .run(TOKEN)
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

mod authenticate;
mod create_session;
mod destroy_session;
mod principal;
