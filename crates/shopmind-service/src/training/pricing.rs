//! Training a pricing version: every item's elasticity from the store's
//! sales.

use std::collections::BTreeMap;
use std::time::Instant;

use shopmind_core::record::{Fnv1a, Sale};
use shopmind_pricing::elasticity::{ElasticityFlag, ElasticityParams, estimate};
use shopmind_pricing::model::PricingModel;
use shopmind_store::Store;

use super::{Fitted, Progress, TrainError};

/// Estimates every item's elasticity from the store's sales (categories
/// from the catalog) and registers the result as a `pricing` version
/// (algorithm `elasticity`; with `per_store`, each store's elasticity too);
/// (no champion/challenger: the versions have no common validation metric).
pub(super) async fn train_pricing(
    store: &Store,
    per_store: bool,
    progress: &Progress,
) -> Result<Fitted, TrainError> {
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
    Ok(Fitted {
        algorithm: "elasticity".into(),
        params: serde_json::json!(params),
        fingerprint: fp,
        metrics,
        bytes: model.to_bytes()?,
    })
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
