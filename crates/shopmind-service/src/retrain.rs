//! Scheduled retraining with champion/challenger (`serve --retrain-every`).
//!
//! Every period the scheduler compares a fingerprint of the store's events
//! with the active version's: when nothing changed and the active version
//! was trained with the scheduled algorithm it skips the run. Otherwise it
//! queues an ordinary training job (same bounded pool as the HTTP API's, so
//! it never overlaps another training run) whose new version is activated
//! only if its validation metric is at least the champion's plus a margin
//! (`training::Activation::IfBetter`). The job, with its decision, is visible
//! at `GET /v1/jobs/{id}` and in the log.
//!
//! Give the schedule to one replica only: every replica that has one trains.

use std::time::Duration;

use shopmind_core::model::ModelKind;

use crate::jobs::Job;
use crate::training::{Activation, TrainRequest, TrainSpec, events_fingerprint};
use crate::{Service, ServiceError};

/// What to retrain, how often, and the promotion rule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Time between runs.
    pub every: Duration,
    /// The recommendation run (usually `best`).
    pub spec: TrainSpec,
    /// The champion/challenger rule.
    pub activate: Activation,
    /// The request each run queues.
    pub request: TrainRequest,
}

impl Schedule {
    /// A schedule from a training request for recommendations, checked as
    /// any training request is; its activation is always champion/challenger
    /// (`if_better`).
    pub fn new(every: Duration, mut request: TrainRequest) -> Result<Schedule, ServiceError> {
        request.activate = crate::training::spec::ActivateField::Mode("if_better".into());
        let (spec, activate) = request.check(ModelKind::Recommend)?;
        Ok(Schedule {
            every,
            spec,
            activate,
            request,
        })
    }
}

/// What one scheduled run did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The events are those the active version was trained on.
    Unchanged,
    /// A job ran (its record says whether the new version went live).
    Trained(Box<Job>),
}

/// One scheduled run: skip when nothing changed, else train and let the
/// challenger replace the champion only if it is at least as good.
pub async fn run_once(
    state: &Service,
    s: &Schedule,
) -> Result<Outcome, shopmind_store::StoreError> {
    if let Some(active) = state
        .store
        .active_model(ModelKind::Recommend.as_str())
        .await?
        && active.algorithm == s.spec.algorithm()
        && active.data_fingerprint == events_fingerprint(&state.store).await?
    {
        tracing::info!(model_id = %active.model_id, "scheduled retraining skipped: no new events");
        return Ok(Outcome::Unchanged);
    }
    let queued = match state
        .jobs
        .train(state, ModelKind::Recommend, s.request.clone(), "schedule")
        .await
    {
        Ok(j) => j,
        // The schedule's request was checked when the schedule was made.
        Err(e) => return Err(shopmind_store::StoreError::Conflict(e.to_string())),
    };
    let Some(job) = state.jobs.wait(state, &queued.job_id).await? else {
        return Err(shopmind_store::StoreError::NotFound {
            what: "job",
            id: queued.job_id,
        });
    };
    tracing::info!(
        job = %job.job_id,
        state = ?job.state,
        model_id = job.model_id.as_deref().unwrap_or("-"),
        decision = job.decision.as_deref().unwrap_or("-"),
        error = job.error.as_deref().unwrap_or("-"),
        "scheduled retraining finished"
    );
    Ok(Outcome::Trained(Box::new(job)))
}

/// Runs [`run_once`] every `schedule.every` (first run one period after the
/// start), forever; a failing run is logged and the next one comes on time.
pub fn spawn(state: Service, schedule: Schedule) {
    tokio::spawn(async move {
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + schedule.every, schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&state, &schedule).await {
                tracing::warn!(error = %e, "scheduled retraining failed; the active model stays");
            }
        }
    });
}

/// Parses a period such as `90s`, `30m`, `6h` or `1d` (at least one second).
pub fn parse_period(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a period such as 90s, 30m, 6h or 1d"))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d")),
    };
    if !(1.0..=366.0 * 86_400.0).contains(&secs) {
        return Err(format!("`{text}` must lie between 1s and 366d"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_with_units_and_bad_ones_are_refused() {
        assert_eq!(parse_period("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_period("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_period("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_period(" 1.5d "), Ok(Duration::from_secs(129_600)));
        for bad in ["", "6", "h", "6 hours", "0s", "-1h", "400d", "1e3s"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
