//! Use case tests of ordercore-domain: every outcome of every use case, with
//! the mockall mocks of the ports, asserting the calls made on them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod submit_order;
