//! Pricing over HTTP: an item's demand response over a price grid and the
//! recommended prices of the catalog, both from the active pricing version
//! (`POST /v1/models/pricing/train` makes one); and price prediction from
//! a table sent in the request.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shopmind_pricing::optimize::{Constraints, Goal, PriceRecommendation};
use shopmind_pricing::plan::{CatalogItem, fit_regression, recommend_prices};
use shopmind_pricing::regress::{Algorithm, RegressError, RegressionParams};
use shopmind_pricing::table::{Column, Table};

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::routes::PathId;
use crate::serving::LoadedPricing;

/// Most rows of a prediction table.
pub const MAX_TABLE_ROWS: usize = 10_000;

/// Most cross-validation folds a prediction request may ask for.
pub const MAX_FOLDS: usize = 20;

/// Most training rows × folds one prediction request may cost (`auto`
/// fits every model family on each fold).
pub const MAX_CV_ROWS: usize = 100_000;

fn active(state: &AppState) -> Result<std::sync::Arc<LoadedPricing>, ApiError> {
    state.models.pricing().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_active_model",
            "No active model",
            "no pricing model is active: train one (`shopmind train pricing` or POST /v1/models/pricing/train)",
        )
    })
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: name.into(),
        message: message.into(),
    }
}

/// Query of the price-response route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseQuery {
    points: Option<usize>,
    store: Option<String>,
    from: Option<f64>,
    to: Option<f64>,
}

/// Expected demand at one price.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResponsePoint {
    price: f64,
    units: f64,
    /// Units with ε at the lower and upper end of its 95% interval.
    units_low: f64,
    units_high: f64,
    revenue: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    profit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profit_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profit_high: Option<f64>,
}

/// An item's demand response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PriceResponse {
    item_id: String,
    model_id: String,
    current_price: f64,
    cost: Option<f64>,
    /// The store the response is for (all stores when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    store_id: Option<String>,
    elasticity: f64,
    elasticity_se: f64,
    /// `estimated`, or why the category's value was used.
    flag: &'static str,
    /// Expected daily units (all stores) and money, per price.
    points: Vec<ResponsePoint>,
}

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
    query: Result<Query<ResponseQuery>, QueryRejection>,
) -> Result<Json<PriceResponse>, ApiError> {
    let Query(q) = query.map_err(ApiError::from)?;
    let loaded = active(&state)?;
    let item = state
        .store
        .get_item(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("item", &id))?;
    let Some(e) = loaded.model.get(&id) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_in_model",
            "Not in the model",
            format!(
                "item `{id}` has no sales in the active pricing model; retrain after importing its sales"
            ),
        ));
    };
    // One store's estimate, when asked for.
    let (elasticity, std_error, base_units) = match &q.store {
        None => (e.elasticity, e.std_error, e.base_units),
        Some(st) => match e.stores.iter().find(|x| x.store_id == *st) {
            Some(x) => (x.elasticity, x.std_error, x.base_units),
            None => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_in_model",
                    "Not in the model",
                    format!(
                        "no estimate of item `{id}` in store `{st}`: train pricing with params {{\"per_store\": \"true\"}}"
                    ),
                ));
            }
        },
    };
    let current = item.price.filter(|p| *p > 0.0 && p.is_finite());
    let mut errors = Vec::new();
    let points = q.points.unwrap_or(21);
    if !(2..=201).contains(&points) {
        errors.push(field("points", "must lie between 2 and 201"));
    }
    let base = current.unwrap_or(e.reference_price);
    let (from, to) = (q.from.unwrap_or(0.7 * base), q.to.unwrap_or(1.3 * base));
    if !(from.is_finite() && from > 0.0) {
        errors.push(field("from", "must be a price > 0"));
    }
    if !(to.is_finite() && to > from) {
        errors.push(field("to", "must be a price above `from`"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("invalid query parameters", errors));
    }
    let units = |p: f64, eps: f64| base_units * (p / e.reference_price).powf(eps);
    let band = 1.96 * std_error;
    let points = (0..points)
        .map(|k| {
            let price = from + (to - from) * k as f64 / (points - 1) as f64;
            let (a, b) = (
                units(price, elasticity - band),
                units(price, elasticity + band),
            );
            let (low, high) = (a.min(b), a.max(b));
            let margin = item.cost.map(|c| price - c);
            ResponsePoint {
                price,
                units: units(price, elasticity),
                units_low: low,
                units_high: high,
                revenue: price * units(price, elasticity),
                profit: margin.map(|m| m * units(price, elasticity)),
                profit_low: margin.map(|m| (m * low).min(m * high)),
                profit_high: margin.map(|m| (m * low).max(m * high)),
            }
        })
        .collect();
    Ok(Json(PriceResponse {
        item_id: id,
        model_id: loaded.model_id.clone(),
        current_price: current.unwrap_or(f64::NAN),
        cost: item.cost,
        store_id: q.store.clone(),
        elasticity,
        elasticity_se: std_error,
        flag: e.flag.as_str(),
        points,
    }))
}

