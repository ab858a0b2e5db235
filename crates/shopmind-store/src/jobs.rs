//! The job queue (`migrations/*/0009_jobs.sql`): rows any process can
//! claim, run under a renewed lease, and finish.
//!
//! A claim takes the oldest runnable job: queued, or running under a lease
//! that expired (its runner died: the job is taken over and starts again).
//! On PostgreSQL the candidate row is locked with `FOR UPDATE SKIP LOCKED`,
//! so concurrent workers take different jobs without waiting on each
//! other; SQLite has one writer, which serialises claims by itself. Every
//! later write by the runner names its lease (`lease_owner`): a runner that
//! lost its lease (it stalled past the expiry and someone took over) writes
//! nothing more. A job taken over [`MAX_ATTEMPTS`] times is failed instead
//! of being tried again (work that kills its runner would otherwise go round
//! the workers forever). Partitioned jobs (parts, fan-out and fan-in) are
//! in `parts.rs`.

use sqlx::{Any, Row};

use crate::{Backend, Store, StoreError};

/// Runs of one job at most (the first and the take-overs).
pub const MAX_ATTEMPTS: i64 = 3;

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// Id.
    pub job_id: String,
    /// `recommend`, `pricing`, `forecast`, `assistant` or `simulation`.
    pub kind: String,
    /// Algorithm or label.
    pub algorithm: String,
    /// `api` or `schedule`.
    pub started_by: String,
    /// The work, as JSON.
    pub request: String,
    /// `queued`, `running`, `waiting` (for its parts), `succeeded` or
    /// `failed`.
    pub state: String,
    /// 0 to 1.
    pub progress: f64,
    /// What it is doing.
    pub stage: String,
    /// The version it created.
    pub model_id: Option<String>,
    /// Whether that version went live, and why.
    pub decision: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The answer of work that computes one (JSON).
    pub result: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub finished_at: Option<i64>,
    /// Runs so far of its current phase (1 on the first claim).
    pub attempts: i64,
    /// The job this one is a part of (partitioned work).
    pub parent_id: Option<String>,
    /// Fan-outs done so far (a part: the fan-out it belongs to).
    pub phase: i64,
}

/// A new job.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    /// Id.
    pub job_id: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Algorithm or label.
    pub algorithm: &'a str,
    /// `api` or `schedule`.
    pub started_by: &'a str,
    /// The work, as JSON.
    pub request: &'a str,
}

/// How a job ended.
#[derive(Debug, Clone, Default)]
pub struct JobOutcome {
    /// The version it created.
    pub model_id: Option<String>,
    /// Whether that version went live, and why.
    pub decision: Option<String>,
    /// The answer (JSON).
    pub result: Option<String>,
    /// Why it failed (`None`: it succeeded).
    pub error: Option<String>,
}

pub(crate) const COLS: &str = "job_id, kind, algorithm, started_by, request, state, progress, stage, \
                    model_id, decision, error, result, created_at, finished_at, attempts, \
                    parent_id, phase";

pub(crate) fn record(r: &sqlx::any::AnyRow) -> Result<JobRecord, StoreError> {
    Ok(JobRecord {
        job_id: r.try_get("job_id")?,
        kind: r.try_get("kind")?,
        algorithm: r.try_get("algorithm")?,
        started_by: r.try_get("started_by")?,
        request: r.try_get("request")?,
        state: r.try_get("state")?,
        progress: r.try_get("progress")?,
        stage: r.try_get("stage")?,
        model_id: r.try_get("model_id")?,
        decision: r.try_get("decision")?,
        error: r.try_get("error")?,
        result: r.try_get("result")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
        attempts: r.try_get("attempts")?,
        parent_id: r.try_get("parent_id")?,
        phase: r.try_get("phase")?,
    })
}

/// Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Queues a job.
    pub async fn enqueue_job(&self, job: NewJob<'_>) -> Result<JobRecord, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO jobs (job_id, kind, algorithm, started_by, request, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'queued', $6) RETURNING {COLS}"
        )))
        .bind(job.job_id.to_owned())
        .bind(job.kind.to_owned())
        .bind(job.algorithm.to_owned())
        .bind(job.started_by.to_owned())
        .bind(job.request.to_owned())
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        crate::parts::notify_jobs(self, &mut tx).await?;
        tx.commit().await?;
        record(&row)
    }

    /// A job by id.
    pub async fn job(&self, job_id: &str) -> Result<Option<JobRecord>, StoreError> {
        if !crate::storable(job_id) {
            return Ok(None);
        }
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM jobs WHERE job_id = $1"
        )))
        .bind(job_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(record).transpose()
    }

    /// Claims the oldest runnable job for `owner` under a lease of
    /// `lease_ms`; first fails the jobs whose runner died
    /// [`MAX_ATTEMPTS`] times.
    pub async fn claim_job(
        &self,
        owner: &str,
        lease_ms: i64,
    ) -> Result<Option<JobRecord>, StoreError> {
        let now = now_ms();
        let n = sqlx::query::<Any>(
            "UPDATE jobs SET state = 'failed', stage = 'failed', finished_at = $1, \
             error = 'its runner stopped on every attempt; nothing was registered by it' \
             WHERE state = 'running' AND lease_until < $2 AND attempts >= $3",
        )
        .bind(crate::now())
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n > 0 {
            // A failed part fails its job (whichever worker notices first).
            let mut tx = self.pool.begin().await?;
            crate::parts::fail_families(&mut tx).await?;
            tx.commit().await?;
        }
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, \
             attempts = attempts + 1, \
             stage = CASE WHEN attempts > 0 THEN 'taken over: starting again' \
                 WHEN phase > 0 AND parent_id IS NULL THEN 'combining the parts' \
                 ELSE 'starting' END \
             WHERE job_id = (SELECT job_id FROM jobs \
                 WHERE state = 'queued' OR (state = 'running' AND lease_until < $3) \
                 ORDER BY created_at, job_id LIMIT 1{lock}) \
             RETURNING {COLS}"
        )))
        .bind(owner.to_owned())
        .bind(now + lease_ms)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(record).transpose()
    }

    /// Renews the lease and records progress; `false` when `owner` no
    /// longer holds the job (it was taken over or finished).
    pub async fn renew_job(
        &self,
        job_id: &str,
        owner: &str,
        lease_ms: i64,
        progress: f64,
        stage: &str,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query::<Any>(
            "UPDATE jobs SET lease_until = $1, progress = $2, stage = $3 \
             WHERE job_id = $4 AND lease_owner = $5 AND state = 'running'",
        )
        .bind(now_ms() + lease_ms)
        .bind(progress)
        .bind(stage.to_owned())
        .bind(job_id.to_owned())
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Records how a job ended; `false` when `owner` no longer holds it.
    pub async fn finish_job(
        &self,
        job_id: &str,
        owner: &str,
        outcome: &JobOutcome,
    ) -> Result<bool, StoreError> {
        let (state, stage) = match outcome.error {
            None => ("succeeded", "done"),
            Some(_) => ("failed", "failed"),
        };
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query::<Any>(
            "UPDATE jobs SET state = $1, stage = $2, progress = 1, finished_at = $3, \
             model_id = $4, decision = $5, result = $6, error = $7, lease_owner = NULL \
             WHERE job_id = $8 AND lease_owner = $9 AND state = 'running'",
        )
        .bind(state)
        .bind(stage)
        .bind(crate::now())
        .bind(outcome.model_id.clone())
        .bind(outcome.decision.clone())
        .bind(outcome.result.clone())
        .bind(outcome.error.clone())
        .bind(job_id.to_owned())
        .bind(owner.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        // A partitioned job's inputs and its parts' outputs go with it.
        sqlx::query::<Any>("DELETE FROM job_blobs WHERE job_id = $1")
            .bind(job_id.to_owned())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
