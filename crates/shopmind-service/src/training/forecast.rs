//! Training a forecast version: the demand model of every item and store
//! from the store's sales, in one fan-out — every series is fitted on its
//! own, so contiguous ranges of the series are the parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopmind_core::time::Date;
use shopmind_forecast::demand::{DAILY_SEASON, DemandModels, DemandSeries, daily_demand};
use shopmind_forecast::{Fitted as SeriesModel, ModelChoice};
use shopmind_store::Store;

use super::parts::{
    PartInput, Step, Stored, decode, encode, part_count, seconds_since, slices, unix_ms,
};
use super::pricing::sales_fingerprint;
use super::{Fitted, Progress, TrainError};

/// Series per part when the request does not say.
const SERIES_PER_PART: usize = 200;
/// Forecast horizon the models are fitted for (days).
const HORIZON: usize = 28;

/// What the parent and every part read (each part's series are its slice).
#[derive(Serialize, Deserialize)]
struct Header {
    fingerprint: String,
    model: ModelChoice,
    started_ms: u64,
    last_date: Date,
    series: usize,
}

/// A part's answer: its series' models and the series that failed.
#[derive(Serialize, Deserialize)]
struct Output {
    series: Vec<(String, String, SeriesModel)>,
    failed: Vec<String>,
}

/// Phase 0: the daily demand of every item and store, split into parts.
pub(super) async fn start(
    store: &Store,
    model: ModelChoice,
    parts: Option<u32>,
    progress: &Progress,
) -> Result<Step, TrainError> {
    let sales = store.all_sales().await?;
    if sales.is_empty() {
        return Err(TrainError::NoSales);
    }
    progress(0.05, "building daily demand");
    let started_ms = unix_ms();
    tokio::task::spawn_blocking(move || {
        let fingerprint = sales_fingerprint(&sales);
        let demand = daily_demand(&sales);
        drop(sales);
        let last_date = demand
            .first()
            .map_or(Date(0), |d| d.start.add_days(d.units.len() as i32 - 1));
        let n = part_count(demand.len(), SERIES_PER_PART, parts);
        let header = Header {
            fingerprint,
            model,
            started_ms,
            last_date,
            series: demand.len(),
        };
        Ok(Step::FanOut {
            input: encode(&header)?,
            slices: slices(&demand, n)?,
            keep: Vec::new(),
            parts: n,
        })
    })
    .await
    .map_err(|e| TrainError::Task(e.to_string()))?
}

/// A part: the models of its own series.
pub(super) fn part(input: &PartInput, progress: &Progress) -> Result<Vec<u8>, TrainError> {
    let h: Header = decode(input.inputs.first())?;
    let demand: Vec<DemandSeries> = decode(input.slices.first())?;
    let total = demand.len().max(1);
    let (models, failed) = DemandModels::fit(&demand, h.model, HORIZON, |done| {
        if done % 20 == 0 {
            progress(0.9 * done as f32 / total as f32, "fitting demand models");
        }
    });
    encode(&Output {
        series: models.series,
        failed: failed.iter().map(ToString::to_string).collect(),
    })
}

/// Phase 1: the parts' models, in series order, as one version.
pub(super) fn combine(stored: &Stored) -> Result<Fitted, TrainError> {
    let h: Header = decode(stored.inputs.first())?;
    let outputs = &stored.outputs;
    let mut series = Vec::with_capacity(h.series);
    let mut failed = Vec::new();
    for o in outputs {
        let o: Output = decode(Some(o))?;
        series.extend(o.series);
        failed.extend(o.failed);
    }
    if series.len() + failed.len() != h.series {
        return Err(TrainError::Partition(format!(
            "the parts fitted {} of {} series",
            series.len() + failed.len(),
            h.series
        )));
    }
    let models = DemandModels {
        model: h.model,
        last_date: h.last_date,
        series,
    };
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, _, f) in &models.series {
        let name = f.model.name();
        let family = name.split('(').next().unwrap_or(&name).to_owned();
        *chosen.entry(family).or_default() += 1;
    }
    for e in failed.iter().take(5) {
        tracing::warn!("forecast training: {e}");
    }
    let metrics = serde_json::json!({
        "series": models.series.len(), "failed": failed.len(),
        "models": chosen, "last_date": models.last_date.to_string(),
        "fit_seconds": seconds_since(h.started_ms), "parts": outputs.len(),
    });
    Ok(Fitted {
        algorithm: h.model.name().into(),
        params: serde_json::json!({ "model": h.model.name(), "season": DAILY_SEASON }),
        fingerprint: h.fingerprint,
        metrics,
        bytes: models.to_bytes()?,
    })
}
