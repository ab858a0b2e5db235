//! Liveness and readiness probes.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiError;

/// `GET /health/live`: the process answers.
#[utoipa::path(get, path = "/health/live", tag = "health", security(()),
    responses((status = 200, description = "The process runs", body = Object, example = json!({"status": "live"}))))]
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "live" }))
}

/// `GET /health/ready`: start-up work is done, the store answers, and it
/// holds this build's schema.
#[utoipa::path(get, path = "/health/ready", tag = "health", security(()),
    responses(
        (status = 200, description = "Models loaded and the store answers", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "Starting, the store is down, or its schema is missing or old (`Retry-After: 5`)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.readiness().await?;
    Ok(Json(json!({ "status": "ready" })))
}