/// Body of `POST /v1/pricing/optimize` (every field optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptimizeRequest {
    /// `profit` (default) or `revenue`.
    objective: Option<String>,
    /// Largest relative change from the current price (0.2 = ±20%).
    max_change: Option<f64>,
    /// Smallest gross margin (price − cost) / price.
    min_margin: Option<f64>,
    /// Price ending (0.99).
    ending: Option<f64>,
    /// Absolute lowest price.
    min_price: Option<f64>,
    /// Absolute highest price.
    max_price: Option<f64>,
    /// Smallest expected daily units at the new price.
    min_units: Option<f64>,
    /// Largest average relative change per category.
    category_cap: Option<f64>,
    /// Only these items (default: the whole catalog).
    items: Option<Vec<String>>,
}

/// The recommended prices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OptimizeAnswer {
    model_id: String,
    #[schema(value_type = Vec<Object>)]
    recommendations: Vec<PriceRecommendation>,
}

/// Recommended prices of the catalog (or of the listed items) under the
/// given constraints, from the active pricing model.
#[utoipa::path(post, path = "/v1/pricing/optimize", tag = "pricing", request_body = OptimizeRequest,
    responses((status = 200, description = "One row per item; rows needing a look carry flags", body = OptimizeAnswer),
        (status = 503, description = "No active pricing model", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn optimize(
    State(state): State<AppState>,
    body: Result<Json<OptimizeRequest>, JsonRejection>,
) -> Result<Json<OptimizeAnswer>, ApiError> {
    let Json(req) = body.map_err(ApiError::from)?;
    let mut errors = Vec::new();
    let goal = match req.objective.as_deref() {
        None | Some("profit") => Goal::Profit,
        Some("revenue") => Goal::Revenue,
        Some(_) => {
            errors.push(field("objective", "must be profit or revenue"));
            Goal::Profit
        }
    };
    for (name, v) in [
        ("max_change", req.max_change),
        ("min_margin", req.min_margin),
        ("ending", req.ending),
        ("category_cap", req.category_cap),
    ] {
        if v.is_some_and(|v| !(v.is_finite() && (0.0..1.0).contains(&v))) {
            errors.push(field(name, "must lie in [0, 1)"));
        }
    }
    for (name, v) in [
        ("min_price", req.min_price),
        ("max_price", req.max_price),
        ("min_units", req.min_units),
    ] {
        if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
            errors.push(field(name, "must be a number ≥ 0"));
        }
    }
    if req.items.as_ref().is_some_and(|i| i.len() > 10_000) {
        errors.push(field("items", "at most 10,000 items"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("invalid pricing request", errors));
    }
    let loaded = active(&state)?;
    let mut catalog = state.store.all_items().await?;
    if let Some(ids) = &req.items {
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        catalog.retain(|i| wanted.contains(i.item_id.as_str()));
        if catalog.len() < wanted.len() {
            let known: std::collections::HashSet<&str> =
                catalog.iter().map(|i| i.item_id.as_str()).collect();
            let missing: Vec<FieldError> = ids
                .iter()
                .enumerate()
                .filter(|(_, id)| !known.contains(id.as_str()))
                .map(|(i, id)| field(&format!("items[{i}]"), format!("unknown item `{id}`")))
                .collect();
            return Err(ApiError::invalid("unknown items", missing));
        }
    }
    let items: Vec<CatalogItem> = catalog
        .into_iter()
        .map(|i| CatalogItem {
            price: i.price.unwrap_or(f64::NAN),
            cost: i.cost,
            category: i.category,
            flags: Vec::new(),
            item_id: i.item_id,
        })
        .collect();
    let constraints = Constraints {
        max_change: req.max_change,
        min_margin: req.min_margin,
        min_price: req.min_price,
        max_price: req.max_price,
        ending: req.ending,
        min_units: req.min_units,
    };
    let model = loaded.clone();
    let recommendations = state
        .compute
        .run(state.request_timeout, move |_| {
            recommend_prices(
                &items,
                |id| model.model.get(id),
                goal,
                &constraints,
                req.category_cap,
            )
        })
        .await?;
    Ok(Json(OptimizeAnswer {
        model_id: loaded.model_id.clone(),
        recommendations,
    }))
}

/// Body of `POST /v1/pricing/predict`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictRequest {
    /// Column to predict (default `price`).
    target: Option<String>,
    /// Feature columns (default: every column of `train` but the target and
    /// `id` / `*_id` columns).
    features: Option<Vec<String>>,
    /// `linear`, `ridge`, `svr`, `tree`, `gbdt` or `auto` (default).
    model: Option<String>,
    /// Cross-validation folds (5).
    folds: Option<usize>,
    /// Training rows: objects of column → number or text.
    #[schema(value_type = Vec<Object>)]
    train: Vec<serde_json::Map<String, Value>>,
    /// Rows to predict (the same feature columns).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    predict: Vec<serde_json::Map<String, Value>>,
}

/// Cross-validated scores of one model family.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelScores {
    model: &'static str,
    r2: f64,
    mae: f64,
    rmse: f64,
    mape: Option<f64>,
}

