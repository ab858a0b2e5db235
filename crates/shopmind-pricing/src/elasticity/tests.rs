//! Elasticity estimation on simulated sales with known answers.

use super::*;
use shopmind_core::Rng;
use shopmind_core::time::Date;

/// Daily sales of one item in `stores` stores over `days` days, from the
/// constant-elasticity model with weekday and promotion effects; prices move
/// every 21 days by up to ±15% when `vary`. Zero-unit days are left out, as
/// in a point-of-sale export.
fn simulate(item: &str, elasticity: f64, base: f64, vary: bool, seed: u64) -> Vec<Sale> {
    let mut rng = Rng::seed_from_u64(seed);
    let (p0, days, stores) = (20.0, 730, 3);
    let mut out = Vec::new();
    let mut price = p0;
    for d in 0..days {
        if vary && d % 21 == 0 {
            price = p0 * rng.range(0.85, 1.15);
        }
        let promo = vary && d % 100 < 7;
        let today = if promo { price * 0.75 } else { price };
        let date = Date::from_ymd(2024, 1, 1).unwrap().add_days(d);
        let weekday = [0.85, 0.9, 0.95, 1.0, 1.1, 1.25, 0.95][date.weekday() as usize];
        for s in 0..stores {
            let lambda = base
                * [1.0, 0.7, 1.3][s]
                * weekday
                * (today / p0).powf(elasticity)
                * if promo { 1.25 } else { 1.0 };
            let units = rng.poisson(lambda) as f64;
            if units > 0.0 {
                out.push(Sale {
                    date,
                    item_id: item.into(),
                    store_id: format!("S{s}"),
                    units,
                    returned_units: 0.0,
                    price: (today * 100.0).round() / 100.0,
                    promo,
                    cost: Some(8.0),
                });
            }
        }
    }
    out
}

#[test]
fn a_known_elasticity_is_recovered_with_its_uncertainty() {
    for (e, base, seed) in [(-2.0, 5.0, 1), (-0.8, 5.0, 2), (-3.0, 0.3, 3)] {
        let sales = simulate("A", e, base, true, seed);
        let got = estimate(&sales, &BTreeMap::new(), &ElasticityParams::default());
        let (own, se) = got[0].own.unwrap();
        assert_eq!(got[0].flag, ElasticityFlag::Estimated);
        assert!((own - e).abs() < 3.5 * se, "truth {e}: {own} ± {se}");
        assert!(se < if base > 1.0 { 0.15 } else { 0.6 }, "{se}");
        // Base demand at the reference price: the mean over stores and
        // weekdays of base · store · weekday · (p/p0)^ε, within 15% (30% for
        // a slow mover, whose trend and season terms extrapolate loosely).
        let p = got[0].reference_price;
        let expect = base * 3.0 * 1.0 * (p / 20.0).powf(e);
        let tolerance = if base > 1.0 { 0.15 } else { 0.3 };
        assert!(
            (got[0].base_units / expect - 1.0).abs() < tolerance,
            "{} vs {expect}",
            got[0].base_units
        );
    }
}

