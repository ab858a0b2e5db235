//! Events as posted to the API: one event or a batch, validated field by field and
//! stored atomically before the answer.
//!
//! With an `Idempotency-Key` header (any 1–255 visible ASCII characters,
//! e.g. a UUID) the events and the answer are stored in one transaction: a
//! retry with the same key and body gets the first answer again, marked
//! `Idempotent-Replayed: true`, and stores nothing; the same key with another
//! body is refused (422). Keys are remembered for a day. Requests that fail
//! store nothing, so they can be retried with the same key.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shopmind_core::record::{Event, EventType, validate_id, validate_time};
use shopmind_core::time::parse_timestamp;

use crate::catalog::unpack_batch;
use crate::{FieldError, Service, ServiceError};

/// Most events accepted in one request.
pub const MAX_BATCH: usize = 10_000;

/// One event as posted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
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
    FieldError::new(format!("events[{i}].{name}"), message)
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

/// The request's idempotency key (the header's raw bytes), validated.
pub fn idempotency_key(raw: Option<&[u8]>) -> Result<Option<String>, ServiceError> {
    let Some(key) = raw else {
        return Ok(None);
    };
    if key.is_empty() || key.len() > 255 || !key.iter().all(u8::is_ascii_graphic) {
        return Err(ServiceError::invalid(
            "invalid Idempotency-Key header",
            vec![FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )],
        ));
    }
    Ok(Some(String::from_utf8_lossy(key).into_owned()))
}

/// What a post of events produced.
#[derive(Debug)]
pub enum EventsWritten {
    /// Stored now; the answer.
    Stored(EventsAccepted),
    /// Stored now under an idempotency key; the answer as stored (JSON).
    StoredKeyed(String),
    /// Stored before under the same key and body: the first answer again
    /// (status and JSON body); nothing stored now.
    Replayed {
        /// The first answer's status.
        status: u16,
        /// The first answer's JSON body.
        body: String,
    },
}

fn key_reused() -> ServiceError {
    ServiceError::KeyReused(
        "this Idempotency-Key was used with a different request body; use a new key".into(),
    )
}

/// Stores one event or a batch of up to [`MAX_BATCH`] (`body`: an object,
/// an array, or `{"events": [...]}`), all or none, before answering. With
/// an idempotency key, a retry with the same body gets the first answer
/// and stores nothing; the same key with another body is refused.
pub async fn post_events(
    svc: &Service,
    key: Option<String>,
    body: &[u8],
) -> Result<EventsWritten, ServiceError> {
    let key = key.map(|k| format!("events:{k}"));
    // Only a keyed request needs its body's hash.
    let hash = key
        .as_ref()
        .map_or_else(String::new, |_| shopmind_store::sha256_hex(body));
    if let Some(k) = &key
        && let Some(answer) = svc.store.idempotent_answer(k).await?
    {
        return if answer.request_hash == hash {
            Ok(EventsWritten::Replayed {
                status: answer.status,
                body: answer.body,
            })
        } else {
            Err(key_reused())
        };
    }
    let raw = unpack_batch(body, "events", true, MAX_BATCH)?;
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
        return Err(ServiceError::invalid(
            "some events are invalid; nothing was stored",
            errors,
        ));
    }
    // Each write that commits is applied to the in-memory histories at
    // once, so the client's next recommendation sees it on this replica.
    match &key {
        None => {
            let w = svc.store.insert_events(events).await?;
            svc.histories.applied_write(&w);
            Ok(EventsWritten::Stored(EventsAccepted {
                received,
                stored: w.stored(),
            }))
        }
        Some(k) => {
            let answer = |stored| {
                serde_json::to_string(&EventsAccepted { received, stored }).unwrap_or_default()
            };
            let key = shopmind_store::Idempotency {
                key: k,
                request_hash: &hash,
            };
            match svc.store.insert_events_keyed(events, key, answer).await {
                Ok(shopmind_store::KeyedWrite::Done { written, body }) => {
                    svc.histories.applied_write(&written);
                    Ok(EventsWritten::StoredKeyed(body))
                }
                Ok(shopmind_store::KeyedWrite::Replay(a)) if a.request_hash == hash => {
                    Ok(EventsWritten::Replayed {
                        status: a.status,
                        body: a.body,
                    })
                }
                Ok(shopmind_store::KeyedWrite::Replay(_)) => Err(key_reused()),
                Err(e) => Err(e.into()),
            }
        }
    }
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
