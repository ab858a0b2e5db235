//! The Theta method (Assimakopoulos & Nikolopoulos, 2000) in the state-space
//! form of Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler, "Models for
//! optimising the theta method and their relationship to state space
//! models" (IJF 32, 2016): standard (θ = 2) and optimised θ, each static or
//! dynamic, the best by in-sample one-step MSE (the four models of
//! `AutoTheta`).
//!
//! With ℓ the SES level and Aₜ, Bₜ the intercept and slope of the
//! least-squares line through y₁..yₜ:
//!
//! ```text
//! μₜ   = ℓₜ₋₁ + (1 − 1/θ) [ (1 − α)^{t−1} Aₜ₋₁ + ((1 − (1 − α)^t) / α) Bₜ₋₁ ]
//! ℓₜ   = α yₜ + (1 − α) ℓₜ₋₁
//! ŷₙ₊ₕ = ℓₙ + (1 − 1/θ) [ (1 − α)^n Aₙ + (h − 1 + (1 − (1 − α)^{n+1}) / α) Bₙ ]
//! ```
//!
//! The static models use the full-sample line for every t; the dynamic ones
//! update it as data arrive. ℓ₀, α ∈ (0.01, 0.99) and (optimised models)
//! θ ∈ [1, 20] minimise the one-step MSE by Nelder–Mead.
//!
//! Seasonality: when the autocorrelation test of [`crate::season`] finds
//! period m, the series is divided by multiplicative classical-decomposition
//! indices (additive when the data are not positive or an index falls below
//! 0.01) before fitting and the forecasts are reseasonalised.
//!
//! Intervals: the SES approximation v_h = σ² (1 + (h − 1) α²), σ² the
//! one-step residual variance, scaled by the seasonal index when the
//! decomposition is multiplicative.

use serde::{Deserialize, Serialize};

use crate::Path;
use crate::error::{ForecastError, check_finite};
use crate::optim::{from_range, nelder_mead, to_range};
use crate::season::{Decomposition, is_seasonal, seasonal_indices};

/// Which of the four theta models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Variant {
    /// Standard theta (θ = 2), static line.
    Stm,
    /// Optimised θ, static line.
    Otm,
    /// Standard theta, dynamic line.
    Dstm,
    /// Optimised θ, dynamic line.
    Dotm,
}

/// A fitted theta model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theta {
    /// Variant chosen.
    pub variant: Variant,
    /// Smoothing α.
    pub alpha: f64,
    /// θ.
    pub theta: f64,
    /// Final level ℓₙ.
    pub level: f64,
    /// Final intercept Aₙ.
    pub intercept: f64,
    /// Final slope Bₙ.
    pub slope: f64,
    /// Observations fitted.
    pub n: usize,
    /// One-step residual variance (deseasonalised scale).
    pub sigma2: f64,
    /// Seasonal indices for steps n+1.. (cyclic), with their combination.
    pub seasonal: Option<(Decomposition, Vec<f64>)>,
}

/// Least-squares line through (1, y₁)..(t, yₜ) from running sums.
#[derive(Default, Clone, Copy)]
struct Line {
    n: f64,
    sy: f64,
    sty: f64,
}

impl Line {
    fn push(&mut self, y: f64) {
        self.n += 1.0;
        self.sy += y;
        self.sty += self.n * y;
    }
    /// (A, B); B = 0 below two points.
    fn coef(&self) -> (f64, f64) {
        let n = self.n;
        if n < 2.0 {
            return (if n > 0.0 { self.sy / n } else { 0.0 }, 0.0);
        }
        let st = n * (n + 1.0) / 2.0;
        let stt = n * (n + 1.0) * (2.0 * n + 1.0) / 6.0;
        let b = (n * self.sty - st * self.sy) / (n * stt - st * st);
        let a = self.sy / n - b * (n + 1.0) / 2.0;
        (a, b)
    }
}

/// One pass: returns (sse, final level, final A, final B).
fn run(y: &[f64], dynamic: bool, level0: f64, alpha: f64, theta: f64) -> (f64, f64, f64, f64) {
    let mut full = Line::default();
    if !dynamic {
        y.iter().for_each(|&v| full.push(v));
    }
    let (fa, fb) = full.coef();
    let mut line = Line::default();
    let mut level = level0;
    let w = 1.0 - 1.0 / theta;
    let mut decay = 1.0; // (1 − α)^{t−1}
    let mut sse = 0.0;
    for &v in y {
        let (a, b) = if dynamic { line.coef() } else { (fa, fb) };
        let mu = level + w * (decay * a + (1.0 - decay * (1.0 - alpha)) / alpha * b);
        sse += (v - mu).powi(2);
        level = alpha * v + (1.0 - alpha) * level;
        decay *= 1.0 - alpha;
        if dynamic {
            line.push(v);
        }
    }
    let (a, b) = if dynamic { line.coef() } else { (fa, fb) };
    (sse, level, a, b)
}

fn fit_variant(y: &[f64], variant: Variant) -> Option<Theta> {
    let dynamic = matches!(variant, Variant::Dstm | Variant::Dotm);
    let optimise_theta = matches!(variant, Variant::Otm | Variant::Dotm);
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let decode = |x: &[f64]| {
        let alpha = to_range(x[0], 0.01, 0.99);
        let level0 = y[0] + scale * x[1];
        let theta = if optimise_theta {
            to_range(x[2], 1.0, 20.0)
        } else {
            2.0
        };
        (alpha, level0, theta)
    };
    let mut start = vec![from_range(0.5, 0.01, 0.99), 0.0];
    let mut step = vec![1.0, 0.1];
    if optimise_theta {
        start.push(from_range(2.0, 1.0, 20.0));
        step.push(1.0);
    }
    let best = nelder_mead(
        |x| {
            let (alpha, level0, theta) = decode(x);
            run(y, dynamic, level0, alpha, theta).0
        },
        &start,
        &step,
        600,
        1e-10,
    );
    if !best.value.is_finite() {
        return None;
    }
    let (alpha, level0, theta) = decode(&best.x);
    let (sse, level, intercept, slope) = run(y, dynamic, level0, alpha, theta);
    Some(Theta {
        variant,
        alpha,
        theta,
        level,
        intercept,
        slope,
        n: y.len(),
        sigma2: sse / y.len() as f64,
        seasonal: None,
    })
}

