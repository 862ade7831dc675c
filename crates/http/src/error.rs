//! Error answers: UASAM's JSON envelope `{"status": 0, "status_description": …}`, and the status code and code of every domain error.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use otas_domain::{
    AccessDenied, AuthenticateError, CreateSessionError, InvalidParam, ListSessionsError,
    StoreFailure,
};

use crate::envelope::Envelope;

/// An error answer: a status code and the code clients switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({status})")]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    /// For a 405: the methods the path allows (`Allow`).
    pub(crate) allow: Option<&'static str>,
    /// For a 429 or a 503: seconds before trying again (`Retry-After`).
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) const fn new(status: StatusCode, code: &'static str) -> Self {
        Self {
            status,
            code,
            allow: None,
            retry_after: None,
        }
    }

    /// The same answer, telling the client when to try again.
    pub(crate) const fn retry_after(self, seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..self
        }
    }

    pub(crate) const NOT_FOUND: Self = Self::new(StatusCode::NOT_FOUND, "not_found");
    /// A 405 on a path that reads (`GET`, `HEAD`).
    pub(crate) const METHOD_NOT_ALLOWED: Self = Self {
        allow: Some("GET, HEAD, OPTIONS"),
        ..Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    };
    /// A 405 on a path that takes `POST`.
    pub(crate) const POST_ONLY: Self = Self {
        allow: Some("POST, OPTIONS"),
        ..Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    };
    /// Overloaded (requests, streams, response bytes in flight, key
    /// verifications) or the store is away: a second is a reasonable wait.
    pub(crate) const SERVICE_UNAVAILABLE: Self =
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").retry_after(1);
    pub(crate) const SERVER_ERROR: Self =
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error");

    /// The code for an error answer that some other layer (actix, CORS) made
    /// without one of ours.
    pub(crate) fn for_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "invalid_token",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::REQUEST_TIMEOUT => "request_timeout",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::URI_TOO_LONG => "uri_too_long",
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
            StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
            s if s.is_client_error() => "bad_request",
            _ => "server_error",
        };
        Self::new(status, code)
    }
}

/// Which endpoint answers a denial: UASAM spells the two denials about the
/// agent differently on the listing (`400 agent_id_required`,
/// `403 agent_not_found_or_no_access`), on the authenticate call
/// (`400 missing_agent_id`, `404 agent_not_found`) and on the management of
/// agents and keys (`400 agent_id_required`,
/// `404 agent_not_found_or_invalid_id`); every other denial is answered
/// alike everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spelling {
    Listing,
    Authenticate,
    Management,
}

impl ApiError {
    /// The one answer to an access denial, as `spelling`'s endpoint gives it.
    pub(crate) const fn denied(denied: AccessDenied, spelling: Spelling) -> Self {
        use AccessDenied as D;
        match (denied, spelling) {
            (D::MissingCredentials, _) => Self::new(StatusCode::BAD_REQUEST, "missing_headers"),
            (D::InvalidToken, _) => Self::new(StatusCode::UNAUTHORIZED, "invalid_token"),
            (D::NoProjectAccess, _) => {
                Self::new(StatusCode::FORBIDDEN, "user_project_mapping_invalid")
            }
            (D::NotAdmin, _) => Self::new(StatusCode::FORBIDDEN, "forbidden"),
            (D::MissingAgentId, Spelling::Listing | Spelling::Management) => {
                Self::new(StatusCode::BAD_REQUEST, "agent_id_required")
            }
            (D::MissingAgentId, Spelling::Authenticate) => {
                Self::new(StatusCode::BAD_REQUEST, "missing_agent_id")
            }
            (D::AgentNotFound, Spelling::Listing) => {
                Self::new(StatusCode::FORBIDDEN, "agent_not_found_or_no_access")
            }
            (D::AgentNotFound, Spelling::Authenticate) => {
                Self::new(StatusCode::NOT_FOUND, "agent_not_found")
            }
            (D::AgentNotFound, Spelling::Management) => {
                Self::new(StatusCode::NOT_FOUND, "agent_not_found_or_invalid_id")
            }
        }
    }
}

/// The one answer to a store's failure, whichever operation met it.
impl From<StoreFailure> for ApiError {
    fn from(failure: StoreFailure) -> Self {
        match failure {
            StoreFailure::Unavailable => Self::SERVICE_UNAVAILABLE,
            StoreFailure::Internal => Self::SERVER_ERROR,
        }
    }
}

impl From<ListSessionsError> for ApiError {
    fn from(error: ListSessionsError) -> Self {
        match error {
            ListSessionsError::Denied(denied) => Self::denied(denied, Spelling::Listing),
            ListSessionsError::InvalidParameter(param) => {
                Self::new(StatusCode::BAD_REQUEST, invalid_code(param))
            }
            ListSessionsError::Store(failure) => failure.into(),
        }
    }
}

impl From<CreateSessionError> for ApiError {
    fn from(error: CreateSessionError) -> Self {
        use CreateSessionError as E;
        match error {
            E::InvalidAgentKey => Self::new(StatusCode::UNAUTHORIZED, "invalid_agent_key"),
            E::InvalidJson => Self::new(StatusCode::BAD_REQUEST, "invalid_json"),
            E::Busy => Self::SERVICE_UNAVAILABLE,
            E::TooManyAttempts {
                retry_after_seconds,
            } => Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
                .retry_after(retry_after_seconds),
            E::Store(failure) => failure.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::Denied(denied) => Self::denied(denied, Spelling::Authenticate),
            AuthenticateError::Store(failure) => failure.into(),
        }
    }
}

/// `invalid_<parameter name>`.
fn invalid_code(param: InvalidParam) -> &'static str {
    match param {
        InvalidParam::Limit => "invalid_limit",
        InvalidParam::Cursor => "invalid_cursor",
        InvalidParam::Order => "invalid_order",
        InvalidParam::CreatedAfter => "invalid_created_after",
        InvalidParam::CreatedBefore => "invalid_created_before",
        InvalidParam::Meta => "invalid_meta",
        InvalidParam::IncludeTotal => "invalid_include_total",
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status).json(Envelope::refusal(self.code));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            let allow = self.allow.unwrap_or("GET, HEAD, OPTIONS");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
