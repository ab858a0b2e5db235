//! A global machine-learning forecaster: one model fitted across all
//! series on lag, rolling-window, calendar, price and promotion features,
//! with gradient-boosted trees (`gbdt`), least squares (`linear`, a small
//! ridge penalty) or one regression tree (`tree`) as the learner. Learning
//! across series is what lets a model of this kind beat per-series
//! smoothing on many short, related retail series (the M5 competition's
//! winners were global boosted-tree models; Makridakis, Spiliotis &
//! Assimakopoulos, IJF 2022).
//!
//! **Scale**: every series is divided by its level s = mean of its last
//! `window_long` values (1 when that is 0), so one model serves series of
//! any size; forecasts are multiplied back.
//!
//! **Features** for predicting yₜ (all divided by s): the lags yₜ₋ₖ for
//! k in `lags`; the means of the last `window_short` and `window_long`
//! values; the position in the season t mod m (as a number and, for the
//! linear learner, one-hot); and, when given, the log price ratio
//! ln(pₜ/p̄) and the promotion flag of step t (known in advance).
//!
//! **Forecasting** is recursive: step h uses the forecasts of steps < h as
//! its lags. **Intervals**: the recursion compounds errors in a way no
//! formula gives, so the sd of step h is measured: after fitting, every
//! series long enough is forecast recursively from the origin H steps
//! before its end (H = max(2m, 14)), and σ_h is the root mean square of the
//! scaled errors at step h (made non-decreasing in h), times the series'
//! scale. These are in-sample
//! origins, so the intervals lean narrow where the learner overfits; past H
//! they grow like √(h/H).

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use serde::{Deserialize, Serialize};
use shopmind_core::learn::{Features, Gbdt, GbdtParams, SquaredError};

use crate::Path;
use crate::error::ForecastError;

/// The learner inside the global model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Learner {
    /// Gradient-boosted trees (200 rounds, depth 6, η 0.05).
    Gbdt,
    /// Ridge least squares (λ = 1e-3 on standardised scale).
    Linear,
    /// One regression tree (depth 8).
    Tree,
}

/// Parameters of the global model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalParams {
    /// Learner.
    pub learner: Learner,
    /// Seasonal period (1: none).
    pub season: usize,
    /// Lags used as features (default 1..=7 plus m and 2m).
    pub lags: Vec<usize>,
    /// Short rolling window (default max(m, 7)).
    pub window_short: usize,
    /// Long rolling window, also the scale window (default max(4m, 28)).
    pub window_long: usize,
    /// Seed of the boosted trees' subsampling.
    pub seed: u64,
}

impl GlobalParams {
    /// Defaults for a learner and seasonal period.
    pub fn new(learner: Learner, season: usize) -> GlobalParams {
        let m = season.max(1);
        let mut lags: Vec<usize> = (1..=7).collect();
        if m > 1 {
            lags.extend([m, 2 * m]);
        }
        lags.sort_unstable();
        lags.dedup();
        GlobalParams {
            learner,
            season: m,
            lags,
            window_short: m.max(7),
            window_long: (4 * m).max(28),
            seed: 42,
        }
    }

    /// Steps whose error sd is measured after fitting.
    fn calibration_steps(&self) -> usize {
        (2 * self.season).max(14)
    }

    /// History a series needs before its first training row.
    pub fn warmup(&self) -> usize {
        self.lags
            .iter()
            .copied()
            .max()
            .unwrap_or(1)
            .max(self.window_long)
    }
}

/// Known-in-advance regressors of one series: one value per step of the
/// history followed by one per forecast step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exogenous {
    /// Price per step (empty: none).
    pub price: Vec<f64>,
    /// Promotion flag (0/1) per step (empty: none).
    pub promo: Vec<f64>,
}

/// Fitted learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Fitted {
    Trees(Gbdt),
    Linear { weights: Vec<f64> },
}

/// A fitted global model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalModel {
    params: GlobalParams,
    fitted: Fitted,
    exogenous: bool,
    /// Measured sd of the scaled error at steps 1..=H.
    pub sigma: Vec<f64>,
}

