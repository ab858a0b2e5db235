//! Command-line arguments (clap derive).

use std::net::SocketAddr;
use std::path::PathBuf;

mod assistant;
mod forecast;
mod inventory;
mod price;
pub use assistant::*;
pub use forecast::*;
pub use inventory::*;
pub use price::*;

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
    /// Configuration file (`shopmind.toml`): settings under the
    /// environment's and the flags' (see docs/operations.md).
    #[arg(long, global = true, env = "SHOPMIND_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// PostgreSQL schema to use inside that database (created if missing),
    /// so that several stores can share one database.
    #[arg(long, global = true, env = "SHOPMIND_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,
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
    /// Run queued jobs (training, simulations) and nothing else.
    Worker(WorkerArgs),
    /// Check a configuration file.
    Config(ConfigArgs),
    /// Generate and import the demo store if the store is empty, then serve it.
    Demo(DemoArgs),
    /// Measure import throughput into a fresh store (median of several runs).
    Bench(BenchArgs),
    /// Split an events file into train and test files.
    Split(SplitArgs),
    /// Evaluate models offline.
    Eval(EvalArgs),
    /// Batch recommendation.
    Recommend(RecommendArgs),
    /// Train a model on the store's data and register it as a new version.
    Train(TrainArgs),
    /// List, activate, roll back and delete registered model versions.
    Models(ModelsArgs),
    /// Create, list and revoke API keys.
    Keys(KeysArgs),
    /// Price prediction, elasticities and profit-optimal prices.
    Price(PriceArgs),
    /// Demand forecasts with prediction intervals.
    Forecast(ForecastArgs),
    /// Replenishment plans and policy simulation.
    Inventory(InventoryArgs),
    /// Customer-service assistant: train, classify, chat.
    Assistant(AssistantArgs),
}

/// `shopmind worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {}

/// `shopmind config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub what: ConfigCommand,
}

