//! One trait per outside thing, in one module per resource — the same names
//! as in [`crate::usecases`] and [`crate::rules`]. Adapters implement them; use
//! cases take them as `Arc<dyn Trait>`; tests use the mockall mocks generated
//! under the `mock` feature (`MockOrderRepository`, …).
//!
//! Where each port lives: orders ([`OrderRepository`]), payments
//! ([`PaymentGateway`]; [`AuthorizationExpiryRepository`] for the expiry
//! watch), promotions, payment_methods, catalog, identity (users,
//! clients, applications, sessions, [`TokenGenerator`], [`PasswordHasher`]),
//! notifications, registry ([`RouteRegistry`]), idempotency, outbox
//! ([`OutboxRepository`] and the [`Mailer`] that drains it), events
//! ([`EventRepository`], [`WebhookRepository`], [`WebhookSender`]). Two things belong
//! to no resource and live here, at the root: the [`Clock`] every time-dependent
//! rule reads, and [`Page`], the paging of every list; and the
//! [`SecretCipher`] the store seals secrets with at rest.
//!
//! Storage methods fail with [`crate::StoreError`]: `Conflict` only where the method
//! says so, `Backend` for everything else.

use chrono::{DateTime, Utc};

mod authorization_expiry;
mod catalog;
mod cipher;
mod events;
mod idempotency;
mod identity;
mod notifications;
mod orders;
mod outbox;
mod payment_methods;
mod payments;
mod promotions;
mod registry;
mod submission;

pub use authorization_expiry::*;
pub use catalog::*;
pub use cipher::*;
pub use events::*;
pub use idempotency::*;
pub use identity::*;
pub use notifications::*;
pub use orders::*;
pub use outbox::*;
pub use payment_methods::*;
pub use payments::*;
pub use promotions::*;
pub use registry::*;
pub use submission::*;

/// The current instant. Every rule that depends on time takes it from here.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
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
