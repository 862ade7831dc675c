#![doc = include_str!("../README.md")]

mod app;
mod error;
mod fallback;
mod observe;
mod sessions;
mod state;

pub use app::{serve, HttpSettings};
