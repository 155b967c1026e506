use super::NotificationId;
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

/// A record on the staff "production notifications tab". `kind` is the slug it
/// is about (e.g. `mandrill-email-failed`). `context` carries ids and provider
/// error names only — never message bodies, card data, tokens or access codes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub kind: String,
    pub severity: Severity,
    pub message: String,
    pub context: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: String,
    pub severity: Severity,
    pub message: String,
    pub context: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}
