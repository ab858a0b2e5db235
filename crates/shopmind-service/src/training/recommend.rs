//! Training a recommendation version from the store's events and catalog.
//!
//! Item-kNN is trained in one fan-out: each item's neighbour list depends on
//! the whole matrix but on no other item's list, so contiguous ranges of the
//! items are the parts; each part computes its items' lists on the
//! validation split and on all the data, and the parent measures and
//! assembles. Every other algorithm fits in one piece.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shopmind_core::id::Interner;
use shopmind_core::record::{Event, Fnv1a, Interaction, Item};
use shopmind_core::sparse::CsrMatrix;
use shopmind_recommend::algorithms::{self, Params, item_knn_params};
use shopmind_recommend::evaluate::{Evaluation, evaluate};
use shopmind_recommend::item_knn::ItemKnnParams;
use shopmind_recommend::model::{Artifact, Model};
use shopmind_recommend::select::{VALIDATION_RATIO, VALIDATION_SEED, validation_holdout};
use shopmind_recommend::{Dataset, MatrixOptions, RecommendError};
use shopmind_store::Store;

use super::parts::{
    PartInput, Step, Stored, chunk, decode, encode, part_count, seconds_since, unix_ms,
};
use super::{Fitted, Progress, TrainError};

/// Items per part when the request does not say.
const ITEMS_PER_PART: usize = 2_000;

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

/// What the parent and the parts read: the settings and the interaction
/// matrix (all a part needs of the data).
#[derive(Serialize, Deserialize)]
struct Shared {
    header: Header,
    matrix: CsrMatrix,
}

/// The run's settings.
#[derive(Serialize, Deserialize)]
struct Header {
    fingerprint: String,
    algorithm: String,
    params: Params,
    /// Item-kNN's parameters (`None`: another algorithm, in one piece).
    knn: Option<ItemKnnParams>,
    options: MatrixOptions,
    started_ms: u64,
}

/// The rest of the dataset, which the parent keeps for its next phase.
#[derive(Serialize, Deserialize)]
struct Rest {
    users: Interner,
    items: Interner,
    seen: CsrMatrix,
    interactions: Vec<Interaction>,
    catalog: Vec<Item>,
}

/// A dataset of the matrix alone: what validation splits and neighbour
/// lists read.
fn bare(matrix: CsrMatrix) -> Dataset {
    Dataset {
        seen: CsrMatrix::zeros(matrix.rows(), matrix.cols()),
        users: Interner::new(),
        items: Interner::new(),
        matrix,
        interactions: Vec::new(),
        catalog: Arc::from(Vec::new()),
    }
}

/// A part's answer: its items' neighbour lists on the validation split and
/// on all the data.
#[derive(Serialize, Deserialize)]
struct Output {
    probe: Vec<Vec<(u32, f32)>>,
    full: Vec<Vec<(u32, f32)>>,
}

/// Phase 0: reads the events and catalog; item-kNN fans out over item
/// ranges, every other algorithm is measured on a seeded validation split,
/// refitted on all the data and returned whole.
pub(super) async fn start(
    store: &Store,
    algorithm: &str,
    params: &Params,
    binary: bool,
    parts: Option<u32>,
    progress: &Progress,
) -> Result<Step, TrainError> {
    let events = store.all_events().await?;
    if events.is_empty() {
        return Err(TrainError::NoData);
    }
    let items = store.all_items().await?;
    let (algo, prm) = (algorithm.to_owned(), params.clone());
    progress(0.1, "fitting");
    let started_ms = unix_ms();
    tokio::task::spawn_blocking(move || -> Result<Step, TrainError> {
        let fingerprint = fingerprint(&events);
        let options = MatrixOptions {
            binary,
            ..MatrixOptions::default()
        };
        let data = Dataset::from_events_with_catalog(&events, &items, [], options)?;
        drop((events, items));
        if algo == "item-knn" {
            if data.n_users() < 2 {
                return Err(RecommendError::TooFewUsers {
                    users: data.n_users(),
                }
                .into());
            }
            let n = part_count(data.n_items(), ITEMS_PER_PART, parts);
            let header = Header {
                fingerprint,
                knn: Some(item_knn_params(&prm)?),
                algorithm: algo,
                params: prm,
                options,
                started_ms,
            };
            let rest = Rest {
                users: data.users,
                items: data.items,
                seen: data.seen,
                interactions: data.interactions,
                catalog: data.catalog.to_vec(),
            };
            return Ok(Step::FanOut {
                input: encode(&Shared {
                    header,
                    matrix: data.matrix,
                })?,
                slices: Vec::new(),
                keep: encode(&rest)?,
                parts: n,
            });
        }
        let (sub, held) = validation_holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
        let probe = algorithms::fit(&algo, &prm, &sub)?;
        let e = evaluate(probe.as_ref(), &sub, &held, 10).map_err(|_| TrainError::NoValidation)?;
        drop(probe);
        let model = algorithms::fit(&algo, &prm, &data)?;
        let header = Header {
            fingerprint,
            algorithm: algo,
            params: prm,
            knn: None,
            options,
            started_ms,
        };
        Ok(Step::Done(version(header, data, &e, model)?))
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))?
}

