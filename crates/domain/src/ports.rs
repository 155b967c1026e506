//! One trait per outside thing. Adapters implement them; use cases take them as
//! `Arc<dyn Trait>`; tests use the mockall mocks generated under the `mock`
//! feature (`MockOrderRepository`, …).
//!
//! Storage methods fail with [`StoreError`]: `Conflict` only where the method
//! says so, `Backend` for everything else.

mod gateway;
mod identity;
mod mail;
mod ordering;
mod platform;

pub use gateway::*;
pub use identity::*;
pub use mail::*;
pub use ordering::*;
pub use platform::*;
