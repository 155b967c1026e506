//! Pure rules: functions of their inputs and an instant, no ports.

pub mod card;
pub mod ordering;
pub mod pricing;
pub mod promotion;
pub mod session;