/// Fits the best of the four variants (or `variant` alone), deseasonalising
/// first when `m` ≥ 2 passes the seasonality test.
pub fn fit(y: &[f64], m: usize, variant: Option<Variant>) -> Result<Theta, ForecastError> {
    check_finite(y)?;
    if y.len() < 4 {
        return Err(ForecastError::TooShort {
            len: y.len(),
            needed: 4,
            model: "theta",
        });
    }
    let mut seasonal = None;
    let mut work = y.to_vec();
    if m >= 4 && is_seasonal(y, m) {
        let positive = y.iter().all(|&v| v > 0.0);
        let multiplicative = if positive {
            seasonal_indices(y, m, Decomposition::Multiplicative)
                .filter(|idx| idx.iter().all(|&v| v >= 0.01))
        } else {
            None
        };
        let chosen = match multiplicative {
            Some(idx) => Some((Decomposition::Multiplicative, idx)),
            None => seasonal_indices(y, m, Decomposition::Additive)
                .map(|idx| (Decomposition::Additive, idx)),
        };
        if let Some((kind, idx)) = chosen {
            for (t, v) in work.iter_mut().enumerate() {
                match kind {
                    Decomposition::Additive => *v -= idx[t % m],
                    Decomposition::Multiplicative => *v /= idx[t % m],
                }
            }
            let n = y.len();
            seasonal = Some((kind, (0..m).map(|k| idx[(n + k) % m]).collect()));
        }
    }
    let variants = match variant {
        Some(v) => vec![v],
        None => vec![Variant::Stm, Variant::Otm, Variant::Dstm, Variant::Dotm],
    };
    let mut best = variants
        .into_iter()
        .filter_map(|v| fit_variant(&work, v))
        .min_by(|a, b| a.sigma2.total_cmp(&b.sigma2))
        .ok_or_else(|| ForecastError::NoModel("no theta variant could be fitted".into()))?;
    best.seasonal = seasonal;
    Ok(best)
}

impl Theta {
    /// Point forecasts and standard deviations for steps 1..=h.
    pub fn path(&self, h: usize) -> Path {
        let w = 1.0 - 1.0 / self.theta;
        let decay_n = (1.0 - self.alpha).powi(self.n as i32);
        let mut mean = Vec::with_capacity(h);
        let mut sd = Vec::with_capacity(h);
        for k in 1..=h {
            let trend = (k as f64 - 1.0) + (1.0 - decay_n * (1.0 - self.alpha)) / self.alpha;
            let mut f = self.level + w * (decay_n * self.intercept + trend * self.slope);
            let mut s = (self.sigma2 * (1.0 + (k as f64 - 1.0) * self.alpha * self.alpha)).sqrt();
            if let Some((kind, idx)) = &self.seasonal {
                let i = idx[(k - 1) % idx.len()];
                match kind {
                    Decomposition::Additive => f += i,
                    Decomposition::Multiplicative => {
                        f *= i;
                        s *= i;
                    }
                }
            }
            mean.push(f);
            sd.push(s);
        }
        Path { mean, sd }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_matches_least_squares() {
        let mut l = Line::default();
        for v in [2.0, 4.1, 5.9, 8.0] {
            l.push(v);
        }
        let (a, b) = l.coef();
        // x̄ = 2.5, ȳ = 5, Sxy = 9.9, Sxx = 5 → b = 1.98, a = 5 − 1.98·2.5 = 0.05.
        assert!(
            (b - 1.98).abs() < 1e-12 && (a - 0.05).abs() < 1e-12,
            "{a} {b}"
        );
    }

    #[test]
    fn standard_theta_on_a_line_extrapolates_half_the_slope_beyond_ses() {
        // On an exact line y = 10 + 2t with α → 0.99 the SES level tracks
        // the last value and STM adds (1 − 1/2)·B per step ahead, plus
        // the lag correction; the forecast must keep rising.
        let y: Vec<f64> = (1..=30).map(|t| 10.0 + 2.0 * t as f64).collect();
        let m = fit(&y, 1, Some(Variant::Stm)).unwrap_or_else(|e| panic!("{e}"));
        let p = m.path(3);
        assert!(
            p.mean[0] > 70.0 && p.mean[1] > p.mean[0] && p.mean[2] > p.mean[1],
            "{p:?}"
        );
        // OTM on a line fits it closely (θ large makes it a trend line).
        let o = fit(&y, 1, Some(Variant::Otm)).unwrap_or_else(|e| panic!("{e}"));
        let po = o.path(2);
        assert!(
            (po.mean[0] - 72.0).abs() < 0.5 && (po.mean[1] - 74.0).abs() < 0.8,
            "{po:?} {o:?}"
        );
    }

    #[test]
    fn seasonal_series_is_decomposed() {
        let pattern = [1.3, 0.8, 1.0, 0.9];
        let y: Vec<f64> = (0..48).map(|t| 100.0 * pattern[t % 4]).collect();
        let m = fit(&y, 4, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.seasonal.is_some());
        let p = m.path(4);
        for (k, f) in p.mean.iter().enumerate() {
            assert!((f - 100.0 * pattern[(48 + k) % 4]).abs() < 1.0, "{p:?}");
        }
    }
}
