use super::{NotificationId, OrderId, UserId, WebhookEndpointId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How urgently staff should look at a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Severity {
        match s {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// What a notification is about: one variant per event staff must look at.
/// Each has one stable name (`as_str`), the one stored and shown by
/// `notifications/index`; most are the status slug of the answer involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// An order confirmation e-mail could not be sent (now or for good).
    MandrillEmailFailed,
    /// The processor held a payment for review.
    HeldForReview,
    /// A payment could not be voided after the order could not be recorded.
    PaymentVoidFailed,
    /// The processor's answer to a transaction is unknown.
    PaymentOutcomeUnknown,
    /// The processor refused the configured API keys.
    InvalidPaymentProcessorApiKeys,
    /// The reconcile worker voided the hold or unsettled charge of an
    /// order left pending.
    PendingPaymentVoided,
    /// An order left pending could not be settled (look-ups given up, or
    /// a charge only a refund undoes): a person must look.
    PendingPaymentUnresolved,
    /// An authorization nears the processor's 30-day limit uncaptured
    /// (the authorization-expiry watch): capture or void it soon.
    AuthorizationExpiring,
    /// A webhook endpoint failed for 24 hours straight and was disabled.
    WebhookEndpointDisabled,
}

impl NotificationKind {
    /// Every kind, in declaration order.
    pub const ALL: [NotificationKind; 9] = [
        NotificationKind::MandrillEmailFailed,
        NotificationKind::HeldForReview,
        NotificationKind::PaymentVoidFailed,
        NotificationKind::PaymentOutcomeUnknown,
        NotificationKind::InvalidPaymentProcessorApiKeys,
        NotificationKind::PendingPaymentVoided,
        NotificationKind::PendingPaymentUnresolved,
        NotificationKind::AuthorizationExpiring,
        NotificationKind::WebhookEndpointDisabled,
    ];

    /// The stored and shown name; stable, part of the API.
    pub fn as_str(&self) -> &'static str {
        match self {
            NotificationKind::MandrillEmailFailed => "mandrill-email-failed",
            NotificationKind::HeldForReview => "held-for-review",
            NotificationKind::PaymentVoidFailed => "payment-void-failed",
            NotificationKind::PaymentOutcomeUnknown => "payment-outcome-unknown",
            NotificationKind::InvalidPaymentProcessorApiKeys => {
                "invalid-payment-processor-api-keys"
            }
            NotificationKind::PendingPaymentVoided => "pending-payment-voided",
            NotificationKind::PendingPaymentUnresolved => "pending-payment-unresolved",
            NotificationKind::AuthorizationExpiring => "payment-authorization-expiring",
            NotificationKind::WebhookEndpointDisabled => "webhook-endpoint-disabled",
        }
    }

    /// The kind named `s`; `None` for a name no version of ordercore wrote.
    pub fn parse(s: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a notification refers to: ids and provider error names only — never
/// message bodies, card data, tokens or access codes. Absent members are
/// left out of the stored (and shown) object, and the members are declared in
/// the order they are written (alphabetical).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationContext {
    /// The provider's or the gateway's error name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// True when no further attempt will be made.
    #[serde(rename = "final", default, skip_serializing_if = "Option::is_none")]
    pub is_final: Option<bool>,
    /// The order concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// The processor's transaction concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// The webhook endpoint concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_endpoint_id: Option<WebhookEndpointId>,
    /// Whether another attempt is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub will_retry: Option<bool>,
}

impl NotificationContext {
    /// A context naming only `order`.
    pub fn order(order: OrderId) -> Self {
        NotificationContext {
            order_id: Some(order),
            ..Self::default()
        }
    }
}

/// A record on the staff "production notifications tab", about to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub severity: Severity,
    pub message: String,
    pub context: NotificationContext,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub severity: Severity,
    pub message: String,
    pub context: NotificationContext,
    pub created_at: DateTime<Utc>,
    /// When a staff member first acknowledged it ("I am on it").
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who did (a user with an employee record).
    pub acknowledged_by: Option<UserId>,
    /// When it was resolved; a resolved notification leaves the default list.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it.
    pub resolved_by: Option<UserId>,
}

/// What the staff console lists: every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    pub kind: Option<NotificationKind>,
    pub severity: Option<Severity>,
    /// The notifications about this order only.
    pub order_id: Option<OrderId>,
    /// False (the default list): resolved notifications are left out.
    pub include_resolved: bool,
}
