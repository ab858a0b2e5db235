//! The supply pipeline, shared by the CLI and the HTTP API: sales → daily
//! demand (`shopmind_forecast::demand`) → forecasts (the forecast engine) →
//! replenishment plans (the inventory engine), and the back-simulation
//! that checks a policy against the last months of real demand. This
//! module joins the two engines (which never depend on each other);
//! [`answers`] serves the plan, forecasts and simulations from the active
//! `forecast` version.

pub mod answers;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use shopmind_core::record::InventoryPosition;
use shopmind_forecast::demand::{DAILY_SEASON, DemandModels, DemandSeries, fit_demand};
use shopmind_forecast::intermittent::{Pattern, classify};
use shopmind_forecast::{Fitted, ForecastError, ModelChoice};
use shopmind_inventory::InventoryError;
use shopmind_inventory::plan::{PlanLine, plan_line, supply_of};
use shopmind_inventory::policy::{DemandOutlook, PolicyParams, design};
use shopmind_inventory::simulate::{SimReport, Simulation};

/// Days of outlook a supply needs: lead time plus review plus three lead-time
/// standard deviations, at least a week.
fn outlook_days(p: &InventoryPosition, review: f64) -> usize {
    ((p.lead_time_days + review + 3.0 * p.lead_time_std_days).ceil() as usize + 1).max(7)
}

/// The inventory engine's view of a fitted demand model.
pub fn outlook(model: &Fitted, days: usize) -> DemandOutlook {
    let (cum_mean, cum_sd) = model.outlook(days);
    DemandOutlook { cum_mean, cum_sd }
}

/// Why an item could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Its demand could not be forecast.
    #[error("item {item} in store {store}: {source}")]
    Forecast {
        /// Item.
        item: String,
        /// Store.
        store: String,
        /// Cause.
        #[source]
        source: ForecastError,
    },
    /// Its policy could not be designed.
    #[error("item {item} in store {store}: {source}")]
    Policy {
        /// Item.
        item: String,
        /// Store.
        store: String,
        /// Cause.
        #[source]
        source: InventoryError,
    },
    /// The work was stopped before this item (shutdown).
    #[error(transparent)]
    Cancelled(#[from] shopmind_core::cancel::Cancelled),
}

/// Demand series by (item, store).
fn by_item_store(demand: &[DemandSeries]) -> HashMap<(&str, &str), &DemandSeries> {
    demand
        .iter()
        .map(|d| ((d.item_id.as_str(), d.store_id.as_str()), d))
        .collect()
}

/// Plans every inventory row against the demand forecast of its item and
/// store (no sales history: zero demand). In parallel; input order kept.
pub fn plan(
    positions: &[InventoryPosition],
    demand: &[DemandSeries],
    policy: &PolicyParams,
    model: ModelChoice,
) -> Vec<Result<PlanLine, PlanError>> {
    let index = by_item_store(demand);
    positions
        .par_iter()
        .map(|p| {
            let fitted = match index.get(&(p.item_id.as_str(), p.store_id.as_str())) {
                Some(d) => {
                    let days = outlook_days(p, policy.review_days);
                    Some(fit_demand(&d.units, model, days).map_err(|source| {
                        PlanError::Forecast {
                            item: p.item_id.clone(),
                            store: p.store_id.clone(),
                            source,
                        }
                    })?)
                }
                None => None,
            };
            plan_one(p, fitted.as_ref(), policy)
        })
        .collect()
}

/// Plans one inventory row from its demand model (none: zero demand).
fn plan_one(
    p: &InventoryPosition,
    fitted: Option<&Fitted>,
    policy: &PolicyParams,
) -> Result<PlanLine, PlanError> {
    let days = outlook_days(p, policy.review_days);
    let out = match fitted {
        Some(f) => outlook(f, days),
        None => DemandOutlook {
            cum_mean: vec![0.0; days],
            cum_sd: vec![0.0; days],
        },
    };
    plan_line(p, &out, policy).map_err(|source| PlanError::Policy {
        item: p.item_id.clone(),
        store: p.store_id.clone(),
        source,
    })
}

/// Settings of a back-simulation.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// Days at the end of the history to simulate (default 182: six months).
    pub days: usize,
    /// Re-plan (re-forecast and redesign) every this many days (default 28).
    pub replan_every: usize,
    /// Policy and target.
    pub policy: PolicyParams,
    /// Forecast model.
    pub model: ModelChoice,
    /// Unmet demand is lost (true) or backordered (false, the default: the
    /// fill-rate formulas assume backorders).
    pub lost_sales: bool,
    /// Seed of the lead-time draws.
    pub seed: u64,
    /// Days simulated before the measured period and not counted (default
    /// 91), so that stock and open orders start in a typical state rather
    /// than all at the order-up-to level, which would flatter the first
    /// cycle. Shortened when the history before the period is short.
    pub warmup_days: usize,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            days: 182,
            warmup_days: 91,
            replan_every: 28,
            policy: PolicyParams::default(),
            model: ModelChoice::Auto,
            lost_sales: false,
            seed: 42,
        }
    }
}

/// The simulation of one item and store.
#[derive(Debug, Clone, Serialize)]
pub struct SimLine {
    /// Item.
    pub item_id: String,
    /// Store.
    pub store_id: String,
    /// Slow mover: intermittent or lumpy demand before the simulated period
    /// (average interval between demand days above 1.32 days, the
    /// Syntetos–Boylan cut-off).
    pub slow_mover: bool,
    /// Mean fill rate the designs promised.
    pub expected_fill_rate: f64,
    /// What happened.
    pub report: SimReport,
}

