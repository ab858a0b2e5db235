//! Recommendations over HTTP: for a user, for an anonymous session, and
//! similar items (`shopmind_service::recommend` computes the answers).

use axum::Json;
use axum::extract::State;
use shopmind_service::recommend::{
    self, RecAnswer, RecQuery, SessionRequest, SimilarAnswer, SimilarQuery,
};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId, Q};

/// Recommendations for a user, from their live history.
///
/// An unknown user, or one without usable history, gets cold-start
/// (trending) items, not an error.
#[utoipa::path(get, path = "/v1/users/{id}/recommendations", tag = "recommendations",
    params(("id" = String, Path, description = "User id"), ("n" = Option<u32>, Query, description = "List length, 1–1000 (10)"),
        ("category" = Option<String>, Query, description = "Only this category path and paths below it"),
        ("exclude" = Option<String>, Query, description = "Comma-separated item ids to leave out"),
        ("explain" = Option<bool>, Query, description = "Add a reason to every item")),
    responses((status = 200, description = "Recommendations from the active model (cold-start ones for an unknown user)", body = RecAnswer),
        (status = 503, description = "No active recommendation model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn for_user(
    State(state): State<AppState>,
    PathId(id): PathId,
    Q(q): Q<RecQuery>,
) -> Result<Json<RecAnswer>, ApiError> {
    Ok(Json(recommend::for_user(&state, id, &q).await?))
}

/// Recommendations for an anonymous session (a list of item ids).
#[utoipa::path(post, path = "/v1/recommendations", tag = "recommendations", request_body = SessionRequest,
    responses((status = 200, description = "Recommendations for an anonymous session", body = RecAnswer),
        (status = 503, description = "No active recommendation model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn for_session(
    State(state): State<AppState>,
    Body(req): Body<SessionRequest>,
) -> Result<Json<RecAnswer>, ApiError> {
    Ok(Json(recommend::for_session(&state, req)?))
}

/// Items similar to one item under the active model.
#[utoipa::path(get, path = "/v1/items/{id}/similar", tag = "recommendations",
    params(("id" = String, Path, description = "Item id"), ("n" = Option<u32>, Query, description = "List length, 1–1000 (10)")),
    responses((status = 200, description = "Items similar under the active model", body = SimilarAnswer),
        (status = 404, description = "No such item, or newer than the model (`not_in_model`)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn similar(
    State(state): State<AppState>,
    PathId(id): PathId,
    Q(q): Q<SimilarQuery>,
) -> Result<Json<SimilarAnswer>, ApiError> {
    Ok(Json(recommend::similar(&state, id, &q).await?))
}
