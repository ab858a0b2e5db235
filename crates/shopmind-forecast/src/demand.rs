//! Daily demand per item and store from a sales history, and the stored
//! `forecast` model: the fitted demand model of every series.
//!
//! A point-of-sale export writes no row for a day without sales, so every
//! series is laid on the calendar shared by the whole history and a missing
//! day is zero units. Pure computation: records in, values out.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use shopmind_core::artifact::{self, ArtifactError};
use shopmind_core::model::ModelKind;
use shopmind_core::record::Sale;
use shopmind_core::time::Date;

use crate::{FitParams, Fitted, ForecastError, ModelChoice, fit};

/// Seasonal period of daily demand: the week.
pub const DAILY_SEASON: usize = 7;

/// Units sold per day of one item in one store, on the calendar shared by
/// the whole sales history (days without a sales row are zero: a
/// point-of-sale export writes no row for a day without sales).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSeries {
    /// Item.
    pub item_id: String,
    /// Store.
    pub store_id: String,
    /// First day of the calendar.
    pub start: Date,
    /// Units per day.
    pub units: Vec<f64>,
}

/// Daily demand series from sales rows (any order), on the calendar from
/// the first to the last sales day.
pub fn daily_demand(sales: &[Sale]) -> Vec<DemandSeries> {
    match (
        sales.iter().map(|s| s.date).min(),
        sales.iter().map(|s| s.date).max(),
    ) {
        (Some(first), Some(last)) => daily_demand_on(sales, first, last),
        _ => Vec::new(),
    }
}

/// Daily demand series on the calendar `first..=last` (rows outside it are
/// ignored).
pub fn daily_demand_on(sales: &[Sale], first: Date, last: Date) -> Vec<DemandSeries> {
    if last < first {
        return Vec::new();
    }
    let days = (last.0 - first.0 + 1) as usize;
    let mut by_key: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    for s in sales.iter().filter(|s| s.date >= first && s.date <= last) {
        let v = by_key
            .entry((s.item_id.as_str(), s.store_id.as_str()))
            .or_insert_with(|| vec![0.0; days]);
        v[(s.date.0 - first.0) as usize] += s.units.max(0.0);
    }
    let mut out: Vec<DemandSeries> = by_key
        .into_iter()
        .map(|((item, store), units)| DemandSeries {
            item_id: item.to_owned(),
            store_id: store.to_owned(),
            start: first,
            units,
        })
        .collect();
    out.sort_by(|a, b| (&a.item_id, &a.store_id).cmp(&(&b.item_id, &b.store_id)));
    out
}

/// Fits the demand model of one series for forecasts `horizon` days ahead.
pub fn fit_demand(
    units: &[f64],
    model: ModelChoice,
    horizon: usize,
) -> Result<Fitted, ForecastError> {
    let params = FitParams {
        season: DAILY_SEASON,
        horizon,
        ..FitParams::default()
    };
    fit(units, model, &params)
}

/// A series that could not be fitted.
#[derive(Debug, thiserror::Error)]
#[error("item {item} in store {store}: {source}")]
pub struct SeriesError {
    /// Item.
    pub item: String,
    /// Store.
    pub store: String,
    /// Cause.
    #[source]
    pub source: ForecastError,
}

/// Format version of the [`DemandModels`] body in the artifact envelope
/// (2: the first in the envelope; version 1 was JSON and is refused with
/// "retrain").
pub const DEMAND_FORMAT: u32 = 2;

/// A registered `forecast` version: the fitted demand model of every item
/// and store, as of the last day of the sales history it was fitted on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemandModels {
    /// Model asked for (`auto`, `ets`, …).
    pub model: ModelChoice,
    /// Last day of the history: step 1 of every forecast is the day after.
    pub last_date: Date,
    /// (item, store, fitted model), sorted by item then store.
    pub series: Vec<(String, String, Fitted)>,
}

