//! Identity: authenticate a token, create and destroy sessions (contract §3 steps
//! 5–6, §6, §8 sessions/*).

use crate::Unexpected;
use crate::model::{
    Application, ApplicationSlug, Email, Order, OrderId, Role, Session, User, UserRoles,
};
use crate::ports::{
    ApplicationRepository, Clock, NewSession, PasswordHasher, SessionStore, SessionWithUser,
    TokenGenerator, UserRepository,
};
use crate::rules::identity as session_rules;
use crate::rules::orders::Actor;
use std::sync::Arc;

/// Who sent a request.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum PrincipalKind {
    /// A user's session, with the user's role records.
    Session {
        session: Session,
        user: User,
        roles: UserRoles,
    },
    /// A server-to-server application token.
    Application(Application),
}

/// An authenticated request's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub kind: PrincipalKind,
}

impl Principal {
    /// The application the credential was issued for (the default of the
    /// `application` param).
    pub fn default_application(&self) -> ApplicationSlug {
        match &self.kind {
            PrincipalKind::Session { session, .. } => session.application,
            PrincipalKind::Application(app) => app.slug,
        }
    }

    pub fn session(&self) -> Option<(&Session, &User, &UserRoles)> {
        match &self.kind {
            PrincipalKind::Session {
                session,
                user,
                roles,
            } => Some((session, user, roles)),
            PrincipalKind::Application(_) => None,
        }
    }

    /// False for a session whose user has no client, employee or liaison
    /// record (→ `client-required`). Application tokens always have a role.
    pub fn has_role_record(&self) -> bool {
        match &self.kind {
            PrincipalKind::Session { roles, .. } => !roles.is_empty(),
            PrincipalKind::Application(_) => true,
        }
    }

    /// The role and actor this principal acts as in `application` (contract §6):
    /// `planoorder` acts as the user's client; `planox2` as employee, else
    /// liaison; `planoauth` acts in no role. An application token acts in the
    /// role configured on its record (a client role needs a client record, so
    /// an application token never acts as a client). `None` = no role there.
    pub fn acting_as(&self, application: ApplicationSlug) -> Option<(Role, Actor)> {
        match &self.kind {
            PrincipalKind::Session { roles, .. } => session_role(roles, application),
            PrincipalKind::Application(app) if app.slug != application => None,
            PrincipalKind::Application(app) => match app.token_role {
                Role::Employee => Some((Role::Employee, Actor::Employee)),
                Role::Liaison => Some((Role::Liaison, Actor::Liaison(Vec::new()))),
                Role::Client => None,
            },
        }
    }
}