fn level(y: &[f64], window: usize) -> f64 {
    let tail = &y[y.len().saturating_sub(window)..];
    let s = tail.iter().sum::<f64>() / tail.len().max(1) as f64;
    if s.abs() > 1e-12 { s.abs() } else { 1.0 }
}

/// Feature row for predicting position `t` of `y` (which holds at least
/// `t` values), scaled by `scale`.
fn row(
    p: &GlobalParams,
    y: &[f64],
    t: usize,
    scale: f64,
    ex: Option<(&Exogenous, f64)>,
    out: &mut Vec<f32>,
) {
    out.clear();
    for &k in &p.lags {
        out.push((y[t - k] / scale) as f32);
    }
    for w in [p.window_short, p.window_long] {
        let from = t.saturating_sub(w);
        let mean = y[from..t].iter().sum::<f64>() / (t - from).max(1) as f64;
        out.push((mean / scale) as f32);
    }
    let phase = t % p.season;
    out.push(phase as f32);
    if p.learner == Learner::Linear && p.season > 1 {
        for k in 1..p.season {
            out.push(f32::from(u8::from(phase == k)));
        }
    }
    if let Some((e, mean_price)) = ex {
        let price = e.price.get(t).copied().unwrap_or(mean_price);
        out.push(if price > 0.0 && mean_price > 0.0 {
            (price / mean_price).ln() as f32
        } else {
            0.0
        });
        out.push(e.promo.get(t).copied().unwrap_or(0.0) as f32);
    }
}

