//! ordercore-http integration tests: the pipeline of contract §3 in-process
//! (`actix_web::test`), every status slug of contract §4, the generated
//! documentation, and whole flows over a real socket. Storage is
//! ordercore-store on a temporary SQLite file; the processor is the simulated
//! gateway (with scripted failures); the mailer is the log mailer (with a
//! failure switch); ports are swapped for mockall mocks where a test needs a
//! failure no real adapter produces on demand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod console;
mod conventions;
mod docs;
mod examples;
mod flows;
mod hardening;
mod mail_failure;
mod pipeline;
mod properties;
mod rate_limits;
mod seed_example;
mod slugs;
mod snapshots;
mod support;
mod unknown_outcome;
mod webhooks;
