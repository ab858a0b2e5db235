//! `shopmind forecast sales`, `shopmind inventory plan` and `shopmind
//! inventory simulate`: sales and inventory from CSV files or the store,
//! through the supply pipeline of `shopmind-service`.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use shopmind_core::record::{InventoryPosition, Record, Sale};
use shopmind_data::ImportKind;
use shopmind_forecast::ModelChoice;
use shopmind_forecast::demand::{DemandSeries, daily_demand, fit_demand};
use shopmind_inventory::plan::{PlanLine, plan_line};
use shopmind_inventory::policy::{DemandOutlook, PolicyParams};
use shopmind_service::supply::answers::{PolicyQuery, policy};
use shopmind_service::supply::{self as replenish, SimLine, SimSettings};

use crate::cli::{
    ForecastSalesArgs, Global, InventoryPlanArgs, InventorySimulateArgs, PolicyOptions, TargetKind,
};
use crate::files::read;
use crate::forecast::set_threads;
use crate::open::open_store;

async fn load_sales(g: &Global, file: Option<&Path>) -> anyhow::Result<Vec<Sale>> {
    let sales = match file {
        Some(path) => read(ImportKind::Sales, path, |r| match r {
            Record::Sale(s) => Some(s),
            _ => None,
        })?,
        None => open_store(g).await?.all_sales().await?,
    };
    if sales.is_empty() {
        bail!("no sales history: import a sales file or pass --sales");
    }
    Ok(sales)
}

async fn load_inventory(g: &Global, file: Option<&Path>) -> anyhow::Result<Vec<InventoryPosition>> {
    let rows: Vec<InventoryPosition> = match file {
        Some(path) => read(ImportKind::Inventory, path, |r| match r {
            Record::Inventory(p) => Some(p),
            _ => None,
        })?,
        None => open_store(g).await?.inventory_positions().await?,
    };
    if rows.is_empty() {
        bail!("no inventory rows: import an inventory file or pass --inventory");
    }
    Ok(rows)
}

/// The policy the flags name, checked by the rules of the HTTP API's
/// `GET /v1/inventory/plan` (one rule set, `shopmind_service`).
fn policy_params(o: &PolicyOptions) -> anyhow::Result<PolicyParams> {
    let query = PolicyQuery {
        service_level: Some(o.service_level),
        target: Some(
            match o.target {
                TargetKind::Csl => "csl",
                TargetKind::FillRate => "fill_rate",
            }
            .to_owned(),
        ),
        policy: Some(o.policy.clone()),
        review_days: Some(o.review_days),
        ..PolicyQuery::default()
    };
    Ok(policy(&query)?)
}