/// Simulates the policy over the last `settings.days` of each item's demand,
/// planning from the history before each re-planning day.
/// Items not reached before `cancel` stops the work come back as
/// [`PlanError::Cancelled`].
pub fn simulate(
    positions: &[InventoryPosition],
    demand: &[DemandSeries],
    settings: &SimSettings,
    cancel: &shopmind_core::cancel::Cancel,
) -> Vec<Result<SimLine, PlanError>> {
    let index = by_item_store(demand);
    positions
        .par_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let d = index.get(&(p.item_id.as_str(), p.store_id.as_str()))?;
            let n = d.units.len();
            if n <= settings.days + 2 * DAILY_SEASON {
                return None;
            }
            if let Err(c) = cancel.check() {
                return Some(Err(c.into()));
            }
            Some(simulate_one(p, d, settings, i as u64))
        })
        .collect()
}

fn simulate_one(
    p: &InventoryPosition,
    d: &DemandSeries,
    settings: &SimSettings,
    stream: u64,
) -> Result<SimLine, PlanError> {
    let start = d.units.len() - settings.days;
    let supply = supply_of(p);
    let days = outlook_days(p, settings.policy.review_days);
    let slow = classify(&d.units[..start])
        .is_none_or(|c| matches!(c.2, Pattern::Intermittent | Pattern::Lumpy));
    let err_f = |source| PlanError::Forecast {
        item: p.item_id.clone(),
        store: p.store_id.clone(),
        source,
    };
    let err_p = |source| PlanError::Policy {
        item: p.item_id.clone(),
        store: p.store_id.clone(),
        source,
    };
    let mut sim: Option<Simulation> = None;
    let mut promised = Vec::new();
    let step = settings.replan_every.max(1);
    // Keep at least four weeks of history before the first plan.
    let mut t = start
        .saturating_sub(settings.warmup_days)
        .max((4 * DAILY_SEASON).min(start));
    while t < d.units.len() {
        let fitted = fit_demand(&d.units[..t], settings.model, days).map_err(err_f)?;
        let design = design(&outlook(&fitted, days), &supply, &settings.policy).map_err(err_p)?;
        if t >= start {
            promised.push(design.expected_fill_rate);
        }
        let sim = sim.get_or_insert_with(|| {
            Simulation::new(
                supply.clone(),
                design.order_up_to,
                settings.lost_sales,
                settings.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            )
        });
        // The warm-up ends exactly at `start`: run up to it, then count.
        let end = if t < start {
            (t + step).min(start)
        } else {
            (t + step).min(d.units.len())
        };
        sim.run(&design, &d.units[t..end]);
        if end == start {
            sim.report = SimReport::default();
        }
        t = end;
    }
    Ok(SimLine {
        item_id: p.item_id.clone(),
        store_id: p.store_id.clone(),
        slow_mover: slow,
        expected_fill_rate: promised.iter().sum::<f64>() / promised.len().max(1) as f64,
        report: sim.map(|s| s.report).unwrap_or_default(),
    })
}

/// Totals over a group of simulated items.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SimGroup {
    /// Items (item × store) in the group.
    pub items: usize,
    /// Mean of the items' fill rates.
    pub mean_fill_rate: f64,
    /// Units served / units demanded over the whole group.
    pub unit_fill_rate: f64,
    /// Mean of the items' cycle-service levels.
    pub mean_cycle_service: f64,
    /// Mean average stock per item.
    pub mean_stock: f64,
    /// Orders placed.
    pub orders: usize,
    /// Holding plus ordering cost.
    pub total_cost: f64,
}

/// Summarises simulated items.
pub fn summarise<'a>(lines: impl Iterator<Item = &'a SimLine>) -> SimGroup {
    let mut g = SimGroup::default();
    let (mut demand, mut served) = (0.0, 0.0);
    for l in lines {
        g.items += 1;
        g.mean_fill_rate += l.report.fill_rate();
        g.mean_cycle_service += l.report.cycle_service();
        g.mean_stock += l.report.average_stock();
        g.orders += l.report.orders;
        g.total_cost += l.report.total_cost();
        demand += l.report.demand;
        served += l.report.served;
    }
    if g.items > 0 {
        let n = g.items as f64;
        g.mean_fill_rate /= n;
        g.mean_cycle_service /= n;
        g.mean_stock /= n;
    }
    g.unit_fill_rate = if demand > 0.0 { served / demand } else { 1.0 };
    g
}

/// Plans every inventory row from a stored forecast version's fitted
/// models (zero demand for an item and store without one).
pub fn plan_stored(
    models: &DemandModels,
    positions: &[InventoryPosition],
    policy: &PolicyParams,
) -> Vec<Result<PlanLine, PlanError>> {
    let index: HashMap<(&str, &str), &Fitted> = models
        .series
        .iter()
        .map(|(i, s, f)| ((i.as_str(), s.as_str()), f))
        .collect();
    positions
        .par_iter()
        .map(|p| {
            let fitted = index.get(&(p.item_id.as_str(), p.store_id.as_str()));
            plan_one(p, fitted.copied(), policy)
        })
        .collect()
}
