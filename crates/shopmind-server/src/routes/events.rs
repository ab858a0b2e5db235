//! `POST /v1/events`: one event or a batch, validated field by field and
//! stored atomically before the answer.
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
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shopmind_core::record::{Event, EventType, validate_id, validate_time};
use shopmind_core::time::parse_timestamp;

use crate::AppState;
use crate::error::{ApiError, FieldError};

/// Most events accepted in one request.
pub const MAX_BATCH: usize = 10_000;

/// One event as posted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EventIn {
    event_id: Option<String>,
    user_id: String,
    item_id: String,
    event_type: Option<String>,
    value: Option<f64>,
    /// RFC 3339 text, `YYYY-MM-DD HH:MM:SS`, or Unix seconds; default now.
    timestamp: Option<Value>,
}

/// The answer to a successful post.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventsAccepted {
    /// Events in the request.
    pub received: usize,
    /// Events newly stored (a re-sent event id is not stored twice).
    pub stored: u64,
}

fn field(i: usize, name: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: format!("events[{i}].{name}"),
        message: message.into(),
    }
}

fn parse_one(i: usize, raw: Value, now: i64) -> Result<Event, Vec<FieldError>> {
    let e: EventIn = serde_json::from_value(raw).map_err(|e| {
        vec![FieldError {
            field: format!("events[{i}]"),
            message: e.to_string(),
        }]
    })?;
    let mut errors = Vec::new();
    for (name, v) in [("user_id", &e.user_id), ("item_id", &e.item_id)] {
        if let Err(err) = validate_id(
            if name == "user_id" {
                "user_id"
            } else {
                "item_id"
            },
            v,
        ) {
            errors.push(field(i, name, err.to_string()));
        }
    }
    let event_type = match e.event_type.as_deref() {
        None => EventType::Purchase,
        Some(t) => t
            .parse()
            .unwrap_or_else(|err: shopmind_core::record::RecordError| {
                errors.push(field(i, "event_type", err.to_string()));
                EventType::Purchase
            }),
    };
    let value = match (e.value, event_type) {
        (Some(v), _) if !v.is_finite() || v < 0.0 => {
            errors.push(field(i, "value", "must be a finite number ≥ 0"));
            1.0
        }
        (Some(v), EventType::Rating) if !(0.0..=10.0).contains(&v) => {
            errors.push(field(i, "value", "a rating must lie between 0 and 10"));
            v
        }
        (Some(v), _) => v,
        (None, EventType::Rating) => {
            errors.push(field(i, "value", "a rating event needs a value"));
            0.0
        }
        (None, _) => 1.0,
    };
    let timestamp = match e.timestamp {
        None | Some(Value::Null) => now,
        Some(Value::Number(n)) => n.as_i64().unwrap_or_else(|| {
            errors.push(field(i, "timestamp", "Unix seconds must be an integer"));
            now
        }),
        Some(Value::String(s)) => parse_timestamp(&s).unwrap_or_else(|err| {
            errors.push(field(i, "timestamp", err.to_string()));
            now
        }),
        Some(other) => {
            errors.push(field(
                i,
                "timestamp",
                format!("expected a string or an integer, got {other}"),
            ));
            now
        }
    };
    if let Err(err) = validate_time("timestamp", timestamp, now) {
        errors.push(field(i, "timestamp", err.to_string()));
    }
    let event_id = match e.event_id {
        Some(id) => {
            if let Err(err) = validate_id("event_id", &id) {
                errors.push(field(i, "event_id", err.to_string()));
            }
            id
        }
        None => Event::derive_id(&e.user_id, &e.item_id, event_type, value, timestamp),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let event = Event {
        event_id,
        user_id: e.user_id,
        item_id: e.item_id,
        event_type,
        value,
        timestamp,
    };
    // The record rules the importers apply too (a backstop: the checks above
    // give the more specific messages).
    event
        .validate(now)
        .map_err(|err| vec![field(i, err.field(), err.to_string())])?;
    Ok(event)
}

/// Header naming a request's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The request's idempotency key, validated.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::invalid(
            "invalid Idempotency-Key header",
            vec![FieldError {
                field: "Idempotency-Key".into(),
                message: "must be 1 to 255 visible ASCII characters".into(),
            }],
        )
    };
    let key = v.to_str().map_err(|_| bad())?;
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
}

