//! The `otas-server` library: what the binary runs, usable in-process.
//!
//! [`Settings`] reads the configuration, [`Stores`] opens the configured
//! store (the one place that knows PostgreSQL from SQLite), and
//! [`Application`] wires the adapters into the use cases and the HTTP layer.

pub mod application;
pub mod demo;
pub mod settings;
pub mod stores;
pub mod telemetry;

pub use application::Application;
pub use settings::Settings;
pub use stores::Stores;
