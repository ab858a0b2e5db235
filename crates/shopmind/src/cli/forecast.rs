//! Arguments of `shopmind forecast` and `shopmind eval forecast`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct ForecastArgs {
    #[command(subcommand)]
    pub what: ForecastCommand,
}

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Forecast every series of a file: series_id,step,forecast[,loNN,hiNN…].
    Batch(ForecastBatchArgs),
    /// Forecast daily sales of every item and store (store or sales CSV).
    Sales(crate::cli::ForecastSalesArgs),
}

/// Layout of a series file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeriesFormat {
    /// Canonical long CSV: series_id,t,value (t an integer step or a date).
    Series,
    /// M4 competition wide CSV ("V1","V2",…, the id first).
    M4,
}

/// The time unit, which fixes the candidate seasonal periods when --season
/// is not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Freq {
    /// Periods 24 and 168.
    Hourly,
    /// Periods 7 and 365.
    Daily,
    /// Period 52.
    Weekly,
    /// Period 12.
    Monthly,
    /// Period 4.
    Quarterly,
}

/// How series are read and modelled (shared by batch and eval).
#[derive(Debug, Args)]
pub struct SeriesOptions {
    /// File layout.
    #[arg(long, value_enum, default_value = "series")]
    pub format: SeriesFormat,
    /// Seasonal period (1: none). Without it, --freq picks a period per
    /// series by an autocorrelation test; without either, no season.
    #[arg(long)]
    pub season: Option<usize>,
    /// Time unit of the series (used when --season is absent).
    #[arg(long, value_enum)]
    pub freq: Option<Freq>,
    /// Missing steps inside a series: reject (default), zero, previous or linear.
    #[arg(long, default_value = "reject")]
    pub fill: String,
    /// Accept negative values (refused by default: demand cannot be negative).
    #[arg(long)]
    pub allow_negative: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ForecastBatchArgs {
    /// Series history (canonical series CSV, or M4 with --format m4; .gz accepted).
    #[arg(long)]
    pub history: PathBuf,
    /// Steps to forecast.
    #[arg(long)]
    pub horizon: usize,
    /// Model: auto, ets, theta, comb, snaive, naive, mean, croston, sba or
    /// tsb (per series), or gbdt, linear or tree (one global model).
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Prediction-interval levels in percent, comma-separated (empty: none).
    #[arg(long, default_value = "80,95")]
    pub levels: String,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub series: SeriesOptions,
}

#[derive(Debug, Args)]
pub struct EvalForecastArgs {
    /// Training histories.
    #[arg(long)]
    pub train: PathBuf,
    /// The values that followed each training history (same ids).
    #[arg(long)]
    pub test: PathBuf,
    /// Steps to forecast and score.
    #[arg(long)]
    pub horizon: usize,
    /// Models to compare, comma-separated.
    #[arg(long, default_value = "auto,ets,theta,snaive,naive")]
    pub models: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub series: SeriesOptions,
}