/// A stored answer, sent again.
fn replay(answer: &shopmind_store::IdempotentAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, answer.body.clone()).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "Idempotency key reused",
        "this Idempotency-Key was used with a different request body; use a new key",
    )
}

/// Stores one event or a batch of up to 10,000, all or none, before answering.
#[utoipa::path(post, path = "/v1/events", tag = "events",
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters: a retry with the same key and body gets the first answer and stores nothing")),
    request_body(content = Vec<EventIn>, description = "One event, an array of events, or `{\"events\": [...]}`; at most 10,000"),
    responses((status = 200, description = "Validated and committed", body = EventsAccepted),
        (status = 413, description = "More than 10,000 events", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?.map(|k| format!("events:{k}"));
    // Only a keyed request needs its body's hash.
    let hash = key
        .as_ref()
        .map_or_else(String::new, |_| shopmind_store::sha256_hex(&body));
    if let Some(k) = &key
        && let Some(answer) = state.store.idempotent_answer(k).await?
    {
        return if answer.request_hash == hash {
            Ok(replay(&answer))
        } else {
            Err(key_reused())
        };
    }
    let raw = super::unpack_batch(&body, "events", true, MAX_BATCH)?;
    let now = crate::unix_now();
    let received = raw.len();
    let mut events = Vec::with_capacity(received);
    let mut errors = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        match parse_one(i, r, now) {
            Ok(e) => events.push(e),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(
            "some events are invalid; nothing was stored",
            errors,
        ));
    }
    let users: Vec<String> = events.iter().map(|e| e.user_id.clone()).collect();
    let written: Result<Response, ApiError> = match &key {
        None => state
            .store
            .insert_events(events)
            .await
            .map(|stored| Json(EventsAccepted { received, stored }).into_response())
            .map_err(ApiError::from),
        Some(k) => {
            let answer = |stored| {
                serde_json::to_string(&EventsAccepted { received, stored }).unwrap_or_default()
            };
            let key = shopmind_store::Idempotency {
                key: k,
                request_hash: &hash,
            };
            match state.store.insert_events_keyed(events, key, answer).await {
                Ok(shopmind_store::KeyedWrite::Done { body, .. }) => Ok((
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    body,
                )
                    .into_response()),
                Ok(shopmind_store::KeyedWrite::Replay(a)) if a.request_hash == hash => {
                    Ok(replay(&a))
                }
                Ok(shopmind_store::KeyedWrite::Replay(_)) => Err(key_reused()),
                Err(e) => Err(e.into()),
            }
        }
    };
    // Forget cached histories even if the insert failed halfway through a
    // retry: a stale entry must not outlive a write.
    state.histories.invalidate(users.iter().map(String::as_str));
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_defaults_and_names_bad_fields() {
        let now = 1_700_000_000;
        let e = parse_one(0, serde_json::json!({"user_id": "u", "item_id": "i"}), now).unwrap();
        assert_eq!(
            (e.event_type, e.value, e.timestamp),
            (EventType::Purchase, 1.0, now)
        );
        let e = parse_one(0, serde_json::json!({"user_id": "u", "item_id": "i", "timestamp": "2023-11-14T22:13:20Z"}), now).unwrap();
        assert_eq!(e.timestamp, 1_700_000_000);
        let errs = parse_one(
            2,
            serde_json::json!({"user_id": "", "item_id": "i", "event_type": "wish", "timestamp": "yesterday"}),
            now,
        )
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "events[2].user_id",
                "events[2].event_type",
                "events[2].timestamp"
            ]
        );
        let errs = parse_one(
            0,
            serde_json::json!({"user_id": "u", "item_id": "i", "timestamp": now + 10 * 86_400}),
            now,
        )
        .unwrap_err();
        assert_eq!(errs[0].field, "events[0].timestamp");
        let errs = parse_one(
            0,
            serde_json::json!({"user_id": "u", "item_id": "i", "colour": "red"}),
            now,
        )
        .unwrap_err();
        assert!(
            errs[0].message.contains("unknown field"),
            "{}",
            errs[0].message
        );
        let errs = parse_one(
            0,
            serde_json::json!({"user_id": "u", "item_id": "i", "value": -2}),
            now,
        )
        .unwrap_err();
        assert_eq!(errs[0].field, "events[0].value");
    }
}
