//! End-to-end tests of the OTAS session service, in one test binary, by
//! concern. Each test gets a database of its own on a real PostgreSQL or a
//! real SQLite file (most scenarios run on both) and talks HTTP to the
//! service on port 0: in-process (the server library the binary runs) where
//! nothing about the process is tested, the real `otas-server` binary where
//! it is (its logs, commands, environment, faults).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod support;

mod agent_keys;
mod agent_sessions;
mod agents_create;
mod agents_list;
mod auth;
mod authenticate;
mod bad_input;
mod check_config;
mod cli;
mod conditional;
mod failover;
mod filter_edges;
mod filters;
mod hostile;
mod http_surface;
mod listing;
mod memory;
mod metrics;
mod openapi;
mod outage;
mod pages;
mod parameters;
mod protocol;
mod quickstart;
mod replication;
mod restart;
mod safe_config;
mod sdk_keys;
mod sdk_keys_admin;
mod shutdown;
mod startup;
mod statement_timeout;
mod streaming;
mod stuck_work;
mod verify;
