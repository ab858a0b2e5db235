//! The one place that knows HTTP status codes: every error becomes an RFC
//! 9457 `application/problem+json` document with a stable snake_case `code`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shopmind_core::record::RecordError;
use shopmind_store::StoreError;

/// A field-level complaint inside a problem document.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the offending field (`events[3].timestamp`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// The field a record rule names, under `prefix` (`items[3].`); an
    /// attribute is named `attributes.<name>`.
    pub fn record(prefix: &str, e: &RecordError) -> Self {
        let field = match e {
            RecordError::BadAttribute { key } => format!("attributes.{key}"),
            other => other.field().to_owned(),
        };
        FieldError {
            field: format!("{prefix}{field}"),
            message: e.to_string(),
        }
    }
}

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

    /// A 500 for work that died on the blocking pool (a bug): logged here,
    /// answered with a generic detail.
    pub fn task_failed(e: tokio::task::JoinError) -> Self {
        tracing::error!(error = %e, "a blocking task failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the computation failed; see the server log",
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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownItems(items) => ApiError::invalid(
                "events refer to items that are not in the catalog",
                items
                    .into_iter()
                    .map(|(i, id)| FieldError {
                        field: format!("events[{i}].item_id"),
                        message: format!("unknown item `{id}`"),
                    })
                    .collect(),
            ),
            StoreError::Invalid(r) => ApiError::record("", &r),
            StoreError::NotFound { what, id } => ApiError::not_found(what, &id),
            StoreError::Conflict(m) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", m)
            }
            StoreError::BadUrl(_)
            | StoreError::Connect { .. }
            | StoreError::DataDir { .. }
            | StoreError::Migrate(_)
            | StoreError::Db(_)
            | StoreError::Corrupt { .. } => {
                // Log the full chain once, here; answer a generic detail.
                tracing::error!(error = %e, "store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "the store failed; see the server log",
                )
            }
        }
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