/// `shopmind forecast sales`.
pub async fn forecast_sales(g: &Global, a: ForecastSalesArgs) -> anyhow::Result<()> {
    if a.horizon == 0 {
        bail!("--horizon must be at least 1");
    }
    let model: ModelChoice = a.model.parse()?;
    let levels = crate::forecast::parse_levels(&a.levels)?;
    set_threads(a.threads);
    let sales = load_sales(g, a.sales.as_deref()).await?;
    let demand = daily_demand(&sales);
    let started = Instant::now();
    let bar = crate::progress::bar(demand.len() as u64, "forecasting");
    let results: Vec<_> = demand
        .par_iter()
        .map(|d| {
            let r = fit_demand(&d.units, model, a.horizon)
                .map(|f| (f.forecast(a.horizon, &levels), f.outlook(a.horizon)));
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut w = crate::files::csv_writer(&a.out)?;
    let mut header: Vec<String> = ["item_id", "store_id", "step", "date", "forecast"]
        .map(String::from)
        .into();
    for l in &levels {
        header.extend([format!("lo{l}"), format!("hi{l}")]);
    }
    header.extend(["cum_mean", "cum_sd", "model"].map(String::from));
    w.write_record(&header)?;
    let mut failed = 0;
    for (d, r) in demand.iter().zip(results) {
        let (f, (cum_mean, cum_sd)) = match r {
            Ok(x) => x,
            Err(e) => {
                failed += 1;
                tracing::warn!(item = %d.item_id, store = %d.store_id, "not forecast: {e}");
                continue;
            }
        };
        let first = d.start.add_days(d.units.len() as i32);
        for k in 0..a.horizon {
            let mut row = vec![
                d.item_id.clone(),
                d.store_id.clone(),
                (k + 1).to_string(),
                first.add_days(k as i32).to_string(),
                format!("{:.4}", f.mean[k]),
            ];
            for i in &f.intervals {
                row.extend([format!("{:.4}", i.lo[k]), format!("{:.4}", i.hi[k])]);
            }
            row.extend([
                format!("{:.4}", cum_mean[k]),
                format!("{:.4}", cum_sd[k]),
                f.model.clone(),
            ]);
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    eprintln!(
        "forecast {} item-store series, {} days each, in {:.2} s → {}",
        demand.len() - failed,
        a.horizon,
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    if failed > 0 {
        bail!("{failed} series could not be forecast (see the warnings above)");
    }
    Ok(())
}

/// Reads the outlook columns of a `forecast sales` file.
fn read_outlooks(path: &Path) -> anyhow::Result<HashMap<(String, String), DemandOutlook>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = r.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{}: missing column `{name}` (write it with `shopmind forecast sales`)",
                    path.display()
                )
            })
    };
    let (ci, cs, cst, cm, csd) = (
        col("item_id")?,
        col("store_id")?,
        col("step")?,
        col("cum_mean")?,
        col("cum_sd")?,
    );
    let mut out: HashMap<(String, String), DemandOutlook> = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("{}, line {line}", path.display()))?;
        let num = |c: usize, name: &str| -> anyhow::Result<f64> {
            let raw = rec.get(c).unwrap_or("").trim();
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => bail!(
                    "{}, line {line}, column `{name}`: {raw:?} is not a non-negative number",
                    path.display()
                ),
            }
        };
        let step = num(cst, "step")? as usize;
        let key = (
            rec.get(ci).unwrap_or("").to_owned(),
            rec.get(cs).unwrap_or("").to_owned(),
        );
        let o = out.entry(key).or_insert_with(|| DemandOutlook {
            cum_mean: Vec::new(),
            cum_sd: Vec::new(),
        });
        if step != o.cum_mean.len() + 1 {
            bail!(
                "{}, line {line}, column `step`: expected step {} (steps must run 1, 2, … per item and store)",
                path.display(),
                o.cum_mean.len() + 1
            );
        }
        o.cum_mean.push(num(cm, "cum_mean")?);
        o.cum_sd.push(num(csd, "cum_sd")?);
    }
    Ok(out)
}

/// `shopmind inventory plan`.
pub async fn plan(g: &Global, a: InventoryPlanArgs) -> anyhow::Result<()> {
    let params = policy_params(&a.policy)?;
    let model: ModelChoice = a.policy.model.parse()?;
    set_threads(a.policy.threads);
    let positions = load_inventory(g, a.policy.inventory.as_deref()).await?;
    let started = Instant::now();
    let lines: Vec<anyhow::Result<PlanLine>> = match &a.forecast {
        Some(path) => {
            let outlooks = read_outlooks(path)?;
            positions
                .iter()
                .map(|p| {
                    let o = outlooks
                        .get(&(p.item_id.clone(), p.store_id.clone()))
                        .with_context(|| {
                            format!(
                                "{}: no forecast for item {} in store {}",
                                path.display(),
                                p.item_id,
                                p.store_id
                            )
                        })?;
                    Ok(plan_line(p, o, &params)?)
                })
                .collect()
        }
        None => {
            let sales = load_sales(g, a.policy.sales.as_deref()).await?;
            let demand = daily_demand(&sales);
            let bar = crate::progress::spinner(&format!(
                "fitting {} demand series and planning {} positions",
                demand.len(),
                positions.len()
            ));
            let lines = replenish::plan(&positions, &demand, &params, model)
                .into_iter()
                .map(|r| r.map_err(anyhow::Error::from))
                .collect();
            bar.finish_and_clear();
            lines
        }
    };
    let mut w = crate::files::csv_writer(&a.out)?;
    w.write_record([
        "item_id",
        "store_id",
        "on_hand",
        "on_order",
        "order_qty",
        "reorder_point",
        "order_up_to",
        "safety_stock",
        "daily_demand",
        "days_of_cover",
        "expected_fill_rate",
        "stockout_risk",
        "annual_holding_cost",
        "annual_order_cost",
        "slow_mover",
    ])?;
    let (mut orders, mut units, mut failed) = (0usize, 0.0, 0usize);
    for l in &lines {
        let l = match l {
            Ok(l) => l,
            Err(e) => {
                failed += 1;
                tracing::warn!("not planned: {e:#}");
                continue;
            }
        };
        let d = &l.design;
        orders += usize::from(l.order_qty > 0.0);
        units += l.order_qty;
        w.write_record([
            l.item_id.clone(),
            l.store_id.clone(),
            l.on_hand.to_string(),
            l.on_order.to_string(),
            l.order_qty.to_string(),
            format!("{:.2}", d.reorder_point),
            format!("{:.2}", d.order_up_to),
            format!("{:.2}", d.safety_stock),
            format!("{:.4}", d.daily_demand),
            format!("{:.1}", l.days_of_cover),
            format!("{:.4}", d.expected_fill_rate),
            format!("{:.4}", d.stockout_risk),
            format!("{:.2}", d.annual_holding_cost),
            format!("{:.2}", d.annual_order_cost),
            d.slow_mover.to_string(),
        ])?;
    }
    w.flush()?;
    eprintln!(
        "planned {} item-store rows in {:.2} s: {orders} orders due now, {units} units → {}",
        lines.len() - failed,
        started.elapsed().as_secs_f64(),
        a.out.display()
    );
    if failed > 0 {
        bail!("{failed} rows could not be planned (see the warnings above)");
    }
    Ok(())
}

