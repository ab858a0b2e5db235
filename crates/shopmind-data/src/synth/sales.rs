//! Synthetic daily sales with a known demand model.
//!
//! Units of item i in store s on day d ~ Poisson(λ) with
//!
//! λ = bᵢ · fₛ · w(weekday) · (1 + A_c cos(2π (doy − peak_c) / 365.25)) · e^{gᵢ t}
//!     · (p_d / p₀ᵢ)^{εᵢ} · γ^{promo_d} · e^{σ z − σ²/2}
//!
//! where t is years since the start, p_d the day's price, p₀ᵢ the reference
//! price, εᵢ the item's constant elasticity, γ the promotion lift beyond the
//! price cut, and z ~ N(0, 1) day-level noise (σ = 0.25, mean-one lognormal).
//! Prices are chain-wide: a new regular price p₀ · U(0.85, 1.15) (with a .99
//! ending) every 14–42 days, and with probability 0.15 per price period a
//! 7-day promotion at 20–30% off. Days with zero units are not written
//! (a missing day means no sales), as in a point-of-sale export.

use serde::Serialize;
use shopmind_core::Rng;

use super::catalog::{Catalog, price_ending};
use super::vocab::CATEGORIES;
use super::{CsvOut, SynthError, SynthParams, write_err};

/// Demand-model constants shared by all items, kept in the ground truth.
#[derive(Debug, Clone, Serialize)]
pub struct SalesTruth {
    /// Sales rows written.
    pub rows: usize,
    /// Weekday multipliers, Monday first (mean 1).
    pub weekly: [f64; 7],
    /// Per-category yearly seasonality: (category, amplitude A, peak day of year).
    pub yearly: Vec<(&'static str, f64, f64)>,
    /// Store ids and their demand multipliers fₛ.
    pub stores: Vec<(String, f64)>,
    /// Promotion lift γ beyond the price effect.
    pub promo_lift: f64,
    /// Standard deviation σ of the daily log-noise.
    pub noise_sd: f64,
}

const WEEKLY: [f64; 7] = [0.85, 0.9, 0.95, 1.0, 1.1, 1.25, 0.95];

/// One item's price on each day and whether that day is a promotion.
fn price_path(base: f64, cost: f64, days: u32, rng: &mut Rng) -> Vec<(f64, bool)> {
    let mut path = Vec::with_capacity(days as usize);
    while path.len() < days as usize {
        let regular = price_ending(base * rng.range(0.85, 1.15)).max(cost * 1.05);
        let len = 14 + rng.below(29) as usize;
        let promo_at = rng.bernoulli(0.15).then(|| rng.below(len as u64) as usize);
        let promo_price = (regular * (1.0 - rng.range(0.2, 0.3)) * 100.0).round() / 100.0;
        for k in 0..len {
            let on_promo = promo_at.is_some_and(|s| k >= s && k < s + 7);
            path.push(if on_promo {
                (promo_price.max(cost), true)
            } else {
                (regular, false)
            });
        }
    }
    path.truncate(days as usize);
    path
}

/// Simulates and writes `sales.csv`; returns the shared truth.
pub fn simulate(
    params: &SynthParams,
    catalog: &Catalog,
    rng: &mut Rng,
    w: &mut CsvOut,
) -> Result<SalesTruth, SynthError> {
    let e = write_err("sales.csv");
    let mut weekly = WEEKLY;
    let mean = weekly.iter().sum::<f64>() / 7.0;
    for x in &mut weekly {
        *x /= mean;
    }
    let yearly: Vec<(&'static str, f64, f64)> = CATEGORIES
        .iter()
        .map(|c| (c.path, rng.range(0.1, 0.5), rng.range(0.0, 365.25)))
        .collect();
    let stores: Vec<(String, f64)> = (0..params.stores)
        .map(|s| {
            (
                format!("S{}", s + 1),
                1.0 / (1.0 + 0.4 * s as f64) * rng.range(0.9, 1.1),
            )
        })
        .collect();
    let truth_consts = (1.25, 0.25);
    let (promo_lift, sigma) = truth_consts;
    w.write_record([
        "date", "item_id", "store_id", "units", "price", "promo", "cost",
    ])
    .map_err(&e)?;
    let mut rows = 0;
    for (i, item) in catalog.items.iter().enumerate() {
        let mut r = rng.fork(i as u64);
        let path = price_path(item.price, item.cost, params.days, &mut r);
        let (_, amp, peak) = yearly[item.category];
        let cost = format!("{:.2}", item.cost);
        for (store, factor) in &stores {
            for d in item.launch.max(0)..params.days as i32 {
                let date = params.start.add_days(d);
                let (price, promo) = path[d as usize];
                let season = 1.0
                    + amp
                        * (std::f64::consts::TAU * (f64::from(date.ordinal()) - peak) / 365.25)
                            .cos();
                let years = f64::from(d) / 365.25;
                let lambda = item.base_demand
                    * factor
                    * weekly[date.weekday() as usize]
                    * season
                    * (item.trend * years).exp()
                    * (price / item.price).powf(item.elasticity)
                    * if promo { promo_lift } else { 1.0 }
                    * (sigma * r.normal() - sigma * sigma / 2.0).exp();
                let units = r.poisson(lambda);
                if units == 0 {
                    continue;
                }
                w.write_record([
                    date.to_string().as_str(),
                    &item.id,
                    store,
                    &units.to_string(),
                    &format!("{price:.2}"),
                    if promo { "1" } else { "0" },
                    &cost,
                ])
                .map_err(&e)?;
                rows += 1;
            }
        }
    }
    Ok(SalesTruth {
        rows,
        weekly,
        yearly,
        stores,
        promo_lift,
        noise_sd: sigma,
    })
}
