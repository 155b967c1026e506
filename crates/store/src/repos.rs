//! Port implementations on [`crate::Store`], one module per port family.

mod catalog;
mod identity;
mod orders;
mod outbox;
mod platform;
