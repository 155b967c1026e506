//! Mandrill mailer against a stub HTTP server replaying recorded replies
//! (the workspace's `tests/fixtures/mandrill/`), plus the log mailer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod capture;
mod log_mailer;
mod replies;
mod support;
mod transport;
