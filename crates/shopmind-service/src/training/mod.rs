//! Training runs on the store's data that end as registered versions:
//! shared by `shopmind train` and the training jobs of the HTTP API.
//!
//! A recommendation run reads every event and catalog item from the store,
//! measures the algorithm on a seeded 20% validation split of each user's
//! items (NDCG, precision, recall and MAP at 10), refits it on all the data
//! and stores the model with its id mappings, trending fallback and event
//! weighting as one artifact (`shopmind_recommend::model::Artifact`), tagged
//! with a fingerprint of the training events.
//!
//! Pricing, forecast and assistant runs fit their engines on sales, intents
//! and the FAQ. [`train`] is the one dispatch over model kinds; each kind's
//! run lives in its own module here and returns what [`register`] stores.
//!
//! Whether the new version goes live is an [`Activation`]: always, only when
//! nothing is active, or champion/challenger: only when its validation
//! metric is at least the active version's plus a margin.

mod assistant;
mod forecast;
mod parts;
mod pricing;
mod recommend;
pub mod spec;

use std::sync::Arc;

pub use parts::{MAX_PARTS, PartInput, Stored, part as train_part};
pub use spec::{Activation, CHAMPION_METRICS, TrainRequest, TrainSpec};

use shopmind_core::model::ModelKind;
use shopmind_recommend::RecommendError;
use shopmind_store::{ModelRecord, NewModel, Store, StoreError};

/// Progress of a run: fraction done (0 to 1) and what it is doing.
pub type Progress = Arc<dyn Fn(f32, &str) + Send + Sync>;

