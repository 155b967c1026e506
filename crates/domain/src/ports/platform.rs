use crate::StoreError;
use crate::model::{NewNotification, Notification};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The current instant. Every rule that depends on time takes it from here.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
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

/// A page of a list: 1-based `page`, `per_page` ≤ 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 100;

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }
}

impl Default for Page {
    fn default() -> Self {
        Page {
            page: 1,
            per_page: 25,
        }
    }
}

/// The staff "production notifications tab".
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// Stores a notification created at `now`.
    async fn record(
        &self,
        notification: &NewNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, StoreError>;
    /// Newest first.
    async fn list(&self, page: Page) -> Result<Vec<Notification>, StoreError>;
}

/// A route's registry record (contract §3 step 2): operators switch routes and
/// whole API services off at run time through the `deployed` flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRecord {
    /// `resource/action`, e.g. `orders/authorize_and_submit`.
    pub route: String,
    pub deployed: bool,
    /// `None` when the route's API service record is missing.
    pub service: Option<ApiServiceRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiServiceRecord {
    /// e.g. `orders`.
    pub name: String,
    pub deployed: bool,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RouteRegistry: Send + Sync {
    /// The record of `route` and its service; `None` when there is no record.
    async fn lookup(&self, route: &str) -> Result<Option<RouteRecord>, StoreError>;
    /// Every route record, by name.
    async fn list_routes(&self) -> Result<Vec<RouteRecord>, StoreError>;
    /// Every API service record, by name.
    async fn list_services(&self) -> Result<Vec<ApiServiceRecord>, StoreError>;
    /// Adds missing records (deployed) for `(route, service)` pairs; existing
    /// records keep their flags. Idempotent.
    async fn register(&self, routes: &[(String, String)]) -> Result<(), StoreError>;
    /// False when there is no such route.
    async fn set_route_deployed(&self, route: &str, deployed: bool) -> Result<bool, StoreError>;
    /// False when there is no such service.
    async fn set_service_deployed(&self, service: &str, deployed: bool)
    -> Result<bool, StoreError>;
}

/// What `IdempotencyStore::begin` found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// No live record: one was created, marked running; the caller must
    /// `complete` (or `abandon`) it.
    Started,
    /// The first request finished with this response: replay it as is.
    Replay { http_status: u16, body: String },
    /// Same key with different params.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// Stored first responses for `Idempotency-Key` (contract §7), kept 24 hours.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Atomically claims `key` within `scope` (the caller's identity and the
    /// route) for a request whose params hash to `fingerprint`. Records older
    /// than 24 hours at `now` count as absent, and so do records still running
    /// after 10 minutes (their process died). Two concurrent calls with one
    /// key: exactly one gets `Started`.
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, StoreError>;
    /// Stores the response of a `Started` request.
    async fn complete(
        &self,
        scope: &str,
        key: &str,
        http_status: u16,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Forgets a `Started` record whose request produced no response to keep.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), StoreError>;
}
