#![doc = include_str!("../README.md")]

mod agents;
mod app;
mod blocking;
mod bytes_in_flight;
mod connection;
mod docs;
mod envelope;
mod error;
mod fallback;
mod listener;
mod observe;
mod openapi;
mod probes;
mod sdk_keys;
mod sessions;
mod state;

pub use app::{serve, MetricsText, ServeOptions, Services};
