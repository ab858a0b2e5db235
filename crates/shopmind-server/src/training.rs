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
//! Whether the new version goes live is an [`Activation`]: always, never
//! (unless nothing is active), or champion/challenger: only when its
//! validation metric is at least the active version's plus a margin.

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
    /// Users deleted while it trained could not be erased from it.
    #[error(transparent)]
    Scrub(#[from] crate::privacy::ScrubError),
}

/// Whether a newly trained version is activated.
#[derive(Debug, Clone, PartialEq)]
pub enum Activation {
    /// Only when no version of the kind is active.
    Never,
    /// Always.
    Always,
    /// Champion/challenger: when the new version's validation `metric` is at
    /// least the active version's plus `min_gain` (a negative gain tolerates
    /// a small loss), or when nothing is active. Both figures come from each
    /// version's own validation split, so they compare like with like only
    /// when the data has not changed much between the runs; a margin absorbs
    /// the noise.
    IfBetter {
        /// A metric every version records, higher is better (`ndcg@10`).
        metric: String,
        /// Margin over the champion.
        min_gain: f64,
    },
}

/// Validation metrics a recommendation version records, all higher-is-better:
/// the choices of [`Activation::IfBetter`].
pub const CHAMPION_METRICS: &[&str] = &["ndcg@10", "precision@10", "recall@10", "map@10"];

/// A registered version and, under champion/challenger, why it was or was
/// not activated.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The new version (its status says whether it is active).
    pub record: ModelRecord,
    /// The champion/challenger decision, in words.
    pub decision: Option<String>,
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

