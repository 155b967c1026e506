//! Outbox: confirmation e-mails enqueued with their order, and the [`Mailer`]
//! that sends them.

use crate::StoreError;
use crate::model::{Email, NewNotification, Order, OrderId, OutboxId};
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};

/// The e-mail a finalized order enqueues, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxEmail {
    pub recipient: Email,
    /// The outbox worker leaves the message alone until then, so the request
    /// that enqueued it can send it first.
    pub next_attempt_at: DateTime<Utc>,
}

/// An outbox row: the confirmation e-mail of `order_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub order_id: OrderId,
    pub recipient: Email,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Where an order's confirmation e-mail stands (the staff console).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailDelivery {
    pub id: OutboxId,
    pub recipient: Email,
    /// Attempts made so far (failed or not).
    pub attempts: u32,
    /// The provider's error name of the last failed attempt.
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Given up for good.
    pub failed_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// The confirmation e-mails of `order`, oldest first.
    async fn deliveries(&self, order: OrderId) -> Result<Vec<EmailDelivery>, StoreError>;
    /// Claims up to `limit` unsent messages due at `now` and pushes their next
    /// attempt to `lease_until`, so no other worker takes them meanwhile
    /// (`FOR UPDATE SKIP LOCKED` on PostgreSQL): each due message is returned
    /// to exactly one caller.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Records that message `id` was sent at `now` (a message already sent
    /// keeps its first time). It need not be written before this returns:
    /// an adapter may batch it, provided it neither lists nor hands out the
    /// message as unsent meanwhile and writes it within the outbox's grace.
    async fn mark_sent(&self, id: OutboxId, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Counts a failed attempt made at `now`. `retry_at` = `None` gives up
    /// for good. A `notification` is recorded (created at `now`) in the same
    /// transaction: either the failure and its notification are both stored,
    /// or neither is and the call fails.
    async fn mark_failed<'a>(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        notification: Option<&'a NewNotification>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// One line of a confirmation e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationLine {
    pub name: String,
    pub quantity: u32,
    /// `$12.34`
    pub unit_price: String,
    pub total: String,
}

/// The content of an order confirmation. Built from an order by
/// [`OrderConfirmation::from_order`], which has no access to the access code:
/// it cannot leak into an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderConfirmation {
    pub to: Email,
    pub to_name: String,
    pub order_id: i64,
    pub lines: Vec<ConfirmationLine>,
    pub subtotal: String,
    pub promotion_code: Option<String>,
    pub discount: String,
    pub total: String,
    pub address: String,
    /// RFC 3339 `(starts_at, ends_at)` pairs.
    pub appointments: Vec<(String, String)>,
}

impl OrderConfirmation {
    pub fn from_order(order: &Order, to: Email) -> OrderConfirmation {
        let lines = std::iter::once(&order.primary_service)
            .chain(&order.add_on_services)
            .map(|l| ConfirmationLine {
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price.to_string(),
                total: l.total().map(|t| t.to_string()).unwrap_or_default(),
            })
            .collect();
        OrderConfirmation {
            to,
            to_name: order.client.name.clone(),
            order_id: order.id.0,
            lines,
            subtotal: order.pricing.subtotal.to_string(),
            promotion_code: order.promotion.as_ref().map(|p| p.code.clone()),
            discount: order.pricing.discount.to_string(),
            total: order.pricing.total.to_string(),
            address: order.property_info.address.one_line(),
            appointments: order
                .appointments
                .iter()
                .map(|w| (rfc3339(w.starts_at()), rfc3339(w.ends_at())))
                .collect(),
        }
    }
}

/// Why an e-mail was not sent. `retryable` tells the outbox whether another
/// attempt can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The provider refused a recipient (`rejected`, with its reason).
    #[error("the recipient was rejected ({reason})")]
    Rejected { reason: String },
    /// The provider says the recipient address is invalid.
    #[error("the recipient address is invalid")]
    InvalidRecipient,
    /// An error object from the provider API; `name` is its error name
    /// (`Invalid_Key`, `GeneralError`, …).
    #[error("the mail provider answered {name}")]
    Api { name: String, retryable: bool },
    /// An HTTP error status with no readable error object.
    #[error("the mail provider answered HTTP {status}")]
    Http { status: u16 },
    #[error("the mail provider did not answer in time")]
    Timeout,
    /// The connection failed or the reply could not be read.
    #[error("the mail provider's reply could not be read: {detail}")]
    Unreadable { detail: String },
}

impl MailError {
    /// Whether another attempt may succeed (GeneralError, 5xx, timeouts,
    /// connection problems); false for Invalid_Key, rejected, invalid.
    pub fn is_retryable(&self) -> bool {
        match self {
            MailError::Rejected { .. } | MailError::InvalidRecipient => false,
            MailError::Api { retryable, .. } => *retryable,
            MailError::Http { status } => *status >= 500 || *status == 429,
            MailError::Timeout | MailError::Unreadable { .. } => true,
        }
    }

    /// A short name for notifications: the provider's error name where there
    /// is one. Never the message body.
    pub fn name(&self) -> String {
        match self {
            MailError::Rejected { .. } => "rejected".into(),
            MailError::InvalidRecipient => "invalid".into(),
            MailError::Api { name, .. } => name.clone(),
            MailError::Http { status } => format!("http_{status}"),
            MailError::Timeout => "timeout".into(),
            MailError::Unreadable { .. } => "unreadable".into(),
        }
    }
}

/// Sends e-mails (Mandrill, or the log in development).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Success means the provider accepted it for every recipient (`sent`,
    /// `queued` or `scheduled`).
    async fn send_order_confirmation(
        &self,
        confirmation: &OrderConfirmation,
    ) -> Result<(), MailError>;
}

/// RFC 3339 with seconds and `Z`: the timestamp format of e-mails, the same
/// as the API's.
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