/// The role and actor a user with `roles` acts as in `application`
/// (contract §6); `None` in `planoauth` and where the user has no role.
pub fn session_role(roles: &UserRoles, application: ApplicationSlug) -> Option<(Role, Actor)> {
    match application {
        ApplicationSlug::Planoauth => None,
        ApplicationSlug::Planoorder => roles
            .client
            .as_ref()
            .map(|c| (Role::Client, Actor::Client(c.id))),
        ApplicationSlug::Planox2 if roles.employee => Some((Role::Employee, Actor::Employee)),
        ApplicationSlug::Planox2 => roles
            .liaison_clients
            .clone()
            .map(|clients| (Role::Liaison, Actor::Liaison(clients))),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// → `invalid-token`
    #[error("the token matches no session or application")]
    InvalidToken,
    /// → `session-expired`
    #[error("the session has expired or was revoked")]
    SessionExpired,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Token → principal, applying the expiry rules and refreshing
/// `last_used_at` at most once a minute.
pub struct Authenticate {
    sessions: Arc<dyn SessionStore>,
    applications: Arc<dyn ApplicationRepository>,
    tokens: Arc<dyn TokenGenerator>,
    clock: Arc<dyn Clock>,
}

impl Authenticate {
    pub fn new(
        sessions: Arc<dyn SessionStore>,
        applications: Arc<dyn ApplicationRepository>,
        tokens: Arc<dyn TokenGenerator>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            sessions,
            applications,
            tokens,
            clock,
        }
    }

    pub async fn run(&self, token: &str) -> Result<Principal, AuthError> {
        let digest = self.tokens.digest(token);
        // One look-up: the session with its user and roles.
        let found = self
            .sessions
            .find_with_user(&digest)
            .await
            .map_err(Unexpected::from)?;
        self.judge(&digest, found).await
    }

    /// [`Authenticate::run`] for a request that reads order `id`: the
    /// session and the order come from one look-up. The order is returned
    /// whoever the principal is; the caller decides whether it may see it
    /// ([`crate::usecases::ReadOrder::visible`]).
    pub async fn run_reading_order(
        &self,
        token: &str,
        id: OrderId,
    ) -> Result<(Principal, Option<Order>), AuthError> {
        let digest = self.tokens.digest(token);
        let (found, order) = self
            .sessions
            .find_with_user_and_order(&digest, id)
            .await
            .map_err(Unexpected::from)?;
        Ok((self.judge(&digest, found).await?, order))
    }

    /// The principal of the token whose digest is `digest`, given its
    /// session look-up: the session if found and not expired (touched at
    /// most once a minute), else the application with that token.
    async fn judge(
        &self,
        digest: &str,
        found: Option<SessionWithUser>,
    ) -> Result<Principal, AuthError> {
        let now = self.clock.now();
        let Some(SessionWithUser {
            mut session,
            user,
            roles,
        }) = found
        else {
            return match self
                .applications
                .find_by_token_digest(digest)
                .await
                .map_err(Unexpected::from)?
            {
                Some(app) => Ok(Principal {
                    kind: PrincipalKind::Application(app),
                }),
                None => Err(AuthError::InvalidToken),
            };
        };
        if session_rules::is_expired(&session, now) {
            return Err(AuthError::SessionExpired);
        }
        let user =
            user.ok_or_else(|| Unexpected::new(format!("session {} has no user", session.id)))?;
        if session_rules::needs_touch(&session, now) {
            self.sessions
                .touch(session.id, now)
                .await
                .map_err(Unexpected::from)?;
            session.last_used_at = now;
        }
        Ok(Principal {
            kind: PrincipalKind::Session {
                session,
                user,
                roles,
            },
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateSessionError {
    /// → `email-not-found`
    #[error("no user has this e-mail address")]
    EmailNotFound,
    /// → `user-has-no-password`
    #[error("this user has no password set")]
    UserHasNoPassword,
    /// → `invalid-password`
    #[error("the password is not correct")]
    InvalidPassword,
    /// → `user-requires-role`
    #[error("this user has no client, employee or liaison record")]
    UserRequiresRole,
    /// → `user-requires-role`: a session in this application could do
    /// nothing (a client logging in through `planox2`, staff through
    /// `planoorder`).
    #[error("this user has no role in the application {}", .0.as_str())]
    NoRoleInApplication(ApplicationSlug),
    /// → `invalid-param` on `application`
    #[error("unknown application")]
    UnknownApplication,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// A new session, with its token in clear — shown once, never stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedSession {
    pub session: Session,
    pub user: User,
    pub roles: UserRoles,
    pub token: String,
}

/// The ports of the log-in and registration use cases.
#[derive(Clone)]
pub struct IdentityPorts {
    pub users: Arc<dyn UserRepository>,
    pub applications: Arc<dyn ApplicationRepository>,
    pub sessions: Arc<dyn SessionStore>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenGenerator>,
    pub clock: Arc<dyn Clock>,
}

impl IdentityPorts {
    /// Creates a session for `user` and returns it with its clear token.
    pub(crate) async fn open_session(
        &self,
        user: User,
        roles: UserRoles,
        application: ApplicationSlug,
        remember_me: bool,
    ) -> Result<CreatedSession, Unexpected> {
        let token = self.tokens.new_token();
        let new = NewSession {
            user_id: user.id,
            application,
            token_digest: self.tokens.digest(&token),
            remember_me,
            created_at: self.clock.now(),
        };
        let session = self.sessions.create(&new).await?;
        Ok(CreatedSession {
            session,
            user,
            roles,
            token,
        })
    }
}

/// `sessions/create`.
pub struct CreateSession(IdentityPorts);

impl CreateSession {
    pub fn new(ports: IdentityPorts) -> Self {
        Self(ports)
    }

    /// Checks, in this order: e-mail known, password set, password right,
    /// a role record, the application known, a role in that application
    /// (any user may log in through `planoauth`).
    pub async fn run(
        &self,
        email: &Email,
        password: &str,
        application: ApplicationSlug,
        remember_me: bool,
    ) -> Result<CreatedSession, CreateSessionError> {
        let account = self
            .0
            .users
            .find_account_by_email(email)
            .await
            .map_err(Unexpected::from)?
            .ok_or(CreateSessionError::EmailNotFound)?;
        let hash = account
            .password_hash
            .as_deref()
            .ok_or(CreateSessionError::UserHasNoPassword)?;
        if !self.0.hasher.verify(password, hash).await {
            return Err(CreateSessionError::InvalidPassword);
        }
        if account.roles.is_empty() {
            return Err(CreateSessionError::UserRequiresRole);
        }
        self.0
            .applications
            .find_by_slug(application)
            .await
            .map_err(Unexpected::from)?
            .ok_or(CreateSessionError::UnknownApplication)?;
        if application != ApplicationSlug::Planoauth
            && session_role(&account.roles, application).is_none()
        {
            return Err(CreateSessionError::NoRoleInApplication(application));
        }
        Ok(self
            .0
            .open_session(account.user, account.roles, application, remember_me)
            .await?)
    }
}

/// `sessions/destroy`: revokes the calling session.
pub struct DestroySession {
    sessions: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
}

impl DestroySession {
    pub fn new(sessions: Arc<dyn SessionStore>, clock: Arc<dyn Clock>) -> Self {
        Self { sessions, clock }
    }

    pub async fn run(&self, session: &Session) -> Result<Session, Unexpected> {
        let now = self.clock.now();
        self.sessions.revoke(session.id, now).await?;
        Ok(Session {
            revoked_at: Some(now),
            ..session.clone()
        })
    }
}
