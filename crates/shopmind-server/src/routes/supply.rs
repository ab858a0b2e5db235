//! Demand forecasts and replenishment over HTTP: `GET /v1/items/{id}/forecast`,
//! `GET /v1/inventory/plan`, `POST /v1/inventory/simulate`
//! (`shopmind_service::supply::answers` does the work).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shopmind_service::jobs::Job;
use shopmind_service::supply::answers::{
    self as supply, ForecastQuery, ItemForecast, Plan, PolicyQuery, SimulateRequest,
};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId, Q};

/// Daily unit forecasts of an item, per store, with prediction intervals.
#[utoipa::path(get, path = "/v1/items/{id}/forecast", tag = "forecast",
    params(("id" = String, Path, description = "Item id"), ForecastQuery),
    responses((status = 200, description = "The forecast", body = ItemForecast),
        (status = 404, description = "Item (or store) not in the forecast model (`not_in_model`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No active forecast model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn item_forecast(
    State(state): State<AppState>,
    PathId(id): PathId,
    Q(q): Q<ForecastQuery>,
) -> Result<Json<ItemForecast>, ApiError> {
    Ok(Json(supply::item_forecast(&state, id, &q).await?))
}

/// What to order now, per item and store, from the active forecast and the
/// store's inventory.
#[utoipa::path(get, path = "/v1/inventory/plan", tag = "forecast", params(PolicyQuery),
    responses((status = 200, description = "The plan", body = Plan),
        (status = 503, description = "No active forecast model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn plan(
    State(state): State<AppState>,
    Q(q): Q<PolicyQuery>,
) -> Result<Json<Plan>, ApiError> {
    Ok(Json(supply::plan(&state, &q).await?))
}

/// Queues a replay of the last months of real demand against the policy,
/// re-planning from the history as it stood; the job's `result` holds the
/// achieved fill rate, cycle service, stock, orders and cost, regular items
/// and slow movers apart. A job because it refits forecasts at every
/// re-planning day of every item: seconds to minutes, more than a request
/// may take.
#[utoipa::path(post, path = "/v1/inventory/simulate", tag = "forecast", request_body = SimulateRequest,
    responses((status = 202, description = "Queued: poll GET /v1/jobs/{id}; its `result` is a SimulateResponse", body = shopmind_service::jobs::Job),
        (status = 422, description = "Invalid settings", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn simulate(
    State(state): State<AppState>,
    Body(b): Body<SimulateRequest>,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        Json(supply::simulate(&state, b).await?),
    ))
}
