//! Liveness and readiness probes.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;

/// `GET /health/live`: the process answers.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "live" }))
}

/// `GET /health/ready`: the store answers and start-up work is done.
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if !state.ready.load(Ordering::Acquire) {
        return Err(ApiError::unavailable("still starting"));
    }
    if !state.store.ping().await {
        return Err(ApiError::unavailable("the store does not answer"));
    }
    Ok(Json(json!({ "status": "ready" })))
}
