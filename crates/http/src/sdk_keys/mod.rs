//! The SDK-key endpoints under `/api/project/v1/sdk/backend/key/`.

pub(crate) mod authenticate;
pub(crate) mod create;
pub(crate) mod list;
pub(crate) mod revoke;
