//! Port implementations on [`crate::Store`], one module per port family.

mod catalog;
mod identity;
mod orders;
mod outbox;
mod platform;

pub(crate) use catalog::insert_payment_method;
pub(crate) use identity::ensure_user;
