//! The model registry over HTTP: list versions, activate one, roll back.
//! Activation and rollback swap the serving pointer before answering, so the
//! next request on this replica already uses the new version (other replicas
//! follow within their polling interval).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use shopmind_store::ModelRecord;

use crate::AppState;
use crate::error::ApiError;
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
