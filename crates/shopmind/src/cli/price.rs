//! Arguments of `shopmind price` (prediction, optimisation, elasticities).

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct PriceArgs {
    #[command(subcommand)]
    pub what: PriceCommand,
}

#[derive(Debug, Subcommand)]
pub enum PriceCommand {
    /// Regress a price (or any numeric column) on table features; report
    /// k-fold cross-validated R², MAE, RMSE and MAPE; predict a second table.
    Predict(PricePredictArgs),
    /// Estimate every item's price elasticity from its sales and recommend
    /// the profit- (or revenue-) optimal price under business constraints.
    Optimize(PriceOptimizeArgs),
    /// Estimate every item's price elasticity (and, with --per-store, each
    /// store's) and write them with their standard errors.
    Elasticity(PriceElasticityArgs),
}

#[derive(Debug, Args)]
pub struct PriceElasticityArgs {
    /// Canonical sales CSV.
    #[arg(long)]
    pub sales: PathBuf,
    /// Items CSV (item_id and, for shrinkage, category); optional.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Also one row per item and store.
    #[arg(long)]
    pub per_store: bool,
    /// Output CSV: item_id,store_id,elasticity,elasticity_se,own_elasticity,own_se,base_units,reference_price,flag.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PricePredictArgs {
    /// Training table (CSV with a header row; plain or .gz).
    #[arg(long)]
    pub train: PathBuf,
    /// Column to predict.
    #[arg(long, default_value = "price")]
    pub target: String,
    /// Feature columns, comma-separated (default: every column but the
    /// target and `id` / `*_id` columns). Text columns are one-hot encoded.
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// linear, ridge, svr, tree, gbdt, or auto (the best cross-validated R²).
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Table to predict (the same feature columns; the target may be absent).
    #[arg(long, requires = "out")]
    pub predict: Option<PathBuf>,
    /// Where to write the predictions: the predicted table's columns plus
    /// `predicted_<target>`.
    #[arg(long, requires = "predict")]
    pub out: Option<PathBuf>,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the folds (and of boosting's sampling).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Ridge penalty.
    #[arg(long, default_value_t = 1.0)]
    pub lambda: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PriceOptimizeArgs {
    /// Canonical sales CSV (date, item_id, units, price; optional store_id,
    /// promo, cost).
    #[arg(long)]
    pub sales: PathBuf,
    /// Items CSV with item_id, price (the current price) and cost
    /// (optional: category, for shrinkage).
    #[arg(long)]
    pub items: PathBuf,
    /// profit or revenue.
    #[arg(long, default_value = "profit")]
    pub objective: String,
    /// Largest relative change from the current price (0.2 = ±20%).
    #[arg(long)]
    pub max_change: Option<f64>,
    /// Smallest gross margin (price − cost) / price.
    #[arg(long)]
    pub min_margin: Option<f64>,
    /// Price ending (0.99 gives x.99 prices).
    #[arg(long)]
    pub ending: Option<f64>,
    /// Absolute lowest price.
    #[arg(long)]
    pub min_price: Option<f64>,
    /// Absolute highest price.
    #[arg(long)]
    pub max_price: Option<f64>,
    /// Smallest expected daily units (all stores) at the new price.
    #[arg(long)]
    pub min_units: Option<f64>,
    /// Largest average relative price change per category (0.05 = the mean
    /// of new/current − 1 over a category's priced items stays within ±5%).
    #[arg(long)]
    pub category_cap: Option<f64>,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
}
