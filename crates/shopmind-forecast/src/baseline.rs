//! Baselines: naive (last value), seasonal naive (the value one season
//! ago), historical mean and moving average. Their intervals follow
//! Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd
//! ed., §5.5), from the in-sample one-step residual standard deviation σ:
//! naive σ√h; seasonal naive σ√(⌊(h−1)/m⌋ + 1); mean and moving average
//! σ√(1 + 1/w) with w the window length.

use crate::Path;
use crate::error::{ForecastError, check_finite};

fn too_short(len: usize, needed: usize, model: &'static str) -> ForecastError {
    ForecastError::TooShort { len, needed, model }
}

/// Residual standard deviation of `resid` (zero for an empty slice).
fn rms(resid: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for r in resid {
        sum += r * r;
        n += 1;
    }
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

/// A fitted baseline: the values it repeats and its residual spread.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Baseline {
    /// The last value, repeated.
    Naive {
        /// Last observation.
        last: f64,
        /// One-step residual standard deviation.
        sigma: f64,
    },
    /// The last season, repeated.
    SeasonalNaive {
        /// The last m observations.
        tail: Vec<f64>,
        /// Seasonal-difference standard deviation.
        sigma: f64,
    },
    /// A (moving) mean.
    Mean {
        /// Mean of the window.
        mean: f64,
        /// Forecast standard deviation.
        sd: f64,
    },
}

/// Naive: every step repeats the last value.
pub fn naive(y: &[f64]) -> Result<Baseline, ForecastError> {
    check_finite(y)?;
    let last = *y.last().ok_or_else(|| too_short(0, 1, "naive"))?;
    let sigma = rms(y.windows(2).map(|w| w[1] - w[0]));
    Ok(Baseline::Naive { last, sigma })
}

/// Seasonal naive: step k repeats the value m·⌈k/m⌉ steps back. Needs one
/// full season.
pub fn seasonal_naive(y: &[f64], m: usize) -> Result<Baseline, ForecastError> {
    check_finite(y)?;
    let m = m.max(1);
    if y.len() < m {
        return Err(too_short(y.len(), m, "snaive"));
    }
    let n = y.len();
    let sigma = rms((m..n).map(|t| y[t] - y[t - m]));
    Ok(Baseline::SeasonalNaive {
        tail: y[n - m..].to_vec(),
        sigma,
    })
}

/// Moving average of the last `window` values (the whole history when
/// `window` is 0: the historical mean).
pub fn moving_average(y: &[f64], window: usize) -> Result<Baseline, ForecastError> {
    check_finite(y)?;
    if y.is_empty() {
        return Err(too_short(0, 1, "mean"));
    }
    let w = if window == 0 {
        y.len()
    } else {
        window.min(y.len())
    };
    let tail = &y[y.len() - w..];
    let mean = tail.iter().sum::<f64>() / w as f64;
    let sigma = if w > 1 {
        (tail.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (w - 1) as f64).sqrt()
    } else {
        rms(y.windows(2).map(|p| p[1] - p[0]))
    };
    let sd = sigma * (1.0 + 1.0 / w as f64).sqrt();
    Ok(Baseline::Mean { mean, sd })
}

impl Baseline {
    /// Forecasts and standard deviations for steps 1..=h.
    pub fn path(&self, h: usize) -> Path {
        match self {
            Baseline::Naive { last, sigma } => Path {
                mean: vec![*last; h],
                sd: (1..=h).map(|k| sigma * (k as f64).sqrt()).collect(),
            },
            Baseline::SeasonalNaive { tail, sigma } => {
                let m = tail.len().max(1);
                Path {
                    mean: (0..h).map(|k| tail[k % m]).collect(),
                    sd: (0..h)
                        .map(|k| sigma * ((k / m) as f64 + 1.0).sqrt())
                        .collect(),
                }
            }
            Baseline::Mean { mean, sd } => Path {
                mean: vec![*mean; h],
                sd: vec![*sd; h],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_repeat_the_right_values() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let path = |b: Result<Baseline, ForecastError>, h| b.map(|b| b.path(h)).unwrap_or_default();
        assert_eq!(path(naive(&y), 2).mean, vec![6.0, 6.0]);
        let s = path(seasonal_naive(&y, 4), 6);
        assert_eq!(s.mean, vec![3.0, 4.0, 5.0, 6.0, 3.0, 4.0]);
        // Every seasonal difference is 4: σ = 4; the second season's sd is 4√2.
        assert!((s.sd[0] - 4.0).abs() < 1e-12 && (s.sd[4] - 4.0 * 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(path(moving_average(&y, 3), 1).mean, vec![5.0]);
        assert_eq!(path(moving_average(&y, 0), 1).mean, vec![3.5]);
        assert!(seasonal_naive(&y, 7).is_err());
        assert!(naive(&[]).is_err());
        assert_eq!(
            naive(&[1.0, f64::NAN]).err(),
            Some(ForecastError::NonFinite { index: 1 })
        );
    }
}
