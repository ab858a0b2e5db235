//! Training runs on the store's data that end as registered versions:
//! shared by `shopmind train` and the training jobs of the HTTP API.
//!
//! A recommendation run reads every event and catalog item from the store,
//! measures the algorithm on a seeded 20% validation split of each user's
//! items (NDCG, precision, recall and MAP at 10), refits it on all the data
//! and stores the model with its id mappings, trending fallback and event
//! weighting as one artifact (`shopmind_recommend::model::Artifact`), tagged
//! with a fingerprint of the training events.

use std::collections::BTreeMap;
use std::time::Instant;

use shopmind_core::record::{Event, Fnv1a};
use shopmind_recommend::evaluate::evaluate;
use shopmind_recommend::model::Artifact;
use shopmind_recommend::select::{VALIDATION_RATIO, VALIDATION_SEED, holdout};
use shopmind_recommend::{Dataset, MatrixOptions, RecommendError, algorithms};
use shopmind_store::{ModelRecord, NewModel, Store, StoreError};

/// Why a training run failed (the active model is untouched).
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The store holds no events.
    #[error("the store holds no events to train on; import some first")]
    NoData,
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
}

/// FNV-1a over every event's fields, in the store's order: two runs on the
/// same events share a fingerprint.
fn fingerprint(events: &[Event]) -> String {
    let mut h = Fnv1a::new();
    for e in events {
        for part in [
            e.event_id.as_bytes(),
            e.user_id.as_bytes(),
            e.item_id.as_bytes(),
        ] {
            h.write(part);
            h.write(&[0]);
        }
        h.write(e.event_type.as_str().as_bytes());
        h.write(&e.value.to_le_bytes());
        h.write(&e.timestamp.to_le_bytes());
    }
    format!("{:016x}-{}", h.finish(), events.len())
}

/// Trains a recommendation model on the store's data and registers it;
/// activates it when asked or when no version is active yet.
pub async fn train_recommend(
    store: &Store,
    algorithm: &str,
    params: &BTreeMap<String, String>,
    binary: bool,
    activate: bool,
    progress: impl Fn(f32, &str),
) -> Result<ModelRecord, TrainError> {
    let events = store.all_events().await?;
    if events.is_empty() {
        return Err(TrainError::NoData);
    }
    let items = store.all_items().await?;
    let fp = fingerprint(&events);
    let (algo, prm) = (algorithm.to_owned(), params.clone());
    progress(0.1, "fitting");
    let start = Instant::now();
    let fitted = tokio::task::spawn_blocking(move || -> Result<_, TrainError> {
        let opts = MatrixOptions {
            binary,
            ..MatrixOptions::default()
        };
        let data = Dataset::from_events_with_catalog(&events, &items, [], opts)?;
        let (sub, held) = holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
        let probe = algorithms::fit(&algo, &prm, &sub)?;
        let e = evaluate(probe.as_ref(), &sub, &held, 10).map_err(|_| TrainError::NoValidation)?;
        drop(probe);
        let model = algorithms::fit(&algo, &prm, &data)?;
        let name = shopmind_recommend::Recommender::name(&model);
        let metrics = serde_json::json!({
            "ndcg@10": e.ranking.ndcg, "precision@10": e.ranking.precision,
            "recall@10": e.ranking.recall, "map@10": e.ranking.map,
            "coverage@10": e.ranking.coverage, "validation_users": e.ranking.users,
            "users": data.n_users(), "items": data.n_items(), "events": data.interactions.len(),
        });
        let fallback = algorithms::fit("trending", &Default::default(), &data)?;
        let artifact = Artifact {
            users: data.users,
            items: data.items,
            model,
            fallback,
            options: opts,
        };
        Ok((name, metrics, artifact.to_bytes()?))
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))??;
    progress(0.9, "saving");
    let (name, mut metrics, bytes) = fitted;
    metrics["train_seconds"] = serde_json::json!(start.elapsed().as_secs_f64());
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let model_id = format!("recommend-{created}-{}", &fp[..8]);
    let mut params_json = serde_json::json!(params);
    if name != algorithm {
        params_json["selected"] = serde_json::json!(name);
    }
    let record = store
        .save_model(
            &NewModel {
                model_id: &model_id,
                kind: "recommend",
                algorithm,
                params: &params_json,
                data_fingerprint: &fp,
                metrics: &metrics,
            },
            &bytes,
        )
        .await?;
    if activate || store.active_model("recommend").await?.is_none() {
        store.activate_model(&model_id).await?;
        return Ok(store.require_model(&model_id).await?);
    }
    Ok(record)
}
