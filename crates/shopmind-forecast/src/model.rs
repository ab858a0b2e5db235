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
#[serde(tag = "family", rename_all = "snake_case")]
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
