//! Identity: users, clients, applications, sessions, and the secrets that
//! prove them (session tokens, password hashes).

use crate::StoreError;
use crate::model::{
    Application, ApplicationSlug, Client, ClientId, ClientProfile, Email, Order, OrderId, Session,
    SessionId, User, UserAccount, UserId, UserRoles,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A client registration to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClientRegistration {
    pub email: Email,
    /// Set on a newly created user; an existing user's hash is kept unless it
    /// had none.
    pub password_hash: String,
    pub profile: ClientProfile,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// The user with this e-mail (case-insensitive), with hash and roles.
    async fn find_account_by_email(&self, email: &Email)
    -> Result<Option<UserAccount>, StoreError>;
    async fn find_user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    /// The role records of a user (empty when none).
    async fn roles(&self, user: UserId) -> Result<UserRoles, StoreError>;
    /// In one transaction: the user with this e-mail (created when missing)
    /// and a client record for it. `Conflict` when the user already has a
    /// client record (a concurrent registration won).
    async fn register_client(
        &self,
        registration: &NewClientRegistration,
        now: DateTime<Utc>,
    ) -> Result<(User, Client), StoreError>;
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ClientRepository: Send + Sync {
    async fn find_client(&self, id: ClientId) -> Result<Option<Client>, StoreError>;
    /// Stores the processor customer profile id of a client.
    async fn set_customer_profile_id(
        &self,
        id: ClientId,
        customer_profile_id: &str,
    ) -> Result<(), StoreError>;
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ApplicationRepository: Send + Sync {
    async fn find_by_slug(&self, slug: ApplicationSlug) -> Result<Option<Application>, StoreError>;
    /// The application whose server-to-server token has this digest.
    async fn find_by_token_digest(&self, digest: &str) -> Result<Option<Application>, StoreError>;
}

/// A session to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub user_id: UserId,
    pub application: ApplicationSlug,
    pub token_digest: String,
    pub remember_me: bool,
    pub created_at: DateTime<Utc>,
}

/// A session found by its token, with what authenticating it needs: its
/// user (`None` only for a corrupt row) and the user's role records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: Option<User>,
    pub roles: UserRoles,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create(&self, session: &NewSession) -> Result<Session, StoreError>;
    /// The session (revoked or not) whose token has this digest.
    async fn find_by_token_digest(&self, digest: &str) -> Result<Option<Session>, StoreError>;
    /// [`SessionStore::find_by_token_digest`] with the session's user and
    /// roles, in one look-up (every authenticated request makes it).
    async fn find_with_user(&self, digest: &str) -> Result<Option<SessionWithUser>, StoreError>;
    /// [`SessionStore::find_with_user`] and the order `order` (whoever may
    /// see it), in one look-up: orders/read needs both, and each look-up
    /// the store hands to the database is the read's largest cost
    /// (docs/operations.md). The order comes back whether or not a session
    /// has this token (an application's token reads orders too).
    async fn find_with_user_and_order(
        &self,
        digest: &str,
        order: OrderId,
    ) -> Result<(Option<SessionWithUser>, Option<Order>), StoreError>;
    /// Records that the session was used at `at` (`last_used_at`, which
    /// never moves back). An adapter may write it later, in a batch, as long
    /// as its own look-ups see it at once (the store does: docs/storage.md).
    async fn touch(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Marks the session revoked at `at` (idempotent).
    async fn revoke(&self, id: SessionId, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Session tokens: generation and the one-way digest that is stored.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TokenGenerator: Send + Sync {
    /// A new random token of at least 256 bits, URL-safe text.
    fn new_token(&self) -> String;
    /// The SHA-256 digest (hex) under which a token is stored and looked up.
    fn digest(&self, token: &str) -> String;
}

/// Password hashing (argon2id). Slow on purpose, so async: adapters run it off
/// the request threads.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password`.
    async fn hash(&self, password: &str) -> Result<String, crate::Unexpected>;
    /// True when `password` matches `phc`; false for a mismatch or an
    /// unreadable hash.
    async fn verify(&self, password: &str, phc: &str) -> bool;
}
