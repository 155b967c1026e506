//! Port implementations on [`crate::Store`], one module per resource, named
//! as in every other layer (see docs/architecture.md).

mod authorization_expiry;
mod backlog;
mod catalog;
mod events;
mod idempotency;
pub(crate) mod identity;
mod notifications;
pub(crate) mod orders;
pub(crate) mod outbox;
mod payment_methods;
mod payments;
pub(crate) mod pending;
mod pg_statement;
mod promotions;
mod registry;
mod submission;

pub use backlog::Backlog;
pub(crate) use catalog::CatalogCache;
pub(crate) use events::{reseal_events, reseal_secrets as reseal_webhook_secrets};
pub(crate) use identity::ensure_user;
pub(crate) use orders::OrderIds;
pub(crate) use payment_methods::insert_payment_method;
pub(crate) use pending::PendingInstants;
