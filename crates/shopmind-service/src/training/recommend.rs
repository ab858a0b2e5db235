//! Training a recommendation version from the store's events and catalog.

use std::time::Instant;

use shopmind_core::record::{Event, Fnv1a};
use shopmind_recommend::algorithms::{self, Params};
use shopmind_recommend::evaluate::evaluate;
use shopmind_recommend::model::Artifact;
use shopmind_recommend::select::{VALIDATION_RATIO, VALIDATION_SEED, validation_holdout};
use shopmind_recommend::{Dataset, MatrixOptions};
use shopmind_store::Store;

use super::{Fitted, Progress, TrainError};

/// FNV-1a over every event's fields, in the store's order: two runs on the
/// same events share a fingerprint.
pub(super) fn fingerprint(events: &[Event]) -> String {
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

/// Fits a recommendation model on the store's events and catalog: the
/// algorithm measured on a seeded validation split, then refitted on all
/// the data, with its id mappings, trending fallback and event weighting.
pub(super) async fn train_recommend(
    store: &Store,
    algorithm: &str,
    params: &Params,
    binary: bool,
    progress: &Progress,
) -> Result<Fitted, TrainError> {
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
        let (sub, held) = validation_holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
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
    let (name, mut metrics, bytes) = fitted;
    metrics["train_seconds"] = serde_json::json!(start.elapsed().as_secs_f64());
    let mut params_json = serde_json::json!(params);
    if name != algorithm {
        params_json["selected"] = serde_json::json!(name);
    }
    Ok(Fitted {
        algorithm: algorithm.to_owned(),
        params: params_json,
        fingerprint: fp,
        metrics,
        bytes,
    })
}