#[test]
fn flat_prices_and_thin_history_borrow_the_category_prior() {
    let mut sales = Vec::new();
    let mut category = BTreeMap::new();
    for (k, e) in [-1.0, -1.5, -2.0, -2.5].iter().enumerate() {
        let id = format!("V{k}");
        sales.extend(simulate(&id, *e, 4.0, true, 10 + k as u64));
        category.insert(id, "C".to_owned());
    }
    sales.extend(simulate("FLAT", -2.0, 4.0, false, 20));
    sales.extend(simulate("THIN", -2.0, 0.01, true, 21));
    for id in ["FLAT", "THIN"] {
        category.insert(id.into(), "C".into());
    }
    let got = estimate(&sales, &category, &ElasticityParams::default());
    let by = |id: &str| got.iter().find(|e| e.item_id == id).unwrap();
    assert_eq!(by("FLAT").flag, ElasticityFlag::NoPriceVariation);
    assert_eq!(by("THIN").flag, ElasticityFlag::TooLittleHistory);
    let estimated: Vec<(f64, f64)> = got.iter().filter_map(|e| e.own).collect();
    let (mu, tau2) = category_prior(&estimated).unwrap();
    for id in ["FLAT", "THIN"] {
        assert_eq!((by(id).elasticity, by(id).std_error), (mu, tau2.sqrt()));
        assert!(by(id).elasticity.is_finite());
    }
    assert!((-2.2..=-1.3).contains(&mu), "{mu}");
    // An estimated item moves towards μ, by less the surer it is.
    for e in got.iter().filter(|e| e.own.is_some()) {
        let (own, _) = e.own.unwrap();
        assert!((e.elasticity - mu).abs() <= (own - mu).abs() + 1e-12);
    }
    assert!(estimate(&[], &category, &ElasticityParams::default()).is_empty());
}

#[test]
fn the_category_prior_matches_dersimonian_laird_by_hand() {
    // Estimates −1, −2, −3 with s = 0.1: w = 100 each, fixed mean −2,
    // Q = 100·(1 + 0 + 1) = 200, C = 300 − 30000/300 = 200,
    // τ² = (200 − 2)/200 = 0.99, μ = −2.
    let (mu, tau2) = category_prior(&[(-1.0, 0.1), (-2.0, 0.1), (-3.0, 0.1)]).unwrap();
    assert!(
        (mu + 2.0).abs() < 1e-12 && (tau2 - 0.99).abs() < 1e-12,
        "{mu} {tau2}"
    );
    // Agreeing estimates: τ² hits its floor.
    let (_, tau2) = category_prior(&[(-2.0, 0.1), (-2.0, 0.2)]).unwrap();
    assert_eq!(tau2, 0.01);
    assert_eq!(category_prior(&[]), None);
}

#[test]
fn per_store_elasticities_separate_stores_that_differ() {
    // Store S0 reacts at −1.2, store S1 at −2.8; same chain-wide prices.
    let mut rng = Rng::seed_from_u64(31);
    let p0 = 20.0;
    let mut sales = Vec::new();
    let mut price = p0;
    for d in 0..730 {
        if d % 21 == 0 {
            price = p0 * rng.range(0.8, 1.2);
        }
        let date = Date::from_ymd(2024, 1, 1).unwrap().add_days(d);
        for (s, e) in [(0, -1.2), (1, -2.8)] {
            let units = rng.poisson(6.0 * (price / p0).powf(e)) as f64;
            if units > 0.0 {
                sales.push(Sale {
                    date,
                    item_id: "A".into(),
                    store_id: format!("S{s}"),
                    units,
                    returned_units: 0.0,
                    price: (price * 100.0).round() / 100.0,
                    promo: false,
                    cost: None,
                });
            }
        }
    }
    let params = ElasticityParams {
        per_store: true,
        ..ElasticityParams::default()
    };
    let got = estimate(&sales, &BTreeMap::new(), &params);
    let stores = &got[0].stores;
    assert_eq!(stores.len(), 2);
    for (st, truth) in stores.iter().zip([-1.2, -2.8]) {
        let (own, se) = st.own.unwrap();
        assert!(
            (own - truth).abs() < 3.5 * se,
            "{}: {own} ± {se}",
            st.store_id
        );
    }
    assert!(
        stores[0].elasticity > stores[1].elasticity + 0.8,
        "{stores:?}"
    );
    // The pooled estimate lies between the two.
    let pooled = got[0].elasticity;
    assert!(stores[1].elasticity < pooled && pooled < stores[0].elasticity);
    // Off by default.
    let plain = estimate(&sales, &BTreeMap::new(), &ElasticityParams::default());
    assert!(plain[0].stores.is_empty());
}
