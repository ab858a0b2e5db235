//! The service layer of shopmind: the one place the command line and the
//! HTTP API both call, over the store and the engines.
//!
//! ```text
//!   shopmind (CLI: parse → service → print)   shopmind-server (axum: extract → service → map)
//!                        \                      /
//!                         shopmind-service (this crate)
//!       training and the registry, recommendation answers, pricing runs,
//!       the supply pipeline, the assistant turn; validation; ServiceError
//!                         /                     \
//!              engines (pure computation)     shopmind-store (SQLite | PostgreSQL)
//! ```
//!
//! A rule lives here once: what a training request may contain
//! ([`training::TrainSpec`]), what a pricing constraint or an inventory
//! policy may be, which model kinds exist (`shopmind_core::model::ModelKind`).
//! Every call returns [`ServiceError`], whose variants say whose fault a
//! failure is; the front-ends only map it (HTTP status, exit code). No axum,
//! no clap: nothing here knows how it is called.
//!
//! [`Service`] holds what a running process shares: the store, the active
//! models, recent user histories, background jobs, chat sessions, the
//! bounded pool of heavy computations and the shutdown token.

pub mod assistant;
pub mod catalog;
pub mod compute;
pub mod error;
pub mod events;
pub mod history;
pub mod jobs;
pub mod llm;
pub mod pricing;
pub mod privacy;
pub mod recommend;
pub mod registry;
pub mod retrain;
pub mod serving;
pub mod supply;
pub mod training;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use shopmind_core::cancel::Cancel;
use shopmind_store::Store;

pub use error::{FieldError, ServiceError};

/// Default [`Service::request_timeout`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a serving process re-reads the registry's active versions.
pub const REGISTRY_POLL: Duration = Duration::from_secs(2);

/// What a running process shares (cheap to clone; clones share it).
#[derive(Clone)]
pub struct Service {
    /// The store.
    pub store: Store,
    /// Set once start-up work (loading models) is done.
    pub ready: Arc<AtomicBool>,
    /// The active model of each kind.
    pub models: serving::ActiveModels,
    /// Recently read user histories.
    pub histories: history::HistoryCache,
    /// Background jobs.
    pub jobs: jobs::Jobs,
    /// Chat sessions and the assistant's product index.
    pub assistant: assistant::AssistantRuntime,
    /// The optional model that writes assistant answers.
    pub llm: Option<Arc<llm::LlmConfig>>,
    /// Longest a request's computation may take.
    pub request_timeout: Duration,
    /// Raised at shutdown: every computation and job checking it stops.
    pub shutdown: Cancel,
    /// Heavy request computations: bounded, cancellable.
    pub compute: compute::Compute,
}

impl Service {
    /// A service over a store, marked ready, with no model loaded (for
    /// one-shot commands and tests; [`Service::start`] for a server).
    pub fn new(store: Store) -> Self {
        let shutdown = Cancel::new();
        Service {
            compute: compute::Compute::per_core(shutdown.clone()),
            shutdown,
            store,
            ready: Arc::new(AtomicBool::new(true)),
            models: serving::ActiveModels::default(),
            histories: history::HistoryCache::default(),
            jobs: jobs::Jobs::default(),
            assistant: assistant::AssistantRuntime::default(),
            llm: None,
            request_timeout: REQUEST_TIMEOUT,
        }
    }

    /// The same service with assistant answers written by `llm`.
    pub fn with_llm(self, llm: Option<llm::LlmConfig>) -> Self {
        Service {
            llm: llm.map(Arc::new),
            ..self
        }
    }

    /// The same service with user histories cached for `ttl` (zero: off).
    pub fn with_history_ttl(self, ttl: Duration) -> Self {
        Service {
            histories: history::HistoryCache::new(ttl),
            ..self
        }
    }

    /// The same service with at most `limit` heavy computations at once.
    pub fn with_compute_limit(self, limit: usize) -> Self {
        Service {
            compute: compute::Compute::new(limit, self.shutdown.clone()),
            ..self
        }
    }

    /// The same service with computations bounded by `timeout`.
    pub fn with_request_timeout(self, timeout: Duration) -> Self {
        Service {
            request_timeout: timeout,
            ..self
        }
    }

    /// A service for a server: not ready until the active models are
    /// loaded; then it follows the registry every [`REGISTRY_POLL`].
    pub fn start(self) -> Self {
        let s = Service {
            ready: Arc::new(AtomicBool::new(false)),
            ..self
        };
        let bg = s.clone();
        tokio::spawn(async move {
            if let Err(e) = serving::sync(&bg.store, &bg.models).await {
                tracing::error!(error = %e, "cannot load the active models; serving without them");
            }
            bg.ready.store(true, std::sync::atomic::Ordering::Release);
            serving::spawn_watcher(bg.store.clone(), bg.models.clone(), REGISTRY_POLL);
        });
        s
    }

    /// Whether this process can answer: start-up work done, the store
    /// answering and holding this build's schema.
    pub async fn readiness(&self) -> Result<(), ServiceError> {
        if !self.ready.load(std::sync::atomic::Ordering::Acquire) {
            return Err(ServiceError::NotReady("still starting".into()));
        }
        if !self.store.ping().await {
            return Err(ServiceError::NotReady("the store does not answer".into()));
        }
        if let Err(why) = self.store.check_schema().await {
            tracing::warn!(%why, "not ready: the store's schema");
            return Err(ServiceError::NotReady(format!(
                "the store's schema is not in place: {why}"
            )));
        }
        Ok(())
    }

    /// Runs CPU-heavy work for a caller on the bounded pool, within the
    /// request budget.
    pub async fn compute<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Cancel) -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        self.compute.run(self.request_timeout, f).await
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Prometheus series the service records through the `metrics` facade (the
/// server installs the recorder and renders them).
pub mod telemetry {
    /// Marks `model_id` as the active version of `kind` (gauge = 1) and the
    /// previous one as inactive.
    pub fn set_active_model(kind: &str, previous: Option<&str>, model_id: Option<&str>) {
        if let Some(p) = previous {
            metrics::gauge!("shopmind_active_model", "kind" => kind.to_owned(), "model_id" => p.to_owned())
                .set(0.0);
        }
        if let Some(m) = model_id {
            metrics::gauge!("shopmind_active_model", "kind" => kind.to_owned(), "model_id" => m.to_owned())
                .set(1.0);
        }
    }

    /// Counts a finished job.
    pub fn job_finished(kind: &str, outcome: &'static str) {
        metrics::counter!("shopmind_training_jobs_total", "kind" => kind.to_owned(), "outcome" => outcome)
            .increment(1);
    }
}
