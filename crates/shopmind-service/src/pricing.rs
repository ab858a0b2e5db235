//! Pricing answers: an item's demand response over a price grid and the
//! recommended prices of the catalog, both from the active pricing version
//! (`POST /v1/models/pricing/train` makes one); and price prediction from
//! a table sent in the request.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shopmind_pricing::optimize::{Constraints, Goal, PriceRecommendation};
use shopmind_pricing::plan::{CatalogItem, fit_regression, recommend_prices};
use shopmind_pricing::regress::{Algorithm, RegressError, RegressionParams};
use shopmind_pricing::table::{Column, Table};

use shopmind_core::model::ModelKind;

use crate::serving::LoadedPricing;
use crate::{FieldError, Service, ServiceError};

/// Most rows of a prediction table.
pub const MAX_TABLE_ROWS: usize = 10_000;

/// Most cross-validation folds a prediction request may ask for.
pub const MAX_FOLDS: usize = 20;

/// Most training rows × folds one prediction request may cost (`auto`
/// fits every model family on each fold).
pub const MAX_CV_ROWS: usize = 100_000;

fn active(svc: &Service) -> Result<std::sync::Arc<LoadedPricing>, ServiceError> {
    svc.models
        .pricing()
        .ok_or(ServiceError::NoActiveModel(ModelKind::Pricing))
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
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
pub async fn price_response(
    svc: &Service,
    id: String,
    q: &ResponseQuery,
) -> Result<PriceResponse, ServiceError> {
    let loaded = active(svc)?;
    let Some(item) = svc.store.get_item(&id).await? else {
        return Err(ServiceError::NotFound { what: "item", id });
    };
    let Some(e) = loaded.model.get(&id) else {
        return Err(ServiceError::NotInModel(format!(
            "item `{id}` has no sales in the active pricing model; retrain after importing its sales"
        )));
    };
    // One store's estimate, when asked for.
    let (elasticity, std_error, base_units) = match &q.store {
        None => (e.elasticity, e.std_error, e.base_units),
        Some(st) => match e.stores.iter().find(|x| x.store_id == *st) {
            Some(x) => (x.elasticity, x.std_error, x.base_units),
            None => {
                return Err(ServiceError::NotInModel(format!(
                    "no estimate of item `{id}` in store `{st}`: train pricing with params {{\"per_store\": true}}"
                )));
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
        return Err(ServiceError::invalid("invalid query parameters", errors));
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
    Ok(PriceResponse {
        item_id: id,
        model_id: loaded.model_id.clone(),
        current_price: current.unwrap_or(f64::NAN),
        cost: item.cost,
        store_id: q.store.clone(),
        elasticity,
        elasticity_se: std_error,
        flag: e.flag.as_str(),
        points,
    })
}

/// Body of `POST /v1/pricing/optimize` (every field optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptimizeRequest {
    /// `profit` (default) or `revenue`.
    pub objective: Option<String>,
    /// Largest relative change from the current price (0.2 = ±20%).
    pub max_change: Option<f64>,
    /// Smallest gross margin (price − cost) / price.
    pub min_margin: Option<f64>,
    /// Price ending (0.99).
    pub ending: Option<f64>,
    /// Absolute lowest price.
    pub min_price: Option<f64>,
    /// Absolute highest price.
    pub max_price: Option<f64>,
    /// Smallest expected daily units at the new price.
    pub min_units: Option<f64>,
    /// Largest average relative change per category.
    pub category_cap: Option<f64>,
    /// Only these items (default: the whole catalog).
    pub items: Option<Vec<String>>,
}

/// The recommended prices.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OptimizeAnswer {
    model_id: String,
    #[schema(value_type = Vec<Object>)]
    recommendations: Vec<PriceRecommendation>,
}

/// The goal, constraints and category cap a request names, checked: the one
/// rule set behind `POST /v1/pricing/optimize` and `shopmind price optimize`.
pub fn price_rules(
    req: &OptimizeRequest,
) -> Result<(Goal, Constraints, Option<f64>), ServiceError> {
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
        return Err(ServiceError::invalid("invalid pricing request", errors));
    }
    let constraints = Constraints {
        max_change: req.max_change,
        min_margin: req.min_margin,
        min_price: req.min_price,
        max_price: req.max_price,
        ending: req.ending,
        min_units: req.min_units,
    };
    Ok((goal, constraints, req.category_cap))
}

/// Recommended prices of the catalog (or of the listed items) under the
/// given constraints, from the active pricing model.
pub async fn optimize(svc: &Service, req: OptimizeRequest) -> Result<OptimizeAnswer, ServiceError> {
    let (goal, constraints, category_cap) = price_rules(&req)?;
    let loaded = active(svc)?;
    let mut catalog = svc.store.all_items().await?;
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
            return Err(ServiceError::invalid("unknown items", missing));
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
    let model = loaded.clone();
    let recommendations = svc
        .compute(move |_| {
            recommend_prices(
                &items,
                |id| model.model.get(id),
                goal,
                &constraints,
                category_cap,
            )
        })
        .await?;
    Ok(OptimizeAnswer {
        model_id: loaded.model_id.clone(),
        recommendations,
    })
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

fn table(
    rows: &[serde_json::Map<String, Value>],
    features: &[String],
) -> Result<Table, ServiceError> {
    let cols = features
        .iter()
        .map(|f| {
            let cells = rows.iter().map(|r| cell_text(r.get(f))).collect();
            (f.clone(), Column::infer(cells))
        })
        .collect();
    Table::new(cols).map_err(|e| ServiceError::BadRequest(e.to_string()))
}

/// Fits a price regression on the rows sent and predicts the others.
pub async fn predict(svc: &Service, req: PredictRequest) -> Result<PredictAnswer, ServiceError> {
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
    let columns: Vec<String> = req
        .train
        .first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    let features =
        feature_columns(&columns, &target, req.features.as_deref()).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
    if !errors.is_empty() {
        return Err(ServiceError::invalid("invalid prediction request", errors));
    }
    let train = table(&req.train, &features)?;
    let new = table(&req.predict, &features)?;
    let params = RegressionParams::default();
    let fitted = svc
        .compute(move |cancel| {
            let f = fit_regression(&params, choice, &train, &y, folds, 42, cancel)?;
            let p = if new.rows() > 0 {
                f.model.predict(&new)?
            } else {
                Vec::new()
            };
            Ok::<_, RegressError>((f, p))
        })
        .await?
        .map_err(regress_error)?;
    let (f, predictions) = fitted;
    Ok(PredictAnswer {
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
    })
}

/// Whether a column names an identifier (`id`, `item_id`, `SKU_ID`: any
/// case), which is never a default feature.
pub fn is_id_column(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || name.to_ascii_lowercase().ends_with("_id")
}

/// The feature columns of a price prediction: those `given`, or every
/// column but the target and the identifiers; the one rule behind
/// `POST /v1/pricing/predict` and `shopmind price predict`.
pub fn feature_columns(
    columns: &[String],
    target: &str,
    given: Option<&[String]>,
) -> Result<Vec<String>, FieldError> {
    let features: Vec<String> = match given {
        Some(f) => f.iter().map(|c| c.trim().to_owned()).collect(),
        None => columns
            .iter()
            .filter(|c| *c != target && !is_id_column(c))
            .cloned()
            .collect(),
    };
    if features.is_empty() || features.iter().any(|f| f == target) {
        return Err(field(
            "features",
            "name at least one column other than the target",
        ));
    }
    Ok(features)
}

/// Whose fault a regression failure is: an unusable table or too few rows
/// is the caller's; a singular system or a learner's refusal is ours (500,
/// logged); a stop is a stop.
fn regress_error(e: RegressError) -> ServiceError {
    match e {
        RegressError::Cancelled(c) => ServiceError::Stopped(c),
        e @ (RegressError::Table(_)
        | RegressError::TooFew(_)
        | RegressError::BadTarget(_)
        | RegressError::BadParam { .. }) => ServiceError::invalid(e.to_string(), Vec::new()),
        e @ (RegressError::Singular | RegressError::Learn(_) | RegressError::Svr(_)) => {
            ServiceError::internal("the price regression failed", e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_columns_are_left_out_whatever_their_case() {
        let cols: Vec<String> = ["ID", "Item_ID", "sku", "price", "cost"]
            .map(String::from)
            .into();
        assert_eq!(
            feature_columns(&cols, "price", None).unwrap(),
            ["sku", "cost"]
        );
        let given = ["price".to_owned()];
        assert_eq!(
            feature_columns(&cols, "price", Some(&given))
                .unwrap_err()
                .field,
            "features"
        );
    }

    #[test]
    fn a_singular_system_is_our_fault_and_a_short_table_the_callers() {
        assert!(!regress_error(RegressError::Singular).is_callers_fault());
        assert!(regress_error(RegressError::TooFew("3 rows".into())).is_callers_fault());
        assert!(matches!(
            regress_error(RegressError::Cancelled(
                shopmind_core::cancel::Cancelled::OutOfTime
            )),
            ServiceError::Stopped(_)
        ));
    }
}
