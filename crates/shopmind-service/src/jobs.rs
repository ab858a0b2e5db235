//! Background jobs: a training request queues a training job,
//! `POST /v1/inventory/simulate` a simulation, and both answer at once; a
//! bounded pool (one job at a time by default, so background work never
//! takes both cores from request serving) runs them; `GET /v1/jobs/{id}`
//! reports state, progress and, for work that computes an answer, its
//! `result`. A failed training job leaves the active model as it was.
//! Scheduled retraining (`crate::retrain`) runs through the same pool.
//! Jobs live in memory: a restart forgets them (trained models stay in the
//! registry); a shutdown stops the work that checks [`Service::shutdown`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::Service;
use crate::training::{Activation, TrainSpec};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a free worker.
    Queued,
    /// Training.
    Running,
    /// Done: `model_id` names the new version.
    Succeeded,
    /// Done with an error; the registry is unchanged.
    Failed,
}

/// A job's public record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    /// Job id.
    pub job_id: String,
    /// Model kind.
    pub kind: String,
    /// Algorithm.
    pub algorithm: String,
    /// State.
    pub state: JobState,
    /// 0 to 1.
    pub progress: f32,
    /// What it is doing.
    pub stage: String,
    /// What started it: `api` or `schedule`.
    pub trigger: &'static str,
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

/// What a training job trains.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// The checked request.
    pub spec: TrainSpec,
    /// Whether the new version goes live.
    pub activate: Activation,
    /// `api` or `schedule`.
    pub trigger: &'static str,
}

/// Jobs of this server.
#[derive(Clone)]
pub struct Jobs {
    jobs: Arc<Mutex<HashMap<String, Job>>>,
    workers: Arc<Semaphore>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            jobs: Arc::default(),
            workers: Arc::new(Semaphore::new(1)),
        }
    }
}

impl Jobs {
    /// A job by id.
    pub fn get(&self, id: &str) -> Option<Job> {
        self.lock().get(id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Job)) {
        if let Some(j) = self.lock().get_mut(id) {
            f(j);
        }
    }

    /// Queues a training job and returns its record at once.
    pub fn start(&self, state: &Service, req: TrainJob) -> Job {
        let job = self.register(req.spec.kind().as_str(), req.spec.algorithm(), req.trigger);
        let (jobs, state, id) = (self.clone(), state.clone(), job.job_id.clone());
        tokio::spawn(async move { jobs.execute(&state, &id, req).await });
        job
    }

    /// Queues a job and waits for it; returns its final record.
    pub async fn run(&self, state: &Service, req: TrainJob) -> Job {
        let job = self.register(req.spec.kind().as_str(), req.spec.algorithm(), req.trigger);
        self.execute(state, &job.job_id, req).await;
        self.get(&job.job_id).unwrap_or(job)
    }

    /// Queues work that computes an answer (kind `simulation`, …) and
    /// returns its record at once; the answer lands in the job's `result`.
    pub fn start_work<F>(&self, kind: &'static str, label: String, work: F) -> Job
    where
        F: std::future::Future<Output = Result<serde_json::Value, String>> + Send + 'static,
    {
        let job = self.register(kind, &label, "api");
        let (jobs, id) = (self.clone(), job.job_id.clone());
        tokio::spawn(async move {
            let Ok(_permit) = jobs.workers.clone().acquire_owned().await else {
                return;
            };
            jobs.update(&id, |j| {
                j.state = JobState::Running;
                j.stage = "running".into();
            });
            let outcome = work.await;
            jobs.finish(&id, outcome.map(|v| move |j: &mut Job| j.result = Some(v)));
        });
        job
    }

    /// Records a job's end: on success `done` fills in what it produced.
    fn finish(&self, id: &str, outcome: Result<impl FnOnce(&mut Job), String>) {
        self.update(id, |j| {
            j.finished_at = Some(crate::unix_now());
            j.progress = 1.0;
            match outcome {
                Ok(done) => {
                    crate::telemetry::job_finished(&j.kind, "succeeded");
                    j.state = JobState::Succeeded;
                    j.stage = "done".into();
                    done(j);
                }
                Err(e) => {
                    crate::telemetry::job_finished(&j.kind, "failed");
                    tracing::warn!(job = %j.job_id, kind = %j.kind, error = %e, "job failed");
                    j.state = JobState::Failed;
                    j.stage = "failed".into();
                    j.error = Some(e);
                }
            }
        });
    }

    fn register(&self, kind: &str, algorithm: &str, trigger: &'static str) -> Job {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = format!(
            "job-{}-{}",
            crate::unix_now(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let job = Job {
            job_id: id.clone(),
            kind: kind.into(),
            algorithm: algorithm.into(),
            state: JobState::Queued,
            progress: 0.0,
            stage: "queued".into(),
            trigger,
            model_id: None,
            decision: None,
            error: None,
            result: None,
            created_at: crate::unix_now(),
            finished_at: None,
        };
        self.lock().insert(id, job.clone());
        job
    }

    /// Waits for a worker, trains, and records the outcome.
    async fn execute(&self, state: &Service, id: &str, req: TrainJob) {
        let Ok(_permit) = self.workers.clone().acquire_owned().await else {
            return;
        };
        self.update(id, |j| {
            j.state = JobState::Running;
            j.stage = "reading the store".into();
        });
        let (jobs, job_id) = (self.clone(), id.to_owned());
        let progress = std::sync::Arc::new(move |p: f32, stage: &str| {
            jobs.update(&job_id, |j| {
                j.progress = p;
                j.stage = stage.to_owned();
            });
        });
        let result = crate::training::train(&state.store, &req.spec, &req.activate, progress).await;
        if let Ok(trained) = &result
            && trained.record.status == shopmind_store::ModelStatus::Active
            && let Err(e) = crate::serving::sync(&state.store, &state.models).await
        {
            tracing::error!(error = %e, "trained version cannot be loaded");
        }
        self.finish(
            id,
            result
                .map(|trained| {
                    move |j: &mut Job| {
                        j.model_id = Some(trained.record.model_id);
                        j.decision = trained.decision;
                    }
                })
                .map_err(|e| e.to_string()),
        );
    }
}