fn mean_price(e: &Exogenous, n: usize) -> f64 {
    let h = &e.price[..n.min(e.price.len())];
    let v: Vec<f64> = h.iter().copied().filter(|p| *p > 0.0).collect();
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Fits one global model on `series` (each at least the warm-up plus one
/// value long to contribute; shorter ones are skipped), with their
/// exogenous regressors when given (one per series).
pub fn fit(
    series: &[&[f64]],
    exog: Option<&[Exogenous]>,
    params: &GlobalParams,
) -> Result<GlobalModel, ForecastError> {
    if params.lags.is_empty()
        || params.lags.contains(&0)
        || params.window_short == 0
        || params.window_long == 0
    {
        return Err(ForecastError::Parameter {
            name: "lags",
            value: 0.0,
            rule: "lags and windows must be at least 1",
        });
    }
    if let Some(e) = exog
        && e.len() != series.len()
    {
        return Err(ForecastError::Parameter {
            name: "exogenous",
            value: e.len() as f64,
            rule: "one exogenous entry per series",
        });
    }
    let warm = params.warmup();
    let mut x: Vec<f32> = Vec::new();
    let mut target: Vec<f64> = Vec::new();
    let mut buf = Vec::new();
    let mut cols = 0;
    for (i, y) in series.iter().enumerate() {
        crate::error::check_finite(y)?;
        if y.len() <= warm {
            continue;
        }
        let scale = level(y, params.window_long);
        let ex = exog.map(|e| (&e[i], mean_price(&e[i], y.len())));
        for t in warm..y.len() {
            row(params, y, t, scale, ex, &mut buf);
            cols = buf.len();
            x.extend_from_slice(&buf);
            target.push(y[t] / scale);
        }
    }
    if target.len() < 2 * cols.max(10) {
        return Err(ForecastError::TooShort {
            len: target.len(),
            needed: 2 * cols.max(10),
            model: "global",
        });
    }
    let features = Features { values: &x, cols };
    let fitted = match params.learner {
        Learner::Gbdt | Learner::Tree => {
            let gp = if params.learner == Learner::Gbdt {
                GbdtParams {
                    trees: 200,
                    learning_rate: 0.05,
                    max_depth: 6,
                    subsample: 0.8,
                    seed: params.seed,
                    ..GbdtParams::default()
                }
            } else {
                GbdtParams {
                    trees: 1,
                    learning_rate: 1.0,
                    max_depth: 8,
                    lambda: 0.0,
                    seed: params.seed,
                    ..GbdtParams::default()
                }
            };
            Fitted::Trees(
                gp.fit(features, &SquaredError(&target))
                    .map_err(|e| ForecastError::NoModel(e.to_string()))?,
            )
        }
        Learner::Linear => Fitted::Linear {
            weights: ridge(&x, cols, &target, 1e-3)?,
        },
    };
    let mut model = GlobalModel {
        params: params.clone(),
        fitted,
        exogenous: exog.is_some(),
        sigma: Vec::new(),
    };
    // Residual sd of one-step fits: the floor and the fallback.
    let rows = target.len();
    let sse: f64 = (0..rows)
        .map(|r| (target[r] - model.predict_row(&x[r * cols..(r + 1) * cols])).powi(2))
        .sum();
    let one_step = (sse / rows as f64).sqrt();
    let big_h = params.calibration_steps();
    let mut sq = vec![0.0; big_h];
    let mut count = 0usize;
    for (i, y) in series.iter().enumerate() {
        if y.len() < warm + big_h {
            continue;
        }
        let cut = y.len() - big_h;
        let scale = level(&y[..cut], params.window_long);
        if let Ok(p) = model.forecast_mean(&y[..cut], big_h, exog.map(|e| &e[i])) {
            for (k, (f, a)) in p.iter().zip(&y[cut..]).enumerate() {
                sq[k] += ((a - f) / scale).powi(2);
            }
            count += 1;
        }
    }
    model.sigma = if count >= 5 {
        // Running maximum: a farther step is never more certain.
        let mut floor = one_step;
        sq.iter()
            .map(|v| {
                floor = floor.max((v / count as f64).sqrt());
                floor
            })
            .collect()
    } else {
        (1..=big_h).map(|k| one_step * (k as f64).sqrt()).collect()
    };
    Ok(model)
}

/// Ridge regression with an intercept by the normal equations (Cholesky).
fn ridge(x: &[f32], cols: usize, y: &[f64], lambda: f64) -> Result<Vec<f64>, ForecastError> {
    let d = cols + 1;
    let mut a = Mat::<f64>::zeros(d, d);
    let mut b = Mat::<f64>::zeros(d, 1);
    let mut r = vec![0.0; d];
    for (i, &t) in y.iter().enumerate() {
        r[0] = 1.0;
        for (j, v) in x[i * cols..(i + 1) * cols].iter().enumerate() {
            r[j + 1] = f64::from(*v);
        }
        for p in 0..d {
            b[(p, 0)] += r[p] * t;
            for q in 0..=p {
                a[(p, q)] += r[p] * r[q];
            }
        }
    }
    let n = y.len() as f64;
    for p in 0..d {
        for q in 0..p {
            a[(q, p)] = a[(p, q)];
        }
        if p > 0 {
            a[(p, p)] += lambda * n;
        }
    }
    let llt = a
        .llt(Side::Lower)
        .map_err(|_| ForecastError::NoModel("linear: singular normal equations".into()))?;
    llt.solve_in_place(b.as_mut());
    let w: Vec<f64> = (0..d).map(|i| b[(i, 0)]).collect();
    if w.iter().any(|v| !v.is_finite()) {
        return Err(ForecastError::NoModel("linear: no finite solution".into()));
    }
    Ok(w)
}

impl GlobalModel {
    fn predict_row(&self, row: &[f32]) -> f64 {
        match &self.fitted {
            Fitted::Trees(g) => g.predict_row(row),
            Fitted::Linear { weights } => {
                weights[0]
                    + row
                        .iter()
                        .zip(&weights[1..])
                        .map(|(x, w)| f64::from(*x) * w)
                        .sum::<f64>()
            }
        }
    }

    /// Forecasts `h` steps after the history `y` (with its exogenous
    /// regressors, history then future, when the model was fitted with
    /// them).
    pub fn forecast(
        &self,
        y: &[f64],
        h: usize,
        exog: Option<&Exogenous>,
    ) -> Result<Path, ForecastError> {
        let mean = self.forecast_mean(y, h, exog)?;
        let scale = level(y, self.params.window_long);
        let big_h = self.sigma.len().max(1);
        let last = self.sigma.last().copied().unwrap_or(0.0);
        let sd = (1..=h)
            .map(|k| {
                let s = match self.sigma.get(k - 1) {
                    Some(s) => *s,
                    None => last * (k as f64 / big_h as f64).sqrt(),
                };
                s * scale
            })
            .collect();
        Ok(Path { mean, sd })
    }

    /// The recursive point forecasts.
    fn forecast_mean(
        &self,
        y: &[f64],
        h: usize,
        exog: Option<&Exogenous>,
    ) -> Result<Vec<f64>, ForecastError> {
        crate::error::check_finite(y)?;
        let p = &self.params;
        if y.len() < p.warmup() {
            return Err(ForecastError::TooShort {
                len: y.len(),
                needed: p.warmup(),
                model: "global",
            });
        }
        if self.exogenous != exog.is_some() {
            return Err(ForecastError::Parameter {
                name: "exogenous",
                value: f64::from(u8::from(exog.is_some())),
                rule: "give price/promo regressors exactly when the model was fitted with them",
            });
        }
        let scale = level(y, p.window_long);
        let ex = exog.map(|e| (e, mean_price(e, y.len())));
        let mut path = y.to_vec();
        let mut buf = Vec::new();
        let non_negative = y.iter().all(|&v| v >= 0.0);
        let mut mean = Vec::with_capacity(h);
        for _ in 0..h {
            let t = path.len();
            row(p, &path, t, scale, ex, &mut buf);
            let mut v = self.predict_row(&buf) * scale;
            if non_negative {
                v = v.max(0.0);
            }
            path.push(v);
            mean.push(v);
        }
        Ok(mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many related series: yₜ = level · w(t mod 7) · noise. A global model
    /// must forecast the weekly shape of a series from its recent values.
    fn family(n: usize, len: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = shopmind_core::Rng::seed_from_u64(seed);
        let w = [0.7, 0.8, 1.0, 1.0, 1.1, 1.5, 0.9];
        (0..n)
            .map(|_| {
                let level = rng.range(5.0, 50.0);
                (0..len)
                    .map(|t| level * w[t % 7] * (1.0 + 0.05 * rng.normal()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn every_learner_recovers_the_weekly_shape() {
        let data = family(40, 120, 1);
        let refs: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let w = [0.7, 0.8, 1.0, 1.0, 1.1, 1.5, 0.9];
        for learner in [Learner::Gbdt, Learner::Linear, Learner::Tree] {
            let m =
                fit(&refs, None, &GlobalParams::new(learner, 7)).unwrap_or_else(|e| panic!("{e}"));
            let y = &data[0];
            let level = y[y.len() - 28..].iter().sum::<f64>() / 28.0;
            let p = m.forecast(y, 7, None).unwrap_or_else(|e| panic!("{e}"));
            for (k, f) in p.mean.iter().enumerate() {
                let truth = level * w[(120 + k) % 7];
                assert!(
                    (f - truth).abs() < 0.15 * truth,
                    "{learner:?} step {k}: {f} vs {truth}"
                );
            }
            assert!(p.sd.windows(2).all(|s| s[1] >= s[0]));
        }
    }

    #[test]
    fn promotions_are_learned_from_the_regressor() {
        let mut rng = shopmind_core::Rng::seed_from_u64(2);
        let mut data = Vec::new();
        let mut exog = Vec::new();
        for _ in 0..30 {
            let promo: Vec<f64> = (0..150)
                .map(|_| f64::from(u8::from(rng.bernoulli(0.1))))
                .collect();
            let y: Vec<f64> = (0..140)
                .map(|t| 10.0 * (1.0 + promo[t]) * (1.0 + 0.05 * rng.normal()))
                .collect();
            data.push(y);
            exog.push(Exogenous {
                price: Vec::new(),
                promo,
            });
        }
        let refs: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
        let m = fit(&refs, Some(&exog), &GlobalParams::new(Learner::Gbdt, 1))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut e = exog[0].clone();
        e.promo[140..150].copy_from_slice(&[0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let p = m
            .forecast(&data[0], 4, Some(&e))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            p.mean[1] > 1.5 * p.mean[0] && p.mean[3] > 1.5 * p.mean[2],
            "{p:?}"
        );
        assert!(m.forecast(&data[0], 4, None).is_err());
    }

    #[test]
    fn too_little_data_is_refused() {
        let short = [vec![1.0; 10]];
        let refs: Vec<&[f64]> = short.iter().map(Vec::as_slice).collect();
        assert!(fit(&refs, None, &GlobalParams::new(Learner::Linear, 7)).is_err());
    }
}
