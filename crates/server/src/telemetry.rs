//! The tracing subscriber: human-readable lines by default, one JSON object
//! per line with `ORDERCORE_LOG_FORMAT=json`, filtered by `ORDERCORE_LOG`.

use crate::config::{LogConfig, LogFormat};
use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Logs go to stderr so that command output
/// (`routes list`, `seed` credentials) stays clean on stdout. Calling it twice
/// is harmless (the second call is ignored).
pub fn init(log: &LogConfig) {
    let filter = EnvFilter::try_new(&log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match log.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder
            .with_target(false)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}