/// Why a training run failed (the active model is untouched).
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The store holds no events.
    #[error("the store holds no events to train on; import some first")]
    NoData,
    /// The store holds no sales.
    #[error("the store holds no sales to estimate elasticities from; import sales first")]
    NoSales,
    /// The store holds no intent examples (nor labelled FAQ rows).
    #[error(
        "the store holds no intent examples to train the assistant on; import intents (and a FAQ) first"
    )]
    NoIntents,
    /// The assistant could not be trained.
    #[error(transparent)]
    Assistant(#[from] shopmind_assistant::AssistantError),
    /// The activation rule does not apply to this kind.
    #[error("{0}")]
    BadActivation(String),
    /// No user has enough items to hold some out.
    #[error("no user has enough items for a validation split")]
    NoValidation,
    /// The algorithm or its parameters are wrong, or fitting failed.
    #[error(transparent)]
    Recommend(#[from] RecommendError),
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The training task died.
    #[error("the training task failed: {0}")]
    Task(String),
    /// The new version could not be encoded.
    #[error(transparent)]
    Artifact(#[from] shopmind_core::artifact::ArtifactError),
    /// Users deleted while it trained could not be erased from it.
    #[error(transparent)]
    Scrub(#[from] crate::privacy::ScrubError),
    /// A part's stored input or output could not be written or read.
    #[error("training in parts failed: {0}")]
    Partition(String),
}

impl From<TrainError> for crate::ServiceError {
    /// Missing data and refused parameters are the caller's to fix; a
    /// numerical failure, a dead task or an encoding failure is ours.
    fn from(e: TrainError) -> Self {
        use crate::ServiceError as S;
        match e {
            TrainError::Store(s) => s.into(),
            TrainError::BadActivation(m) => S::invalid_field("activate", m),
            e @ (TrainError::NoData
            | TrainError::NoSales
            | TrainError::NoIntents
            | TrainError::NoValidation) => S::Conflict(e.to_string()),
            TrainError::Recommend(r) => match r {
                RecommendError::UnknownParam { .. } | RecommendError::BadParam { .. } => {
                    let f = spec::param_error(r);
                    S::invalid(f.message.clone(), vec![f])
                }
                RecommendError::UnknownAlgorithm(..) => {
                    S::invalid_field("algorithm", r.to_string())
                }
                RecommendError::EmptyTrainingData
                | RecommendError::TooFewUsers { .. }
                | RecommendError::TooManyItems { .. }
                | RecommendError::NoCatalog(_) => S::Conflict(r.to_string()),
                other => S::internal("training failed", other),
            },
            TrainError::Assistant(a) => match a {
                shopmind_assistant::AssistantError::Data(_) => S::Conflict(a.to_string()),
                other => S::internal("training the assistant failed", other),
            },
            e @ (TrainError::Task(_)
            | TrainError::Artifact(_)
            | TrainError::Scrub(_)
            | TrainError::Partition(_)) => S::internal("training failed", e),
        }
    }
}

/// A registered version and, under champion/challenger, why it was or was
/// not activated.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The new version (its status says whether it is active).
    pub record: ModelRecord,
    /// The champion/challenger decision, in words.
    pub decision: Option<String>,
}

/// What a kind's run produced, ready to register.
pub(crate) struct Fitted {
    algorithm: String,
    params: serde_json::Value,
    fingerprint: String,
    metrics: serde_json::Value,
    bytes: Vec<u8>,
}

/// Trains what `spec` says on the store's data, registers the version and
/// activates it as `activate` says. The one dispatch over model kinds:
/// the HTTP API's jobs, scheduled retraining and `shopmind train` all call
/// it.
pub async fn train(
    store: &Store,
    spec: &TrainSpec,
    activate: &Activation,
    progress: Progress,
) -> Result<Trained, TrainError> {
    check_activation(spec, activate)?;
    let fitted = parts::fit_inline(store, spec, &progress).await?;
    progress(0.95, "saving");
    register(store, spec.kind(), fitted, activate).await
}

fn check_activation(spec: &TrainSpec, activate: &Activation) -> Result<(), TrainError> {
    let kind = spec.kind();
    if kind != ModelKind::Recommend && matches!(activate, Activation::IfBetter { .. }) {
        return Err(TrainError::BadActivation(format!(
            "{kind} versions have no validation metric to compare: activate with true or false"
        )));
    }
    Ok(())
}

/// Where a phase of training in parts ended.
pub enum Phase {
    /// Registered (and activated as asked).
    Trained(Box<Trained>),
    /// Split: `input` is what every one of `parts` parts reads, `slices`
    /// (none, or one per part) what each part alone reads, `keep` what the
    /// job's next phase alone reads.
    FanOut {
        /// The input, in its stored form.
        input: Vec<u8>,
        /// The parts' own inputs.
        slices: Vec<Vec<u8>>,
        /// The parent's own (may be empty).
        keep: Vec<u8>,
        /// How many parts.
        parts: u32,
    },
}

/// Runs phase `phase` of training `spec` in parts (see `parts.rs`): phase 0
/// reads the store; later phases combine what the phases before `stored`
/// (the last fan-out's outputs in part order). `parts`: how many parts to
/// split into (default: by the size of the work).
pub async fn train_phase(
    store: &Store,
    spec: &TrainSpec,
    activate: &Activation,
    parts: Option<u32>,
    phase: u32,
    stored: Stored,
    progress: Progress,
) -> Result<Phase, TrainError> {
    check_activation(spec, activate)?;
    let step = parts::step(store, spec, parts, phase, stored, &progress).await?;
    match step {
        parts::Step::FanOut {
            input,
            slices,
            keep,
            parts,
        } => Ok(Phase::FanOut {
            input,
            slices,
            keep,
            parts,
        }),
        parts::Step::Done(fitted) => {
            progress(0.95, "saving");
            Ok(Phase::Trained(Box::new(
                register(store, spec.kind(), fitted, activate).await?,
            )))
        }
    }
}

/// The fingerprint of the store's events now (what a recommendation run
/// would record), to skip a scheduled run when nothing changed.
pub async fn events_fingerprint(store: &Store) -> Result<String, StoreError> {
    Ok(recommend::fingerprint(&store.all_events().await?))
}

/// The champion/challenger rule: whether `challenger` replaces `champion`.
/// Returns the verdict and its reason.
pub fn challenger_wins(
    champion: Option<&ModelRecord>,
    challenger: &ModelRecord,
    metric: &str,
    min_gain: f64,
) -> (bool, String) {
    let Some(champion) = champion else {
        return (true, "no version was active".into());
    };
    let new = challenger.metrics[metric].as_f64();
    let old = champion.metrics[metric].as_f64();
    match (new, old) {
        (Some(new), Some(old)) if new >= old + min_gain => (
            true,
            format!(
                "{metric} {new:.4} ≥ {old:.4} of {} + {min_gain}",
                champion.model_id
            ),
        ),
        (Some(new), Some(old)) => (
            false,
            format!(
                "{metric} {new:.4} < {old:.4} of {} + {min_gain}: {} stays active",
                champion.model_id, champion.model_id
            ),
        ),
        (Some(_), None) => (
            true,
            format!("the active {} records no {metric}", champion.model_id),
        ),
        (None, _) => (false, format!("the new version records no {metric}")),
    }
}

/// Saves a version and activates it as `activate` says. A recommendation
/// version first loses every user deleted while it trained.
async fn register(
    store: &Store,
    kind: ModelKind,
    fitted: Fitted,
    activate: &Activation,
) -> Result<Trained, TrainError> {
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let fp = &fitted.fingerprint;
    let model_id = format!("{kind}-{created}-{}", &fp[..8.min(fp.len())]);
    store
        .save_model(
            &NewModel {
                model_id: &model_id,
                kind: kind.as_str(),
                algorithm: &fitted.algorithm,
                params: &fitted.params,
                data_fingerprint: fp,
                metrics: &fitted.metrics,
            },
            &fitted.bytes,
        )
        .await?;
    if kind == ModelKind::Recommend {
        // Users deleted while this version trained leave it before it can serve.
        crate::privacy::scrub_recent_deletions(store, &model_id).await?;
    }
    let record = store.require_model(&model_id).await?;
    let champion = store.active_model(kind.as_str()).await?;
    let (go, decision) = match activate {
        Activation::Always => (true, None),
        Activation::IfNoneActive => (champion.is_none(), None),
        Activation::IfBetter { metric, min_gain } => {
            let (go, why) = challenger_wins(champion.as_ref(), &record, metric, *min_gain);
            tracing::info!(model_id = %model_id, activated = go, reason = %why, "champion/challenger");
            (go, Some(why))
        }
    };
    let record = if go {
        store.activate_model(&model_id).await?;
        store.require_model(&model_id).await?
    } else {
        record
    };
    Ok(Trained { record, decision })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_store::ModelStatus;

    fn version(id: &str, ndcg: Option<f64>) -> ModelRecord {
        ModelRecord {
            model_id: id.into(),
            kind: ModelKind::Recommend.as_str().into(),
            algorithm: "ials".into(),
            params: serde_json::json!({}),
            data_fingerprint: "fp".into(),
            metrics: ndcg.map_or(serde_json::json!({}), |v| serde_json::json!({"ndcg@10": v})),
            artifact_size: 1,
            artifact_sha256: String::new(),
            status: ModelStatus::Inactive,
            created_at: 0,
            activated_at: None,
            revision: 0,
        }
    }

    #[test]
    fn the_challenger_needs_the_champions_metric_plus_the_margin() {
        let champ = version("old", Some(0.40));
        let win = |new: Option<f64>, gain: f64, champ: Option<&ModelRecord>| {
            challenger_wins(champ, &version("new", new), "ndcg@10", gain).0
        };
        assert!(
            win(Some(0.40), 0.0, Some(&champ)),
            "a tie keeps the newer data"
        );
        assert!(win(Some(0.41), 0.0, Some(&champ)));
        assert!(!win(Some(0.399), 0.0, Some(&champ)));
        assert!(!win(Some(0.41), 0.02, Some(&champ)), "margin not met");
        assert!(win(Some(0.39), -0.02, Some(&champ)), "tolerated loss");
        assert!(win(Some(0.1), 0.0, None), "nothing active");
        assert!(win(Some(0.1), 0.0, Some(&version("old", None))));
        assert!(!win(None, 0.0, Some(&champ)));
        let (_, why) = challenger_wins(Some(&champ), &version("new", Some(0.3)), "ndcg@10", 0.0);
        assert!(why.contains("old stays active"), "{why}");
    }
}
