//! Background jobs: a training request queues a training job,
//! `POST /v1/inventory/simulate` a simulation, and both answer at once with
//! the job's record; `GET /v1/jobs/{id}` reports state, progress and, for
//! work that computes an answer, its `result`. A failed training job leaves
//! the active model as it was. Scheduled retraining (`crate::retrain`)
//! queues its runs the same way.
//!
//! Jobs are rows of the store's job queue (`shopmind_store::JobRecord`), so
//! every replica answers for every job, and any process that runs a worker
//! ([`spawn_worker`]: `serve` unless `--no-worker`, and `shopmind worker`)
//! may run them: it claims the oldest runnable job, runs it under a lease it
//! renews every [`RENEW`] (writing the progress at the same time), and
//! records the outcome. A job whose runner dies is taken over by another
//! worker once the lease ([`LEASE`]) expires, and runs again from the start
//! (a training job registers its version only at its end, so a killed run
//! leaves nothing behind). A worker runs one job at a time, so background
//! work never takes both cores from request serving.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use shopmind_core::model::ModelKind;
use shopmind_store::{JobOutcome, JobRecord, NewJob, StoreError};
use tokio::sync::Notify;

use crate::training::TrainRequest;
use crate::{Service, ServiceError};

/// How long a claimed job stays its runner's without a renewal.
pub const LEASE: Duration = Duration::from_secs(10);
/// How often a runner renews its lease and writes its progress.
pub const RENEW: Duration = Duration::from_secs(1);
/// How often an idle worker looks for work without being woken.
pub const POLL: Duration = Duration::from_secs(1);

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a free worker.
    Queued,
    /// Running.
    Running,
    /// Done: `model_id` names the new version (training).
    Succeeded,
    /// Done with an error; the registry is unchanged.
    Failed,
}

/// A job's public record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    /// Job id.
    pub job_id: String,
    /// Model kind, or `simulation`.
    pub kind: String,
    /// Algorithm (or what the work is).
    pub algorithm: String,
    /// State.
    pub state: JobState,
    /// 0 to 1.
    pub progress: f32,
    /// What it is doing.
    pub stage: String,
    /// What started it: `api` or `schedule`.
    pub trigger: String,
    /// Runs so far (more than 1: its runner stopped and another worker
    /// took it over).
    pub attempts: i64,
    /// The version it created.
    pub model_id: Option<String>,
    /// Whether that version went live, and why (champion/challenger).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// What the work computed (a simulation's report), once it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub finished_at: Option<i64>,
}

