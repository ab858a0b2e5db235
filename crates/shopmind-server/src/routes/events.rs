//! `POST /v1/events` over HTTP: the body and the `Idempotency-Key` header
//! go to `shopmind_service::events`, which validates and stores them.
//!
//! With an `Idempotency-Key` header (any 1–255 visible ASCII characters,
//! e.g. a UUID) the events and the answer are stored in one transaction: a
//! retry with the same key and body gets the first answer again, marked
//! `Idempotent-Replayed: true`, and stores nothing; the same key with another
//! body is refused (422). Keys are remembered for a day. Requests that fail
//! store nothing, so they can be retried with the same key.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shopmind_service::events::{self, EventsWritten};

use crate::AppState;
use crate::error::ApiError;

/// Header naming a request's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Stores one event or a batch of up to 10,000, all or none, before answering.
#[utoipa::path(post, path = "/v1/events", tag = "events",
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters: a retry with the same key and body gets the first answer and stores nothing")),
    request_body(content = Vec<shopmind_service::events::EventIn>, description = "One event, an array of events, or `{\"events\": [...]}`; at most 10,000"),
    responses((status = 200, description = "Validated and committed", body = shopmind_service::events::EventsAccepted),
        (status = 413, description = "More than 10,000 events", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = events::idempotency_key(headers.get(IDEMPOTENCY_KEY).map(HeaderValue::as_bytes))?;
    Ok(match events::post_events(&state, key, &body).await? {
        EventsWritten::Stored(accepted) => Json(accepted).into_response(),
        EventsWritten::StoredKeyed(body) => json(StatusCode::OK, body),
        EventsWritten::Replayed { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut resp = json(status, body);
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            resp
        }
    })
}

fn json(status: StatusCode, body: String) -> Response {
    let ct = HeaderValue::from_static("application/json");
    (status, [(header::CONTENT_TYPE, ct)], body).into_response()
}
