//! Forecast and replenishment answers: an item's forecast, the plan and the
//! simulation job, from the active `forecast` version and the store's
//! inventory and sales.

use serde::{Deserialize, Serialize};
use shopmind_core::model::ModelKind;
use shopmind_inventory::policy::{PolicyKind, PolicyParams, Target};

use super::{self as replenish, SimGroup, SimSettings};
use crate::jobs::Job;
use crate::serving::LoadedForecast;
use crate::{FieldError, Service, ServiceError};

/// Longest forecast horizon served, in days.
pub const MAX_HORIZON: usize = 366;

fn active(svc: &Service) -> Result<std::sync::Arc<LoadedForecast>, ServiceError> {
    svc.models
        .forecast()
        .ok_or(ServiceError::NoActiveModel(ModelKind::Forecast))
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

/// Query of `GET /v1/items/{id}/forecast`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForecastQuery {
    /// Days ahead, 1–366 (28).
    horizon: Option<usize>,
    /// One store (all the item's stores when absent).
    pub store: Option<String>,
    /// Interval levels in percent, comma-separated (`80,95`).
    levels: Option<String>,
}

/// One day of a forecast.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForecastStep {
    step: usize,
    date: String,
    forecast: f64,
    /// (level, low, high) per requested level.
    intervals: Vec<(f64, f64, f64)>,
}

/// One store's forecast.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoreForecast {
    store_id: String,
    /// The fitted model, e.g. `ETS(M,N,A)`.
    model: String,
    /// Fallbacks and choices, in words.
    notes: Vec<String>,
    steps: Vec<ForecastStep>,
}

/// An item's demand forecast.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemForecast {
    item_id: String,
    model_id: String,
    /// Last day of the history; step 1 is the day after.
    last_date: String,
    stores: Vec<StoreForecast>,
}

/// Daily unit forecasts of an item, per store, with prediction intervals.
pub async fn item_forecast(
    svc: &Service,
    id: String,
    q: &ForecastQuery,
) -> Result<ItemForecast, ServiceError> {
    let loaded = active(svc)?;
    let mut errors = Vec::new();
    let horizon = q.horizon.unwrap_or(28);
    if !(1..=MAX_HORIZON).contains(&horizon) {
        errors.push(field(
            "horizon",
            format!("must lie between 1 and {MAX_HORIZON}"),
        ));
    }
    let levels = match parse_levels(q.levels.as_deref().unwrap_or("80,95")) {
        Ok(l) => l,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::invalid("invalid query parameters", errors));
    }
    let model = &loaded.model;
    let stores: Vec<StoreForecast> = model
        .item(&id)
        .filter(|(store, _)| q.store.as_deref().is_none_or(|s| s == *store))
        .map(|(store, fitted)| {
            let f = fitted.forecast(horizon, &levels);
            StoreForecast {
                store_id: store.to_owned(),
                model: f.model.clone(),
                notes: f.notes.clone(),
                steps: (0..horizon)
                    .map(|k| ForecastStep {
                        step: k + 1,
                        date: model.last_date.add_days(k as i32 + 1).to_string(),
                        forecast: f.mean[k],
                        intervals: f
                            .intervals
                            .iter()
                            .map(|i| (i.level, i.lo[k], i.hi[k]))
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    if stores.is_empty() {
        let what = q
            .store
            .as_ref()
            .map_or(String::new(), |s| format!(" in store `{s}`"));
        return Err(ServiceError::NotInModel(format!(
            "item `{id}`{what} has no sales in the active forecast model; retrain after importing its sales"
        )));
    }
    Ok(ItemForecast {
        item_id: id,
        model_id: loaded.model_id.clone(),
        last_date: model.last_date.to_string(),
        stores,
    })
}

fn parse_levels(text: &str) -> Result<Vec<f64>, FieldError> {
    let levels: Result<Vec<f64>, _> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<f64>)
        .collect();
    match levels {
        Ok(l) if l.len() <= 5 && shopmind_forecast::check_levels(&l).is_ok() => Ok(l),
        _ => Err(field(
            "levels",
            "up to 5 percentages strictly between 0 and 100, e.g. 80,95",
        )),
    }
}

/// Policy settings shared by plan and simulate.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PolicyQuery {
    /// Target level in (0, 1) (0.95).
    pub service_level: Option<f64>,
    /// `fill_rate` (default) or `csl` (cycle-service level).
    pub target: Option<String>,
    /// `ss` ((s,S), default), `rs` ((R,S)) or `rq` ((r,Q)).
    pub policy: Option<String>,
    /// Review period in days (1).
    pub review_days: Option<f64>,
    /// Only this store.
    pub store: Option<String>,
    /// Only lines with an order due now (plan only).
    pub only_orders: Option<bool>,
}

/// The inventory policy a query names, checked: the one rule set behind
/// `GET /v1/inventory/plan`, the simulation job and `shopmind inventory`.
pub fn policy(q: &PolicyQuery) -> Result<PolicyParams, ServiceError> {
    let mut errors = Vec::new();
    let p = policy_params(q, &mut errors);
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(ServiceError::invalid("invalid inventory policy", errors))
    }
}

fn policy_params(q: &PolicyQuery, errors: &mut Vec<FieldError>) -> PolicyParams {
    let level = q.service_level.unwrap_or(0.95);
    if !(level > 0.0 && level < 1.0) {
        errors.push(field("service_level", "must lie strictly between 0 and 1"));
    }
    let target = match q.target.as_deref().unwrap_or("fill_rate") {
        "fill_rate" | "fill-rate" => Target::FillRate(level),
        "csl" => Target::CycleService(level),
        _ => {
            errors.push(field("target", "expected fill_rate or csl"));
            Target::FillRate(level)
        }
    };
    let kind = match q.policy.as_deref().unwrap_or("ss").parse::<PolicyKind>() {
        Ok(k) => k,
        Err(e) => {
            errors.push(field("policy", e.to_string()));
            PolicyKind::MinMax
        }
    };
    let review_days = q.review_days.unwrap_or(1.0);
    if !(review_days.is_finite() && (1.0..=365.0).contains(&review_days)) {
        errors.push(field("review_days", "must lie between 1 and 365"));
    }
    PolicyParams {
        kind,
        target,
        review_days,
    }
}

/// One line of the plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    item_id: String,
    store_id: String,
    on_hand: f64,
    on_order: f64,
    /// Units to order now (0: none due).
    order_qty: f64,
    reorder_point: f64,
    order_up_to: f64,
    safety_stock: f64,
    daily_demand: f64,
    expected_fill_rate: f64,
    stockout_risk: f64,
    annual_holding_cost: f64,
    slow_mover: bool,
}