/// `shopmind inventory simulate`.
pub async fn simulate(g: &Global, a: InventorySimulateArgs) -> anyhow::Result<()> {
    let policy = policy_params(&a.policy)?;
    let model: ModelChoice = a.policy.model.parse()?;
    if a.days == 0 || a.replan_every == 0 {
        bail!("--days and --replan-every must be at least 1");
    }
    set_threads(a.policy.threads);
    let positions = load_inventory(g, a.policy.inventory.as_deref()).await?;
    let sales = load_sales(g, a.policy.sales.as_deref()).await?;
    let demand: Vec<DemandSeries> = daily_demand(&sales);
    let settings = SimSettings {
        days: a.days,
        replan_every: a.replan_every,
        policy,
        model,
        lost_sales: a.lost_sales,
        seed: a.seed,
        warmup_days: a.warmup_days,
    };
    let started = Instant::now();
    let bar = crate::progress::spinner("simulating");
    let results = replenish::simulate(
        &positions,
        &demand,
        &settings,
        &shopmind_core::cancel::Cancel::never(),
    );
    bar.finish_and_clear();
    let mut lines: Vec<SimLine> = Vec::new();
    let mut failed = 0;
    for r in results {
        match r {
            Ok(l) => lines.push(l),
            Err(e) => {
                failed += 1;
                tracing::warn!("not simulated: {e}");
            }
        }
    }
    let regular = replenish::summarise(lines.iter().filter(|l| !l.slow_mover));
    let slow = replenish::summarise(lines.iter().filter(|l| l.slow_mover));
    let secs = started.elapsed().as_secs_f64();
    if let Some(out) = &a.out {
        let mut w = crate::files::csv_writer(out)?;
        w.write_record([
            "item_id",
            "store_id",
            "slow_mover",
            "demand",
            "served",
            "fill_rate",
            "expected_fill_rate",
            "cycle_service",
            "average_stock",
            "orders",
            "total_cost",
        ])?;
        for l in &lines {
            let r = &l.report;
            w.write_record([
                l.item_id.clone(),
                l.store_id.clone(),
                l.slow_mover.to_string(),
                r.demand.to_string(),
                r.served.to_string(),
                format!("{:.4}", r.fill_rate()),
                format!("{:.4}", l.expected_fill_rate),
                format!("{:.4}", r.cycle_service()),
                format!("{:.2}", r.average_stock()),
                r.orders.to_string(),
                format!("{:.2}", r.total_cost()),
            ])?;
        }
        w.flush()?;
    }
    if a.json {
        let out = serde_json::json!({
            "target": a.policy.service_level,
            "days": a.days,
            "seconds": secs,
            "regular": regular,
            "slow_movers": slow,
            "failed": failed,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "simulated the last {} days of {} item-store pairs in {secs:.1} s (target {:?} {}, policy {}, re-planned every {} days)",
            a.days,
            lines.len(),
            a.policy.target,
            a.policy.service_level,
            a.policy.policy,
            a.replan_every
        );
        outln!(
            "{:<13} {:>6} {:>10} {:>10} {:>10} {:>10} {:>8} {:>12}",
            "demand",
            "items",
            "fill(mean)",
            "fill(units)",
            "csl(mean)",
            "avg stock",
            "orders",
            "cost"
        );
        for (name, gr) in [("regular", &regular), ("slow movers", &slow)] {
            outln!(
                "{:<13} {:>6} {:>10.4} {:>10.4} {:>10.4} {:>10.1} {:>8} {:>12.0}",
                name,
                gr.items,
                gr.mean_fill_rate,
                gr.unit_fill_rate,
                gr.mean_cycle_service,
                gr.mean_stock,
                gr.orders,
                gr.total_cost
            );
        }
    }
    if failed > 0 {
        bail!("{failed} item-store pairs could not be simulated (see the warnings above)");
    }
    Ok(())
}
