//! The model registry over HTTP: list versions, activate one, roll back,
//! train a new one in the background, follow a job
//! (`shopmind_service::registry` does the work).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shopmind_service::jobs::Job;
use shopmind_service::registry::{self, ListQuery, ModelList};
use shopmind_service::training::TrainRequest;
use shopmind_store::ModelRecord;

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId, Q};

/// Every registered model version with its metrics, newest first.
#[utoipa::path(get, path = "/v1/models", tag = "models",
    params(("kind" = Option<String>, Query, description = "Only this kind (`recommend`, `pricing`, `forecast` or `assistant`)")),
    responses((status = 200, description = "Every version, newest first", body = ModelList)))]
pub async fn list(
    State(state): State<AppState>,
    Q(q): Q<ListQuery>,
) -> Result<Json<ModelList>, ApiError> {
    Ok(Json(registry::list(&state, &q).await?))
}

/// Activates a version; this server serves it before answering.
#[utoipa::path(post, path = "/v1/models/{id}/activate", tag = "models", params(("id" = String, Path, description = "Version id")),
    responses((status = 200, description = "Active and served by this server", body = ModelRecord),
        (status = 404, description = "No such version", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn activate(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<ModelRecord>, ApiError> {
    Ok(Json(registry::activate(&state, &id).await?.0))
}

/// Re-activates the version that was active before the current one.
#[utoipa::path(post, path = "/v1/models/{kind}/rollback", tag = "models", params(("kind" = String, Path, description = "Model kind (`recommend`, `pricing`, `forecast` or `assistant`)")),
    responses((status = 200, description = "The previously active version, active again", body = ModelRecord),
        (status = 409, description = "No earlier version", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn rollback(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> Result<Json<ModelRecord>, ApiError> {
    Ok(Json(registry::rollback(&state, &kind).await?))
}

/// Queues a training job (`202`); it runs in the background.
#[utoipa::path(post, path = "/v1/models/{kind}/train", tag = "models", params(("kind" = String, Path, description = "Model kind: `recommend`, `pricing`, `forecast` or `assistant`")),
    request_body = TrainRequest,
    responses((status = 202, description = "Queued", body = Job),
        (status = 404, description = "Not a trainable kind", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn train(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Body(req): Body<TrainRequest>,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(registry::train(&state, &kind, &req).await?),
    ))
}

/// A job's state, progress and outcome (the same on every replica: jobs
/// are rows of the store's queue).
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "models", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The job", body = Job),
        (status = 404, description = "No such job", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn job(State(state): State<AppState>, PathId(id): PathId) -> Result<Json<Job>, ApiError> {
    Ok(Json(registry::job(&state, &id).await?))
}
