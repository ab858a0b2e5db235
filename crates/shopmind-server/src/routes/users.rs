//! Users over HTTP: read, create or replace attributes, and delete (the
//! privacy request; the user's next recommendations are cold-start ones).

use axum::Json;
use axum::extract::State;
use shopmind_core::record::User;
use shopmind_service::catalog::{self, UserBody};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId};

/// One user and their attributes.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User),
        (status = 404, description = "No such user", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<User>, ApiError> {
    Ok(Json(catalog::get_user(&state, id).await?))
}

/// Creates a user or replaces their attributes.
#[utoipa::path(put, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")), request_body = UserBody,
    responses((status = 200, description = "Created, or attributes replaced", body = User)))]
pub async fn put(
    State(state): State<AppState>,
    PathId(id): PathId,
    Body(body): Body<UserBody>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(catalog::put_user(&state, id, body).await?))
}

/// The privacy request: deletes a user, their attributes and events,
/// anonymises their orders, erases them from every stored recommendation
/// version, and drops their assistant sessions (see `docs/operations.md`).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "Everything stored about the user removed or unlinked", body = shopmind_service::privacy::Forgotten),
        (status = 404, description = "Nothing stored for this user", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<shopmind_service::privacy::Forgotten>, ApiError> {
    Ok(Json(
        shopmind_service::privacy::forget_user(&state, &id).await?,
    ))
}
