//! Use case tests of ordercore-domain: every outcome of every use case, with
//! the mockall mocks of the ports, asserting the calls made on them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod expiry;
mod fixtures;
mod notifications;
mod orders;
mod outbox;
mod payment_methods;
mod payments;
mod promotions;
mod reconcile;
mod register;
mod registry;
mod submit_order;
mod sweeper;
mod webhooks;
