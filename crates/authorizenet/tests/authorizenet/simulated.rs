//! The simulated processor: one test per rule (see the `simulated` module docs).

use crate::support::{TestClock, card};
use ordercore_authorizenet::SimulatedGateway;
use ordercore_authorizenet::simulated::SANDBOX_TEST_CARDS;
use ordercore_domain::model::{ClientId, Email, Money, OrderId, StoredPaymentProfile};
use ordercore_domain::ports::{
    CaptureRequest, CustomerProfileRequest, PaymentError, PaymentGateway, TransactionRequest,
};
use std::sync::Arc;

const NOW: &str = "2026-03-15T12:00:00Z";

fn simulator() -> (Arc<TestClock>, SimulatedGateway) {
    let clock = Arc::new(TestClock::at(NOW));
    let gateway = SimulatedGateway::new(clock.clone());
    (clock, gateway)
}

fn seeded(postal: &str, year: i32, month: u32) -> StoredPaymentProfile {
    StoredPaymentProfile {
        customer_profile_id: "sim-cust-7".into(),
        payment_profile_id: SimulatedGateway::payment_profile_id_for(
            postal, year, month, "1111", 1,
        )
        .unwrap(),
    }
}

fn tx(order: i64, cents: i64, profile: &StoredPaymentProfile) -> TransactionRequest {
    TransactionRequest {
        order_id: OrderId(order),
        amount: Money::from_cents(cents).unwrap(),
        profile: profile.clone(),
    }
}

fn capture(order: i64, transaction_id: &str, cents: i64) -> CaptureRequest {
    CaptureRequest {
        order_id: OrderId(order),
        transaction_id: transaction_id.into(),
        amount: Money::from_cents(cents).unwrap(),
    }
}

fn failed(code: &str) -> PaymentError {
    PaymentError::Failed {
        error_code: Some(code.into()),
    }
}

fn record_not_found() -> PaymentError {
    PaymentError::External {
        code: Some("E00040".into()),
        detail: "record not found".into(),
    }
}

mod cards;
mod limits;
mod profile_ids;
mod transactions;
