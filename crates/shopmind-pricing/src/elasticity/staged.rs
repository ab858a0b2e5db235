//! [`super::estimate`] in stages whose per-item work can run in chunks on
//! several workers (the job queue's partitioned training):
//!
//! 1. [`ItemSales::group`]: the sales of each item, sorted by id — the unit
//!    of partitioning;
//! 2. [`first_pass`] (per item, any chunking): every term of the item's
//!    demand model, its own promotion lift included;
//! 3. [`promotion_lifts`] (all items): the lifts shrunk towards their
//!    category — the one step that needs every item;
//! 4. [`second_pass`] (per item, any chunking): the fit again with the
//!    shrunk lift fixed, and the per-store fits;
//! 5. [`finish`] (all items): the elasticities shrunk towards their
//!    category.
//!
//! Chunks are contiguous ranges of the items; concatenating the chunks'
//! answers in order gives exactly the single-process answer.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use shopmind_core::record::Sale;

use super::{
    Elasticity, ElasticityFlag, ElasticityParams, Own, StoreElasticity, estimate_item, shrink,
    store_estimates,
};

/// One item's sales and category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSales {
    /// Item.
    pub item_id: String,
    /// Its category (`""` when the catalog has none).
    pub category: String,
    /// Its sales rows, in the input's order.
    pub rows: Vec<Sale>,
}

/// Every item's sales and the last day of the whole history (the panel of
/// every item ends on it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grouped {
    /// Items sorted by id.
    pub items: Vec<ItemSales>,
    /// Last sales day (days since 1970-01-01).
    pub last_day: i32,
}

impl Grouped {
    /// The items' ids and categories, in order (what stages 3 and 5 need).
    pub fn keys(&self) -> (Vec<String>, Vec<String>) {
        self.items
            .iter()
            .map(|i| (i.item_id.clone(), i.category.clone()))
            .unzip()
    }
}

impl ItemSales {
    /// Groups `sales` by item (sorted by id); `None` without sales.
    pub fn group(sales: &[Sale], category: &BTreeMap<String, String>) -> Option<Grouped> {
        let last_day = sales.iter().map(|s| s.date.0).max()?;
        let mut by_item: BTreeMap<&str, Vec<Sale>> = BTreeMap::new();
        for s in sales {
            by_item
                .entry(s.item_id.as_str())
                .or_default()
                .push(s.clone());
        }
        let items = by_item
            .into_iter()
            .map(|(id, rows)| ItemSales {
                item_id: id.to_owned(),
                category: category.get(id).cloned().unwrap_or_default(),
                rows,
            })
            .collect();
        Some(Grouped { items, last_day })
    }

    fn refs(&self) -> Vec<&Sale> {
        self.rows.iter().collect()
    }
}

/// Stage 2: each item's demand model with its own promotion lift.
pub fn first_pass(items: &[ItemSales], last_day: i32, params: &ElasticityParams) -> Vec<Own> {
    items
        .par_iter()
        .map(|it| estimate_item(&it.refs(), last_day, params, None, None))
        .collect()
}

/// Stage 3: each item's promotion lift shrunk towards its category (all
/// items: `categories[i]` is the category of the item of `first[i]`).
pub fn promotion_lifts(categories: &[String], first: &[Own]) -> Vec<Option<(f64, f64)>> {
    shrink(
        categories,
        &first.iter().map(|o| o.promo).collect::<Vec<_>>(),
    )
}

/// An item's estimate after the second pass, with its per-store estimates.
pub type Second = (Own, Vec<StoreElasticity>);

/// Stage 4: the fit again with the shrunk promotion lift fixed, where the
/// first pass had an estimate or no price variation; the per-store fits when
/// asked for. `first` and `lifts` are the entries of the same items.
pub fn second_pass(
    items: &[ItemSales],
    first: Vec<Own>,
    lifts: &[Option<(f64, f64)>],
    last_day: i32,
    params: &ElasticityParams,
) -> Vec<Second> {
    items
        .par_iter()
        .zip(first.into_par_iter())
        .zip(lifts.par_iter())
        .map(|((it, o), lift)| {
            let rows = it.refs();
            let own = match (o.flag, lift) {
                (ElasticityFlag::Estimated | ElasticityFlag::NoPriceVariation, Some((l, _))) => {
                    estimate_item(&rows, last_day, params, Some(*l), None)
                }
                _ => o,
            };
            let stores = if params.per_store && own.flag == ElasticityFlag::Estimated {
                store_estimates(&rows, last_day, params, lift.map(|l| l.0))
            } else {
                Vec::new()
            };
            (own, stores)
        })
        .collect()
}

/// Stage 5: every item's elasticity shrunk towards its category (all
/// items: `ids[i]` and `categories[i]` are those of the item of
/// `second[i]`).
pub fn finish(
    ids: &[String],
    categories: &[String],
    second: Vec<Second>,
    params: &ElasticityParams,
) -> Vec<Elasticity> {
    let shrunk = shrink(
        categories,
        &second.iter().map(|(o, _)| o.estimate).collect::<Vec<_>>(),
    );
    let default = (params.default_elasticity, params.default_std_error);
    ids.iter()
        .zip(second)
        .zip(shrunk)
        .map(|((id, (o, stores)), post)| {
            let (elasticity, std_error) = post.unwrap_or(default);
            Elasticity {
                item_id: id.clone(),
                elasticity,
                std_error,
                own: o.estimate,
                flag: o.flag,
                base_units: o.base_units,
                reference_price: o.reference_price,
                stores,
            }
        })
        .collect()
}
