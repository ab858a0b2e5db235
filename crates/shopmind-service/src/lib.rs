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

/// What a running process shares (cheap to clone: one reference count,
/// because every request clones it; clones share everything).
#[derive(Clone)]
pub struct Service {
    shared: Arc<Shared>,
}

/// The parts of a [`Service`] (reached through `Deref`).
#[derive(Clone)]
pub struct Shared {
    /// The store.
    pub store: Store,
    /// Set once start-up work (loading models and histories) is done.
    pub ready: Arc<AtomicBool>,
    /// The active model of each kind.
    pub models: serving::ActiveModels,
    /// Users' histories: in memory on a server, read from the store otherwise.
    pub histories: history::Histories,
    /// This process's side of the job queue.
    pub jobs: jobs::Jobs,
    /// Whether a server on this service runs a job worker.
    pub worker: bool,
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

impl std::ops::Deref for Service {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl Service {
    /// A service over a store, marked ready, with no model loaded and
    /// histories read from the store (for one-shot commands and tests;
    /// [`Service::start`] for a server).
    pub fn new(store: Store) -> Self {
        let shutdown = Cancel::new();
        Service {
            shared: Arc::new(Shared {
                compute: compute::Compute::per_core(shutdown.clone()),
                shutdown,
                store,
                ready: Arc::new(AtomicBool::new(true)),
                models: serving::ActiveModels::default(),
                histories: history::Histories::default(),
                jobs: jobs::Jobs::default(),
                worker: true,
                assistant: assistant::AssistantRuntime::default(),
                llm: None,
                request_timeout: REQUEST_TIMEOUT,
            }),
        }
    }

    /// The same service with its parts changed by `f` (a builder step,
    /// before the service is shared).
    fn map(self, f: impl FnOnce(Shared) -> Shared) -> Self {
        let parts = Arc::try_unwrap(self.shared).unwrap_or_else(|shared| (*shared).clone());
        Service {
            shared: Arc::new(f(parts)),
        }
    }

    /// The same service with assistant answers written by `llm`.
    pub fn with_llm(self, llm: Option<llm::LlmConfig>) -> Self {
        self.map(|s| Shared {
            llm: llm.map(Arc::new),
            ..s
        })
    }

    /// The same service with at most `limit` heavy computations at once.
    pub fn with_compute_limit(self, limit: usize) -> Self {
        self.map(|s| Shared {
            compute: compute::Compute::new(limit, s.shutdown.clone()),
            ..s
        })
    }

    /// The same service without a job worker.
    pub fn without_worker(self) -> Self {
        self.map(|s| Shared { worker: false, ..s })
    }

    /// The same service with computations bounded by `timeout`.
    pub fn with_request_timeout(self, timeout: Duration) -> Self {
        self.map(|s| Shared {
            request_timeout: timeout,
            ..s
        })
    }

    /// A service for a server: not ready until the active models and every
    /// user's history are loaded; then it follows the registry every
    /// [`REGISTRY_POLL`] and the event feed as it moves
    /// ([`history::spawn_feed`]).
    pub fn start(self) -> Self {
        let s = self.map(|s| Shared {
            ready: Arc::new(AtomicBool::new(false)),
            histories: history::Histories::in_memory(),
            ..s
        });
        let bg = s.clone();
        tokio::spawn(async move {
            if let Err(e) = serving::sync(&bg.store, &bg.models).await {
                tracing::error!(error = %e, "cannot load the active models; serving without them");
            }
            // Not ready before the histories are in memory: a replica that
            // answered meanwhile would recommend as if every user were new.
            loop {
                match bg.histories.load(&bg.store).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot load users' histories; retrying in 5 s");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            }
            bg.ready.store(true, std::sync::atomic::Ordering::Release);
            serving::spawn_watcher(bg.store.clone(), bg.models.clone(), REGISTRY_POLL);
            history::spawn_feed(bg.store.clone(), bg.histories.clone(), bg.shutdown.clone());
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
