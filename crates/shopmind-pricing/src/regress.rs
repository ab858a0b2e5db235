//! Price prediction: regression of a numeric target (a price, say) from a
//! table of numeric and categorical features, with k-fold cross-validation
//! and an automatic choice of model.
//!
//! Models, on the features of [`crate::table::Encoder`] (numbers
//! standardised, categories one-hot):
//! - **linear** (ordinary least squares) and **ridge**: with A the encoded
//!   matrix plus a column of ones, w solves the normal equations
//!   (AᵀA + Λ) w = Aᵀy, Λ = diag(0, λ, …, λ) (the intercept is not
//!   penalised), by Cholesky (faer). OLS uses a vanishing λ = 10⁻⁹·n, which
//!   only matters when columns are collinear (one-hot levels summing to the
//!   intercept) and then picks the smallest-norm solution among the exact
//!   ones.
//! - **svr**: ε-insensitive support vector regression with an RBF kernel
//!   ([`crate::svr`]; C = 10, ε = 0.1 and γ = 1/p on standardised targets
//!   and features; at most 5,000 training rows).
//! - **tree**: one CART-style regression tree (the histogram trees of
//!   `shopmind_core::learn` with a single round, shrinkage 1 and no leaf
//!   penalty: each leaf predicts its rows' mean).
//! - **gbdt**: gradient-boosted trees on squared error.
//!
//! Scores are R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², MAE, RMSE and MAPE (over rows
//! with y ≠ 0). `auto` cross-validates every model with the same seeded
//! folds and keeps the best mean R² (a tie goes to the simpler model).

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use serde::{Deserialize, Serialize};
use shopmind_core::Rng;
use shopmind_core::cancel::Cancel;
use shopmind_core::learn::{Features, Gbdt, GbdtParams, LearnError, SquaredError};

use crate::table::{Encoder, Table, TableError};

/// A regression model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// Ordinary least squares.
    Linear,
    /// L2-penalised least squares.
    Ridge,
    /// Support vector regression (RBF kernel).
    Svr,
    /// One regression tree.
    Tree,
    /// Gradient-boosted trees.
    Gbdt,
}

