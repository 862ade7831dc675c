//! The agent endpoints other OTAS backends call.

pub(crate) mod authenticate;
pub(crate) mod verify;
