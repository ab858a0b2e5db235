//! Model choice, fitting parameters and the fitted-model type every
//! forecaster returns, so the CLI, the server and the registry handle all
//! models alike.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::baseline::{self, Baseline};
use crate::error::{ForecastError, check_finite};
use crate::ets::{self, Ets, EtsParams};
use crate::intermittent::{self, Intermittent, Method};
use crate::theta::{self, Theta};
use crate::{Forecast, Path, auto};

/// A model a user can ask for by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelChoice {
    /// Per-series choice by rolling-origin validation (the default).
    Auto,
    /// ETS, form chosen by AICc.
    Ets,
    /// Theta, variant chosen by in-sample MSE.
    Theta,
    /// Equal-weight combination of ETS and Theta.
    Comb,
    /// Seasonal naive.
    Snaive,
    /// Naive.
    Naive,
    /// Historical mean (or moving average with `window`).
    Mean,
    /// Croston.
    Croston,
    /// Syntetos–Boylan approximation.
    Sba,
    /// Teunter–Syntetos–Babai.
    Tsb,
}

impl ModelChoice {
    /// Every name accepted by [`std::str::FromStr`].
    pub const NAMES: [&'static str; 10] = [
        "auto", "ets", "theta", "comb", "snaive", "naive", "mean", "croston", "sba", "tsb",
    ];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            ModelChoice::Auto => "auto",
            ModelChoice::Ets => "ets",
            ModelChoice::Theta => "theta",
            ModelChoice::Comb => "comb",
            ModelChoice::Snaive => "snaive",
            ModelChoice::Naive => "naive",
            ModelChoice::Mean => "mean",
            ModelChoice::Croston => "croston",
            ModelChoice::Sba => "sba",
            ModelChoice::Tsb => "tsb",
        }
    }
}

impl std::str::FromStr for ModelChoice {
    type Err = ForecastError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => ModelChoice::Auto,
            "ets" => ModelChoice::Ets,
            "theta" => ModelChoice::Theta,
            "comb" | "ets+theta" => ModelChoice::Comb,
            "snaive" | "seasonal-naive" => ModelChoice::Snaive,
            "naive" => ModelChoice::Naive,
            "mean" | "ma" | "moving-average" => ModelChoice::Mean,
            "croston" => ModelChoice::Croston,
            "sba" => ModelChoice::Sba,
            "tsb" => ModelChoice::Tsb,
            _ => return Err(ForecastError::UnknownModel(s.to_owned())),
        })
    }
}

/// Parameters shared by every model (each uses what it needs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitParams {
    /// Seasonal period (1: none). Series shorter than two seasons are fitted
    /// without season, with a note.
    pub season: usize,
    /// Croston/SBA/TSB size (and interval) smoothing α (default 0.1).
    pub alpha: f64,
    /// TSB demand-probability smoothing β (default 0.1).
    pub beta: f64,
    /// Moving-average window for `mean` (0: whole history).
    pub window: usize,
    /// `auto`: the horizon each validation origin scores (0: the season,
    /// or 8 steps without one).
    pub horizon: usize,
    /// `auto`: number of rolling validation origins (default 2).
    pub origins: usize,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            season: 1,
            alpha: 0.1,
            beta: 0.1,
            window: 0,
            horizon: 0,
            origins: 2,
        }
    }
}

/// The fitted model inside a [`Fitted`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedModel {
    /// A baseline.
    Baseline(Baseline),
    /// Exponential smoothing.
    Ets(Ets),
    /// Theta.
    Theta(Theta),
    /// Croston, SBA or TSB.
    Intermittent(Intermittent),
    /// Equal-weight combination of its members' forecasts.
    Combination {
        /// Members.
        members: Vec<FittedModel>,
    },
}

impl FittedModel {
    /// Forecast path.
    pub fn path(&self, h: usize) -> Path {
        match self {
            FittedModel::Baseline(b) => b.path(h),
            FittedModel::Ets(e) => e.path(h),
            FittedModel::Theta(t) => t.path(h),
            FittedModel::Intermittent(i) => i.path(h),
            FittedModel::Combination { members } => {
                let paths: Vec<Path> = members.iter().map(|m| m.path(h)).collect();
                let k = paths.len().max(1) as f64;
                let avg = |f: &dyn Fn(&Path) -> &Vec<f64>, i: usize| {
                    paths.iter().map(|p| f(p)[i]).sum::<f64>() / k
                };
                Path {
                    mean: (0..h).map(|i| avg(&|p| &p.mean, i)).collect(),
                    // Members' errors are highly correlated; the average sd
                    // is the combination's sd under perfect correlation (an
                    // upper bound, so intervals stay conservative).
                    sd: (0..h).map(|i| avg(&|p| &p.sd, i)).collect(),
                }
            }
        }
    }

