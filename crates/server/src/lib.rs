#![doc = include_str!("../README.md")]

pub mod application;
pub mod clock;
pub mod commands;
pub mod demo;
pub mod gate;
pub mod metrics;
pub mod safety;
pub mod settings;
pub mod stores;
pub mod telemetry;

pub use application::Application;
pub use settings::Settings;
pub use stores::Stores;