/// The chosen model, its scores and the predictions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PredictAnswer {
    target: String,
    features: Vec<String>,
    chosen: &'static str,
    cross_validation: Vec<ModelScores>,
    predictions: Vec<f64>,
}

fn cell_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn table(rows: &[serde_json::Map<String, Value>], features: &[String]) -> Result<Table, ApiError> {
    let cols = features
        .iter()
        .map(|f| {
            let cells = rows.iter().map(|r| cell_text(r.get(f))).collect();
            (f.clone(), Column::infer(cells))
        })
        .collect();
    Table::new(cols).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Fits a price regression on the rows sent and predicts the others.
#[utoipa::path(post, path = "/v1/pricing/predict", tag = "pricing", request_body = PredictRequest,
    responses((status = 200, description = "Scores, the chosen model and predictions", body = PredictAnswer)))]
pub async fn predict(
    State(state): State<AppState>,
    body: Result<Json<PredictRequest>, JsonRejection>,
) -> Result<Json<PredictAnswer>, ApiError> {
    let Json(req) = body.map_err(ApiError::from)?;
    let target = req.target.clone().unwrap_or_else(|| "price".into());
    let mut errors = Vec::new();
    if req.train.len() < 4 || req.train.len() > MAX_TABLE_ROWS {
        errors.push(field("train", format!("needs 4 to {MAX_TABLE_ROWS} rows")));
    }
    if req.predict.len() > MAX_TABLE_ROWS {
        errors.push(field("predict", format!("at most {MAX_TABLE_ROWS} rows")));
    }
    let mut y = Vec::with_capacity(req.train.len());
    for (i, r) in req.train.iter().enumerate() {
        match r.get(&target).and_then(Value::as_f64) {
            Some(v) if v.is_finite() => y.push(v),
            _ => errors.push(field(&format!("train[{i}].{target}"), "must be a number")),
        }
    }
    let choice = match req.model.as_deref() {
        None | Some("auto") => None,
        Some(m) => match Algorithm::parse(m) {
            Some(a) => Some(a),
            None => {
                errors.push(field(
                    "model",
                    "must be linear, ridge, svr, tree, gbdt or auto",
                ));
                None
            }
        },
    };
    let folds = req.folds.unwrap_or(5);
    if folds < 2 || folds > req.train.len().max(2) || folds > MAX_FOLDS {
        errors.push(field(
            "folds",
            format!("must lie between 2 and the number of training rows, at most {MAX_FOLDS}"),
        ));
    } else if req.train.len() * folds > MAX_CV_ROWS {
        errors.push(field(
            "folds",
            format!(
                "{} training rows × {folds} folds is over the budget of {MAX_CV_ROWS} row-fits per request; use fewer folds or rows, or `shopmind price predict` for large tables",
                req.train.len()
            ),
        ));
    }
    let features: Vec<String> = match &req.features {
        Some(f) => f.clone(),
        None => {
            let mut names: Vec<String> = req
                .train
                .first()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            names.retain(|n| *n != target && n != "id" && !n.ends_with("_id"));
            names
        }
    };
    if features.is_empty() || features.contains(&target) {
        errors.push(field(
            "features",
            "name at least one column other than the target",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("invalid prediction request", errors));
    }
    let train = table(&req.train, &features)?;
    let new = table(&req.predict, &features)?;
    let params = RegressionParams::default();
    let fitted = state
        .compute
        .run(state.request_timeout, move |cancel| {
            let f = fit_regression(&params, choice, &train, &y, folds, 42, cancel)?;
            let p = if new.rows() > 0 {
                f.model.predict(&new)?
            } else {
                Vec::new()
            };
            Ok::<_, RegressError>((f, p))
        })
        .await?
        .map_err(|e| match e {
            RegressError::Cancelled(c) => crate::compute::cancelled(c),
            other => ApiError::invalid(other.to_string(), Vec::new()),
        })?;
    let (f, predictions) = fitted;
    Ok(Json(PredictAnswer {
        target,
        features,
        chosen: f.algorithm.name(),
        cross_validation: f
            .scores
            .iter()
            .map(|(a, s)| ModelScores {
                model: a.name(),
                r2: s.r2,
                mae: s.mae,
                rmse: s.rmse,
                mape: s.mape.is_finite().then_some(s.mape),
            })
            .collect(),
        predictions,
    }))
}
