//! A minimal tracing subscriber that records events, to check what is logged.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects this crate's events (targets `ordercore::mail` and
/// `ordercore_mandrill…`; no other crate's lines, no timestamps, so a secret
/// cannot "match" a port or a time) as `target|level|field=value|…` lines.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "|{}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "|{}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        target.starts_with("ordercore::mail") || target.starts_with("ordercore_mandrill")
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(format!(
            "{}|{}",
            event.metadata().target(),
            event.metadata().level()
        ));
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The capture set as this thread's subscriber, until dropped.
pub struct Installed {
    _guard: tracing::subscriber::DefaultGuard,
    _idle: tracing::Dispatch,
}

impl Capture {
    /// Sets this capture as the thread's subscriber. Other tests run the same
    /// call sites at the same time on threads without a subscriber; with a
    /// single registered dispatcher, tracing caches a call site's interest
    /// from the registering thread's default ("never" there). A second, idle
    /// dispatcher makes tracing ask every live dispatcher, this one included;
    /// then what was cached before is recomputed.
    pub fn install(&self) -> Installed {
        let idle = tracing::Dispatch::new(Capture::default());
        let guard = tracing::subscriber::set_default(self.clone());
        tracing::callsite::rebuild_interest_cache();
        Installed {
            _guard: guard,
            _idle: idle,
        }
    }

    /// Every event recorded so far.
    pub fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
