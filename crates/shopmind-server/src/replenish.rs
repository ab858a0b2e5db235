//! The demand and replenishment service, shared by the CLI and the HTTP
//! API: daily demand per item and store from the sales history, forecasts
//! with the forecast engine, replenishment plans with the inventory engine,
//! and the back-simulation that checks a policy against the last months of
//! real demand.
//!
//! Knows nothing of axum or files: it takes records and returns values.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use shopmind_core::record::{InventoryPosition, Sale};
use shopmind_core::time::Date;
use shopmind_forecast::intermittent::{Pattern, classify};
use shopmind_forecast::{FitParams, Fitted, ForecastError, ModelChoice, fit};
use shopmind_inventory::InventoryError;
use shopmind_inventory::plan::{PlanLine, plan_line, supply_of};
use shopmind_inventory::policy::{DemandOutlook, PolicyParams, design};
use shopmind_inventory::simulate::{SimReport, Simulation};

/// Seasonal period of daily demand: the week.
pub const DAILY_SEASON: usize = 7;

/// Units sold per day of one item in one store, on the calendar shared by
/// the whole sales history (days without a sales row are zero: a
/// point-of-sale export writes no row for a day without sales).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandSeries {
    /// Item.
    pub item_id: String,
    /// Store.
    pub store_id: String,
    /// First day of the calendar.
    pub start: Date,
    /// Units per day.
    pub units: Vec<f64>,
}

/// Daily demand series from sales rows (any order), on the calendar from
/// the first to the last sales day.
pub fn daily_demand(sales: &[Sale]) -> Vec<DemandSeries> {
    match (
        sales.iter().map(|s| s.date).min(),
        sales.iter().map(|s| s.date).max(),
    ) {
        (Some(first), Some(last)) => daily_demand_on(sales, first, last),
        _ => Vec::new(),
    }
}

/// Daily demand series on the calendar `first..=last` (rows outside it are
/// ignored).
pub fn daily_demand_on(sales: &[Sale], first: Date, last: Date) -> Vec<DemandSeries> {
    if last < first {
        return Vec::new();
    }
    let days = (last.0 - first.0 + 1) as usize;
    let mut by_key: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    for s in sales.iter().filter(|s| s.date >= first && s.date <= last) {
        let v = by_key
            .entry((s.item_id.as_str(), s.store_id.as_str()))
            .or_insert_with(|| vec![0.0; days]);
        v[(s.date.0 - first.0) as usize] += s.units.max(0.0);
    }
    let mut out: Vec<DemandSeries> = by_key
        .into_iter()
        .map(|((item, store), units)| DemandSeries {
            item_id: item.to_owned(),
            store_id: store.to_owned(),
            start: first,
            units,
        })
        .collect();
    out.sort_by(|a, b| (&a.item_id, &a.store_id).cmp(&(&b.item_id, &b.store_id)));
    out
}

/// Fits the demand model of one series for forecasts `horizon` days ahead.
pub fn fit_demand(
    units: &[f64],
    model: ModelChoice,
    horizon: usize,
) -> Result<Fitted, ForecastError> {
    let params = FitParams {
        season: DAILY_SEASON,
        horizon,
        ..FitParams::default()
    };
    fit(units, model, &params)
}

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

/// Format version of [`DemandModels`] artifacts.
pub const DEMAND_FORMAT: u32 = 1;

/// A registered `forecast` version: the fitted demand model of every item
/// and store, as of the last day of the sales history it was fitted on.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DemandModels {
    /// Artifact format version.
    pub format: u32,
    /// Model asked for (`auto`, `ets`, …).
    pub model: ModelChoice,
    /// Last day of the history: step 1 of every forecast is the day after.
    pub last_date: Date,
    /// (item, store, fitted model), sorted by item then store.
    pub series: Vec<(String, String, Fitted)>,
}

