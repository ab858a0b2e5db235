//! Partitioned jobs (`migrations/*/0010_job_parts.sql`): a job that fans
//! its work out into parts which any worker claims, and continues once the
//! last of them is done — without holding a worker while it waits.
//!
//! [`Store::fan_out`] does in one transaction what makes a fan-out whole:
//! the parent (still held under its runner's lease) stores its parts' input
//! as the blob `input-{phase}`, each part's own slice as
//! `slice-{phase}-{i}` and what it keeps for itself as `keep-{phase}`,
//! queues its parts and becomes `waiting` (no lease).
//! A part is an ordinary job of kind `part` claimed like any other; its
//! runner ends it with [`Store::finish_part`], which in one transaction
//! stores the output as a blob of the parent, locks the parent's row (so
//! that two parts finishing at once cannot both miss being the last) and,
//! when every part of the phase has succeeded, queues the parent again with
//! a fresh attempt count. A part that fails — by an error or by killing its
//! runner [`crate::MAX_ATTEMPTS`] times — fails its parent and the parent's
//! queued parts; the parent's blobs are deleted when it ends either way.

use sqlx::{Any, Row, Transaction};

use crate::jobs::{COLS, record};
use crate::{JobRecord, Store, StoreError};

/// One part of a fan-out.
#[derive(Debug, Clone, Copy)]
pub struct NewPart<'a> {
    /// Id.
    pub job_id: &'a str,
    /// What it computes (its `algorithm` column).
    pub label: &'a str,
    /// The work, as JSON.
    pub request: &'a str,
}

