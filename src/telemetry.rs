//! Logging: a tracing subscriber with the `ROSTER_LOG` filter, text or JSON lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (once; later calls, as in tests, do nothing).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
