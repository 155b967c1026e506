//! ordercore-mandrill: the e-mail side of ordercore.
//!
//! - [`MandrillMailer`] sends order confirmations through Mandrill's
//!   `messages/send` API and turns every reply into `Ok(())` or a precise
//!   [`MailError`](ordercore_domain::ports::MailError) (see [`classify_reply`]).
//! - [`LogMailer`] writes the same e-mail to the log: the development default.
//! - [`render_order_confirmation`] renders the subject, text and HTML bodies
//!   from the templates in `crates/mandrill/templates/`, for both mailers.
//!
//! The API key lives in a [`Secret`](ordercore_domain::model::Secret) and is
//! read only where the request body is built; neither it nor the message body
//! ever reaches a log line or an error.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod classify;
mod config;
mod log_mailer;
mod mailer;
mod render;
mod wire;

pub use classify::{Accepted, MandrillReply, RETRYABLE_API_ERRORS, classify_reply};
pub use config::MandrillConfig;
pub use log_mailer::LogMailer;
pub use mailer::MandrillMailer;
pub use render::{RenderedEmail, format_appointment_window, render_order_confirmation};
