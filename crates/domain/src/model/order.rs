use super::{
    AppointmentWindow, ClientId, Money, OrderId, Payment, PromotionId, PropertyAccess,
    PropertyInfo, ServiceId,
};
use chrono::{DateTime, Utc};

/// An order's life: recorded as `PendingPayment` before the processor is
/// called, then exactly one of the others (conditional updates decide races).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    PendingPayment,
    Submitted,
    PaymentFailed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Submitted => "submitted",
            OrderStatus::PaymentFailed => "payment_failed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        Some(match s {
            "pending_payment" => OrderStatus::PendingPayment,
            "submitted" => OrderStatus::Submitted,
            "payment_failed" => OrderStatus::PaymentFailed,
            "cancelled" => OrderStatus::Cancelled,
            _ => return None,
        })
    }
}

/// One service on an order, with the price it had when ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub service_id: ServiceId,
    pub slug: String,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
}

impl OrderLine {
    /// `None` on overflow (caught when pricing).
    pub fn total(&self) -> Option<Money> {
        self.unit_price.checked_mul(self.quantity)
    }
}

/// The three figures every order view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pricing {
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
}

/// A promotion as applied to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPromotion {
    pub id: PromotionId,
    pub code: String,
    pub discount: Money,
}

/// The client an order belongs to, as views show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRef {
    pub id: ClientId,
    pub name: String,
    pub email: super::Email,
}

/// An order ready to be recorded: everything but the id and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub client: ClientRef,
    pub primary_service: OrderLine,
    pub add_on_services: Vec<OrderLine>,
    pub property_info: PropertyInfo,
    pub property_access: PropertyAccess,
    pub appointments: Vec<AppointmentWindow>,
    pub promotion: Option<AppliedPromotion>,
    pub pricing: Pricing,
    /// The payment method to charge, when one is needed.
    pub payment_method_id: Option<super::PaymentMethodId>,
}

/// A recorded order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub status: OrderStatus,
    pub client: ClientRef,
    pub primary_service: OrderLine,
    pub add_on_services: Vec<OrderLine>,
    pub property_info: PropertyInfo,
    pub property_access: PropertyAccess,
    pub appointments: Vec<AppointmentWindow>,
    pub promotion: Option<AppliedPromotion>,
    pub pricing: Pricing,
    pub payment_method_id: Option<super::PaymentMethodId>,
    pub payment: Option<Payment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