/// What `config` does.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a configuration file (unknown keys, types, values) and
    /// print the settings `serve` would run with, secrets redacted.
    Check {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub what: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it, alone, on stdout (it is not stored: keep it).
    Create {
        /// read, write or admin (each includes the ones before).
        #[arg(long)]
        scope: String,
        /// A note to recognise the key by.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Every key (ids, scopes, labels; never the secret).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (the 8 hex digits after `sm_`).
    Revoke {
        /// Key id.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Model kind: `recommend`, `pricing` (elasticities from the store's sales;
    /// `--algorithm`, `--param` and `--binary` do not apply) or `forecast`
    /// (daily demand per item and store; `--algorithm` is the forecast model,
    /// default `auto`) or `assistant` (intents and FAQ from the store).
    pub kind: String,
    /// Algorithm name (default per kind: `best`, `elasticity`, `auto`,
    /// `lexical`; see `docs/recommend.md` and `docs/forecast.md`).
    #[arg(long)]
    pub algorithm: Option<String>,
    /// Parameters as KEY=VALUE (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Treat every event as a positive instead of weighting event types.
    #[arg(long)]
    pub binary: bool,
    /// Activate the new version: `--activate` (or `=true`) always,
    /// `=if_better` champion/challenger on `--champion-metric`; without it the
    /// version is activated only when none of its kind is active.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "MODE")]
    pub activate: Option<String>,
    /// The metric `--activate=if_better` compares (default `ndcg@10`).
    #[arg(long)]
    pub champion_metric: Option<String>,
    /// The margin `--activate=if_better` requires (default 0).
    #[arg(long, allow_hyphen_values = true)]
    pub min_gain: Option<f64>,
    /// Print the new version as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub what: ModelsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Every version, newest first, with its metrics.
    List {
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a version the active one of its kind.
    Activate {
        /// Version id.
        id: String,
    },
    /// Re-activate the version of KIND that was active before the current one.
    Rollback {
        /// Model kind.
        kind: String,
    },
    /// Delete an inactive version and its artifact.
    Delete {
        /// Version id.
        id: String,
    },
}

/// Where events come from.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EventsFormat {
    /// The canonical events CSV.
    Events,
    /// MovieLens (`u.data` or `ratings.csv`).
    Movielens,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The events file.
    #[arg(long)]
    pub input: PathBuf,
    /// Its format.
    #[arg(long, value_enum, default_value = "events")]
    pub format: EventsFormat,
    /// Share of each user's events put in test (per-user stratified split).
    #[arg(long, default_value_t = 0.25)]
    pub test_ratio: f64,
    /// Seed of the per-user shuffles.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory for train.csv and test.csv.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub what: EvalCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Fit on a training file, score top-k lists against a test file.
    Recommend(EvalRecommendArgs),
    /// Rating prediction (biased MF or kNN-baseline): RMSE and MAE on a test file.
    Rating(EvalRatingArgs),
    /// Forecast accuracy: fit on training histories, score the test values
    /// (MASE, sMAPE, WAPE, RMSSE, interval coverage, time per model).
    Forecast(EvalForecastArgs),
    /// Intent classification: accuracy, macro-F1, calibration and
    /// out-of-scope recall of a model fitted on --train, scored on --test.
    Assistant(EvalAssistantArgs),
}

#[derive(Debug, Args)]
pub struct EvalRatingArgs {
    /// Training ratings.
    #[arg(long)]
    pub train: PathBuf,
    /// Test ratings.
    #[arg(long)]
    pub test: PathBuf,
    /// Format of both files.
    #[arg(long, value_enum, default_value = "events")]
    pub format: EventsFormat,
    /// Rating model: mf-explicit (biased MF) or knn-baseline.
    #[arg(long, default_value = "mf-explicit")]
    pub model: String,
    /// Parameters of the model as KEY=VALUE (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalRecommendArgs {
    /// Training events (canonical events CSV).
    #[arg(long)]
    pub train: PathBuf,
    /// Test events.
    #[arg(long)]
    pub test: PathBuf,
    /// List length.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Comma-separated algorithm names, or `all`.
    #[arg(long, default_value = "all")]
    pub algorithms: String,
    /// Algorithm parameters as ALGORITHM.KEY=VALUE (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Use event weights instead of treating every event as a positive.
    #[arg(long)]
    pub weighted: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Fits per algorithm; the median fit time is reported (default 1; 3 for `bench`).
    #[arg(long)]
    pub runs: Option<usize>,
    /// Item catalog (canonical items CSV), for the content and description
    /// models and the learned hybrid's features.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Tune each algorithm's parameters first: a seeded random search scored
    /// by NDCG@k on a validation split carved from the training file.
    #[arg(long)]
    pub tune: bool,
    /// Parameter sets tried per algorithm by --tune.
    #[arg(long, default_value_t = 12)]
    pub trials: usize,
    /// Seed of the --tune search and of its validation split.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[command(subcommand)]
    pub what: RecommendCommand,
}

#[derive(Debug, Subcommand)]
pub enum RecommendCommand {
    /// Top-k lists for every user of a training file.
    Batch(RecommendBatchArgs),
    /// The k most similar items of every catalog item.
    Similar(RecommendSimilarArgs),
}

#[derive(Debug, Args)]
pub struct RecommendSimilarArgs {
    /// Item catalog (canonical items CSV): the items to answer for.
    #[arg(long)]
    pub items: PathBuf,
    /// Training events, for the collaborative algorithms.
    #[arg(long)]
    pub train: Option<PathBuf>,
    /// Algorithm name (`content` and `description` need no events).
    #[arg(long, default_value = "description")]
    pub algorithm: String,
    /// Parameters as KEY=VALUE (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Neighbours per item.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Use event weights instead of treating every event as a positive.
    #[arg(long)]
    pub weighted: bool,
    /// Output CSV: item_id,similar_item_id,rank,score.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RecommendBatchArgs {
    /// Training events (canonical events CSV).
    #[arg(long)]
    pub train: PathBuf,
    /// Algorithm name.
    #[arg(long, default_value = "best")]
    pub algorithm: String,
    /// Parameters as KEY=VALUE (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// List length.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Only these users (one id per line).
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// Use event weights instead of treating every event as a positive.
    #[arg(long)]
    pub weighted: bool,
    /// Item catalog (canonical items CSV), for the content and description
    /// models; its items without events can be recommended too.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Output CSV: user_id,item_id,rank,score.
    #[arg(long)]
    pub out: PathBuf,
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
    /// Fit time (median of --runs, default 3) and per-user scoring time of
    /// recommenders, with their quality when a test file is given.
    Recommend(EvalRecommendArgs),
    /// Intent-model fit time (median of --runs, default 3) and the median
    /// time to classify one message, with the test accuracy.
    Assistant(EvalAssistantArgs),
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
    /// Serve the API only: run no queued jobs here (a `shopmind worker`
    /// process, or another replica, runs them).
    #[arg(long, env = "SHOPMIND_NO_WORKER")]
    pub no_worker: bool,
    /// Serve without API keys (anyone who can connect may read and write).
    #[arg(long, env = "SHOPMIND_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// Seconds after which a request is answered `503 timeout`.
    #[arg(long, env = "SHOPMIND_REQUEST_TIMEOUT_SECONDS", default_value_t = 30.0)]
    pub request_timeout_seconds: f64,
    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for in-flight requests
    /// before the process exits anyway.
    #[arg(long, env = "SHOPMIND_SHUTDOWN_GRACE_SECONDS", default_value_t = 30.0)]
    pub shutdown_grace_seconds: f64,
    /// A browser origin allowed by CORS (`https://shop.example`; repeatable).
    #[arg(
        long = "cors-origin",
        env = "SHOPMIND_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Requests per second each API key may make on this process (bursts
    /// of twice that); past it, `429` with `Retry-After`. Off by default: a
    /// shop's site usually calls with one key for every visitor.
    #[arg(long, env = "SHOPMIND_RATE_LIMIT", value_name = "PER_SECOND")]
    pub rate_limit: Option<f64>,
    /// Retrain the recommendation model this often (`90s`, `30m`, `6h`,
    /// `1d`); the new version goes live only if it validates at least as
    /// well as the active one. Give it to one replica only.
    #[arg(long, env = "SHOPMIND_RETRAIN_EVERY", value_name = "PERIOD")]
    pub retrain_every: Option<String>,
    /// Algorithm of scheduled retraining.
    #[arg(long, default_value = "best", requires = "retrain_every")]
    pub retrain_algorithm: String,
    /// Validation metric the challenger must match (ndcg@10, precision@10,
    /// recall@10 or map@10).
    #[arg(long, default_value = "ndcg@10", requires = "retrain_every")]
    pub retrain_metric: String,
    /// Margin over the champion's metric the challenger needs (negative: a
    /// loss that is tolerated).
    #[arg(
        long,
        default_value_t = 0.0,
        allow_negative_numbers = true,
        requires = "retrain_every"
    )]
    pub retrain_min_gain: f64,
    #[command(flatten)]
    pub llm: LlmArgs,
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
    /// Do not train a recommendation model (nor the assistant) when none is
    /// active.
    #[arg(long)]
    pub no_train: bool,
    #[command(flatten)]
    pub llm: LlmArgs,
}
