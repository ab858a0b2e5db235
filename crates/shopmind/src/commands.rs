//! One function per subcommand; each opens the store it needs and reports
//! errors with context.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use shopmind_core::model::ModelKind;
use shopmind_core::time::format_timestamp;
use shopmind_data::ImportKind;
use shopmind_data::synth::{self, Lang, SynthParams};
use shopmind_server::AppState;
use shopmind_service::retrain::Schedule;
use shopmind_service::training::{self, TrainRequest};
use shopmind_store::{Stats, Store};

use crate::cli::{
    Cli, Command, DemoArgs, GenerateArgs, Global, ImportArgs, LangArg, ServeArgs, StatsArgs,
};
use crate::import::{import_file, print_report};
use crate::open::open_store;
use crate::progress::spinner;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Generate(a) => generate(a),
        Command::Import(a) => import(&cli.global, a).await,
        Command::Stats(a) => stats(&cli.global, a).await,
        Command::Serve(a) => {
            tracing::info!(
                "settings (defaults < configuration file < environment < flags):\n{}",
                crate::config::describe(&cli.global, Some(&a))
            );
            serve(&cli.global, a).await
        }
        Command::Worker(_) => worker(&cli.global).await,
        Command::Config(a) => config_check(a),
        Command::Demo(a) => demo(&cli.global, a).await,
        Command::Split(a) => crate::recommend::split(a),
        Command::Eval(a) => match a.what {
            crate::cli::EvalCommand::Recommend(b) => crate::recommend::eval(b),
            crate::cli::EvalCommand::Rating(b) => crate::recommend::eval_rating(b),
            crate::cli::EvalCommand::Forecast(b) => crate::forecast::eval(b),
            crate::cli::EvalCommand::Assistant(b) => crate::assistant::eval(b),
        },
        Command::Recommend(a) => match a.what {
            crate::cli::RecommendCommand::Batch(b) => crate::recommend::batch(b),
            crate::cli::RecommendCommand::Similar(b) => crate::recommend::similar(b),
        },
        Command::Train(a) => crate::train::train(&cli.global, a).await.map(drop),
        Command::Models(a) => crate::train::models(&cli.global, a).await,
        Command::Keys(a) => keys(&cli.global, a).await,
        Command::Assistant(a) => match a.what {
            crate::cli::AssistantCommand::Train(b) => crate::assistant::train(b),
            crate::cli::AssistantCommand::Classify(b) => crate::assistant::classify(b),
            crate::cli::AssistantCommand::Chat(b) => crate::assistant::chat(&cli.global, b).await,
        },
        Command::Forecast(a) => match a.what {
            crate::cli::ForecastCommand::Batch(b) => crate::forecast::batch(b),
            crate::cli::ForecastCommand::Sales(b) => {
                crate::inventory::forecast_sales(&cli.global, b).await
            }
        },
        Command::Inventory(a) => match a.what {
            crate::cli::InventoryCommand::Plan(b) => crate::inventory::plan(&cli.global, b).await,
            crate::cli::InventoryCommand::Simulate(b) => {
                crate::inventory::simulate(&cli.global, b).await
            }
        },
        Command::Price(a) => match a.what {
            crate::cli::PriceCommand::Predict(b) => crate::price::predict(b),
            crate::cli::PriceCommand::Optimize(b) => crate::price::optimize(b),
            crate::cli::PriceCommand::Elasticity(b) => crate::price::elasticity(b),
        },
        Command::Bench(a) => match a.what {
            crate::cli::BenchCommand::Import(b) => crate::bench::import(&cli.global, b).await,
            crate::cli::BenchCommand::Assistant(mut b) => {
                b.runs = Some(b.runs.unwrap_or(3));
                crate::assistant::eval(b)
            }
            crate::cli::BenchCommand::Recommend(mut b) => {
                b.runs = Some(b.runs.unwrap_or(3));
                crate::recommend::eval(b)
            }
        },
    }
}

