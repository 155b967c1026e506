//! Pure rules: functions of their inputs and an instant, no ports.

pub mod card;
pub mod ordering;
pub mod params;
pub mod pricing;
pub mod promotion;
pub mod session;
pub mod views;
