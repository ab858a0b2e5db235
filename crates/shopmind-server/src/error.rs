//! The one place that knows HTTP status codes: every error becomes an RFC
//! 9457 `application/problem+json` document with a stable snake_case `code`.
//!
//! A `ServiceError` maps here and nowhere else ([`From<ServiceError>`]):
//! the caller's faults are 4xx, the service's conditions 503, and our own
//! faults 500 with a generic detail and the cause in the log.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shopmind_core::record::RecordError;
use shopmind_service::ServiceError;
use shopmind_store::StoreError;

pub use shopmind_service::FieldError;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u32>,
}

/// The body of every error answer (RFC 9457), `application/problem+json`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem<'a> {
    /// `/problems/{code}`.
    #[serde(rename = "type")]
    kind: String,
    /// Short summary of the kind of problem.
    title: &'a str,
    /// The HTTP status.
    status: u16,
    /// What went wrong in this request.
    detail: &'a str,
    /// Stable snake_case code (`validation_failed`, `not_found`, ...).
    code: &'a str,
    /// The offending fields, when there are any.
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
}

use StatusCode as S;

impl ApiError {
    /// A 400 about the request as a whole.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad request",
            detail,
        )
    }

    /// A 422 naming the offending fields.
    pub fn invalid(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Validation failed",
            detail,
        );
        e.errors = errors;
        e
    }

    /// A 422 about one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::invalid(
            message.clone(),
            vec![FieldError {
                field: field.into(),
                message,
            }],
        )
    }

    /// A 422 for a record that broke a validation rule, naming its field
    /// under `prefix` (`items[3].`).
    pub fn record(prefix: &str, e: &RecordError) -> Self {
        Self::invalid(e.to_string(), vec![FieldError::record(prefix, e)])
    }

    /// A 413 for a body over the limit.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Body too large",
            format!("the request body is over the limit of {} MiB", limit >> 20),
        )
    }

    /// A 404.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            format!("{what} `{id}` does not exist"),
        )
    }

    /// A 503 with `Retry-After`.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "Service unavailable",
            detail,
        );
        e.retry_after = Some(5);
        e
    }

    /// A 500 whose cause the caller has logged.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            detail,
        )
    }

    /// A 401: no key, or an unknown or revoked one.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(S::UNAUTHORIZED, "unauthorized", "Unauthorized", detail)
    }

    /// A 403: the key's scope is below the route's.
    pub fn forbidden(needed: &str, has: &str) -> Self {
        Self::new(
            S::FORBIDDEN,
            "forbidden",
            "Forbidden",
            format!("this route needs a `{needed}` key; this key is `{has}`"),
        )
    }

    /// A 404 for a path no route matches.
    pub fn no_route() -> Self {
        Self::new(
            S::NOT_FOUND,
            "no_route",
            "Not found",
            "no such route; see docs/http-api.md",
        )
    }

    /// A 405 for a route that takes other methods.
    pub fn method_not_allowed() -> Self {
        Self::new(
            S::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            "this route does not take that method",
        )
    }

    /// A 414 for a URI over `limit` bytes.
    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(
            S::URI_TOO_LONG,
            "uri_too_long",
            "URI too long",
            format!(
                "the request URI is over {} KiB; send long inputs in a POST body",
                limit >> 10
            ),
        )
    }

    /// A 429: the key's rate limit is spent for `wait` seconds.
    pub fn too_many_requests(wait: u32) -> Self {
        Self::new(
            S::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            format!("this API key's request rate is over the server's limit; retry in {wait} s"),
        )
    }

    /// A 431 for request headers over `limit` bytes.
    pub fn headers_too_large(limit: usize) -> Self {
        Self::new(
            S::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "Request header fields too large",
            format!("the request's headers are over {} KiB", limit >> 10),
        )
    }

    /// A 503 for a request that outlived `limit`.
    pub fn request_timeout(limit: std::time::Duration) -> Self {
        Self::new(
            S::SERVICE_UNAVAILABLE,
            "timeout",
            "Request timed out",
            format!("the request took longer than {:.1} s", limit.as_secs_f64()),
        )
    }

    /// The problem document for a plain-text error answer of `status` that
    /// a layer below the handlers produced.
    pub fn rejected(status: StatusCode) -> Self {
        let (code, title) = match status {
            S::PAYLOAD_TOO_LARGE => ("body_too_large", "Body too large"),
            S::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Unsupported media type"),
            _ if status.is_server_error() => ("internal", "Internal error"),
            _ => ("bad_request", "Bad request"),
        };
        Self::new(
            status,
            code,
            title,
            format!("request rejected with status {}", status.as_u16()),
        )
    }

    /// Any status with a code.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Adds `Retry-After: seconds`.
    pub fn set_retry_after(&mut self, seconds: u32) {
        self.retry_after = Some(seconds);
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.title,
            self.status.as_u16(),
            self.detail
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use StatusCode as S;
        match e {
            ServiceError::BadRequest(m) => ApiError::bad_request(m),
            ServiceError::Invalid { detail, errors } => ApiError::invalid(detail, errors),
            ServiceError::NotFound { what, id } => ApiError::not_found(what, &id),
            ServiceError::NotInModel(m) => {
                ApiError::new(S::NOT_FOUND, "not_in_model", "Not in the model", m)
            }
            ServiceError::Conflict(m) => ApiError::new(S::CONFLICT, "conflict", "Conflict", m),
            ServiceError::KeyReused(m) => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
                m,
            ),
            ServiceError::TooLarge(m) => ApiError::new(
                S::PAYLOAD_TOO_LARGE,
                "batch_too_large",
                "Batch too large",
                m,
            ),
            ServiceError::MessageTooLong(m) => ApiError::new(
                S::PAYLOAD_TOO_LARGE,
                "message_too_long",
                "Message too long",
                m,
            ),
            e @ ServiceError::NoActiveModel(_) => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                "no_active_model",
                "No active model",
                e.to_string(),
            ),
            ServiceError::NotReady(m) => ApiError::unavailable(m),
            e @ ServiceError::Busy(_) => {
                let mut a = ApiError::new(S::SERVICE_UNAVAILABLE, "busy", "Busy", e.to_string());
                a.retry_after = Some(2);
                a
            }
            e @ ServiceError::Stopped(_) => {
                let mut a = ApiError::new(
                    S::SERVICE_UNAVAILABLE,
                    "timeout",
                    "Computation stopped",
                    e.to_string(),
                );
                a.retry_after = Some(5);
                a
            }
            ServiceError::Internal { context, cause } => {
                // Log the cause once, here; answer a generic detail.
                tracing::error!(error = %cause, "{context}");
                ApiError::internal(format!("{context}; see the server log"))
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

/// A body the JSON extractor refused: too large (413), not declared as
/// JSON (415), not JSON or JSON of the wrong shape (400, naming what serde
/// found).
impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::body_too_large(crate::MAX_BODY_BYTES),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                e.body_text(),
            ),
            _ => ApiError::bad_request(e.body_text()),
        }
    }
}

/// A query string that does not parse into the route's parameters: 400.
impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::bad_request(e.body_text())
    }
}

/// A path segment that does not decode (invalid percent-encoding): 400.
impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::bad_request(e.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("/problems/{}", self.code),
            title: self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            code: self.code,
            errors: &self.errors,
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (self.status, json).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}
