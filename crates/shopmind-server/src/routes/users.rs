//! Users: read, create or replace attributes, and delete (with every event:
//! the privacy request; the user's next recommendations are cold-start ones).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Deserialize;
use shopmind_core::record::{Attributes, User};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::PathId;

/// Body of `PUT /v1/users/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[serde(default)]
    attributes: Attributes,
}

/// One user and their attributes.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User),
        (status = 404, description = "No such user", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<User>, ApiError> {
    state
        .store
        .get_user(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user", &id))
}

/// Creates a user or replaces their attributes.
#[utoipa::path(put, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")), request_body = UserBody,
    responses((status = 200, description = "Created, or attributes replaced", body = User)))]
pub async fn put(
    State(state): State<AppState>,
    PathId(id): PathId,
    body: Result<Json<UserBody>, JsonRejection>,
) -> Result<Json<User>, ApiError> {
    let Json(body) = body.map_err(ApiError::from)?;
    let user = User {
        user_id: id,
        attributes: body.attributes,
    };
    user.validate().map_err(|e| ApiError::record("", &e))?;
    state.store.upsert_user(user.clone()).await?;
    Ok(Json(user))
}

/// The privacy request: deletes a user, their attributes and events,
/// anonymises their orders, erases them from every stored recommendation
/// version, and drops their assistant sessions (see `docs/operations.md`).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "Everything stored about the user removed or unlinked", body = crate::privacy::Forgotten),
        (status = 404, description = "Nothing stored for this user", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<crate::privacy::Forgotten>, ApiError> {
    crate::privacy::forget_user(&state, &id).await.map(Json)
}