impl Algorithm {
    /// Every family, simplest first (the order `auto` breaks ties in).
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Linear,
        Algorithm::Ridge,
        Algorithm::Svr,
        Algorithm::Tree,
        Algorithm::Gbdt,
    ];

    /// Name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Linear => "linear",
            Algorithm::Ridge => "ridge",
            Algorithm::Svr => "svr",
            Algorithm::Tree => "tree",
            Algorithm::Gbdt => "gbdt",
        }
    }

    /// The family called `name`.
    pub fn parse(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Why a regression could not be fitted or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegressError {
    /// The table is unusable.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The tree learner refused its input.
    #[error(transparent)]
    Learn(#[from] LearnError),
    /// Too few rows for the request.
    #[error("{0}")]
    TooFew(String),
    /// A target value is missing or infinite.
    #[error("target row {0} is not a finite number")]
    BadTarget(usize),
    /// A parameter is out of range.
    #[error("parameter {name}: {reason}")]
    BadParam {
        /// Parameter.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The normal equations could not be solved.
    #[error("the least-squares system is singular")]
    Singular,
    /// SVR refused its input.
    #[error("{0}")]
    Svr(String),
    /// The caller stopped the computation (between folds).
    #[error(transparent)]
    Cancelled(#[from] shopmind_core::cancel::Cancelled),
}

/// Parameters of every family (each uses its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionParams {
    /// The family.
    pub algorithm: Algorithm,
    /// Ridge penalty λ on the standardised coefficients.
    pub lambda: f64,
    /// Depth of the single tree.
    pub tree_depth: usize,
    /// Fewest rows in a leaf of the single tree.
    pub tree_min_leaf: usize,
    /// Boosting parameters.
    pub gbdt: GbdtParams,
    /// SVR box constraint C.
    pub svr_c: f64,
    /// SVR tube half-width ε (in target standard deviations).
    pub svr_epsilon: f64,
}

impl Default for RegressionParams {
    fn default() -> Self {
        RegressionParams {
            algorithm: Algorithm::Linear,
            lambda: 1.0,
            tree_depth: 6,
            tree_min_leaf: 5,
            gbdt: GbdtParams {
                trees: 200,
                learning_rate: 0.05,
                max_depth: 4,
                min_samples_leaf: 10,
                ..GbdtParams::default()
            },
            svr_c: 10.0,
            svr_epsilon: 0.1,
        }
    }
}

impl RegressionParams {
    /// The same parameters for another family.
    pub fn with(&self, algorithm: Algorithm) -> RegressionParams {
        RegressionParams {
            algorithm,
            ..self.clone()
        }
    }
}

/// A fitted model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Regressor {
    /// Its family.
    pub algorithm: Algorithm,
    encoder: Encoder,
    model: Fitted,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Fitted {
    Linear { intercept: f64, coef: Vec<f64> },
    Svr(crate::svr::Svr),
    Trees(Gbdt),
}

/// Goodness of fit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Coefficient of determination.
    pub r2: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute percentage error over rows with y ≠ 0, in percent
    /// (`NaN` when every y is 0).
    pub mape: f64,
}

/// Scores of predictions `pred` against `y`.
pub fn score(y: &[f64], pred: &[f64]) -> Scores {
    let n = y.len().max(1) as f64;
    let mean = y.iter().sum::<f64>() / n;
    let (mut ss_res, mut ss_tot, mut abs, mut pct, mut nz) = (0.0, 0.0, 0.0, 0.0, 0usize);
    for (&t, &p) in y.iter().zip(pred) {
        ss_res += (t - p).powi(2);
        ss_tot += (t - mean).powi(2);
        abs += (t - p).abs();
        if t != 0.0 {
            pct += ((t - p) / t).abs();
            nz += 1;
        }
    }
    Scores {
        r2: if ss_tot > 0.0 {
            1.0 - ss_res / ss_tot
        } else if ss_res == 0.0 {
            1.0
        } else {
            0.0
        },
        mae: abs / n,
        rmse: (ss_res / n).sqrt(),
        mape: if nz > 0 {
            100.0 * pct / nz as f64
        } else {
            f64::NAN
        },
    }
}

fn check(table: &Table, y: &[f64]) -> Result<(), RegressError> {
    if table.rows() != y.len() {
        return Err(RegressError::TooFew(format!(
            "{} feature rows for {} targets",
            table.rows(),
            y.len()
        )));
    }
    if y.len() < 2 {
        return Err(RegressError::TooFew(format!(
            "{} rows: at least 2 are needed",
            y.len()
        )));
    }
    if table.columns.is_empty() {
        return Err(RegressError::TooFew("no feature columns".into()));
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(RegressError::BadTarget(i));
    }
    Ok(())
}

impl RegressionParams {
    /// Fits the model on `table` → `y`. Deterministic.
    pub fn fit(&self, table: &Table, y: &[f64]) -> Result<Regressor, RegressError> {
        check(table, y)?;
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(RegressError::BadParam {
                name: "lambda",
                reason: "must be a finite number ≥ 0".into(),
            });
        }
        let encoder = Encoder::fit(table);
        let model = match self.algorithm {
            Algorithm::Linear | Algorithm::Ridge => {
                let x = encoder.encode(table, false)?;
                let lambda = if self.algorithm == Algorithm::Ridge {
                    self.lambda
                } else {
                    1e-9 * y.len() as f64
                };
                least_squares(&x, encoder.width(), y, lambda)?
            }
            Algorithm::Svr => {
                let x = encoder.encode(table, false)?;
                let width = encoder.width();
                let kernel = crate::svr::Kernel::Rbf {
                    gamma: 1.0 / width.max(1) as f64,
                };
                let seed = self.gbdt.seed;
                crate::svr::fit(&x, width, y, kernel, self.svr_c, self.svr_epsilon, seed)
                    .map(Fitted::Svr)
                    .map_err(RegressError::Svr)?
            }
            Algorithm::Tree | Algorithm::Gbdt => {
                let params = if self.algorithm == Algorithm::Tree {
                    GbdtParams {
                        trees: 1,
                        learning_rate: 1.0,
                        max_depth: self.tree_depth,
                        min_samples_leaf: self.tree_min_leaf,
                        lambda: 0.0,
                        subsample: 1.0,
                        ..self.gbdt.clone()
                    }
                } else {
                    self.gbdt.clone()
                };
                let x: Vec<f32> = encoder
                    .encode(table, true)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect();
                let features = Features {
                    values: &x,
                    cols: encoder.width(),
                };
                Fitted::Trees(params.fit(features, &SquaredError(y))?)
            }
        };
        Ok(Regressor {
            algorithm: self.algorithm,
            encoder,
            model,
        })
    }
}

/// Solves (AᵀA + Λ) w = Aᵀy for A = [1 | X].
fn least_squares(x: &[f64], p: usize, y: &[f64], lambda: f64) -> Result<Fitted, RegressError> {
    let d = p + 1;
    let mut a = Mat::<f64>::zeros(d, d);
    let mut b = Mat::<f64>::zeros(d, 1);
    let mut row = vec![0.0; d];
    for (r, &t) in y.iter().enumerate() {
        row[0] = 1.0;
        row[1..].copy_from_slice(&x[r * p..(r + 1) * p]);
        for i in 0..d {
            if row[i] == 0.0 {
                continue;
            }
            b[(i, 0)] += row[i] * t;
            for j in 0..=i {
                a[(i, j)] += row[i] * row[j];
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            a[(j, i)] = a[(i, j)];
        }
        if i > 0 {
            a[(i, i)] += lambda;
        }
    }
    let llt = a.llt(Side::Lower).map_err(|_| RegressError::Singular)?;
    llt.solve_in_place(b.as_mut());
    let w: Vec<f64> = (0..d).map(|i| b[(i, 0)]).collect();
    if w.iter().any(|v| !v.is_finite()) {
        return Err(RegressError::Singular);
    }
    Ok(Fitted::Linear {
        intercept: w[0],
        coef: w[1..].to_vec(),
    })
}

impl Regressor {
    /// Predictions for every row of `table` (which must hold the training
    /// feature columns).
    pub fn predict(&self, table: &Table) -> Result<Vec<f64>, RegressError> {
        let p = self.encoder.width();
        Ok(match &self.model {
            Fitted::Linear { intercept, coef } => {
                let x = self.encoder.encode(table, false)?;
                (0..table.rows())
                    .map(|r| {
                        intercept
                            + x[r * p..(r + 1) * p]
                                .iter()
                                .zip(coef)
                                .map(|(a, b)| a * b)
                                .sum::<f64>()
                    })
                    .collect()
            }
            Fitted::Svr(m) => {
                let x = self.encoder.encode(table, false)?;
                (0..table.rows())
                    .map(|r| m.predict_row(&x[r * p..(r + 1) * p]))
                    .collect()
            }
            Fitted::Trees(g) => {
                let x: Vec<f32> = self
                    .encoder
                    .encode(table, true)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect();
                g.predict(Features {
                    values: &x,
                    cols: p,
                })
            }
        })
    }

    /// Encoded feature names.
    pub fn feature_names(&self) -> Vec<String> {
        self.encoder.feature_names()
    }
}

/// Mean scores over `folds` seeded folds: each fold is predicted by a model
/// fitted on the others.
pub fn cross_validate(
    params: &RegressionParams,
    table: &Table,
    y: &[f64],
    folds: usize,
    seed: u64,
    cancel: &Cancel,
) -> Result<Scores, RegressError> {
    check(table, y)?;
    if folds < 2 || folds > y.len() {
        return Err(RegressError::BadParam {
            name: "folds",
            reason: format!("must lie between 2 and the {} rows", y.len()),
        });
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    Rng::seed_from_u64(seed).shuffle(&mut order);
    let mut sum = Scores::default();
    for f in 0..folds {
        cancel.check()?;
        let (test, train): (Vec<usize>, Vec<usize>) =
            order
                .iter()
                .enumerate()
                .fold((vec![], vec![]), |mut acc, (i, &r)| {
                    if i % folds == f {
                        acc.0.push(r);
                    } else {
                        acc.1.push(r);
                    }
                    acc
                });
        let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let y_test: Vec<f64> = test.iter().map(|&i| y[i]).collect();
        let model = params.fit(&table.select(&train), &y_train)?;
        let s = score(&y_test, &model.predict(&table.select(&test))?);
        sum.r2 += s.r2;
        sum.mae += s.mae;
        sum.rmse += s.rmse;
        sum.mape += s.mape;
    }
    let k = folds as f64;
    Ok(Scores {
        r2: sum.r2 / k,
        mae: sum.mae / k,
        rmse: sum.rmse / k,
        mape: sum.mape / k,
    })
}

/// `auto`: cross-validates every family on the same folds and returns the
/// best by mean R² (ties to the simpler one), with every family's scores
/// (SVR is left out past [`crate::svr::MAX_ROWS`] rows).
pub fn select(
    params: &RegressionParams,
    table: &Table,
    y: &[f64],
    folds: usize,
    seed: u64,
    cancel: &Cancel,
) -> Result<(Algorithm, Vec<(Algorithm, Scores)>), RegressError> {
    let mut all = Vec::new();
    for a in Algorithm::ALL {
        // The kernel matrix of SVR grows with rows²: past its limit, skip it.
        if a == Algorithm::Svr && y.len() > crate::svr::MAX_ROWS {
            continue;
        }
        all.push((
            a,
            cross_validate(&params.with(a), table, y, folds, seed, cancel)?,
        ));
    }
    let best = all
        .iter()
        .fold(None::<(Algorithm, f64)>, |best, &(a, s)| match best {
            Some((_, r2)) if r2 + 1e-9 >= s.r2 => best,
            _ => Some((a, s.r2)),
        })
        .map_or(Algorithm::Linear, |(a, _)| a);
    Ok((best, all))
}

#[cfg(test)]
mod tests;