    /// Mean and standard deviation of the *total* over the next 1, 2, …, h
    /// steps (index d − 1), what inventory needs over a lead time.
    ///
    /// In the innovations form an h-step error is
    /// e_{n+h} = ε_{n+h} + Σ_{j=1}^{h−1} c_j ε_{n+h−j}, so ε_{n+k} enters the
    /// total over H steps with weight 1 + Σ_{j=1}^{H−k} c_j and
    /// Var(total) = σ² Σ_{k=1}^{H} (1 + C_{H−k})², C_i = Σ_{j≤i} c_j
    /// (exact for the linear ETS models; c_j = α for Theta and SES; 1 for the
    /// naive; 1 at multiples of m for the seasonal naive; 0 for the mean and
    /// intermittent models, whose per-period errors are independent).
    /// Multiplicative-error ETS uses the relative σ times the mean level of
    /// the horizon; a combination takes its members' average sd.
    pub fn outlook(&self, h: usize) -> (Vec<f64>, Vec<f64>) {
        let path = self.path(h);
        let mut cum_mean = Vec::with_capacity(h);
        let mut total = 0.0;
        for v in &path.mean {
            total += v.max(0.0);
            cum_mean.push(total);
        }
        let cum_sd = match self {
            FittedModel::Combination { members } => {
                let all: Vec<Vec<f64>> = members.iter().map(|m| m.outlook(h).1).collect();
                (0..h)
                    .map(|i| all.iter().map(|v| v[i]).sum::<f64>() / all.len().max(1) as f64)
                    .collect()
            }
            _ => {
                let (sigma, c): (f64, Box<dyn Fn(usize) -> f64>) = match self {
                    FittedModel::Ets(e) => {
                        let level = if e.spec.error == crate::ets::Kind::Multiplicative {
                            path.mean.iter().sum::<f64>() / h.max(1) as f64
                        } else {
                            1.0
                        };
                        let (alpha, beta, gamma, phi, m) = (e.alpha, e.beta, e.gamma, e.phi, e.m);
                        let seasonal = e.spec.season != crate::ets::Kind::None;
                        (
                            e.sigma2.sqrt() * level,
                            Box::new(move |j: usize| {
                                let damp: f64 = (1..=j).map(|i| phi.powi(i as i32)).sum();
                                alpha
                                    + beta * damp
                                    + if seasonal && j.is_multiple_of(m) {
                                        gamma
                                    } else {
                                        0.0
                                    }
                            }),
                        )
                    }
                    FittedModel::Theta(t) => {
                        let alpha = t.alpha;
                        (t.sigma2.sqrt(), Box::new(move |_| alpha))
                    }
                    FittedModel::Baseline(Baseline::Naive { sigma, .. }) => {
                        (*sigma, Box::new(|_| 1.0))
                    }
                    FittedModel::Baseline(Baseline::SeasonalNaive { tail, sigma }) => {
                        let m = tail.len().max(1);
                        (
                            *sigma,
                            Box::new(move |j| if j.is_multiple_of(m) { 1.0 } else { 0.0 }),
                        )
                    }
                    FittedModel::Baseline(Baseline::Mean { sd, .. }) => (*sd, Box::new(|_| 0.0)),
                    FittedModel::Intermittent(i) => (i.sigma, Box::new(|_| 0.0)),
                    FittedModel::Combination { .. } => (0.0, Box::new(|_| 0.0)),
                };
                // C_i for i = 0..h.
                let mut cum_c = vec![0.0; h + 1];
                for i in 1..=h {
                    cum_c[i] = cum_c[i - 1] + c(i);
                }
                (1..=h)
                    .map(|big_h| {
                        let var: f64 = (1..=big_h).map(|k| (1.0 + cum_c[big_h - k]).powi(2)).sum();
                        sigma * var.sqrt()
                    })
                    .collect()
            }
        };
        (cum_mean, cum_sd)
    }

