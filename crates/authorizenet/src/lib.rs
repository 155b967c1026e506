//! The payment processor adapters of ordercore, both implementing
//! [`ordercore_domain::ports::PaymentGateway`]:
//!
//! - [`AuthorizeNetGateway`]: the Authorize.net JSON API over reqwest (contract §9);
//! - [`SimulatedGateway`]: the in-memory test-mode processor that answers like
//!   the Authorize.net sandbox.
//!
//! Every processor answer becomes a domain outcome in one place,
//! [`mapping::map_reply`]. Secrets (transaction key, card number, CVC) are
//! only exposed while a request body is serialized and never logged.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
mod gateway;
mod log;
mod lookup;
pub mod mapping;
pub mod replies;
mod requests;
pub mod simulated;

pub use config::{AuthorizeNetConfig, Endpoint, InvalidEndpoint, ValidationMode};
pub use gateway::AuthorizeNetGateway;
pub use simulated::SimulatedGateway;
