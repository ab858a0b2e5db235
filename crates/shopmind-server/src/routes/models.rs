//! The model registry over HTTP: list versions, activate one, roll back.
//! Activation and rollback swap the serving pointer before answering, so the
//! next request on this replica already uses the new version (other replicas
//! follow within their polling interval).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shopmind_store::ModelRecord;

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::jobs::{Job, TrainRequest};
use crate::serving::sync;

/// Query of `GET /v1/models`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<String>,
}

/// Every version, newest first.
#[derive(Debug, Serialize)]
pub struct ModelList {
    models: Vec<ModelRecord>,
}

/// `GET /v1/models?kind=`.
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ModelList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(Json(ModelList {
        models: state.store.list_models(q.kind.as_deref()).await?,
    }))
}

async fn follow(state: &AppState, id: &str) -> Result<Json<ModelRecord>, ApiError> {
    if let Err(e) = sync(&state.store, &state.models).await {
        tracing::error!(error = %e, "activated version cannot be loaded");
        return Err(ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "model_load_failed",
            "Model load failed",
            format!("version `{id}` is active in the registry but could not be loaded: {e}"),
        ));
    }
    Ok(Json(state.store.require_model(id).await?))
}

/// `POST /v1/models/{id}/activate`.
pub async fn activate(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ModelRecord>, ApiError> {
    state.store.activate_model(&id).await?;
    follow(&state, &id).await
}

/// `POST /v1/models/{kind}/rollback`.
pub async fn rollback(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> Result<Json<ModelRecord>, ApiError> {
    let id = state.store.rollback_model(&kind).await?;
    follow(&state, &id).await
}

/// Body of `POST /v1/models/{kind}/train`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainBody {
    #[serde(default = "default_algorithm")]
    algorithm: String,
    #[serde(default)]
    params: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    binary: bool,
    #[serde(default)]
    activate: bool,
}

fn default_algorithm() -> String {
    "best".into()
}

/// `POST /v1/models/{kind}/train` → `202` with the queued job.
pub async fn train(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    body: Result<Json<TrainBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    let Json(body) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if kind != "recommend" {
        return Err(ApiError::not_found("trainable model kind", &kind));
    }
    if !shopmind_recommend::algorithms::NAMES.contains(&body.algorithm.as_str()) {
        return Err(ApiError::invalid(
            "unknown algorithm",
            vec![FieldError {
                field: "algorithm".into(),
                message: format!(
                    "expected one of: {}",
                    shopmind_recommend::algorithms::NAMES.join(", ")
                ),
            }],
        ));
    }
    let job = state.jobs.start(
        &state,
        TrainRequest {
            algorithm: body.algorithm,
            params: body.params,
            binary: body.binary,
            activate: body.activate,
        },
    );
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// `GET /v1/jobs/{id}`.
pub async fn job(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Job>, ApiError> {
    state
        .jobs
        .get(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("job", &id))
}
