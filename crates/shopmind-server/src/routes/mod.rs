//! HTTP routes: one module per resource, each with its handlers and
//! request/response types; [`unpack_batch`] is shared by the batch writes.

pub mod chat;
pub mod events;
pub mod health;
pub mod items;
pub mod models;
pub mod pricing;
pub mod recommend;
pub mod supply;
pub mod users;

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::Value;

use crate::error::ApiError;

/// The `{id}` of a route, checked to be an id shopmind could have stored
/// (1–256 bytes, no control characters): anything else is a 422 naming
/// `id` before any look-up, so no backend ever sees it.
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        shopmind_core::record::validate_id("id", &id).map_err(|e| ApiError::record("", &e))?;
        Ok(PathId(id))
    }
}

/// Splits a batch body into its records: an array, `{"<key>": [...]}`, or,
/// when `single` allows it, one bare object. Refuses an empty batch (400)
/// and one over `max` records (413); `key` also names the records in errors.
pub(crate) fn unpack_batch(
    body: &[u8],
    key: &str,
    single: bool,
    max: usize,
) -> Result<Vec<Value>, ApiError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("body is not valid JSON: {e}")))?;
    let records = match v {
        Value::Array(records) => records,
        Value::Object(mut o) if o.len() == 1 && o.contains_key(key) => match o.remove(key) {
            Some(Value::Array(records)) => records,
            _ => return Err(ApiError::bad_request(format!("`{key}` must be an array"))),
        },
        Value::Object(_) if single => vec![v],
        _ => {
            let one = if single { "an object, " } else { "" };
            return Err(ApiError::bad_request(format!(
                "expected {one}an array, or {{\"{key}\": [...]}}"
            )));
        }
    };
    if records.is_empty() {
        return Err(ApiError::bad_request(format!("no {key} in the request")));
    }
    if records.len() > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            "Batch too large",
            format!("{} {key} in one request; the limit is {max}", records.len()),
        ));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_unpack_in_three_shapes_within_limits() {
        let n = |body: &[u8], single| unpack_batch(body, "events", single, 3).map(|v| v.len());
        assert_eq!(n(br#"{"user_id":"u","item_id":"i"}"#, true).unwrap(), 1);
        assert!(n(br#"{"user_id":"u","item_id":"i"}"#, false).is_err());
        assert_eq!(n(br#"[{"a":1},{"b":2}]"#, true).unwrap(), 2);
        assert_eq!(n(br#"{"events":[{"a":1}]}"#, false).unwrap(), 1);
        assert_eq!(
            n(br#"{"events":{"a":1}}"#, true).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            n(b"[]", true).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            n(b"not json", true).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            n(b"42", true).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            n(b"[1,2,3,4]", true).unwrap_err().status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
