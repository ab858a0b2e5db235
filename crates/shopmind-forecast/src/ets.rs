//! Exponential smoothing in the innovations state-space framework (ETS) of
//! Hyndman, Koehler, Ord & Snyder, *Forecasting with Exponential Smoothing*
//! (Springer, 2008): simple, Holt (linear and damped) and Holt-Winters
//! (additive and multiplicative seasonality), each with additive or
//! multiplicative errors, fitted by maximum likelihood and chosen by AICc.
//!
//! **Recursions** (error-correction form, the same for both error types; the
//! error type only changes the likelihood). With level ℓ, trend b, seasonal
//! states s, damping φ (1 for an undamped trend, 0 without trend):
//!
//! ```text
//! q  = ℓ + φ b                       (level forecast)
//! ŷ  = q | q + s₋ₘ | q · s₋ₘ        (season N | A | M)
//! p  = y | y − s₋ₘ | y / s₋ₘ        (deseasonalised observation)
//! ℓ' = q + α (p − q)
//! b' = φ b + β* (ℓ' − ℓ − φ b)      (β* = β / α, so β ≤ α)
//! s' = s₋ₘ + γ* (y − q − s₋ₘ)  or  s₋ₘ + γ* (y / q − s₋ₘ)   (γ* ≤ 1 − α)
//! ```
//!
//! **Likelihood**: with one-step errors e = y − ŷ (additive) or (y − ŷ)/ŷ
//! (multiplicative), −2 log L = n log(Σ e²/n) + 2 Σ log|ŷ| (the last term
//! only for multiplicative errors), up to a constant; AIC = −2 log L + 2k
//! with k the number of parameters plus initial states plus σ², and
//! AICc = AIC + 2k(k + 1)/(n − k − 1).
//!
//! **Fitting**: α, β*, γ*, φ (bounded by logistic maps to [1e-4, 0.9999] and
//! φ ∈ [0.8, 0.98]) and the initial level and trend are found by
//! Nelder–Mead. The initial seasonal states come from a classical
//! decomposition of the first seasons and are not optimised (the forecast
//! package optimises them too; fixing them keeps a 24- or 52-dimensional
//! search out of the loop, which is most of our speed, at the cost of a
//! slightly worse start for short series). They are still counted in k.
//!
//! **Model space**: error A/M × trend N/A/Ad × season N/A/M, without the
//! numerically unstable additive-error/multiplicative-season combinations
//! (Hyndman et al. 2008, §7.1); multiplicative parts only for strictly
//! positive data; seasonal models only with at least two full seasons.
//!
//! **Prediction intervals**: for additive errors the exact variance of the
//! linear models (Hyndman et al. 2008, Table 6.1, class 1):
//! v_h = σ² (1 + Σ_{j<h} c_j²), c_j = α + β Σ_{i=1..j} φ^i + γ·[j ≡ 0 mod m].
//! For multiplicative errors the same expression on the relative scale,
//! v_h ≈ ŷ_h² σ² (1 + Σ c_j²), a first-order approximation of class 3.

use serde::{Deserialize, Serialize};

use crate::error::{ForecastError, check_finite};
use crate::optim::{from_range, nelder_mead, to_range};
use crate::season::{Decomposition, seasonal_indices};
use crate::{Forecast, Path};

/// Additive or multiplicative component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Absent (trend and season only).
    None,
    /// Additive.
    Additive,
    /// Multiplicative.
    Multiplicative,
}

/// One ETS model form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// Error type (Additive or Multiplicative).
    pub error: Kind,
    /// Trend (None or Additive).
    pub trend: Kind,
    /// Whether the trend is damped.
    pub damped: bool,
    /// Season (None, Additive or Multiplicative).
    pub season: Kind,
}

impl Spec {
    /// The usual three-letter name, e.g. `"MAdM"`.
    pub fn name(&self) -> String {
        let c = |k: Kind| match k {
            Kind::None => "N",
            Kind::Additive => "A",
            Kind::Multiplicative => "M",
        };
        let trend = if self.damped { "Ad" } else { c(self.trend) };
        format!("ETS({},{},{})", c(self.error), trend, c(self.season))
    }
}

/// Parameters for fitting ETS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtsParams {
    /// Seasonal period (1 for none).
    pub season: usize,
    /// Fit only this form (None: choose by AICc over the model space).
    pub spec: Option<Spec>,
    /// Allow damped trends in the search (default true).
    pub allow_damped: bool,
    /// Nelder–Mead evaluations per model (0: 200 + 60 per parameter).
    pub max_evals: usize,
}