impl DemandModels {
    /// Fits every series (in parallel); series that cannot be fitted are
    /// returned with their error instead.
    pub fn fit(
        demand: &[DemandSeries],
        model: ModelChoice,
        horizon: usize,
        progress: impl Fn(usize) + Sync,
    ) -> (DemandModels, Vec<SeriesError>) {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let fitted: Vec<Result<(String, String, Fitted), SeriesError>> = demand
            .par_iter()
            .map(|d| {
                let r = fit_demand(&d.units, model, horizon)
                    .map(|f| (d.item_id.clone(), d.store_id.clone(), f))
                    .map_err(|source| SeriesError {
                        item: d.item_id.clone(),
                        store: d.store_id.clone(),
                        source,
                    });
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                r
            })
            .collect();
        let last_date = demand
            .first()
            .map_or(Date(0), |d| d.start.add_days(d.units.len() as i32 - 1));
        let mut series = Vec::with_capacity(fitted.len());
        let mut failed = Vec::new();
        for r in fitted {
            match r {
                Ok(s) => series.push(s),
                Err(e) => failed.push(e),
            }
        }
        (
            DemandModels {
                model,
                last_date,
                series,
            },
            failed,
        )
    }

    /// The fitted models of one item, one per store.
    pub fn item(&self, item_id: &str) -> impl Iterator<Item = (&str, &Fitted)> {
        let start = self.series.partition_point(|s| s.0.as_str() < item_id);
        self.series[start..]
            .iter()
            .take_while(move |s| s.0 == item_id)
            .map(|s| (s.1.as_str(), &s.2))
    }

    /// The stored form: the artifact envelope (`shopmind_core::artifact`,
    /// kind `forecast`, [`DEMAND_FORMAT`]) around the postcard body.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ArtifactError> {
        artifact::encode(ModelKind::Forecast, DEMAND_FORMAT, self)
    }

    /// Reads the stored form, refusing another kind or format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<DemandModels, ArtifactError> {
        artifact::decode(ModelKind::Forecast, DEMAND_FORMAT, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_core::record::Sale;

    fn sale(day: i32, item: &str, store: &str, units: f64) -> Sale {
        Sale {
            date: Date(20_000 + day),
            item_id: item.into(),
            store_id: store.into(),
            units,
            returned_units: 0.0,
            price: 1.0,
            promo: false,
            cost: None,
        }
    }

    #[test]
    fn daily_demand_fills_missing_days_with_zero_on_a_shared_calendar() {
        let sales = [
            sale(0, "a", "S1", 2.0),
            sale(3, "a", "S1", 5.0),
            sale(1, "b", "S1", 1.0),
            sale(1, "b", "S1", 1.0),
        ];
        let d = daily_demand(&sales);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].units, vec![2.0, 0.0, 0.0, 5.0]);
        assert_eq!(d[1].units, vec![0.0, 2.0, 0.0, 0.0]);
        assert!(daily_demand(&[]).is_empty());
    }

    #[test]
    fn demand_models_round_trip_and_answer_per_item() {
        let mut sales = Vec::new();
        for day in 0..70 {
            sales.push(sale(day, "a", "S1", 5.0 + (day % 7) as f64));
            sales.push(sale(day, "a", "S2", 3.0));
            sales.push(sale(day, "b", "S1", 1.0 + (day % 2) as f64));
        }
        let demand = daily_demand(&sales);
        let (models, failed) = DemandModels::fit(&demand, ModelChoice::Ets, 14, |_| {});
        assert!(failed.is_empty());
        assert_eq!(models.item("a").count(), 2);
        assert_eq!(models.item("b").count(), 1);
        assert_eq!(models.item("c").count(), 0);
        assert_eq!(models.last_date, Date(20_069));
        let bytes = models.to_bytes().unwrap_or_else(|e| panic!("{e}"));
        let back = DemandModels::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.series.len(), 3);
        assert_eq!(
            back.item("a")
                .map(|(s, f)| (s, f.model.name(), f.outlook(5)))
                .collect::<Vec<_>>(),
            models
                .item("a")
                .map(|(s, f)| (s, f.model.name(), f.outlook(5)))
                .collect::<Vec<_>>()
        );
        let e = DemandModels::from_bytes(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(
            e.to_string().starts_with("corrupt forecast artifact"),
            "{e}"
        );
        let e = DemandModels::from_bytes(br#"{"format":1}"#).unwrap_err();
        assert!(e.to_string().contains("retrain"), "{e}");
    }
}
