//! Training a forecast version: the demand model of every item and store
//! from the store's sales.

use std::collections::BTreeMap;
use std::time::Instant;

use shopmind_forecast::ModelChoice;
use shopmind_forecast::demand::{DAILY_SEASON, DemandModels, daily_demand};
use shopmind_store::Store;

use super::pricing::sales_fingerprint;
use super::{Fitted, Progress, TrainError};

/// Fits the demand model of every item and store from the store's sales and
/// registers it as a `forecast` version (algorithm: the model choice, e.g.
/// `auto`; no champion/challenger).
pub(super) async fn train_forecast(
    store: &Store,
    model: ModelChoice,
    progress: &Progress,
) -> Result<Fitted, TrainError> {
    let sales = store.all_sales().await?;
    if sales.is_empty() {
        return Err(TrainError::NoSales);
    }
    let fp = sales_fingerprint(&sales);
    progress(0.05, "building daily demand");
    let start = Instant::now();
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
    Ok(Fitted {
        algorithm: model.name().into(),
        params: serde_json::json!({ "model": model.name(), "season": DAILY_SEASON }),
        fingerprint: fp,
        metrics,
        bytes: models.to_bytes()?,
    })
}