impl Default for EtsParams {
    fn default() -> Self {
        EtsParams {
            season: 1,
            spec: None,
            allow_damped: true,
            max_evals: 0,
        }
    }
}

/// A fitted ETS model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ets {
    /// Model form.
    pub spec: Spec,
    /// Level smoothing α.
    pub alpha: f64,
    /// Trend smoothing β (0 without trend).
    pub beta: f64,
    /// Seasonal smoothing γ (0 without season).
    pub gamma: f64,
    /// Damping φ (1 undamped, 0 without trend).
    pub phi: f64,
    /// Seasonal period.
    pub m: usize,
    /// Final level.
    pub level: f64,
    /// Final trend.
    pub slope: f64,
    /// Final seasonal states; `seasons[k]` applies to the step k + 1 after
    /// the end of the history, modulo m.
    pub seasons: Vec<f64>,
    /// Residual variance (of relative errors for multiplicative errors).
    pub sigma2: f64,
    /// AICc of the fit.
    pub aicc: f64,
    /// In-sample mean squared one-step error (on the data scale).
    pub mse: f64,
}

/// The model state during a run.
struct State {
    level: f64,
    slope: f64,
    /// Cyclic buffer: `seasons[t % m]` is the state for step t.
    seasons: Vec<f64>,
}

/// Smoothing parameters of one run.
#[derive(Clone, Copy)]
struct Smoothing {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
}

/// Sums of one pass of the recursions over y.
struct Pass {
    sse: f64,
    sse_data: f64,
    log_abs: f64,
}

/// Runs the recursions over `y` from `state`, updating it. None when a
/// multiplicative model meets a non-positive forecast.
fn pass(y: &[f64], spec: Spec, p: Smoothing, state: &mut State) -> Option<Pass> {
    let m = state.seasons.len().max(1);
    let beta_star = if p.alpha > 0.0 { p.beta / p.alpha } else { 0.0 };
    let gamma_star = p.gamma;
    let (mut sse, mut sse_data, mut log_abs) = (0.0, 0.0, 0.0);
    let mut level = state.level;
    let mut slope = state.slope;
    let seasonal = spec.season != Kind::None;
    for (t, &obs) in y.iter().enumerate() {
        let q = level + p.phi * slope;
        let s = if seasonal { state.seasons[t % m] } else { 0.0 };
        let (fit, desea) = match spec.season {
            Kind::None => (q, obs),
            Kind::Additive => (q + s, obs - s),
            Kind::Multiplicative => (q * s, obs / s),
        };
        let err = obs - fit;
        sse_data += err * err;
        match spec.error {
            Kind::Multiplicative => {
                if fit <= 0.0 {
                    return None;
                }
                let rel = err / fit;
                sse += rel * rel;
                log_abs += fit.ln();
            }
            _ => sse += err * err,
        }
        let new_level = q + p.alpha * (desea - q);
        if spec.trend != Kind::None {
            slope = p.phi * slope + beta_star * (new_level - level - p.phi * slope);
        }
        if seasonal {
            let target = match spec.season {
                Kind::Multiplicative => {
                    if q <= 0.0 {
                        return None;
                    }
                    obs / q
                }
                _ => obs - q,
            };
            state.seasons[t % m] = s + gamma_star * (target - s);
        }
        level = new_level;
        if !level.is_finite() {
            return None;
        }
    }
    state.level = level;
    state.slope = slope;
    Some(Pass {
        sse,
        sse_data,
        log_abs,
    })
}

/// Heuristic initial states (Hyndman et al. 2008, §2.6.1): seasonal indices
/// from a classical decomposition of the first (up to) four seasons; level
/// and trend from a least-squares line through the first ten
/// deseasonalised values (the first value and no trend for tiny series).
fn initial_states(y: &[f64], spec: Spec, m: usize) -> Option<(f64, f64, Vec<f64>)> {
    let seasons = match spec.season {
        Kind::None => Vec::new(),
        kind => {
            let decomp = if kind == Kind::Multiplicative {
                Decomposition::Multiplicative
            } else {
                Decomposition::Additive
            };
            let span = y.len().min(4 * m).max(2 * m);
            seasonal_indices(&y[..span.min(y.len())], m, decomp)?
        }
    };
    let k = y.len().min(10);
    let desea: Vec<f64> = (0..k)
        .map(|t| match spec.season {
            Kind::None => y[t],
            Kind::Additive => y[t] - seasons[t % m],
            Kind::Multiplicative => y[t] / seasons[t % m],
        })
        .collect();
    let (level, slope) = if k >= 3 {
        let tm = (k as f64 - 1.0) / 2.0;
        let ym = desea.iter().sum::<f64>() / k as f64;
        let sxy: f64 = desea
            .iter()
            .enumerate()
            .map(|(t, v)| (t as f64 - tm) * (v - ym))
            .sum();
        let sxx: f64 = (0..k).map(|t| (t as f64 - tm).powi(2)).sum();
        let b = sxy / sxx;
        // The line's value one step before the first observation.
        (ym - b * (tm + 1.0), b)
    } else {
        (desea[0], 0.0)
    };
    let slope = if spec.trend == Kind::None { 0.0 } else { slope };
    Some((level, slope, seasons))
}

