//! The HTTP face of the OTAS session service, on actix-web.
//!
//! Routes, the UASAM JSON envelope, the mapping of domain errors to status
//! codes, CORS for the dashboard and one log line per request. This crate
//! knows the use cases of `otas-ports`, never an adapter: the binary decides
//! which stores stand behind them.

mod app;
mod error;
mod fallback;
mod observe;
mod sessions;
mod state;

pub use app::{serve, HttpSettings};
