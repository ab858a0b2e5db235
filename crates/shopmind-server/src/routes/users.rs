//! Users: read, create or replace attributes, and delete (with every event:
//! the privacy request; the user's next recommendations are cold-start ones).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use shopmind_core::record::{Attributes, User};

use crate::AppState;
use crate::error::{ApiError, FieldError};

/// Body of `PUT /v1/users/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[serde(default)]
    attributes: Attributes,
}

/// Answer of `DELETE /v1/users/{id}`.
#[derive(Debug, Serialize)]
pub struct Deleted {
    user_id: String,
    events_deleted: u64,
}

/// `GET /v1/users/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<User>, ApiError> {
    state
        .store
        .get_user(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user", &id))
}

/// `PUT /v1/users/{id}`: creates the user or replaces their attributes.
pub async fn put(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<UserBody>, JsonRejection>,
) -> Result<Json<User>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Err(e) = shopmind_core::record::validate_id("user_id", &id) {
        return Err(ApiError::invalid(
            "invalid user id",
            vec![FieldError {
                field: "user_id".into(),
                message: e.to_string(),
            }],
        ));
    }
    let user = User {
        user_id: id,
        attributes: body.attributes,
    };
    state.store.upsert_user(user.clone()).await?;
    Ok(Json(user))
}

/// `DELETE /v1/users/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let events_deleted = state.store.delete_user(&id).await;
    state.histories.invalidate([id.as_str()]);
    let events_deleted = events_deleted?;
    Ok(Json(Deleted {
        user_id: id,
        events_deleted,
    }))
}