/// Every model form allowed for `y` with period `m`.
pub fn model_space(y: &[f64], m: usize, allow_damped: bool) -> Vec<Spec> {
    let positive = y.iter().all(|&v| v > 0.0);
    let seasonal = m >= 2 && y.len() >= 2 * m;
    let errors: &[Kind] = if positive {
        &[Kind::Additive, Kind::Multiplicative]
    } else {
        &[Kind::Additive]
    };
    let mut seasons = vec![Kind::None];
    if seasonal {
        seasons.push(Kind::Additive);
        if positive {
            seasons.push(Kind::Multiplicative);
        }
    }
    let mut trends = vec![(Kind::None, false), (Kind::Additive, false)];
    if allow_damped {
        trends.push((Kind::Additive, true));
    }
    let mut out = Vec::new();
    for &error in errors {
        for &(trend, damped) in &trends {
            for &season in &seasons {
                if error == Kind::Additive && season == Kind::Multiplicative {
                    continue;
                }
                out.push(Spec {
                    error,
                    trend,
                    damped,
                    season,
                });
            }
        }
    }
    out
}

/// Number of free smoothing parameters of a form.
fn smoothing_count(spec: Spec) -> usize {
    1 + usize::from(spec.trend != Kind::None)
        + usize::from(spec.damped)
        + usize::from(spec.season != Kind::None)
}

/// Fits one model form. None when the form cannot be fitted to `y`.
pub fn fit_spec(y: &[f64], m: usize, spec: Spec, max_evals: usize) -> Option<Ets> {
    let m = if spec.season == Kind::None { 1 } else { m };
    let (level0, slope0, seasons0) = initial_states(y, spec, m)?;
    let n = y.len();
    let scale = {
        let mean = y.iter().sum::<f64>() / n as f64;
        let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        if sd > 0.0 { sd } else { mean.abs().max(1.0) }
    };
    let has_trend = spec.trend != Kind::None;
    let has_season = spec.season != Kind::None;
    // Vector: α, [β*], [γ*], [φ], ℓ0 (in sd units), [b0 (in sd units)].
    let decode = |x: &[f64]| -> (Smoothing, f64, f64) {
        let mut i = 0;
        let mut next = || {
            let v = x[i];
            i += 1;
            v
        };
        let alpha = to_range(next(), 1e-4, 0.9999);
        let beta = if has_trend {
            alpha * to_range(next(), 1e-4, 0.9999)
        } else {
            0.0
        };
        let gamma = if has_season {
            (1.0 - alpha) * to_range(next(), 1e-4, 0.9999)
        } else {
            0.0
        };
        let phi = if spec.damped {
            to_range(next(), 0.8, 0.98)
        } else if has_trend {
            1.0
        } else {
            0.0
        };
        let level = level0 + scale * next();
        let slope = if has_trend {
            slope0 + scale * 0.1 * next()
        } else {
            0.0
        };
        (
            Smoothing {
                alpha,
                beta,
                gamma,
                phi,
            },
            level,
            slope,
        )
    };
    let mut start = vec![from_range(0.3, 1e-4, 0.9999)];
    let mut step = vec![1.0];
    if has_trend {
        start.push(from_range(0.1, 1e-4, 0.9999));
        step.push(1.0);
    }
    if has_season {
        start.push(from_range(0.05, 1e-4, 0.9999));
        step.push(1.0);
    }
    if spec.damped {
        start.push(from_range(0.95, 0.8, 0.98));
        step.push(1.0);
    }
    start.push(0.0);
    step.push(0.2);
    if has_trend {
        start.push(0.0);
        step.push(0.2);
    }
    let mut seasons_buf = seasons0.clone();
    let mut objective = |x: &[f64]| -> f64 {
        let (p, level, slope) = decode(x);
        seasons_buf.copy_from_slice(&seasons0);
        let mut st = State {
            level,
            slope,
            seasons: std::mem::take(&mut seasons_buf),
        };
        let out = pass(y, spec, p, &mut st);
        seasons_buf = st.seasons;
        match out {
            Some(r) => n as f64 * (r.sse / n as f64).max(1e-300).ln() + 2.0 * r.log_abs,
            None => f64::INFINITY,
        }
    };
    let budget = if max_evals > 0 {
        max_evals
    } else {
        200 + 60 * start.len()
    };
    let best = nelder_mead(&mut objective, &start, &step, budget, 1e-9);
    if !best.value.is_finite() {
        return None;
    }
    let (p, level, slope) = decode(&best.x);
    let mut st = State {
        level,
        slope,
        seasons: seasons0,
    };
    let r = pass(y, spec, p, &mut st)?;
    let states = 1 + usize::from(has_trend) + if has_season { m - 1 } else { 0 };
    let k = (smoothing_count(spec) + states + 1) as f64;
    let nf = n as f64;
    let aic = best.value + 2.0 * k;
    let aicc = if nf - k - 1.0 > 0.0 {
        aic + 2.0 * k * (k + 1.0) / (nf - k - 1.0)
    } else {
        f64::INFINITY
    };
    // Seasonal states re-indexed so that seasons[k] is for step n + 1 + k.
    let seasons = if has_season {
        (0..m).map(|j| st.seasons[(n + j) % m]).collect()
    } else {
        Vec::new()
    };
    let dof = (nf - k).max(1.0);
    Some(Ets {
        spec,
        alpha: p.alpha,
        beta: p.beta,
        gamma: p.gamma,
        phi: p.phi,
        m,
        level: st.level,
        slope: st.slope,
        seasons,
        sigma2: r.sse / dof,
        aicc,
        mse: r.sse_data / nf,
    })
}

