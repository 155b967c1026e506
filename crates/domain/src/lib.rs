//! The middle of ordercore: order, promotion and session rules behind port traits.
//!
//! This crate performs no IO. Everything outside — databases, the payment
//! processor, the mailer, the clock, randomness — is reached through the traits
//! in [`ports`], which adapter crates implement. The compiler keeps it that way:
//! this crate cannot name diesel, actix, reqwest or tokio.
//!
//! - [`model`]: plain values whose constructors refuse bad input.
//! - [`rules`]: pure functions of their inputs and an instant.
//! - [`ports`]: one trait per outside thing, each method documenting its contract.
//! - [`usecases`]: the application services the HTTP layer calls, each returning
//!   a typed error whose variants are the outcomes of contract §4.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod crash_points;
pub mod error;
pub mod model;
pub mod ports;
pub mod rules;
pub mod usecases;

pub use error::{StoreError, Unexpected};
