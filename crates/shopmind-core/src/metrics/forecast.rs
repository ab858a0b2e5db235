//! Forecast accuracy.
//!
//! With actuals `yₜ`, forecasts `ŷₜ` over a horizon of `h` steps and an
//! in-sample history `x₁..xₙ` with seasonal period `m` (use 1 for none):
//!
//! - MASE = (1/h) Σ |yₜ − ŷₜ| / s, with the seasonal-naive scale
//!   s = (1/(n−m)) Σ_{t=m+1..n} |xₜ − xₜ₋ₘ| (Hyndman & Koehler, 2006).
//! - RMSSE = √( (1/h) Σ (yₜ − ŷₜ)² / s² ), with
//!   s² = (1/(n−m)) Σ (xₜ − xₜ₋ₘ)² (the M5 competition's measure, there with m = 1).
//! - sMAPE = (200/h) Σ |yₜ − ŷₜ| / (|yₜ| + |ŷₜ|), in percent, a term with
//!   zero denominator counting 0 (the M4 competition's definition).
//! - WAPE = Σ |yₜ − ŷₜ| / Σ |yₜ| (a fraction; robust for intermittent demand).

use super::{MetricError, check_pair};

fn check_insample(insample: &[f64], season: usize) -> Result<usize, MetricError> {
    let m = season.max(1);
    if insample.len() <= m {
        return Err(MetricError::TooShort {
            len: insample.len(),
            season: m,
        });
    }
    if insample.iter().any(|v| !v.is_finite()) {
        return Err(MetricError::NonFinite);
    }
    Ok(m)
}

/// Mean absolute scaled error against the in-sample seasonal-naive forecast.
pub fn mase(
    actual: &[f64],
    forecast: &[f64],
    insample: &[f64],
    season: usize,
) -> Result<f64, MetricError> {
    check_pair(actual, forecast)?;
    let m = check_insample(insample, season)?;
    let scale: f64 = insample
        .windows(m + 1)
        .map(|w| (w[m] - w[0]).abs())
        .sum::<f64>()
        / (insample.len() - m) as f64;
    if scale == 0.0 {
        return Err(MetricError::ZeroScale(
            "in-sample seasonal-naive error is zero",
        ));
    }
    let mae: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).abs())
        .sum::<f64>()
        / actual.len() as f64;
    Ok(mae / scale)
}

/// Root mean squared scaled error.
pub fn rmsse(
    actual: &[f64],
    forecast: &[f64],
    insample: &[f64],
    season: usize,
) -> Result<f64, MetricError> {
    check_pair(actual, forecast)?;
    let m = check_insample(insample, season)?;
    let scale: f64 = insample
        .windows(m + 1)
        .map(|w| (w[m] - w[0]).powi(2))
        .sum::<f64>()
        / (insample.len() - m) as f64;
    if scale == 0.0 {
        return Err(MetricError::ZeroScale(
            "in-sample seasonal-naive error is zero",
        ));
    }
    let mse: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).powi(2))
        .sum::<f64>()
        / actual.len() as f64;
    Ok((mse / scale).sqrt())
}

/// Symmetric mean absolute percentage error, in percent (0 to 200).
pub fn smape(actual: &[f64], forecast: &[f64]) -> Result<f64, MetricError> {
    check_pair(actual, forecast)?;
    let sum: f64 = actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| {
            let d = y.abs() + f.abs();
            if d == 0.0 { 0.0 } else { (y - f).abs() / d }
        })
        .sum();
    Ok(200.0 * sum / actual.len() as f64)
}

/// Weighted absolute percentage error, as a fraction.
pub fn wape(actual: &[f64], forecast: &[f64]) -> Result<f64, MetricError> {
    check_pair(actual, forecast)?;
    let denom: f64 = actual.iter().map(|y| y.abs()).sum();
    if denom == 0.0 {
        return Err(MetricError::ZeroScale("sum of actual values is zero"));
    }
    Ok(actual
        .iter()
        .zip(forecast)
        .map(|(y, f)| (y - f).abs())
        .sum::<f64>()
        / denom)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    #[test]
    fn non_seasonal_known_answers() {
        // In-sample 1..6: naive errors all 1 → scale 1. Errors 1 and 2.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [7.0, 8.0];
        let f = [6.0, 10.0];
        assert!((mase(&y, &f, &x, 1).unwrap() - 1.5).abs() < EPS);
        assert!((rmsse(&y, &f, &x, 1).unwrap() - 2.5f64.sqrt()).abs() < EPS);
        // 200/2 · (1/13 + 2/18)
        assert!((smape(&y, &f).unwrap() - 100.0 * (1.0 / 13.0 + 2.0 / 18.0)).abs() < EPS);
        assert!((wape(&y, &f).unwrap() - 0.2).abs() < EPS);
    }

    #[test]
    fn seasonal_scale_uses_lag_m() {
        // Lag-2 differences of [1,3,2,4,3,5,10,7] are 1,1,1,1,7,2 → mean |·| = 13/6,
        // mean (·)² = (4 + 49 + 4)/6 = 57/6.
        let x = [1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 10.0, 7.0];
        let y = [4.0, 6.0];
        let f = [5.0, 3.0]; // errors 1, 3: MAE 2, MSE 5
        assert!((mase(&y, &f, &x, 2).unwrap() - 2.0 / (13.0 / 6.0)).abs() < EPS);
        assert!((rmsse(&y, &f, &x, 2).unwrap() - (5.0f64 / (57.0 / 6.0)).sqrt()).abs() < EPS);
        // The lag-1 scale differs: |2|,|1|,|2|,|1|,|2|,|5|,|3| → 16/7.
        assert!((mase(&y, &f, &x, 1).unwrap() - 2.0 / (16.0 / 7.0)).abs() < EPS);
    }

    #[test]
    fn undefined_cases_are_errors() {
        assert!(matches!(
            mase(&[1.0], &[1.0], &[2.0, 2.0, 2.0], 1),
            Err(MetricError::ZeroScale(_))
        ));
        assert!(matches!(
            mase(&[1.0], &[1.0], &[2.0, 3.0], 2),
            Err(MetricError::TooShort { .. })
        ));
        assert!(matches!(
            wape(&[0.0], &[1.0]),
            Err(MetricError::ZeroScale(_))
        ));
        // sMAPE: a 0/0 term counts zero; 0 vs 5 is the maximum 200.
        assert_eq!(smape(&[0.0, 0.0], &[0.0, 5.0]).unwrap(), 100.0);
    }
}
