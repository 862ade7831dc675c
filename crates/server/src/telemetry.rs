//! Logs: one line per event, text or JSON, to standard output.

use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

/// Installs the global subscriber, writing to standard output (`to_stdout`)
/// or standard error. `RUST_LOG`, when set, wins over the configured level.
pub fn init(settings: &LogSettings, to_stdout: bool) {
    let (filter, _) = filter(settings);
    let writer = if to_stdout {
        BoxMakeWriter::new(std::io::stdout)
    } else {
        BoxMakeWriter::new(std::io::stderr)
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Text => builder.init(),
    }
}

/// The log filter in force and where it comes from: `RUST_LOG` when it is
/// set and valid, else `log.level` when valid, else `info`.
pub fn filter(settings: &LogSettings) -> (EnvFilter, &'static str) {
    if let Ok(filter) = EnvFilter::try_from_default_env() {
        return (filter, "RUST_LOG, which overrides log.level");
    }
    match EnvFilter::try_new(&settings.level) {
        Ok(filter) => (filter, "log.level"),
        Err(_) => (
            EnvFilter::new("info"),
            "the default: log.level is not a valid filter",
        ),
    }
}
