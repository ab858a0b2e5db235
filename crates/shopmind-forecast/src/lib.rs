//! Demand forecasting: naive and seasonal-naive baselines, exponential
//! smoothing (ETS), Theta, Croston/SBA/TSB for intermittent demand and an
//! automatic per-series choice by rolling-origin validation, every model
//! with prediction intervals; backtests with MASE, sMAPE, WAPE, RMSSE, bias
//! and interval coverage.
//!
//! This crate is an engine: pure in-memory computation on `f64` slices,
//! with no I/O, no async and no HTTP.
//!
//! - [`ModelChoice`] names a model (`auto` is the default users get);
//!   [`fit`] fits it to one series and returns a [`Fitted`] model, which
//!   forecasts any horizon with [`Fitted::forecast`] and serialises for the
//!   registry.
//! - [`ets`], [`theta`], [`intermittent`], [`baseline`] hold the models,
//!   each with its maths and reference in its module doc; [`auto`] the
//!   selection; [`season`] the seasonality test, decomposition and period
//!   detection; [`backtest`] rolling-origin evaluation.
//! - [`global`] is the one model fitted across all series (boosted trees,
//!   linear or one tree on lag, window, calendar, price and promotion
//!   features).
//! - [`forecast_many`] forecasts many series in parallel (rayon), holding
//!   only the series given and their answers.
//!
//! ```
//! use shopmind_forecast::{ModelChoice, FitParams, fit};
//!
//! // Four weeks of daily demand with a weekly pattern.
//! let pattern = [20.0, 22.0, 25.0, 24.0, 30.0, 45.0, 40.0];
//! let y: Vec<f64> = (0..56).map(|t| pattern[t % 7]).collect();
//! let params = FitParams { season: 7, ..FitParams::default() };
//! let model = fit(&y, ModelChoice::Ets, &params).unwrap();
//! let f = model.forecast(7, &[80.0, 95.0]);
//! assert_eq!(f.mean.len(), 7);
//! assert!((f.mean[5] - 45.0).abs() < 1.0);
//! assert!(f.intervals[1].lo[0] <= f.intervals[0].lo[0]);
//! ```

pub mod auto;
pub mod backtest;
pub mod baseline;
pub mod demand;
mod error;
pub mod ets;
pub mod global;
pub mod intermittent;
mod model;
mod optim;
pub mod season;
pub mod theta;

pub use error::ForecastError;
pub use model::{FitParams, Fitted, ModelChoice, fit, forecast_many};

use serde::{Deserialize, Serialize};
use shopmind_core::stats::normal_quantile;

/// Point forecasts and their standard deviations, steps 1..=h.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Path {
    /// Mean forecast per step.
    pub mean: Vec<f64>,
    /// Standard deviation of the forecast error per step.
    pub sd: Vec<f64>,
}

/// A prediction interval at one coverage level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Coverage in percent (e.g. 95).
    pub level: f64,
    /// Lower bound per step.
    pub lo: Vec<f64>,
    /// Upper bound per step.
    pub hi: Vec<f64>,
}

/// A finished forecast: what downstream (inventory, CSV, HTTP) consumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Model that produced it, e.g. `"ETS(M,Ad,N)"` or `"SBA"`.
    pub model: String,
    /// Mean per step.
    pub mean: Vec<f64>,
    /// Standard deviation per step (normal approximation).
    pub sd: Vec<f64>,
    /// Intervals, one per requested level.
    pub intervals: Vec<Interval>,
    /// What the caller should know (fallbacks taken, data issues).
    pub notes: Vec<String>,
}

impl Forecast {
    /// A forecast from a path, without intervals yet.
    pub fn new(model: String, path: Path) -> Forecast {
        Forecast {
            model,
            mean: path.mean,
            sd: path.sd,
            intervals: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds normal intervals at `levels` (percent, each in (0, 100)):
    /// mean ± z_{(1+level)/2} · sd. With `non_negative`, means and bounds are
    /// clipped at zero (demand cannot be negative).
    pub fn with_intervals(mut self, levels: &[f64], non_negative: bool) -> Forecast {
        if non_negative {
            self.mean.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        let clip = |v: f64| if non_negative { v.max(0.0) } else { v };
        self.intervals = levels
            .iter()
            .map(|&level| {
                let z = normal_quantile(0.5 + level / 200.0);
                Interval {
                    level,
                    lo: self
                        .mean
                        .iter()
                        .zip(&self.sd)
                        .map(|(m, s)| clip(m - z * s))
                        .collect(),
                    hi: self
                        .mean
                        .iter()
                        .zip(&self.sd)
                        .map(|(m, s)| clip(m + z * s))
                        .collect(),
                }
            })
            .collect();
        self
    }
}

/// Checks interval levels: each strictly between 0 and 100.
pub fn check_levels(levels: &[f64]) -> Result<(), ForecastError> {
    match levels.iter().find(|&&l| !(l > 0.0 && l < 100.0)) {
        Some(&value) => Err(ForecastError::Parameter {
            name: "level",
            value,
            rule: "interval levels are percentages strictly between 0 and 100",
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_nested_and_symmetric() {
        let f = Forecast::new(
            "x".into(),
            Path {
                mean: vec![10.0, 10.0],
                sd: vec![1.0, 2.0],
            },
        )
        .with_intervals(&[80.0, 95.0], true);
        assert!((f.intervals[1].hi[0] - 11.959_963_984_540_054).abs() < 1e-9);
        assert!((f.intervals[0].lo[1] - (10.0 - 2.0 * 1.281_551_565_544_600_4)).abs() < 1e-9);
        assert!(f.intervals[1].lo[1] < f.intervals[0].lo[1]);
        let clipped = Forecast::new(
            "x".into(),
            Path {
                mean: vec![-1.0],
                sd: vec![5.0],
            },
        )
        .with_intervals(&[95.0], true);
        assert_eq!((clipped.mean[0], clipped.intervals[0].lo[0]), (0.0, 0.0));
        assert!(check_levels(&[80.0, 100.0]).is_err());
    }
}