fn generate(a: GenerateArgs) -> anyhow::Result<()> {
    let params = SynthParams {
        seed: a.seed,
        users: a.users,
        items: a.items,
        days: a.days,
        stores: a.stores,
        events_per_user: a.events_per_user,
        lang: match a.lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        },
        ..SynthParams::default()
    };
    let bar = spinner("generating the demo store");
    let summary = synth::generate(&params, &a.out)
        .with_context(|| format!("cannot generate into {}", a.out.display()))?;
    bar.finish_and_clear();
    outln!(
        "generated {} items, {} users, {} events, {} sales rows, {} inventory rows, {} orders, {} FAQ rows, {} intent examples in {}",
        summary.items,
        summary.users,
        summary.events,
        summary.sales,
        summary.inventory,
        summary.orders,
        summary.faq,
        summary.intents,
        a.out.display()
    );
    Ok(())
}

async fn import(g: &Global, a: ImportArgs) -> anyhow::Result<()> {
    let store = open_store(g).await?;
    let report = import_file(&store, a.kind, &a.path, a.skip_invalid, a.batch_size).await?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
        let s = store
            .stats()
            .await
            .context("cannot read the store's statistics")?;
        let held: Vec<String> = s
            .rows
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        outln!("the store now holds: {}", held.join(", "));
    }
    store.close().await;
    Ok(())
}

fn print_stats(s: &Stats) {
    outln!("backend: {}", s.backend);
    for (table, n) in &s.rows {
        outln!("  {table:<16} {n:>10}");
    }
    outln!("  distinct users with events  {:>8}", s.event_users);
    outln!("  distinct items with events  {:>8}", s.event_items);
    if let Some((lo, hi)) = s.events_range {
        outln!(
            "  events from {} to {}",
            format_timestamp(lo),
            format_timestamp(hi)
        );
    }
    if let Some((lo, hi)) = &s.sales_range {
        outln!("  sales from {lo} to {hi}");
    }
}

async fn stats(g: &Global, a: StatsArgs) -> anyhow::Result<()> {
    let store = open_store(g).await?;
    let s = store
        .stats()
        .await
        .context("cannot read the store's statistics")?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print_stats(&s);
    }
    store.close().await;
    Ok(())
}

/// How `serve` (and `demo`) answer HTTP.
struct HttpOptions {
    insecure: bool,
    rate_limit: Option<f64>,
    no_worker: bool,
    timeout: std::time::Duration,
    grace: std::time::Duration,
    cors_origins: Vec<String>,
    retrain: Option<Schedule>,
    llm: Option<shopmind_service::llm::LlmConfig>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            insecure: false,
            rate_limit: None,
            no_worker: false,
            timeout: shopmind_server::REQUEST_TIMEOUT,
            grace: shopmind_server::SHUTDOWN_GRACE,
            cors_origins: Vec::new(),
            retrain: None,
            llm: None,
        }
    }
}

