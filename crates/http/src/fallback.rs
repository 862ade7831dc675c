//! Answers for what no route serves: unknown paths and unsupported methods.

use actix_web::HttpResponse;

use crate::error::ApiError;

/// Any path this service does not serve.
pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NOT_FOUND)
}

/// A served path asked with a method it does not support.
pub(crate) async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::METHOD_NOT_ALLOWED)
}
