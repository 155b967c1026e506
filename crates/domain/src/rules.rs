//! Pure rules: functions of their inputs and an instant, no ports. One module
//! per resource, named as in [`crate::ports`] and [`crate::usecases`].

pub mod identity;
pub mod orders;
pub mod payment_methods;
pub mod payments;
pub mod promotions;
