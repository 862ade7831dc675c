//! The agent endpoints: those other OTAS backends call, and the dashboard's
//! management of a project's agents and their keys.

pub(crate) mod authenticate;
pub(crate) mod body;
pub(crate) mod create;
mod errors;
pub(crate) mod keys;
pub(crate) mod list;
pub(crate) mod verify;
