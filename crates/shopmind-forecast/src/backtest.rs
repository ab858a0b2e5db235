//! Rolling-origin backtests and the forecast scores: MASE, RMSSE, sMAPE and
//! WAPE from [`shopmind_core::metrics::forecast`], plus bias (mean of
//! forecast − actual, relative to the mean actual) and the empirical
//! coverage of each prediction interval.
//!
//! A backtest with origins o = 1..k cuts the series at n − (o − 1)·step − h,
//! fits on everything before the cut and scores the next h values; the
//! scores are averaged over origins. Scaled errors use the in-sample part of
//! each cut.

use serde::{Deserialize, Serialize};
use shopmind_core::metrics::forecast as fm;

use crate::Forecast;
use crate::error::ForecastError;
use crate::model::{FitParams, ModelChoice, fit};

/// Accuracy of one forecast (or an average of several).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Mean absolute scaled error (None when the in-sample scale is zero).
    pub mase: Option<f64>,
    /// Root mean squared scaled error.
    pub rmsse: Option<f64>,
    /// Symmetric MAPE in percent.
    pub smape: f64,
    /// Weighted absolute percentage error (fraction; None with zero actuals).
    pub wape: Option<f64>,
    /// Mean (forecast − actual) / mean |actual| (None with zero actuals).
    pub bias: Option<f64>,
    /// Share of actuals inside each interval, in the forecast's level order.
    pub coverage: Vec<(f64, f64)>,
}

/// Scores `forecast` against `actual`, scaling by the in-sample seasonal
/// naive of `insample` with period `m`.
pub fn score(
    actual: &[f64],
    forecast: &Forecast,
    insample: &[f64],
    m: usize,
) -> Result<Scores, ForecastError> {
    let h = actual.len().min(forecast.mean.len());
    let (a, f) = (&actual[..h], &forecast.mean[..h]);
    let metric = |r: Result<f64, fm_err::MetricError>| r.ok();
    let total: f64 = a.iter().map(|v| v.abs()).sum();
    let coverage = forecast
        .intervals
        .iter()
        .map(|i| {
            let inside = (0..h)
                .filter(|&k| a[k] >= i.lo[k] && a[k] <= i.hi[k])
                .count();
            (i.level, inside as f64 / h.max(1) as f64)
        })
        .collect();
    Ok(Scores {
        mase: metric(fm::mase(a, f, insample, m)),
        rmsse: metric(fm::rmsse(a, f, insample, m)),
        smape: fm::smape(a, f).map_err(|e| ForecastError::NoModel(e.to_string()))?,
        wape: metric(fm::wape(a, f)),
        bias: (total > 0.0).then(|| a.iter().zip(f).map(|(y, p)| p - y).sum::<f64>() / total),
        coverage,
    })
}

use shopmind_core::metrics as fm_err;

/// Averages scores, each field over the forecasts where it is defined.
pub fn average(all: &[Scores]) -> Scores {
    let mean_of = |get: &dyn Fn(&Scores) -> Option<f64>| {
        let v: Vec<f64> = all
            .iter()
            .filter_map(get)
            .filter(|x| x.is_finite())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let levels: Vec<f64> = all
        .first()
        .map(|s| s.coverage.iter().map(|c| c.0).collect())
        .unwrap_or_default();
    Scores {
        mase: mean_of(&|s| s.mase),
        rmsse: mean_of(&|s| s.rmsse),
        smape: mean_of(&|s| Some(s.smape)).unwrap_or(0.0),
        wape: mean_of(&|s| s.wape),
        bias: mean_of(&|s| s.bias),
        coverage: levels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                (
                    l,
                    mean_of(&|s| s.coverage.get(i).map(|c| c.1)).unwrap_or(0.0),
                )
            })
            .collect(),
    }
}

/// Rolling-origin backtest of `choice` on `y`: `origins` cuts, `step`
/// apart (0: `h` apart), each forecasting `h` steps with intervals at
/// `levels`.
pub fn backtest(
    y: &[f64],
    choice: ModelChoice,
    params: &FitParams,
    h: usize,
    origins: usize,
    step: usize,
    levels: &[f64],
) -> Result<Scores, ForecastError> {
    if h == 0 {
        return Err(ForecastError::ZeroHorizon);
    }
    let step = if step == 0 { h } else { step };
    let m = params.season.max(1);
    let mut all = Vec::new();
    for o in 0..origins.max(1) {
        let Some(cut) = y.len().checked_sub(o * step + h) else {
            break;
        };
        if cut <= m {
            break;
        }
        let model = fit(&y[..cut], choice, params)?;
        let f = model.forecast(h, levels);
        all.push(score(&y[cut..cut + h], &f, &y[..cut], m)?);
    }
    if all.is_empty() {
        return Err(ForecastError::TooShort {
            len: y.len(),
            needed: h + m + 1,
            model: "backtest",
        });
    }
    Ok(average(&all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Path;

    #[test]
    fn scores_of_a_known_forecast() {
        let f = Forecast::new(
            "x".into(),
            Path {
                mean: vec![10.0, 10.0],
                sd: vec![1.0, 1.0],
            },
        )
        .with_intervals(&[80.0], false);
        // In-sample naive scale: |2−1| + |4−2| = 3 over 2 → 1.5.
        let s = score(&[11.0, 13.0], &f, &[1.0, 2.0, 4.0], 1).unwrap_or_default();
        assert!((s.mase.unwrap_or(0.0) - 2.0 / 1.5).abs() < 1e-12);
        assert!((s.bias.unwrap_or(0.0) - (-4.0 / 24.0)).abs() < 1e-12);
        assert!((s.wape.unwrap_or(0.0) - 4.0 / 24.0).abs() < 1e-12);
        // 11 is inside 10 ± 1.28, 13 is not.
        assert_eq!(s.coverage, vec![(80.0, 0.5)]);
    }

    #[test]
    fn backtest_of_a_constant_series_is_exact() {
        let y: Vec<f64> = (0..40).map(|t| (t % 4) as f64 + 1.0).collect();
        let params = FitParams {
            season: 4,
            ..FitParams::default()
        };
        let s = backtest(&y, ModelChoice::Snaive, &params, 4, 3, 0, &[95.0])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.smape, 0.0);
        assert!(backtest(&y[..5], ModelChoice::Snaive, &params, 4, 1, 0, &[]).is_err());
    }
}
