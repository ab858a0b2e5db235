//! Command-line arguments (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// shopmind: recommendations, pricing, forecasting, inventory and a
/// customer-service assistant, trained on your shop's data and served over HTTP.
#[derive(Debug, Parser)]
#[command(name = "shopmind", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Directory of the embedded SQLite database and model artifacts.
    #[arg(
        long,
        global = true,
        env = "SHOPMIND_DATA_DIR",
        default_value = "./shopmind-data"
    )]
    pub data_dir: PathBuf,
    /// Use this database instead of the embedded one (postgres://user@host:5432/db).
    #[arg(
        long,
        global = true,
        env = "SHOPMIND_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Log filter (error, warn, info, debug, trace or a tracing directive).
    #[arg(
        long,
        global = true,
        env = "SHOPMIND_LOG",
        default_value = "info,sqlx=warn"
    )]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a synthetic demo store (CSV files plus ground_truth.json).
    Generate(GenerateArgs),
    /// Import a CSV file (plain or .gz) into the store, all or nothing.
    Import(ImportArgs),
    /// Show what the store holds.
    Stats(StatsArgs),
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Generate and import the demo store if the store is empty, then serve it.
    Demo(DemoArgs),
    /// Measure import throughput into a fresh store (median of several runs).
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Import a file into a fresh store per run; compare with reading it only.
    Import(BenchImportArgs),
}

#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// Import kind (as for `import`).
    pub kind: shopmind_data::ImportKind,
    /// The file.
    pub path: PathBuf,
    /// Timed runs (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed: the same seed and sizes give the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of users.
    #[arg(long, default_value_t = 2000)]
    pub users: usize,
    /// Number of items.
    #[arg(long, default_value_t = 500)]
    pub items: usize,
    /// Days of history.
    #[arg(long, default_value_t = 730)]
    pub days: u32,
    /// Number of stores in the sales data.
    #[arg(long, default_value_t = 3)]
    pub stores: usize,
    /// Mean events per user.
    #[arg(long, default_value_t = 50.0)]
    pub events_per_user: f64,
    /// Language of item titles and descriptions.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds: items, users, events, sales, inventory, orders,
    /// faq, intents, series, movielens, online-retail, m4 or banking77.
    pub kind: shopmind_data::ImportKind,
    /// The file (or, for movielens, the directory of a release).
    pub path: PathBuf,
    /// Skip malformed rows (reporting how many and why) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Records per database batch.
    #[arg(long, default_value_t = 10_000)]
    pub batch_size: usize,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHOPMIND_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "SHOPMIND_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed of the generated store.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Generate and import, then exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}
