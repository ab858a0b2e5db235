//! Policy design: known values and properties.

use super::*;
use shopmind_core::stats::normal_loss;

/// Stationary demand: mean 50/day, sd 10/day independent across days.
fn outlook(days: usize, mean: f64, sd: f64) -> DemandOutlook {
    DemandOutlook {
        cum_mean: (1..=days).map(|d| mean * d as f64).collect(),
        cum_sd: (1..=days).map(|d| sd * (d as f64).sqrt()).collect(),
    }
}

fn supply() -> Supply {
    Supply {
        lead_time_days: 9.0,
        lead_time_sd_days: 2.0,
        unit_cost: 20.0,
        holding_rate: 0.25,
        order_cost: 50.0,
        moq: 0.0,
        case_pack: 1.0,
    }
}

#[test]
fn cycle_service_reorder_point_is_mean_plus_z_sigma() {
    let params = PolicyParams {
        kind: PolicyKind::ReorderQuantity,
        target: Target::CycleService(0.95),
        review_days: 0.0,
    };
    let d = design(&outlook(60, 50.0, 10.0), &supply(), &params).unwrap_or_else(|e| panic!("{e}"));
    // P = L = 9 days: μ = 450, σ = √(900 + 2500·4) = 104.403, r = 450 + 1.644854·104.403.
    assert!((d.protection_mean - 450.0).abs() < 1e-9);
    assert!((d.protection_sd - 10900f64.sqrt()).abs() < 1e-9);
    assert!((d.reorder_point - (450.0 + 171.73)).abs() < 0.01, "{d:?}");
    // Q = EOQ = √(2 · 18250 · 50 / 5) = 604.15 → 605 after rounding up.
    assert_eq!(d.order_quantity, 605.0);
    assert!((d.stockout_risk - 0.05).abs() < 1e-6);
}

#[test]
fn fill_rate_target_is_met_by_the_loss_function() {
    let params = PolicyParams {
        kind: PolicyKind::MinMax,
        target: Target::FillRate(0.98),
        review_days: 7.0,
    };
    let d = design(&outlook(60, 50.0, 10.0), &supply(), &params).unwrap_or_else(|e| panic!("{e}"));
    let k = (d.reorder_point - d.protection_mean) / d.protection_sd;
    let r = d.order_quantity / d.protection_sd;
    let short = d.protection_sd * (normal_loss(k) - normal_loss(k + r));
    assert!((short - 0.02 * d.order_quantity).abs() < 1e-6, "{d:?}");
    assert!((d.expected_fill_rate - 0.98).abs() < 1e-9);
    assert_eq!(d.order_up_to, d.reorder_point + d.order_quantity);
    // P = 9 + 7 days.
    assert!((d.protection_mean - 800.0).abs() < 1e-9);
}

#[test]
fn slow_movers_use_integer_levels() {
    let params = PolicyParams {
        kind: PolicyKind::OrderUpTo,
        target: Target::CycleService(0.9),
        review_days: 7.0,
    };
    let mut s = supply();
    s.lead_time_sd_days = 0.0;
    // 0.25/day over 16 days: Poisson(4); F(6) = 0.889, F(7) = 0.949 → S = 7.
    let o = DemandOutlook {
        cum_mean: (1..=30).map(|d| 0.25 * d as f64).collect(),
        cum_sd: (1..=30).map(|d| (0.25 * d as f64).sqrt()).collect(),
    };
    let d = design(&o, &s, &params).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.slow_mover);
    assert_eq!(d.order_up_to, 7.0, "{d:?}");
}

#[test]
fn rounding_and_orders() {
    assert_eq!(round_order(13.0, 0.0, 6.0), 18.0);
    assert_eq!(round_order(3.0, 10.0, 6.0), 12.0);
    assert_eq!(round_order(12.0, 0.0, 6.0), 12.0);
    assert_eq!(round_order(0.0, 10.0, 6.0), 0.0);
    assert_eq!(round_order(2.2, 0.0, 1.0), 3.0);
    let params = PolicyParams::default();
    let d = design(&outlook(60, 50.0, 10.0), &supply(), &params).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(order_now(&d, d.reorder_point + 1.0, &supply()), 0.0);
    let q = order_now(&d, d.reorder_point - 5.0, &supply());
    assert!((q - (d.order_up_to - d.reorder_point + 5.0)).abs() <= 1.0);
}

#[test]
fn bad_parameters_are_refused() {
    let o = outlook(10, 1.0, 1.0);
    let mut p = PolicyParams {
        target: Target::FillRate(1.0),
        ..PolicyParams::default()
    };
    assert!(design(&o, &supply(), &p).is_err());
    p.target = Target::FillRate(0.9);
    p.review_days = 0.0;
    assert!(design(&o, &supply(), &p).is_err());
    assert!("xyz".parse::<PolicyKind>().is_err());
}

#[test]
fn no_expected_demand_orders_nothing() {
    let zero = DemandOutlook {
        cum_mean: vec![0.0; 30],
        cum_sd: vec![0.0; 30],
    };
    let mut s = supply();
    s.moq = 24.0;
    for kind in [
        PolicyKind::MinMax,
        PolicyKind::OrderUpTo,
        PolicyKind::ReorderQuantity,
    ] {
        let params = PolicyParams {
            kind,
            review_days: 7.0,
            ..PolicyParams::default()
        };
        let d = design(&zero, &s, &params).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((d.reorder_point, d.order_up_to), (0.0, 0.0), "{kind:?}");
        assert_eq!(order_now(&d, 0.0, &s), 0.0, "{kind:?}");
    }
}
