//! The log lines written while a test runs, for tests that check what is
//! (and is not) logged.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A log sink: everything the subscriber installed by [`Captured::install`]
/// writes on this thread (where the actix test runtime runs the request and
/// the use case's task).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Installs a plain-text subscriber at `filter` (an `EnvFilter`
    /// directive) for this thread until the guard drops. The callsite cache
    /// is rebuilt so that a callsite another test's thread registered while
    /// no subscriber wanted it is not left disabled here.
    pub fn install(&self, filter: &str) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .without_time()
            .with_env_filter(filter)
            .with_writer(move || writer.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        guard
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// The lines containing `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_string)
            .collect()
    }
}