/// A part: the neighbour lists of its range of items.
pub(super) fn part(
    input: &PartInput,
    index: u32,
    count: u32,
    progress: &Progress,
) -> Result<Vec<u8>, TrainError> {
    let shared: Shared = decode(input.inputs.first())?;
    let knn = shared.header.knn.ok_or_else(not_knn)?;
    let data = bare(shared.matrix);
    let range = chunk(data.matrix.cols(), index, count);
    let (sub, _) = validation_holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
    progress(0.1, "neighbours on the validation split");
    let probe = knn.neighbor_lists(&sub, range.clone())?;
    drop(sub);
    progress(0.5, "neighbours on all the data");
    let full = knn.neighbor_lists(&data, range)?;
    encode(&Output { probe, full })
}

/// Phase 1: the parts' lists as the validation model (measured) and the
/// model.
pub(super) fn combine(stored: &Stored) -> Result<Fitted, TrainError> {
    let Shared { header: h, matrix } = decode(stored.inputs.first())?;
    let knn = h.knn.clone().ok_or_else(not_knn)?;
    let rest: Rest = decode(stored.kept.first())?;
    let data = Dataset {
        users: rest.users,
        items: rest.items,
        matrix,
        seen: rest.seen,
        interactions: rest.interactions,
        catalog: Arc::from(rest.catalog),
    };
    let (mut probe, mut full) = (Vec::new(), Vec::new());
    for o in &stored.outputs {
        let o: Output = decode(Some(o))?;
        probe.extend(o.probe);
        full.extend(o.full);
    }
    if probe.len() != data.n_items() || full.len() != data.n_items() {
        return Err(TrainError::Partition(format!(
            "the parts hold neighbour lists for {} of {} items",
            full.len(),
            data.n_items()
        )));
    }
    let (sub, held) = validation_holdout(&data, VALIDATION_RATIO, VALIDATION_SEED);
    let probe = Model::ItemKnn(knn.with_lists(probe)?);
    let e = evaluate(probe.as_ref(), &sub, &held, 10).map_err(|_| TrainError::NoValidation)?;
    drop((probe, sub, held));
    let model = Model::ItemKnn(knn.with_lists(full)?);
    let mut fitted = version(h, data, &e, model)?;
    fitted.metrics["parts"] = serde_json::json!(stored.outputs.len());
    Ok(fitted)
}

fn not_knn() -> TrainError {
    TrainError::Partition("only item-kNN training is split into parts".into())
}

/// The version: the model with its validation figures, id mappings,
/// trending fallback and event weighting.
fn version(h: Header, data: Dataset, e: &Evaluation, model: Model) -> Result<Fitted, TrainError> {
    let name = shopmind_recommend::Recommender::name(&model);
    let metrics = serde_json::json!({
        "ndcg@10": e.ranking.ndcg, "precision@10": e.ranking.precision,
        "recall@10": e.ranking.recall, "map@10": e.ranking.map,
        "coverage@10": e.ranking.coverage, "validation_users": e.ranking.users,
        "users": data.n_users(), "items": data.n_items(), "events": data.interactions.len(),
        "train_seconds": seconds_since(h.started_ms),
    });
    let fallback = algorithms::fit("trending", &Default::default(), &data)?;
    let artifact = Artifact {
        users: data.users,
        items: data.items,
        model,
        fallback,
        options: h.options,
    };
    let mut params_json = serde_json::json!(h.params);
    if name != h.algorithm {
        params_json["selected"] = serde_json::json!(name);
    }
    Ok(Fitted {
        algorithm: h.algorithm,
        params: params_json,
        fingerprint: h.fingerprint,
        metrics,
        bytes: artifact.to_bytes()?,
    })
}
