use super::{CardBrand, CardExpiry, ClientId, Money, OrderId, PaymentId, PaymentMethodId};
use chrono::{DateTime, Utc};

/// Whether the processor call placed a hold or charged at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    /// `authOnlyTransaction`: a hold, captured later by staff.
    Authorization,
    /// `authCaptureTransaction`: charged at once.
    Charge,
}

impl PaymentKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentKind::Authorization => "authorization",
            PaymentKind::Charge => "charge",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentKind> {
        match s {
            "authorization" => Some(PaymentKind::Authorization),
            "charge" => Some(PaymentKind::Charge),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// A hold is in place; can be captured or voided.
    Authorized,
    /// The processor approved but holds the transaction for review.
    HeldForReview,
    /// Claimed by a capture that is calling the processor: nobody else may
    /// act on it. Stays claimed when the processor's answer is unknown,
    /// until staff reconcile it.
    Capturing,
    /// Claimed by a void that is calling the processor, as `Capturing`.
    Voiding,
    Captured,
    Voided,
}

impl PaymentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::HeldForReview => "held_for_review",
            PaymentStatus::Capturing => "capturing",
            PaymentStatus::Voiding => "voiding",
            PaymentStatus::Captured => "captured",
            PaymentStatus::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        Some(match s {
            "authorized" => PaymentStatus::Authorized,
            "held_for_review" => PaymentStatus::HeldForReview,
            "capturing" => PaymentStatus::Capturing,
            "voiding" => PaymentStatus::Voiding,
            "captured" => PaymentStatus::Captured,
            "voided" => PaymentStatus::Voided,
            _ => return None,
        })
    }
}

/// A payment to store when an order is finalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: Money,
    pub transaction_id: String,
    pub auth_code: Option<String>,
    pub brand: CardBrand,
    pub last4: String,
    pub payment_method_id: PaymentMethodId,
}

/// A stored payment of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: Money,
    pub transaction_id: String,
    pub auth_code: Option<String>,
    pub brand: CardBrand,
    pub last4: String,
    pub payment_method_id: PaymentMethodId,
    pub created_at: DateTime<Utc>,
}

/// Processor profile ids of a stored card: what a transaction is made against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPaymentProfile {
    pub customer_profile_id: String,
    pub payment_profile_id: String,
}

/// A stored card: processor profile ids and display data, never the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    pub id: PaymentMethodId,
    pub client_id: ClientId,
    pub name: String,
    pub brand: CardBrand,
    pub last4: String,
    pub expiry: CardExpiry,
    pub is_default: bool,
    pub active: bool,
    pub profile: StoredPaymentProfile,
    /// Billing postal code, kept for display and the simulated processor.
    pub postal_code: Option<String>,
}
