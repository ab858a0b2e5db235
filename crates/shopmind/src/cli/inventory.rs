//! Arguments of `shopmind inventory` and `shopmind forecast sales`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(subcommand)]
    pub what: InventoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// What to order now, per item and store, with expected fill rate,
    /// holding cost and stockout risk.
    Plan(InventoryPlanArgs),
    /// Replay the last months of real demand against the plan's policy:
    /// achieved fill rate and cycle-service level, stock, orders, cost.
    Simulate(InventorySimulateArgs),
}

/// Service target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// Cycle-service level: probability of no stockout per cycle.
    Csl,
    /// Fill rate: share of demand served from stock.
    FillRate,
}

/// Where the data come from, and the policy (shared by plan and simulate).
#[derive(Debug, Args)]
pub struct PolicyOptions {
    /// Inventory CSV (default: the store's inventory table).
    #[arg(long)]
    pub inventory: Option<PathBuf>,
    /// Sales CSV to forecast demand from (default: the store's sales).
    #[arg(long)]
    pub sales: Option<PathBuf>,
    /// Service target level, in (0, 1).
    #[arg(long, default_value_t = 0.95)]
    pub service_level: f64,
    /// What the level means.
    #[arg(long, value_enum, default_value = "fill-rate")]
    pub target: TargetKind,
    /// Policy: ss ((s,S), default), rs ((R,S)) or rq ((r,Q)).
    #[arg(long, default_value = "ss")]
    pub policy: String,
    /// Review period in days ((s,S) and (R,S)).
    #[arg(long, default_value_t = 1.0)]
    pub review_days: f64,
    /// Forecast model for demand (see `forecast batch --model`).
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct InventoryPlanArgs {
    #[command(flatten)]
    pub policy: PolicyOptions,
    /// Demand outlook from `shopmind forecast sales` (item_id, store_id,
    /// step, cum_mean, cum_sd) instead of forecasting here.
    #[arg(long)]
    pub forecast: Option<PathBuf>,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct InventorySimulateArgs {
    #[command(flatten)]
    pub policy: PolicyOptions,
    /// Days at the end of the sales history to replay.
    #[arg(long, default_value_t = 182)]
    pub days: usize,
    /// Re-forecast and redesign the policy every this many days.
    #[arg(long, default_value_t = 28)]
    pub replan_every: usize,
    /// Days simulated before the replayed period, not counted (stock and
    /// open orders start in a typical state).
    #[arg(long, default_value_t = 91)]
    pub warmup_days: usize,
    /// Unmet demand is lost instead of backordered.
    #[arg(long)]
    pub lost_sales: bool,
    /// Seed of the simulated lead times.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Per-item results CSV.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ForecastSalesArgs {
    /// Days to forecast.
    #[arg(long, default_value_t = 28)]
    pub horizon: usize,
    /// Sales CSV (default: the store's sales).
    #[arg(long)]
    pub sales: Option<PathBuf>,
    /// Model: auto, ets, theta, comb, snaive, naive, mean, croston, sba or tsb.
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Prediction-interval levels in percent.
    #[arg(long, default_value = "80,95")]
    pub levels: String,
    /// Output CSV: item_id,store_id,step,date,forecast,lo..,hi..,cum_mean,cum_sd,model.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}