impl From<JobRecord> for Job {
    fn from(r: JobRecord) -> Job {
        Job {
            state: match r.state.as_str() {
                "queued" => JobState::Queued,
                "running" => JobState::Running,
                "succeeded" => JobState::Succeeded,
                _ => JobState::Failed,
            },
            job_id: r.job_id,
            kind: r.kind,
            algorithm: r.algorithm,
            progress: r.progress as f32,
            stage: r.stage,
            trigger: r.started_by,
            attempts: r.attempts,
            model_id: r.model_id,
            decision: r.decision,
            error: r.error,
            result: r.result.and_then(|t| serde_json::from_str(&t).ok()),
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

/// The work a job stores: what the API accepted, checked again when it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// Train a model of `kind`.
    Train {
        /// Model kind.
        kind: ModelKind,
        /// The request.
        request: TrainRequest,
    },
    /// An inventory policy simulation (`POST /v1/inventory/simulate`'s body).
    Simulation(serde_json::Value),
}

/// This process's side of the job queue (cheap to clone).
#[derive(Clone)]
pub struct Jobs {
    /// Names this process's leases: host, process id and a per-start nonce.
    owner: Arc<str>,
    /// Wakes this process's worker (a job was queued here).
    wake: Arc<Notify>,
}

impl Default for Jobs {
    fn default() -> Self {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".into());
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Jobs {
            owner: format!("{host}:{}:{nonce:08x}", std::process::id()).into(),
            wake: Arc::new(Notify::new()),
        }
    }
}

fn job_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "job-{millis}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Jobs {
    /// A job by id, from the queue (the same answer on every replica).
    pub async fn get(&self, svc: &Service, id: &str) -> Result<Option<Job>, StoreError> {
        Ok(svc.store.job(id).await?.map(Job::from))
    }

    /// Queues work and returns its record at once.
    pub async fn start(
        &self,
        svc: &Service,
        kind: &str,
        label: &str,
        trigger: &str,
        work: &Work,
    ) -> Result<Job, ServiceError> {
        let request =
            serde_json::to_string(work).map_err(|e| ServiceError::internal("encoding a job", e))?;
        let id = job_id();
        let record = svc
            .store
            .enqueue_job(NewJob {
                job_id: &id,
                kind,
                algorithm: label,
                started_by: trigger,
                request: &request,
            })
            .await?;
        self.wake.notify_one();
        Ok(record.into())
    }

    /// Queues a training job (its request checked for `kind` first: a bad
    /// one is refused before anything is queued).
    pub async fn train(
        &self,
        svc: &Service,
        kind: ModelKind,
        request: TrainRequest,
        trigger: &str,
    ) -> Result<Job, ServiceError> {
        let (spec, _) = request.check(kind)?;
        let work = Work::Train { kind, request };
        self.start(svc, kind.as_str(), spec.algorithm(), trigger, &work)
            .await
    }

    /// Waits until a job has finished (whichever worker runs it); `None`
    /// when it disappeared.
    pub async fn wait(&self, svc: &Service, id: &str) -> Result<Option<Job>, StoreError> {
        loop {
            match self.get(svc, id).await? {
                Some(j) if matches!(j.state, JobState::Queued | JobState::Running) => {}
                other => return Ok(other),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Claims and runs jobs, one at a time, until `svc.shutdown`; with
/// `serving`, a version a job activated is loaded here at once (a
/// `shopmind worker` process serves nothing and skips that).
pub fn spawn_worker(svc: Service, serving: bool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(owner = %svc.jobs.owner, "job worker started");
        while !svc.shutdown.is_cancelled() {
            match svc
                .store
                .claim_job(&svc.jobs.owner, LEASE.as_millis() as i64)
                .await
            {
                Ok(Some(job)) => {
                    run(&svc, job, serving).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the job queue; retrying"),
            }
            tokio::select! {
                () = svc.jobs.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

/// Runs one claimed job under its lease and records the outcome.
async fn run(svc: &Service, job: JobRecord, serving: bool) {
    let owner = svc.jobs.owner.clone();
    tracing::info!(job = %job.job_id, kind = %job.kind, attempt = job.attempts, "job started");
    let progress = Arc::new(Mutex::new((0f32, String::from("starting"))));
    let lease = tokio::spawn({
        let (store, id, owner, progress) = (
            svc.store.clone(),
            job.job_id.clone(),
            owner.clone(),
            progress.clone(),
        );
        async move {
            loop {
                tokio::time::sleep(RENEW).await;
                let (p, stage) = progress
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone();
                match store
                    .renew_job(&id, &owner, LEASE.as_millis() as i64, f64::from(p), &stage)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = %id, "lost the job's lease (taken over); its outcome will not be recorded here");
                        return;
                    }
                    Err(e) => tracing::warn!(job = %id, error = %e, "cannot renew the job's lease"),
                }
            }
        }
    });
    let outcome = execute(svc, &job, progress, serving).await;
    lease.abort();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => JobOutcome {
            error: Some(e),
            ..JobOutcome::default()
        },
    };
    let failed = outcome.error.is_some();
    crate::telemetry::job_finished(&job.kind, if failed { "failed" } else { "succeeded" });
    if let Some(e) = &outcome.error {
        tracing::warn!(job = %job.job_id, kind = %job.kind, error = %e, "job failed");
    }
    match svc.store.finish_job(&job.job_id, &owner, &outcome).await {
        Ok(true) => tracing::info!(job = %job.job_id, failed, "job finished"),
        Ok(false) => {
            tracing::warn!(job = %job.job_id, "job finished after its lease was taken over; outcome not recorded")
        }
        Err(e) => tracing::error!(job = %job.job_id, error = %e, "cannot record the job's outcome"),
    }
}

/// The work itself.
async fn execute(
    svc: &Service,
    job: &JobRecord,
    progress: Arc<Mutex<(f32, String)>>,
    serving: bool,
) -> Result<JobOutcome, String> {
    let work: Work = serde_json::from_str(&job.request)
        .map_err(|e| format!("the stored job cannot be read: {e}"))?;
    match work {
        Work::Train { kind, request } => {
            let (spec, activate) = request.check(kind).map_err(|e| e.to_string())?;
            let report = Arc::new(move |p: f32, stage: &str| {
                *progress
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = (p, stage.to_owned());
            });
            let trained = crate::training::train(&svc.store, &spec, &activate, report)
                .await
                .map_err(|e| e.to_string())?;
            if serving
                && trained.record.status == shopmind_store::ModelStatus::Active
                && let Err(e) = crate::serving::sync(&svc.store, &svc.models).await
            {
                tracing::error!(error = %e, "trained version cannot be loaded");
            }
            Ok(JobOutcome {
                model_id: Some(trained.record.model_id),
                decision: trained.decision,
                ..JobOutcome::default()
            })
        }
        Work::Simulation(request) => {
            *progress
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = (0.0, "running".into());
            let result = crate::supply::answers::run_simulation_job(svc, request).await?;
            Ok(JobOutcome {
                result: Some(result.to_string()),
                ..JobOutcome::default()
            })
        }
    }
}