/// The fingerprint of the store's events now (what a training run would
/// record), to skip a scheduled run when nothing changed.
pub async fn events_fingerprint(store: &Store) -> Result<String, StoreError> {
    Ok(fingerprint(&store.all_events().await?))
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
/// activates it as `activate` says, or when no version is active yet.
pub async fn train_recommend(
    store: &Store,
    algorithm: &str,
    params: &BTreeMap<String, String>,
    binary: bool,
    activate: &Activation,
    progress: impl Fn(f32, &str),
) -> Result<Trained, TrainError> {
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
    store
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
    // Users deleted while this version trained leave it before it can serve.
    crate::privacy::scrub_recent_deletions(store, &model_id).await?;
    let record = store.require_model(&model_id).await?;
    let champion = store.active_model("recommend").await?;
    let (go, decision) = match activate {
        Activation::Always => (true, None),
        Activation::Never => (champion.is_none(), None),
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

/// Estimates every item's elasticity from the store's sales (categories
/// from the catalog) and registers the result as a `pricing` version
/// (algorithm `elasticity`; with `per_store`, each store's elasticity too);
/// activates it as `activate` says (champion /
/// challenger does not apply: the versions have no common validation
/// metric), or when no pricing version is active.
pub async fn train_pricing(
    store: &Store,
    per_store: bool,
    activate: &Activation,
    progress: impl Fn(f32, &str),
) -> Result<Trained, TrainError> {
    use shopmind_pricing::elasticity::{ElasticityFlag, ElasticityParams, estimate};
    use shopmind_pricing::model::PricingModel;
    if matches!(activate, Activation::IfBetter { .. }) {
        return Err(TrainError::BadActivation(
            "pricing versions have no validation metric to compare: activate with true or false"
                .into(),
        ));
    }
    let sales = store.all_sales().await?;
    if sales.is_empty() {
        return Err(TrainError::NoSales);
    }
    let category: BTreeMap<String, String> = store
        .all_items()
        .await?
        .into_iter()
        .filter_map(|i| Some((i.item_id, i.category?)))
        .collect();
    let fp = sales_fingerprint(&sales);
    progress(0.1, "estimating elasticities");
    let start = Instant::now();
    let params = ElasticityParams {
        per_store,
        ..ElasticityParams::default()
    };
    let prm = params.clone();
    let model =
        tokio::task::spawn_blocking(move || PricingModel::new(estimate(&sales, &category, &prm)))
            .await
            .map_err(|e| TrainError::Task(e.to_string()))?;
    let all = model.elasticities();
    let estimated = all
        .iter()
        .filter(|e| e.flag == ElasticityFlag::Estimated)
        .count();
    let mut ses: Vec<f64> = all
        .iter()
        .filter(|e| e.flag == ElasticityFlag::Estimated)
        .map(|e| e.std_error)
        .collect();
    ses.sort_by(f64::total_cmp);
    let metrics = serde_json::json!({
        "items": all.len(), "estimated": estimated, "borrowed_from_category": all.len() - estimated,
        "median_std_error": ses.get(ses.len() / 2).copied(),
        "fit_seconds": start.elapsed().as_secs_f64(),
    });
    progress(0.9, "saving");
    let params = serde_json::json!(params);
    register(
        store,
        "pricing",
        "elasticity",
        &params,
        &fp,
        &metrics,
        &model.to_bytes(),
        activate,
    )
    .await
}

/// Fingerprint of a sales history (what a pricing or forecast version was
/// fitted on).
fn sales_fingerprint(sales: &[shopmind_core::record::Sale]) -> String {
    let mut h = Fnv1a::new();
    for s in sales {
        h.write(s.item_id.as_bytes());
        h.write(&[0]);
        h.write(s.store_id.as_bytes());
        h.write(&s.date.0.to_le_bytes());
        h.write(&s.units.to_le_bytes());
        h.write(&s.price.to_le_bytes());
        h.write(&[u8::from(s.promo)]);
    }
    format!("{:016x}-{}", h.finish(), sales.len())
}

/// Saves a version of a kind without a champion metric and activates it as
/// `activate` says, or when no version of the kind is active.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn register(
    store: &Store,
    kind: &str,
    algorithm: &str,
    params: &serde_json::Value,
    fp: &str,
    metrics: &serde_json::Value,
    bytes: &[u8],
    activate: &Activation,
) -> Result<Trained, TrainError> {
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let model_id = format!("{kind}-{created}-{}", &fp[..8.min(fp.len())]);
    let record = store
        .save_model(
            &NewModel {
                model_id: &model_id,
                kind,
                algorithm,
                params,
                data_fingerprint: fp,
                metrics,
            },
            bytes,
        )
        .await?;
    let go = matches!(activate, Activation::Always) || store.active_model(kind).await?.is_none();
    let record = if go {
        store.activate_model(&model_id).await?;
        store.require_model(&model_id).await?
    } else {
        record
    };
    Ok(Trained {
        record,
        decision: None,
    })
}

/// Fits the demand model of every item and store from the store's sales and
/// registers it as a `forecast` version (algorithm: the model choice, e.g.
/// `auto`). Activation as for pricing: `true`, `false`, or when nothing is
/// active.
pub async fn train_forecast(
    store: &Store,
    model: shopmind_forecast::ModelChoice,
    activate: &Activation,
    progress: impl Fn(f32, &str) + Send + Sync + 'static,
) -> Result<Trained, TrainError> {
    use crate::replenish::{DemandModels, daily_demand};
    if matches!(activate, Activation::IfBetter { .. }) {
        return Err(TrainError::BadActivation(
            "forecast versions are not compared champion/challenger: activate with true or false"
                .into(),
        ));
    }
    let sales = store.all_sales().await?;
    if sales.is_empty() {
        return Err(TrainError::NoSales);
    }
    let fp = sales_fingerprint(&sales);
    progress(0.05, "building daily demand");
    let start = Instant::now();
    let progress = std::sync::Arc::new(progress);
    let p = progress.clone();
    let (models, failed) = tokio::task::spawn_blocking(move || {
        let demand = daily_demand(&sales);
        let total = demand.len().max(1);
        DemandModels::fit(&demand, model, 28, |done| {
            if done % 50 == 0 {
                p(
                    0.05 + 0.85 * done as f32 / total as f32,
                    "fitting demand models",
                );
            }
        })
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))?;
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, _, f) in &models.series {
        let name = f.model.name();
        let family = name.split('(').next().unwrap_or(&name).to_owned();
        *chosen.entry(family).or_default() += 1;
    }
    let metrics = serde_json::json!({
        "series": models.series.len(), "failed": failed.len(),
        "models": chosen, "last_date": models.last_date.to_string(),
        "fit_seconds": start.elapsed().as_secs_f64(),
    });
    for e in failed.iter().take(5) {
        tracing::warn!("forecast training: {e}");
    }
    progress(0.95, "saving");
    let params =
        serde_json::json!({ "model": model.name(), "season": crate::replenish::DAILY_SEASON });
    register(
        store,
        "forecast",
        model.name(),
        &params,
        &fp,
        &metrics,
        &models.to_bytes(),
        activate,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_store::ModelStatus;

    fn version(id: &str, ndcg: Option<f64>) -> ModelRecord {
        ModelRecord {
            model_id: id.into(),
            kind: "recommend".into(),
            algorithm: "ials".into(),
            params: serde_json::json!({}),
            data_fingerprint: "fp".into(),
            metrics: ndcg.map_or(serde_json::json!({}), |v| serde_json::json!({"ndcg@10": v})),
            artifact_size: 1,
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