    /// Short name, e.g. `"ETS(A,Ad,N)"`, `"Theta(DOTM)"`, `"SNaive"`.
    pub fn name(&self) -> String {
        match self {
            FittedModel::Baseline(Baseline::Naive { .. }) => "Naive".into(),
            FittedModel::Baseline(Baseline::SeasonalNaive { .. }) => "SNaive".into(),
            FittedModel::Baseline(Baseline::Mean { .. }) => "Mean".into(),
            FittedModel::Ets(e) => e.spec.name(),
            FittedModel::Theta(t) => format!("Theta({:?})", t.variant).to_uppercase(),
            FittedModel::Intermittent(i) => format!("{:?}", i.method).to_uppercase(),
            FittedModel::Combination { members } => {
                let names: Vec<String> = members.iter().map(FittedModel::name).collect();
                format!("Comb[{}]", names.join("+"))
            }
        }
    }
}

/// A fitted model with what the caller should know about the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    /// The model.
    pub model: FittedModel,
    /// Fallbacks taken and data issues, in words.
    pub notes: Vec<String>,
    /// Whether the history was non-negative (forecasts are then clipped at 0).
    pub non_negative: bool,
}

impl Fitted {
    /// Cumulative mean and sd of the total over the next 1..=h steps (see
    /// [`FittedModel::outlook`]).
    pub fn outlook(&self, h: usize) -> (Vec<f64>, Vec<f64>) {
        self.model.outlook(h)
    }

    /// Forecasts `h` steps with intervals at `levels` (percent).
    pub fn forecast(&self, h: usize, levels: &[f64]) -> Forecast {
        let mut f = Forecast::new(self.model.name(), self.model.path(h))
            .with_intervals(levels, self.non_negative);
        f.notes = self.notes.clone();
        f
    }
}

/// Fits one model family to `y` (no selection among families except for
/// `auto`). Shared by [`fit`] and the validation loop of [`auto`].
pub(crate) fn fit_family(
    y: &[f64],
    choice: ModelChoice,
    m: usize,
    params: &FitParams,
) -> Result<FittedModel, ForecastError> {
    Ok(match choice {
        ModelChoice::Auto => return auto::select(y, m, params).map(|(model, _)| model),
        ModelChoice::Ets => FittedModel::Ets(ets::fit(
            y,
            &EtsParams {
                season: m,
                ..EtsParams::default()
            },
        )?),
        ModelChoice::Theta => FittedModel::Theta(theta::fit(y, m, None)?),
        ModelChoice::Comb => FittedModel::Combination {
            members: vec![
                fit_family(y, ModelChoice::Ets, m, params)?,
                fit_family(y, ModelChoice::Theta, m, params)?,
            ],
        },
        ModelChoice::Snaive => FittedModel::Baseline(baseline::seasonal_naive(y, m)?),
        ModelChoice::Naive => FittedModel::Baseline(baseline::naive(y)?),
        ModelChoice::Mean => FittedModel::Baseline(baseline::moving_average(y, params.window)?),
        ModelChoice::Croston => FittedModel::Intermittent(intermittent::fit(
            y,
            Method::Croston,
            params.alpha,
            params.beta,
        )?),
        ModelChoice::Sba => FittedModel::Intermittent(intermittent::fit(
            y,
            Method::Sba,
            params.alpha,
            params.beta,
        )?),
        ModelChoice::Tsb => FittedModel::Intermittent(intermittent::fit(
            y,
            Method::Tsb,
            params.alpha,
            params.beta,
        )?),
    })
}

/// Fits `choice` to the history `y`.
///
/// A seasonal period the history cannot support (fewer than two full
/// seasons) is dropped, and the returned model's notes say so; the seasonal
/// naive then falls back to the naive forecast.
pub fn fit(y: &[f64], choice: ModelChoice, params: &FitParams) -> Result<Fitted, ForecastError> {
    check_finite(y)?;
    if y.is_empty() {
        return Err(ForecastError::TooShort {
            len: 0,
            needed: 1,
            model: choice.name(),
        });
    }
    let mut notes = Vec::new();
    let mut m = params.season.max(1);
    if m > 1 && y.len() < 2 * m {
        notes.push(format!(
            "history of {} values is shorter than two seasons of {m}: fitted without season",
            y.len()
        ));
        m = 1;
    }
    let model = match choice {
        ModelChoice::Auto => {
            let (model, why) = auto::select(y, m, params)?;
            notes.extend(why);
            model
        }
        ModelChoice::Snaive if m == 1 => fit_family(y, ModelChoice::Naive, 1, params)?,
        other => fit_family(y, other, m, params)?,
    };
    Ok(Fitted {
        model,
        notes,
        non_negative: y.iter().all(|&v| v >= 0.0),
    })
}

