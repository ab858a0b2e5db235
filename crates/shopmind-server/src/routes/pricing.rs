//! Pricing over HTTP: an item's demand response over a price grid, the
//! recommended prices of the catalog, and price prediction from a table
//! (`shopmind_service::pricing` does the work).

use axum::Json;
use axum::extract::State;
use shopmind_service::pricing::{
    self, OptimizeAnswer, OptimizeRequest, PredictAnswer, PredictRequest, PriceResponse,
    ResponseQuery,
};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId, Q};

/// Units, revenue and profit over a grid of prices, with the elasticity's
/// 95% band.
#[utoipa::path(get, path = "/v1/items/{id}/price-response", tag = "pricing",
    params(("id" = String, Path, description = "Item id"),
        ("points" = Option<usize>, Query, description = "Grid points, 2–201 (21)"),
        ("from" = Option<f64>, Query, description = "Lowest price (0.7 × current)"),
        ("to" = Option<f64>, Query, description = "Highest price (1.3 × current)"),
        ("store" = Option<String>, Query, description = "One store's response (needs a model trained with per_store)")),
    responses((status = 200, description = "The demand response", body = PriceResponse),
        (status = 404, description = "No such item, or not in the pricing model (`not_in_model`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No active pricing model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn price_response(
    State(state): State<AppState>,
    PathId(id): PathId,
    Q(q): Q<ResponseQuery>,
) -> Result<Json<PriceResponse>, ApiError> {
    Ok(Json(pricing::price_response(&state, id, &q).await?))
}

/// Recommended prices of the catalog (or of the listed items) under the
/// given constraints, from the active pricing model.
#[utoipa::path(post, path = "/v1/pricing/optimize", tag = "pricing", request_body = OptimizeRequest,
    responses((status = 200, description = "One row per item; rows needing a look carry flags", body = OptimizeAnswer),
        (status = 503, description = "No active pricing model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn optimize(
    State(state): State<AppState>,
    Body(req): Body<OptimizeRequest>,
) -> Result<Json<OptimizeAnswer>, ApiError> {
    Ok(Json(pricing::optimize(&state, req).await?))
}

/// Fits a price regression on the rows sent and predicts the others.
#[utoipa::path(post, path = "/v1/pricing/predict", tag = "pricing", request_body = PredictRequest,
    responses((status = 200, description = "Scores, the chosen model and predictions", body = PredictAnswer)))]
pub async fn predict(
    State(state): State<AppState>,
    Body(req): Body<PredictRequest>,
) -> Result<Json<PredictAnswer>, ApiError> {
    Ok(Json(pricing::predict(&state, req).await?))
}
