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
//!
//! Forecast, pricing and item-kNN training jobs split into parts
//! (`crate::training`'s phases): the job stores its parts' inputs and
//! queues them in one transaction ([`Work::Part`] jobs that any worker
//! claims), then waits holding no worker; the last part to finish queues it
//! again and a worker combines. On PostgreSQL idle workers of other
//! processes are woken through `LISTEN` on the store's jobs channel.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use shopmind_core::model::ModelKind;
use shopmind_store::{JobOutcome, JobRecord, NewJob, NewPart, PartOutcome, StoreError};
use tokio::sync::Notify;

use crate::training::{PartInput, Phase, Progress, Stored, TrainRequest};
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
                "running" | "waiting" => JobState::Running,
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
    /// Part `index` of `count` of fan-out `phase` of the training job
    /// `parent` (see `crate::training`'s parts).
    Part {
        /// The job it is a part of.
        parent: String,
        /// Which fan-out (1: the first).
        phase: u32,
        /// Which part (0-based).
        index: u32,
        /// Parts in the fan-out.
        count: u32,
    },
}

/// Where a run of a job left it.
enum Next {
    /// Finished: record the outcome.
    Finish(JobOutcome),
    /// Split into `parts` parts sharing `input`: queue them and wait.
    FanOut {
        phase: u32,
        input: Vec<u8>,
        slices: Vec<Vec<u8>>,
        keep: Vec<u8>,
        parts: u32,
    },
    /// A part's output, for its parent.
    PartOutput(Vec<u8>),
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
    tokio::spawn(listen_for_jobs(svc.clone()));
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

/// Wakes this process's worker when another process queues a job (or the
/// last part of a job finishes): PostgreSQL's `LISTEN` on the store's jobs
/// channel; nothing on SQLite, where idle workers poll every [`POLL`].
async fn listen_for_jobs(svc: Service) {
    let mut listener = match svc.store.jobs_listener().await {
        Ok(Some(l)) => l,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for jobs; polling every second");
            return;
        }
    };
    while !svc.shutdown.is_cancelled() {
        match listener.next().await {
            // A notification, or a reconnection (which may have lost one).
            Ok(_) => svc.jobs.wake.notify_one(),
            Err(e) => {
                tracing::warn!(error = %e, "the jobs listener failed; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    }
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
    let next = execute(svc, &job, progress, serving).await;
    lease.abort();
    let outcome = match next {
        Ok(Next::FanOut {
            phase,
            input,
            slices,
            keep,
            parts,
        }) => {
            fan_out(svc, &job, phase, [&input, &keep], &slices, parts).await;
            return;
        }
        Ok(Next::PartOutput(bytes)) => {
            let name = format!("out-{}-{:05}", job.phase, part_index(&job));
            let done = PartOutcome::Output {
                name: &name,
                bytes: &bytes,
            };
            record_part(svc, &job, done).await;
            return;
        }
        Err(e) if job.parent_id.is_some() => {
            tracing::warn!(job = %job.job_id, error = %e, "part failed");
            record_part(svc, &job, PartOutcome::Failed(&e)).await;
            return;
        }
        Ok(Next::Finish(o)) => o,
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

/// The index a part's request names (0 when it cannot be read: its run
/// failed on that already).
fn part_index(job: &JobRecord) -> u32 {
    match serde_json::from_str(&job.request) {
        Ok(Work::Part { index, .. }) => index,
        _ => 0,
    }
}

/// Queues a job's parts and leaves it waiting for them; `blobs` are the
/// parts' input and what the job keeps for its next phase, `slices` each
/// part's own input (none, or one per part).
async fn fan_out(
    svc: &Service,
    job: &JobRecord,
    phase: u32,
    blobs: [&[u8]; 2],
    slices: &[Vec<u8>],
    parts: u32,
) {
    let mut requests = Vec::with_capacity(parts as usize);
    for index in 0..parts {
        let work = Work::Part {
            parent: job.job_id.clone(),
            phase,
            index,
            count: parts,
        };
        match serde_json::to_string(&work) {
            Ok(r) => requests.push((
                job_id(),
                format!("{} part {}/{parts}", job.algorithm, index + 1),
                r,
            )),
            Err(e) => {
                tracing::error!(job = %job.job_id, error = %e, "cannot encode a part");
                return;
            }
        }
    }
    let new: Vec<NewPart<'_>> = requests
        .iter()
        .map(|(id, label, request)| NewPart {
            job_id: id,
            label,
            request,
        })
        .collect();
    match svc
        .store
        .fan_out(job, &svc.jobs.owner, i64::from(phase), blobs, slices, &new)
        .await
    {
        Ok(true) => {
            let [input, keep] = blobs.map(<[u8]>::len);
            let own: usize = slices.iter().map(Vec::len).sum();
            tracing::info!(job = %job.job_id, phase, parts, bytes = input, slices = own, kept = keep, "job split into parts");
            svc.jobs.wake.notify_one();
        }
        Ok(false) => {
            tracing::warn!(job = %job.job_id, "job split after its lease was taken over; parts not queued")
        }
        Err(e) => {
            tracing::error!(job = %job.job_id, error = %e, "cannot queue the job's parts; it runs again when its lease expires")
        }
    }
}

/// Records how a part ended (the last one to succeed queues its parent).
async fn record_part(svc: &Service, job: &JobRecord, outcome: PartOutcome<'_>) {
    let failed = matches!(outcome, PartOutcome::Failed(_));
    crate::telemetry::job_finished(&job.kind, if failed { "failed" } else { "succeeded" });
    match svc.store.finish_part(job, &svc.jobs.owner, outcome).await {
        Ok(true) => {
            tracing::info!(job = %job.job_id, failed, "part finished");
            svc.jobs.wake.notify_one();
        }
        Ok(false) => {
            tracing::warn!(job = %job.job_id, "part finished after its lease was taken over; output not recorded")
        }
        Err(e) => {
            tracing::error!(job = %job.job_id, error = %e, "cannot record the part's output; it runs again when its lease expires")
        }
    }
}

/// The work itself.
async fn execute(
    svc: &Service,
    job: &JobRecord,
    progress: Arc<Mutex<(f32, String)>>,
    serving: bool,
) -> Result<Next, String> {
    let work: Work = serde_json::from_str(&job.request)
        .map_err(|e| format!("the stored job cannot be read: {e}"))?;
    let report: Progress = Arc::new(move |p: f32, stage: &str| {
        *progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = (p, stage.to_owned());
    });
    match work {
        Work::Train { kind, request } => {
            let (spec, activate) = request.check(kind).map_err(|e| e.to_string())?;
            let phase = u32::try_from(job.phase).map_err(|e| e.to_string())?;
            let stored = if phase == 0 {
                Stored::default()
            } else {
                let (s, id) = (&svc.store, job.job_id.as_str());
                let read = |e: StoreError| e.to_string();
                let out = format!("out-{phase}-");
                Stored {
                    inputs: s.job_blobs(id, "input-").await.map_err(read)?,
                    kept: s.job_blobs(id, "keep-").await.map_err(read)?,
                    outputs: s.job_blobs(id, &out).await.map_err(read)?,
                }
            };
            let step = crate::training::train_phase(
                &svc.store,
                &spec,
                &activate,
                request.parts,
                phase,
                stored,
                report,
            )
            .await
            .map_err(|e| e.to_string())?;
            let trained = match step {
                Phase::Trained(t) => *t,
                Phase::FanOut {
                    input,
                    slices,
                    keep,
                    parts,
                } => {
                    return Ok(Next::FanOut {
                        phase: phase + 1,
                        input,
                        slices,
                        keep,
                        parts,
                    });
                }
            };
            if serving
                && trained.record.status == shopmind_store::ModelStatus::Active
                && let Err(e) = crate::serving::sync(&svc.store, &svc.models).await
            {
                tracing::error!(error = %e, "trained version cannot be loaded");
            }
            Ok(Next::Finish(JobOutcome {
                model_id: Some(trained.record.model_id),
                decision: trained.decision,
                ..JobOutcome::default()
            }))
        }
        Work::Part {
            parent,
            phase,
            index,
            count,
        } => {
            let record = svc
                .store
                .job(&parent)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("its job {parent} is gone"))?;
            let Ok(Work::Train { kind, request }) = serde_json::from_str(&record.request) else {
                return Err(format!("its job {parent} is not a training job"));
            };
            let (spec, _) = request.check(kind).map_err(|e| e.to_string())?;
            let read = |e: StoreError| e.to_string();
            let mut input = PartInput {
                inputs: svc.store.job_blobs(&parent, "input-").await.map_err(read)?,
                slices: Vec::new(),
            };
            for p in 1..=phase {
                let name = format!("slice-{p}-{index:05}");
                let slice = svc.store.job_blob(&parent, &name).await.map_err(read)?;
                input.slices.push(slice.unwrap_or_default());
            }
            let bytes = tokio::task::spawn_blocking(move || {
                crate::training::train_part(&spec, phase, index, count, &input, &report)
            })
            .await
            .map_err(|e| format!("the part's task failed: {e}"))?
            .map_err(|e| e.to_string())?;
            Ok(Next::PartOutput(bytes))
        }
        Work::Simulation(request) => {
            report(0.0, "running");
            let result = crate::supply::answers::run_simulation_job(svc, request).await?;
            Ok(Next::Finish(JobOutcome {
                result: Some(result.to_string()),
                ..JobOutcome::default()
            }))
        }
    }
}