/// Fits and forecasts many series in parallel; answers keep the input order.
pub fn forecast_many<S: AsRef<[f64]> + Sync>(
    series: &[S],
    choice: ModelChoice,
    params: &FitParams,
    h: usize,
    levels: &[f64],
) -> Vec<Result<Forecast, ForecastError>> {
    series
        .par_iter()
        .map(|y| fit(y.as_ref(), choice, params).map(|f| f.forecast(h, levels)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SES (ETS(A,N,N)) with α = 0.5, σ = 1: the total over H steps has
    /// variance Σ_{k=0}^{H−1} (1 + 0.5k)²: 1, 1 + 2.25 = 3.25, 3.25 + 4 = 7.25.
    #[test]
    fn outlook_of_ses_by_hand() {
        let spec = crate::ets::Spec {
            error: crate::ets::Kind::Additive,
            trend: crate::ets::Kind::None,
            damped: false,
            season: crate::ets::Kind::None,
        };
        let (mut e, _) =
            crate::ets::smooth(&[10.0, 10.0], spec, 0.5, 0.0, 0.0, 0.0, 10.0, 0.0, &[])
                .unwrap_or_else(|e| panic!("{e}"));
        e.sigma2 = 1.0;
        let (mean, sd) = FittedModel::Ets(e).outlook(3);
        assert_eq!(mean, vec![10.0, 20.0, 30.0]);
        for (s, v) in sd.iter().zip([1.0f64, 3.25, 7.25]) {
            assert!((s - v.sqrt()).abs() < 1e-12, "{sd:?}");
        }
        // A mean model's total has independent errors: sd √H.
        let (_, sd) = FittedModel::Baseline(Baseline::Mean { mean: 1.0, sd: 2.0 }).outlook(4);
        assert!((sd[3] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn names_parse_and_short_histories_drop_the_season() {
        for name in ModelChoice::NAMES {
            assert_eq!(name.parse::<ModelChoice>().map(|c| c.name()), Ok(name));
        }
        assert!("arima".parse::<ModelChoice>().is_err());
        let y: Vec<f64> = (0..20).map(|t| 10.0 + (t % 7) as f64).collect();
        let params = FitParams {
            season: 12,
            ..FitParams::default()
        };
        let f = fit(&y, ModelChoice::Auto, &params).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            f.notes
                .iter()
                .any(|n| n.contains("shorter than two seasons")),
            "{:?}",
            f.notes
        );
        let out = f.forecast(5, &[95.0]);
        assert_eq!(out.mean.len(), 5);
        assert!(out.notes.iter().any(|n| n.contains("without season")));
    }

    #[test]
    fn fitted_models_are_send_sync_and_serialise() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Fitted>();
        let y: Vec<f64> = (0..60)
            .map(|t| 20.0 + (t % 7) as f64 + 0.1 * t as f64)
            .collect();
        let params = FitParams {
            season: 7,
            ..FitParams::default()
        };
        let f = fit(&y, ModelChoice::Auto, &params).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&f).unwrap_or_default();
        let back: Fitted = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        // JSON keeps floats to within an ulp or so.
        let (a, b) = (back.forecast(7, &[80.0]), f.forecast(7, &[80.0]));
        assert_eq!(a.model, b.model);
        for (x, y) in a.mean.iter().zip(&b.mean).chain(a.sd.iter().zip(&b.sd)) {
            assert!((x - y).abs() <= 1e-9 * (1.0 + y.abs()));
        }
        // Same data, same model: deterministic.
        let again = fit(&y, ModelChoice::Auto, &params).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, f);
    }

    #[test]
    fn intermittent_series_get_sba_in_auto() {
        let y: Vec<f64> = (0..100)
            .map(|t| if t % 5 == 0 { (t % 3 + 1) as f64 } else { 0.0 })
            .collect();
        let f = fit(&y, ModelChoice::Auto, &FitParams::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.model.name(), "SBA");
        assert!(
            f.forecast(3, &[95.0]).intervals[0]
                .lo
                .iter()
                .all(|&v| v >= 0.0)
        );
    }
}
