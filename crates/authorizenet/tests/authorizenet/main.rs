//! The gateway adapters against a local stub of Authorize.net (wiremock)
//! replaying recorded provider replies, and the simulated processor's rules.
//! Each contract §9 row has a test here; docs/payments.md lists row → test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod live_sandbox;
mod lookups;
mod operations;
mod profiles;
mod safety;
mod simulated;
mod support;
mod transactions;