impl DemandModels {
    /// Fits every series (in parallel); series that cannot be fitted are
    /// returned with their error instead.
    pub fn fit(
        demand: &[DemandSeries],
        model: ModelChoice,
        horizon: usize,
        progress: impl Fn(usize) + Sync,
    ) -> (DemandModels, Vec<PlanError>) {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let fitted: Vec<Result<(String, String, Fitted), PlanError>> = demand
            .par_iter()
            .map(|d| {
                let r = fit_demand(&d.units, model, horizon)
                    .map(|f| (d.item_id.clone(), d.store_id.clone(), f))
                    .map_err(|source| PlanError::Forecast {
                        item: d.item_id.clone(),
                        store: d.store_id.clone(),
                        source,
                    });
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                r
            })
            .collect();
        let last_date = demand
            .first()
            .map_or(Date(0), |d| d.start.add_days(d.units.len() as i32 - 1));
        let mut series = Vec::with_capacity(fitted.len());
        let mut failed = Vec::new();
        for r in fitted {
            match r {
                Ok(s) => series.push(s),
                Err(e) => failed.push(e),
            }
        }
        (
            DemandModels {
                format: DEMAND_FORMAT,
                model,
                last_date,
                series,
            },
            failed,
        )
    }

    /// The fitted models of one item, one per store.
    pub fn item(&self, item_id: &str) -> impl Iterator<Item = (&str, &Fitted)> {
        let start = self.series.partition_point(|s| s.0.as_str() < item_id);
        self.series[start..]
            .iter()
            .take_while(move |s| s.0 == item_id)
            .map(|s| (s.1.as_str(), &s.2))
    }

    /// Serialises the artifact (JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an artifact, refusing other format versions.
    pub fn from_bytes(bytes: &[u8]) -> Result<DemandModels, String> {
        let m: DemandModels = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if m.format != DEMAND_FORMAT {
            return Err(format!(
                "forecast artifact format {} (this build reads {DEMAND_FORMAT})",
                m.format
            ));
        }
        Ok(m)
    }

    /// Plans every inventory row from these fitted models (zero demand for
    /// an item and store without one).
    pub fn plan(
        &self,
        positions: &[InventoryPosition],
        policy: &PolicyParams,
    ) -> Vec<Result<PlanLine, PlanError>> {
        let index: HashMap<(&str, &str), &Fitted> = self
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(day: i32, item: &str, store: &str, units: f64) -> Sale {
        Sale {
            date: Date(20_000 + day),
            item_id: item.into(),
            store_id: store.into(),
            units,
            returned_units: 0.0,
            price: 1.0,
            promo: false,
            cost: None,
        }
    }

    #[test]
    fn daily_demand_fills_missing_days_with_zero_on_a_shared_calendar() {
        let sales = [
            sale(0, "a", "S1", 2.0),
            sale(3, "a", "S1", 5.0),
            sale(1, "b", "S1", 1.0),
            sale(1, "b", "S1", 1.0),
        ];
        let d = daily_demand(&sales);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].units, vec![2.0, 0.0, 0.0, 5.0]);
        assert_eq!(d[1].units, vec![0.0, 2.0, 0.0, 0.0]);
        assert!(daily_demand(&[]).is_empty());
    }

    #[test]
    fn demand_models_round_trip_and_answer_per_item() {
        let mut sales = Vec::new();
        for day in 0..70 {
            sales.push(sale(day, "a", "S1", 5.0 + (day % 7) as f64));
            sales.push(sale(day, "a", "S2", 3.0));
            sales.push(sale(day, "b", "S1", 1.0 + (day % 2) as f64));
        }
        let demand = daily_demand(&sales);
        let (models, failed) = DemandModels::fit(&demand, ModelChoice::Ets, 14, |_| {});
        assert!(failed.is_empty());
        assert_eq!(models.item("a").count(), 2);
        assert_eq!(models.item("b").count(), 1);
        assert_eq!(models.item("c").count(), 0);
        assert_eq!(models.last_date, Date(20_069));
        let back = DemandModels::from_bytes(&models.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.series.len(), 3);
        let mut bad = models.clone();
        bad.format = 99;
        assert!(DemandModels::from_bytes(&bad.to_bytes()).is_err());
    }
}