/// The replenishment plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Plan {
    model_id: String,
    lines: Vec<PlanRow>,
    /// Rows that could not be planned, with the reason.
    failed: Vec<String>,
}

/// What to order now, per item and store, from the active forecast and the
/// store's inventory.
pub async fn plan(svc: &Service, q: &PolicyQuery) -> Result<Plan, ServiceError> {
    let params = policy(q)?;
    let loaded = active(svc)?;
    let mut positions = svc.store.inventory_positions().await?;
    if let Some(s) = &q.store {
        positions.retain(|p| p.store_id == *s);
    }
    let model = loaded.clone();
    let results = svc
        .compute(move |_| replenish::plan_stored(&model.model, &positions, &params))
        .await?;
    let mut lines = Vec::new();
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(l) if q.only_orders == Some(true) && l.order_qty <= 0.0 => {}
            Ok(l) => lines.push(PlanRow {
                item_id: l.item_id,
                store_id: l.store_id,
                on_hand: l.on_hand,
                on_order: l.on_order,
                order_qty: l.order_qty,
                reorder_point: l.design.reorder_point,
                order_up_to: l.design.order_up_to,
                safety_stock: l.design.safety_stock,
                daily_demand: l.design.daily_demand,
                expected_fill_rate: l.design.expected_fill_rate,
                stockout_risk: l.design.stockout_risk,
                annual_holding_cost: l.design.annual_holding_cost,
                slow_mover: l.design.slow_mover,
            }),
            Err(e) => failed.push(e.to_string()),
        }
    }
    Ok(Plan {
        model_id: loaded.model_id.clone(),
        lines,
        failed,
    })
}

/// Body of `POST /v1/inventory/simulate` (and a simulation job's stored work).
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// Items to simulate (up to 200; the first 50 inventory rows when absent).
    items: Option<Vec<String>>,
    /// Days at the end of the sales history to replay (182).
    days: Option<usize>,
    /// Re-plan every this many days (28).
    replan_every: Option<usize>,
    /// Forecast model (`auto`).
    model: Option<String>,
    /// Unmet demand is lost instead of backordered.
    lost_sales: Option<bool>,
    /// Policy settings.
    #[serde(flatten)]
    policy: PolicyQuery,
}

/// What a simulation achieved (a simulation job's `result`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimulateResponse {
    #[schema(value_type = Object)]
    regular: SimGroup,
    #[schema(value_type = Object)]
    slow_movers: SimGroup,
    /// Item-store pairs that could not be simulated, with the reason.
    failed: Vec<String>,
}

/// Most items one simulation request may name.
const MAX_SIM_ITEMS: usize = 200;

