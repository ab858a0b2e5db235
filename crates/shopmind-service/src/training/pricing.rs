//! Training a pricing version: every item's elasticity from the store's
//! sales, in two fan-outs over contiguous ranges of the items (the stages of
//! `shopmind_pricing::elasticity::staged`): the first fits every item with
//! its own promotion lift; between the two, the parent shrinks the lifts
//! towards their category (the one step that needs every item); the second
//! fits again with the lift fixed; the parent then shrinks the elasticities.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopmind_core::record::{Fnv1a, Sale};
use shopmind_pricing::elasticity::staged::{self, ItemSales, Second};
use shopmind_pricing::elasticity::{ElasticityFlag, ElasticityParams, Own};
use shopmind_pricing::model::PricingModel;
use shopmind_store::Store;

use super::parts::{
    PartInput, Step, Stored, chunk, concat, decode, encode, part_count, seconds_since, slices,
    unix_ms,
};
use super::{Fitted, Progress, TrainError};

/// Items per part when the request does not say.
const ITEMS_PER_PART: usize = 200;

/// What the parent and every part of both fan-outs read (each part's items'
/// sales are its slice of the first fan-out).
#[derive(Serialize, Deserialize)]
struct Header {
    fingerprint: String,
    params: ElasticityParams,
    started_ms: u64,
    last_day: i32,
    ids: Vec<String>,
    categories: Vec<String>,
}

/// The second fan-out's input: every item's first fit and shrunk lift.
#[derive(Serialize, Deserialize)]
struct Lifts {
    first: Vec<Own>,
    lifts: Vec<Option<(f64, f64)>>,
}

/// Phase 0: every item's sales, split into parts.
pub(super) async fn start(
    store: &Store,
    per_store: bool,
    parts: Option<u32>,
    progress: &Progress,
) -> Result<Step, TrainError> {
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
    progress(0.05, "grouping sales by item");
    let started_ms = unix_ms();
    tokio::task::spawn_blocking(move || {
        let fingerprint = sales_fingerprint(&sales);
        let grouped = ItemSales::group(&sales, &category).ok_or(TrainError::NoSales)?;
        drop(sales);
        let n = part_count(grouped.items.len(), ITEMS_PER_PART, parts);
        let (ids, categories) = grouped.keys();
        let header = Header {
            fingerprint,
            params: ElasticityParams {
                per_store,
                ..ElasticityParams::default()
            },
            started_ms,
            last_day: grouped.last_day,
            ids,
            categories,
        };
        Ok(Step::FanOut {
            input: encode(&header)?,
            slices: slices(&grouped.items, n)?,
            keep: Vec::new(),
            parts: n,
        })
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))?
}

/// A part of fan-out `phase` (1: first fits; 2: second fits): its own
/// items' sales only.
pub(super) fn part(
    phase: u32,
    input: &PartInput,
    index: u32,
    count: u32,
    progress: &Progress,
) -> Result<Vec<u8>, TrainError> {
    let h: Header = decode(input.inputs.first())?;
    let items: Vec<ItemSales> = decode(input.slices.first())?;
    let range = chunk(h.ids.len(), index, count);
    if items.len() != range.len() {
        return Err(TrainError::Partition(format!(
            "part {index} of {count} holds {} items, not {}",
            items.len(),
            range.len()
        )));
    }
    progress(0.1, "estimating elasticities");
    if phase == 1 {
        return encode(&staged::first_pass(&items, h.last_day, &h.params));
    }
    let lifts: Lifts = decode(input.inputs.get(1))?;
    if lifts.first.len() != h.ids.len() || lifts.lifts.len() != h.ids.len() {
        return Err(TrainError::Partition(
            "the first pass does not cover every item".into(),
        ));
    }
    let first = lifts.first[range.clone()].to_vec();
    encode(&staged::second_pass(
        &items,
        first,
        &lifts.lifts[range],
        h.last_day,
        &h.params,
    ))
}

/// Phase 1: the promotion lifts shrunk over every item, for the second
/// fan-out. Phase 2: the elasticities shrunk, as one version.
pub(super) fn combine(phase: u32, stored: &Stored) -> Result<Step, TrainError> {
    let h: Header = decode(stored.inputs.first())?;
    let outputs = &stored.outputs;
    let n = h.ids.len();
    if phase == 1 {
        let first: Vec<Own> = concat(outputs, n, "items")?;
        let lifts = staged::promotion_lifts(&h.categories, &first);
        return Ok(Step::FanOut {
            input: encode(&Lifts { first, lifts })?,
            slices: Vec::new(),
            keep: Vec::new(),
            parts: outputs.len() as u32,
        });
    }
    let second: Vec<Second> = concat(outputs, n, "items")?;
    let model = PricingModel::new(staged::finish(&h.ids, &h.categories, second, &h.params));
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
        "fit_seconds": seconds_since(h.started_ms), "parts": outputs.len(),
    });
    Ok(Step::Done(Fitted {
        algorithm: "elasticity".into(),
        params: serde_json::json!(h.params),
        fingerprint: h.fingerprint,
        metrics,
        bytes: model.to_bytes()?,
    }))
}

/// Fingerprint of a sales history (what a pricing or forecast version was
/// fitted on).
pub(super) fn sales_fingerprint(sales: &[Sale]) -> String {
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
