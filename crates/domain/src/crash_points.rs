//! Crash points for the black-box crash suite (cargo feature `failpoints`).
//!
//! `crash_point!("name")` marks a place where a process may die mid-way
//! through a payment. Built without the feature it expands to nothing. Built
//! with it, the `fail` crate decides at run time: a point configured with the
//! action `return` (`FAILPOINTS=submit.after_approval=return`, read by the
//! binary at start-up) ends the process at once with [`CRASH_EXIT_CODE`], no
//! destructor, no answer, no further write — the way `kill -9` would, but at
//! a chosen line. Any other action of the `fail` crate (`panic`, `sleep(ms)`,
//! `print`) behaves as that crate documents.
//!
//! The points: `submit.after_pending` (the order is recorded
//! `pending_payment`, the processor not yet called), `submit.after_approval`
//! (the processor approved, nothing recorded), `submit.after_finalize` (order
//! and payment recorded, the e-mail not yet sent), `mail.after_send` (the
//! confirmation was sent and not yet marked sent; by the request or by the
//! outbox worker), `webhook.after_send` (a webhook receiver accepted a
//! delivery not yet marked delivered: it is sent again, at least once).

/// The exit status of a process ended by a crash point.
pub const CRASH_EXIT_CODE: i32 = 86;

/// Ends the process at once: the crash a crash point stands for.
#[cfg(feature = "failpoints")]
pub fn crash_now(point: &str) -> ! {
    eprintln!("ordercore: crash point {point} reached: exiting");
    std::process::exit(CRASH_EXIT_CODE)
}

/// A crash point (see the module documentation).
#[cfg(feature = "failpoints")]
macro_rules! crash_point {
    ($name:literal) => {
        fail::fail_point!($name, |_| $crate::crash_points::crash_now($name))
    };
}

/// A crash point (see the module documentation): compiled out.
#[cfg(not(feature = "failpoints"))]
macro_rules! crash_point {
    ($name:literal) => {};
}

pub(crate) use crash_point;
