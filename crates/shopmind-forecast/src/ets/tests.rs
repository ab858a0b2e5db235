//! Known answers for the ETS recursions and properties of the fit.

use super::*;

fn spec(error: Kind, trend: Kind, damped: bool, season: Kind) -> Spec {
    Spec {
        error,
        trend,
        damped,
        season,
    }
}

/// Additive Holt-Winters by hand: m = 2, α = 0.5, β = 0.1, γ = 0.2,
/// ℓ₀ = 10, b₀ = 1, s = (2, −2), y = (14, 9, 16).
/// t=1: ŷ = 10+1+2 = 13, e = 1 → ℓ = 11.5, b = 1.1, s₀ = 2.2.
/// t=2: ŷ = 12.6−2 = 10.6, e = −1.6 → ℓ = 11.8, b = 0.94, s₁ = −2.32.
/// t=3: ŷ = 12.74+2.2 = 14.94, e = 1.06 → ℓ = 13.27, b = 1.046, s₀ = 2.412.
/// Forecasts: 13.27 + 1.046 − 2.32 = 11.996 and 13.27 + 2.092 + 2.412 = 17.774.
#[test]
fn additive_holt_winters_by_hand() {
    let s = spec(Kind::Additive, Kind::Additive, false, Kind::Additive);
    let (model, fitted) = smooth(
        &[14.0, 9.0, 16.0],
        s,
        0.5,
        0.1,
        0.2,
        1.0,
        10.0,
        1.0,
        &[2.0, -2.0],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for (a, b) in fitted.iter().zip([13.0, 10.6, 14.94]) {
        assert!((a - b).abs() < 1e-12, "{fitted:?}");
    }
    assert!((model.level - 13.27).abs() < 1e-12 && (model.slope - 1.046).abs() < 1e-12);
    let p = model.path(2);
    assert!(
        (p.mean[0] - 11.996).abs() < 1e-12 && (p.mean[1] - 17.774).abs() < 1e-12,
        "{p:?}"
    );
}

/// Multiplicative Holt-Winters by hand: m = 2, α = 0.5, β = 0.1 (β* = 0.2),
/// γ = 0.2, ℓ₀ = 10, b₀ = 1, s = (1.2, 0.8), y = (14, 9).
#[test]
fn multiplicative_holt_winters_by_hand() {
    let s = spec(
        Kind::Multiplicative,
        Kind::Additive,
        false,
        Kind::Multiplicative,
    );
    let (model, fitted) = smooth(&[14.0, 9.0], s, 0.5, 0.1, 0.2, 1.0, 10.0, 1.0, &[1.2, 0.8])
        .unwrap_or_else(|e| panic!("{e}"));
    // t=1: q = 11, ŷ = 13.2, ℓ = 11 + 0.5(14/1.2 − 11), b = 1 + 0.2(ℓ − 10 − 1),
    //      s₀ = 1.2 + 0.2(14/11 − 1.2).
    let l1 = 11.0 + 0.5 * (14.0 / 1.2 - 11.0);
    let b1 = 1.0 + 0.2 * (l1 - 11.0);
    let s0 = 1.2 + 0.2 * (14.0 / 11.0 - 1.2);
    // t=2: q = ℓ + b, ŷ = 0.8 q, ℓ = q + 0.5(9/0.8 − q), b = b + 0.2(ℓ₂ − ℓ₁ − b₁).
    let q2 = l1 + b1;
    let l2 = q2 + 0.5 * (9.0 / 0.8 - q2);
    let b2 = b1 + 0.2 * (l2 - l1 - b1);
    assert!((fitted[0] - 13.2).abs() < 1e-12 && (fitted[1] - 0.8 * q2).abs() < 1e-12);
    assert!((model.level - l2).abs() < 1e-12 && (model.slope - b2).abs() < 1e-12);
    let p = model.path(1);
    assert!((p.mean[0] - (l2 + b2) * s0).abs() < 1e-12, "{p:?}");
}

#[test]
fn damped_trend_flattens() {
    let s = spec(Kind::Additive, Kind::Additive, true, Kind::None);
    let (model, _) = smooth(&[10.0, 12.0, 14.0], s, 0.5, 0.2, 0.0, 0.9, 8.0, 2.0, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let p = model.path(200);
    // Increments shrink by φ each step and the sum converges to b·φ/(1−φ).
    let limit = model.level + model.slope * 0.9 / 0.1;
    assert!(
        (p.mean[199] - limit).abs() < 1e-6,
        "{} vs {limit}",
        p.mean[199]
    );
    assert!((p.mean[1] - p.mean[0] - model.slope * 0.81).abs() < 1e-12);
}

#[test]
fn aicc_finds_the_seasonal_form_and_recovers_the_pattern() {
    let mut rng = shopmind_core::Rng::seed_from_u64(11);
    let pattern = [5.0, -3.0, 0.0, 8.0, -10.0];
    let y: Vec<f64> = (0..100)
        .map(|t| 50.0 + 0.2 * t as f64 + pattern[t % 5] + 0.5 * rng.normal())
        .collect();
    let model = fit(
        &y,
        &EtsParams {
            season: 5,
            ..EtsParams::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(model.spec.season, Kind::None, "{model:?}");
    let p = model.path(5);
    for (k, f) in p.mean.iter().enumerate() {
        let truth = 50.0 + 0.2 * (100 + k) as f64 + pattern[(100 + k) % 5];
        assert!((f - truth).abs() < 2.0, "step {k}: {f} vs {truth}");
    }
    // Intervals widen with the horizon.
    assert!(p.sd.windows(2).all(|w| w[1] >= w[0]));
}

#[test]
fn white_noise_gets_no_trend_or_season() {
    let mut rng = shopmind_core::Rng::seed_from_u64(5);
    let y: Vec<f64> = (0..120).map(|_| 100.0 + 3.0 * rng.normal()).collect();
    let model = fit(
        &y,
        &EtsParams {
            season: 12,
            ..EtsParams::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (model.spec.trend, model.spec.season),
        (Kind::None, Kind::None),
        "{model:?}"
    );
    assert!((model.path(1).mean[0] - 100.0).abs() < 2.0);
}

#[test]
fn model_space_respects_the_data() {
    let positive = [1.0; 30];
    assert_eq!(model_space(&positive, 12, true).len(), 15);
    assert_eq!(model_space(&positive, 1, true).len(), 6);
    let with_zero = [0.0; 30];
    assert!(
        model_space(&with_zero, 12, true)
            .iter()
            .all(|s| s.error == Kind::Additive && s.season != Kind::Multiplicative)
    );
    // Seasonal forms need two full seasons.
    assert!(
        model_space(&positive[..20], 12, true)
            .iter()
            .all(|s| s.season == Kind::None)
    );
    assert!(fit(&[1.0, 2.0], &EtsParams::default()).is_err());
}