/// How a part ended.
#[derive(Debug, Clone, Copy)]
pub enum PartOutcome<'a> {
    /// Its output, stored as a blob of the parent.
    Output {
        /// The blob's name (the parent reads its parts' outputs by name
        /// order).
        name: &'a str,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// Why it failed.
    Failed(&'a str),
}

impl Store {
    /// Fans `parent` (held by `owner`) out as fan-out number `phase`: stores
    /// `input` (what every part reads) as its blob `input-{phase}`, `keep`
    /// (what its own next phase alone reads) as `keep-{phase}` and each of
    /// `slices` (what part i alone reads; none, or one per part) as
    /// `slice-{phase}-{i:05}`, queues `parts` and leaves it waiting.
    /// `false` (nothing written) when `owner` no longer holds it.
    pub async fn fan_out(
        &self,
        parent: &JobRecord,
        owner: &str,
        phase: i64,
        [input, keep]: [&[u8]; 2],
        slices: &[Vec<u8>],
        parts: &[NewPart<'_>],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query::<Any>(
            "UPDATE jobs SET state = 'waiting', phase = $1, stage = $2, lease_owner = NULL, \
             lease_until = 0 WHERE job_id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(phase)
        .bind(format!("parts: 0 of {} done", parts.len()))
        .bind(parent.job_id.clone())
        .bind(owner.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        put_blob(&mut tx, &parent.job_id, &format!("input-{phase}"), input).await?;
        put_blob(&mut tx, &parent.job_id, &format!("keep-{phase}"), keep).await?;
        for (i, slice) in slices.iter().enumerate() {
            let name = format!("slice-{phase}-{i:05}");
            put_blob(&mut tx, &parent.job_id, &name, slice).await?;
        }
        let now = crate::now();
        for p in parts {
            sqlx::query::<Any>(
                "INSERT INTO jobs (job_id, kind, algorithm, started_by, request, state, \
                 created_at, parent_id, phase) VALUES ($1, 'part', $2, $3, $4, 'queued', $5, $6, $7)",
            )
            .bind(p.job_id.to_owned())
            .bind(p.label.to_owned())
            .bind(parent.started_by.clone())
            .bind(p.request.to_owned())
            .bind(now)
            .bind(parent.job_id.clone())
            .bind(phase)
            .execute(&mut *tx)
            .await?;
        }
        notify_jobs(self, &mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends `part` (held by `owner`): see the module docs. `false` (nothing
    /// written) when `owner` no longer holds it.
    pub async fn finish_part(
        &self,
        part: &JobRecord,
        owner: &str,
        outcome: PartOutcome<'_>,
    ) -> Result<bool, StoreError> {
        let Some(parent) = part.parent_id.clone() else {
            return Err(StoreError::Conflict(format!(
                "job {} is not a part of another job",
                part.job_id
            )));
        };
        let (state, error) = match outcome {
            PartOutcome::Output { .. } => ("succeeded", None),
            PartOutcome::Failed(e) => ("failed", Some(e.to_owned())),
        };
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query::<Any>(
            "UPDATE jobs SET state = $1, stage = $2, progress = 1, finished_at = $3, error = $4, \
             lease_owner = NULL WHERE job_id = $5 AND lease_owner = $6 AND state = 'running'",
        )
        .bind(state)
        .bind(state)
        .bind(crate::now())
        .bind(error)
        .bind(part.job_id.clone())
        .bind(owner.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        // Lock the parent's row: the finishers of its parts go one at a time
        // from here, each counting what the ones before it committed.
        let parent_state: Option<String> = sqlx::query_scalar::<Any, String>(
            "UPDATE jobs SET phase = phase WHERE job_id = $1 RETURNING state",
        )
        .bind(parent.clone())
        .fetch_optional(&mut *tx)
        .await?;
        match outcome {
            PartOutcome::Failed(_) => fail_families(&mut tx).await?,
            PartOutcome::Output { name, bytes } if parent_state.as_deref() == Some("waiting") => {
                put_blob(&mut tx, &parent, name, bytes).await?;
                let row = sqlx::query::<Any>(
                    "SELECT COUNT(*) AS total, \
                     SUM(CASE WHEN state = 'succeeded' THEN 1 ELSE 0 END) AS done \
                     FROM jobs WHERE parent_id = $1 AND phase = $2",
                )
                .bind(parent.clone())
                .bind(part.phase)
                .fetch_one(&mut *tx)
                .await?;
                let total: i64 = row.try_get("total")?;
                let done: i64 = row.try_get::<Option<i64>, _>("done")?.unwrap_or(0);
                if done >= total {
                    notify_jobs(self, &mut tx).await?;
                }
                let (state, stage) = if done >= total {
                    ("queued", "combining the parts".to_owned())
                } else {
                    ("waiting", format!("parts: {done} of {total} done"))
                };
                sqlx::query::<Any>(
                    "UPDATE jobs SET state = $1, stage = $2, progress = $3, attempts = 0 \
                     WHERE job_id = $4 AND state = 'waiting' AND phase = $5",
                )
                .bind(state)
                .bind(stage)
                .bind(0.9 * done as f64 / total.max(1) as f64)
                .bind(parent.clone())
                .bind(part.phase)
                .execute(&mut *tx)
                .await?;
            }
            // The parent failed or is gone: the output has no reader.
            PartOutcome::Output { .. } => {}
        }
        tx.commit().await?;
        Ok(true)
    }

    /// A blob of a job by name (`input-N`, `slice-N-I`, `keep-N` or a
    /// part's output `out-N-I`).
    pub async fn job_blob(&self, job_id: &str, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar::<Any, Vec<u8>>(
            "SELECT bytes FROM job_blobs WHERE job_id = $1 AND name = $2",
        )
        .bind(job_id.to_owned())
        .bind(name.to_owned())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The blobs of a job whose names start with `prefix` (letters, digits
    /// and `-` only), by name.
    pub async fn job_blobs(&self, job_id: &str, prefix: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(StoreError::Conflict(format!(
                "blob prefix `{prefix}`: letters, digits and `-` only"
            )));
        }
        Ok(sqlx::query_scalar::<Any, Vec<u8>>(
            "SELECT bytes FROM job_blobs WHERE job_id = $1 AND name LIKE $2 ORDER BY name",
        )
        .bind(job_id.to_owned())
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?)
    }

    /// The parts of a job, oldest first.
    pub async fn job_parts(&self, job_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM jobs WHERE parent_id = $1 ORDER BY phase, job_id"
        )))
        .bind(job_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }
}

async fn put_blob(
    tx: &mut Transaction<'_, Any>,
    job_id: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    sqlx::query::<Any>("DELETE FROM job_blobs WHERE job_id = $1 AND name = $2")
        .bind(job_id.to_owned())
        .bind(name.to_owned())
        .execute(&mut **tx)
        .await?;
    sqlx::query::<Any>("INSERT INTO job_blobs (job_id, name, bytes) VALUES ($1, $2, $3)")
        .bind(job_id.to_owned())
        .bind(name.to_owned())
        .bind(bytes.to_vec())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Wakes idle workers of other processes when `tx` commits (PostgreSQL).
pub(crate) async fn notify_jobs(
    store: &Store,
    tx: &mut Transaction<'_, Any>,
) -> Result<(), StoreError> {
    if let Some(channel) = store.jobs_channel() {
        sqlx::query::<Any>("SELECT pg_notify($1, '')")
            .bind(channel)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Fails every waiting job with a failed part (with that part's error),
/// then the queued parts of failed jobs, and deletes failed jobs' blobs.
pub(crate) async fn fail_families(tx: &mut Transaction<'_, Any>) -> Result<(), StoreError> {
    sqlx::query::<Any>(
        "UPDATE jobs SET state = 'failed', stage = 'failed', finished_at = $1, \
         error = COALESCE((SELECT 'part ' || p.job_id || ' failed: ' || COALESCE(p.error, '') \
             FROM jobs p WHERE p.parent_id = jobs.job_id AND p.state = 'failed' \
             ORDER BY p.job_id LIMIT 1), 'a part failed') \
         WHERE state = 'waiting' AND EXISTS \
             (SELECT 1 FROM jobs p WHERE p.parent_id = jobs.job_id AND p.state = 'failed')",
    )
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    sqlx::query::<Any>(
        "UPDATE jobs SET state = 'failed', stage = 'failed', finished_at = $1, \
         error = 'another part of its job failed' \
         WHERE state = 'queued' AND parent_id IN (SELECT job_id FROM jobs WHERE state = 'failed')",
    )
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    sqlx::query::<Any>(
        "DELETE FROM job_blobs WHERE job_id IN (SELECT job_id FROM jobs WHERE state = 'failed')",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