async fn serve_store(
    store: Store,
    addr: std::net::SocketAddr,
    http: HttpOptions,
) -> anyhow::Result<()> {
    let HttpOptions {
        insecure,
        rate_limit,
        no_worker,
        timeout,
        grace,
        cors_origins,
        retrain,
        llm,
    } = http;
    if !insecure && store.active_api_keys().await? == 0 {
        bail!(
            "no API key exists: create one with `shopmind keys create --scope admin`, or serve without authentication with --insecure-no-auth"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr().unwrap_or(addr);
    outln!("shopmind is serving at http://{local}");
    tracing::info!(%local, insecure, "listening");
    let state = AppState::start(store.clone())
        .with_http_options(timeout, cors_origins)
        .with_shutdown_grace(grace)
        .with_llm(llm);
    let state = if insecure {
        state
    } else {
        state.with_rate_limited_auth(rate_limit)
    };
    let state = if no_worker {
        // A log line, not stdout: whoever started `serve` may read only its
        // first line (the address) and close the pipe.
        tracing::info!(
            "API only: queued jobs run in a `shopmind worker` process or another replica"
        );
        state.without_worker()
    } else {
        state
    };
    if let Some(schedule) = retrain {
        outln!(
            "retraining {} every {:?} (champion/challenger: {:?})",
            schedule.spec.algorithm(),
            schedule.every,
            schedule.activate
        );
        shopmind_service::retrain::spawn(state.service.clone(), schedule);
    }
    shopmind_server::serve(listener, state, shopmind_server::shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    store.close().await;
    Ok(())
}

/// `shopmind config check FILE`: the file's settings over the defaults
/// (as `serve` would take them with no flag or environment variable set).
fn config_check(a: crate::cli::ConfigArgs) -> anyhow::Result<()> {
    use clap::{CommandFactory, FromArgMatches};
    let crate::cli::ConfigCommand::Check { file } = a.what;
    let parsed = crate::config::read(&file)?;
    let matches = crate::cli::Cli::command().try_get_matches_from(["shopmind", "serve"])?;
    let mut cli = crate::cli::Cli::from_arg_matches(&matches)?;
    crate::config::apply(&mut cli, &matches, parsed);
    let Command::Serve(s) = &cli.command else {
        anyhow::bail!("internal: `serve` did not parse as serve");
    };
    retrain_schedule(s)?;
    outln!("{}: valid", file.display());
    outln!("{}", crate::config::describe(&cli.global, Some(s)));
    Ok(())
}

/// `shopmind worker`: claims and runs queued jobs until Ctrl-C or SIGTERM,
/// then lets the job in hand finish (its lease would otherwise hand it to
/// another worker after the lease expires).
async fn worker(g: &Global) -> anyhow::Result<()> {
    let store = open_store(g).await?;
    let svc = shopmind_service::Service::new(store.clone());
    outln!("shopmind worker: running queued jobs");
    let handle = shopmind_service::jobs::spawn_worker(svc.clone(), false);
    shopmind_server::shutdown_signal().await;
    svc.shutdown.cancel();
    outln!("stopping after the job in hand");
    let _ = handle.await;
    store.close().await;
    Ok(())
}

async fn serve(g: &Global, a: ServeArgs) -> anyhow::Result<()> {
    let store = open_store(g).await?;
    let seconds = |v: f64, flag: &str, min: f64| {
        std::time::Duration::try_from_secs_f64(v)
            .ok()
            .filter(|d| d.as_secs_f64() >= min && d.as_secs() <= 3600)
            .with_context(|| format!("--{flag} must be between {min} and 3600"))
    };
    for o in &a.cors_origins {
        if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
            bail!(
                "--cors-origin `{o}` must look like https://shop.example (scheme and host, no path)"
            );
        }
    }
    let http = HttpOptions {
        insecure: a.insecure_no_auth,
        rate_limit: match a.rate_limit {
            Some(r) if !(r.is_finite() && r > 0.0) => {
                bail!("--rate-limit must be a positive number of requests per second")
            }
            r => r,
        },
        no_worker: a.no_worker,
        timeout: seconds(a.request_timeout_seconds, "request-timeout-seconds", 0.001)?,
        grace: seconds(a.shutdown_grace_seconds, "shutdown-grace-seconds", 0.0)?,
        cors_origins: a.cors_origins.clone(),
        retrain: retrain_schedule(&a)?,
        llm: a.llm.config()?,
    };
    serve_store(store, a.addr, http).await
}

/// The `--retrain-*` flags, checked by the rules of every training request.
fn retrain_schedule(a: &ServeArgs) -> anyhow::Result<Option<Schedule>> {
    let Some(period) = &a.retrain_every else {
        return Ok(None);
    };
    let every = shopmind_service::retrain::parse_period(period)
        .map_err(|e| anyhow::anyhow!("--retrain-every: {e}"))?;
    let request = TrainRequest {
        algorithm: Some(a.retrain_algorithm.clone()),
        champion_metric: Some(a.retrain_metric.clone()),
        min_gain: Some(a.retrain_min_gain),
        ..TrainRequest::default()
    };
    Ok(Some(Schedule::new(every, request)?))
}

async fn keys(g: &Global, a: crate::cli::KeysArgs) -> anyhow::Result<()> {
    use crate::cli::KeysCommand;
    let store = open_store(g).await?;
    match a.what {
        KeysCommand::Create { scope, label } => {
            let scope: shopmind_store::Scope = scope.parse().map_err(|_| {
                anyhow::anyhow!("--scope must be read, write or admin, not `{scope}`")
            })?;
            let (_, key) = store.create_api_key(scope, &label).await?;
            outln!("{key}");
        }
        KeysCommand::List { json } => {
            let keys = store.list_api_keys().await?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                outln!(
                    "{:<10} {:<6} {:<20} {:<20} revoked",
                    "id",
                    "scope",
                    "label",
                    "created"
                );
                for k in keys {
                    outln!(
                        "{:<10} {:<6} {:<20} {:<20} {}",
                        k.key_id,
                        k.scope.as_str(),
                        k.label,
                        format_timestamp(k.created_at),
                        k.revoked_at.map(format_timestamp).unwrap_or_default()
                    );
                }
            }
        }
        KeysCommand::Revoke { id } => {
            store.revoke_api_key(&id).await?;
            outln!(
                "revoked {id}; servers that verified it in the last {} s may accept it until their key cache expires",
                shopmind_server::auth::CACHE_TTL.as_secs()
            );
        }
    }
    store.close().await;
    Ok(())
}

/// Imports every file of a generated demo store, in dependency order.
pub async fn import_demo(store: &Store, dir: &Path) -> anyhow::Result<()> {
    for (kind, file) in synth::FILES {
        let kind: ImportKind = kind.parse().map_err(anyhow::Error::msg)?;
        let report = import_file(store, kind, &dir.join(file), false, 10_000).await?;
        outln!(
            "  imported {:<14} {:>9} records in {:.2} s",
            file,
            report.counts.records,
            report.seconds
        );
    }
    Ok(())
}

async fn demo(g: &Global, a: DemoArgs) -> anyhow::Result<()> {
    let llm = a.llm.config()?;
    let store = open_store(g).await?;
    let s = store.stats().await?;
    if s.count("items") == 0 && s.count("events") == 0 {
        let dir = g.data_dir.join("demo-csv");
        outln!(
            "the store is empty: generating a demo store (seed {}) into {}",
            a.seed,
            dir.display()
        );
        let params = SynthParams {
            seed: a.seed,
            ..SynthParams::default()
        };
        let bar = spinner("generating the demo store");
        let summary = synth::generate(&params, &dir)
            .with_context(|| format!("cannot generate into {}", dir.display()))?;
        bar.finish_and_clear();
        outln!(
            "  generated {} items, {} users, {} events, {} sales rows",
            summary.items,
            summary.users,
            summary.events,
            summary.sales
        );
        import_demo(&store, &dir).await?;
    } else if s.count("items") == 0 {
        bail!("the store holds data but no items; import a catalog or use an empty --data-dir");
    } else {
        outln!(
            "the store already holds {} items and {} events; serving them",
            s.count("items"),
            s.count("events")
        );
    }
    if !a.no_train {
        train_defaults(&store).await?;
    }
    if a.no_serve {
        store.close().await;
        return Ok(());
    }
    if store.active_api_keys().await? == 0 {
        let (_, key) = store
            .create_api_key(shopmind_store::Scope::Admin, "demo")
            .await?;
        outln!(
            "created an admin API key for the demo (shown once; `shopmind keys create` makes more):"
        );
        outln!("  {key}");
        outln!(
            "  try: curl -H 'Authorization: Bearer {key}' 'http://{}/v1/users/U00001/recommendations?n=5'",
            a.addr
        );
    } else {
        outln!(
            "API keys exist already (the demo's was shown once, at its first start); \
             make another with `shopmind --data-dir {} keys create --scope admin`",
            g.data_dir.display()
        );
    }
    let http = HttpOptions {
        llm,
        ..HttpOptions::default()
    };
    serve_store(store, a.addr, http).await
}

/// Trains and activates the default recommendation and assistant models
/// when none is active (the demo's first start; pricing and forecast
/// versions are trained on request).
async fn train_defaults(store: &Store) -> anyhow::Result<()> {
    for kind in [ModelKind::Recommend, ModelKind::Assistant] {
        if store.active_model(kind.as_str()).await?.is_some() {
            continue;
        }
        let (spec, activate) = TrainRequest::default().check(kind)?;
        let bar = spinner(&format!(
            "training the default {kind} model ({})",
            spec.algorithm()
        ));
        let trained = training::train(store, &spec, &activate, Arc::new(|_, _| {}))
            .await
            .with_context(|| format!("cannot train the default {kind} model"))?;
        bar.finish_and_clear();
        let v = trained.record;
        match v.metrics["ndcg@10"].as_f64() {
            Some(ndcg) => outln!(
                "  {} ({}) active: validation NDCG@10 {ndcg:.4}",
                v.model_id,
                v.algorithm
            ),
            None => outln!("  {} ({kind}, {}) active", v.model_id, v.algorithm),
        }
    }
    Ok(())
}