/// Fits ETS: the given form, or the AICc-best of [`model_space`].
pub fn fit(y: &[f64], params: &EtsParams) -> Result<Ets, ForecastError> {
    check_finite(y)?;
    if y.len() < 4 {
        return Err(ForecastError::TooShort {
            len: y.len(),
            needed: 4,
            model: "ets",
        });
    }
    let specs = match params.spec {
        Some(spec) => vec![spec],
        None => model_space(y, params.season, params.allow_damped),
    };
    specs
        .into_iter()
        .filter_map(|spec| fit_spec(y, params.season, spec, params.max_evals))
        .filter(|f| f.aicc.is_finite() || params.spec.is_some())
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
        .ok_or_else(|| ForecastError::NoModel("no ETS form could be fitted".into()))
}

impl Ets {
    /// Point forecasts and their standard deviations for steps 1..=h.
    pub fn path(&self, h: usize) -> Path {
        let mut mean = Vec::with_capacity(h);
        let mut sd = Vec::with_capacity(h);
        let mut damp_sum = 0.0;
        let mut phi_pow = 1.0;
        let mut cum_c2 = 0.0;
        for step in 1..=h {
            phi_pow *= self.phi;
            damp_sum += phi_pow;
            let q = self.level + damp_sum * self.slope;
            let f = match self.spec.season {
                Kind::None => q,
                Kind::Additive => q + self.seasons[(step - 1) % self.m],
                Kind::Multiplicative => q * self.seasons[(step - 1) % self.m],
            };
            // c_j for j = step - 1 enters the variance of this step.
            let v = match self.spec.error {
                Kind::Multiplicative => f * f * self.sigma2 * (1.0 + cum_c2),
                _ => self.sigma2 * (1.0 + cum_c2),
            };
            mean.push(f);
            sd.push(v.max(0.0).sqrt());
            let j = step;
            let c = self.alpha
                + self.beta * damp_sum
                + if self.spec.season != Kind::None && j.is_multiple_of(self.m) {
                    self.gamma
                } else {
                    0.0
                };
            cum_c2 += c * c;
        }
        Path { mean, sd }
    }

    /// A [`Forecast`] named after the fitted form.
    pub fn forecast(&self, h: usize) -> Forecast {
        Forecast::new(self.spec.name(), self.path(h))
    }
}

mod fixed;
pub use fixed::smooth;

#[cfg(test)]
mod tests;