/// Queues a replay of the last months of real demand against the policy,
/// re-planning from the history as it stood; the job's `result` holds the
/// achieved fill rate, cycle service, stock, orders and cost, regular items
/// and slow movers apart. A job because it refits forecasts at every
/// re-planning day of every item: seconds to minutes, more than a request
/// may take.
pub async fn simulate(svc: &Service, b: SimulateRequest) -> Result<Job, ServiceError> {
    let settings = sim_settings(&b)?;
    let label = format!("{} days, {}", settings.days, settings.model.name());
    let work = crate::jobs::Work::Simulation(
        serde_json::to_value(&b).map_err(|e| ServiceError::internal("encoding the job", e))?,
    );
    svc.jobs
        .start(svc, "simulation", &label, "api", &work)
        .await
}

/// Runs a queued simulation (the job's stored request).
pub(crate) async fn run_simulation_job(
    svc: &Service,
    request: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let b: SimulateRequest = serde_json::from_value(request).map_err(|e| e.to_string())?;
    let settings = sim_settings(&b).map_err(|e| e.to_string())?;
    run_simulation(svc, b.items, b.policy.store, settings)
        .await
        .map_err(|e| e.to_string())
}

/// A simulation request's settings, checked (422 naming every bad field).
fn sim_settings(b: &SimulateRequest) -> Result<SimSettings, ServiceError> {
    let mut errors = Vec::new();
    let policy = policy_params(&b.policy, &mut errors);
    let defaults = SimSettings::default();
    let days = b.days.unwrap_or(defaults.days);
    if !(7..=730).contains(&days) {
        errors.push(field("days", "must lie between 7 and 730"));
    }
    let replan_every = b.replan_every.unwrap_or(defaults.replan_every);
    if !(1..=days.max(1)).contains(&replan_every) {
        errors.push(field("replan_every", "must lie between 1 and `days`"));
    }
    let model = match b.model.as_deref().unwrap_or("auto").parse() {
        Ok(m) => m,
        Err(e) => {
            errors.push(field("model", format!("{e}")));
            shopmind_forecast::ModelChoice::Auto
        }
    };
    if b.items
        .as_ref()
        .is_some_and(|i| i.is_empty() || i.len() > MAX_SIM_ITEMS)
    {
        errors.push(field(
            "items",
            format!("between 1 and {MAX_SIM_ITEMS} item ids"),
        ));
    }
    for (n, id) in b.items.iter().flatten().enumerate() {
        if let Err(e) = shopmind_core::record::validate_id("item_id", id) {
            errors.push(field(&format!("items[{n}]"), e.to_string()));
        }
    }
    if let Some(s) = &b.policy.store
        && let Err(e) = shopmind_core::record::validate_id("store_id", s)
    {
        errors.push(field("store", e.to_string()));
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid("invalid request", errors));
    }
    Ok(SimSettings {
        days,
        replan_every,
        policy,
        model,
        lost_sales: b.lost_sales.unwrap_or(false),
        ..defaults
    })
}

/// Why a simulation job failed.
#[derive(Debug, thiserror::Error)]
enum SimulationError {
    #[error(transparent)]
    Store(#[from] shopmind_store::StoreError),
    #[error("the simulation task failed: {0}")]
    Task(String),
    #[error("{0}")]
    Encode(String),
}

/// The simulation job: reads only the simulated items' sales (and the
/// history's date range), replays, summarises.
async fn run_simulation(
    state: &Service,
    items: Option<Vec<String>>,
    store_id: Option<String>,
    settings: SimSettings,
) -> Result<serde_json::Value, SimulationError> {
    let mut positions = state.store.inventory_positions().await?;
    if let Some(s) = &store_id {
        positions.retain(|p| p.store_id == *s);
    }
    match &items {
        Some(items) => positions.retain(|p| items.contains(&p.item_id)),
        None => positions.truncate(50),
    }
    let wanted: Vec<&str> = {
        let mut ids: Vec<&str> = positions.iter().map(|p| p.item_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    // The calendar spans the whole history; only these items' rows are read.
    let range = state.store.sales_date_range().await?;
    let sales = state.store.sales_of_items(&wanted).await?;
    let cancel = state.shutdown.child();
    let lines = tokio::task::spawn_blocking(move || {
        let demand = match range {
            Some((first, last)) => shopmind_forecast::demand::daily_demand_on(&sales, first, last),
            None => Vec::new(),
        };
        replenish::simulate(&positions, &demand, &settings, &cancel)
    })
    .await
    .map_err(|e| SimulationError::Task(e.to_string()))?;
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for l in lines {
        match l {
            Ok(l) => ok.push(l),
            Err(e) => failed.push(e.to_string()),
        }
    }
    let answer = SimulateResponse {
        regular: replenish::summarise(ok.iter().filter(|l| !l.slow_mover)),
        slow_movers: replenish::summarise(ok.iter().filter(|l| l.slow_mover)),
        failed,
    };
    serde_json::to_value(answer).map_err(|e| SimulationError::Encode(e.to_string()))
}
