//! The `ordercore` binary as a library: configuration, wiring and the
//! subcommands, so that each piece is unit-tested. `main.rs` only parses the
//! command line and reports errors.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod data_key;
pub mod database;
pub mod telemetry;
pub mod webhooks;
pub mod wiring;
pub mod workers;
