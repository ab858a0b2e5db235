//! Poisson regression with a log link, fitted by iteratively reweighted
//! least squares (Newton's method on the log-likelihood; McCullagh & Nelder,
//! *Generalized Linear Models*, 1989, ch. 2).
//!
//! With η = Xβ and μ = e^η, each step solves the weighted least-squares
//! problem (XᵀWX) β' = XᵀWz with W = diag(μ) and the working response
//! z = η + (y − μ)/μ, until β moves less than 10⁻⁸. A tiny ridge (10⁻⁸ on the
//! diagonal) keeps an unidentified column from failing the solve.
//!
//! Counts in retail are overdispersed, so standard errors use the
//! quasi-Poisson dispersion φ = Σ (y − μ)²/μ / (n − p) (floored at 1):
//! Var(β̂) = φ (XᵀWX)⁻¹ at the optimum.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

/// A fitted Poisson regression.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonFit {
    /// Coefficients.
    pub beta: Vec<f64>,
    /// Dispersion φ ≥ 1.
    pub dispersion: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// XᵀWX at the optimum, row-major (for standard errors).
    information: Vec<f64>,
}

/// Why the regression could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GlmError {
    /// Fewer rows than coefficients, or mismatched shapes.
    #[error("{0}")]
    Shape(String),
    /// The weighted normal equations are singular.
    #[error("the Poisson regression is singular")]
    Singular,
}

fn solve(a: &[f64], p: usize, b: &[f64]) -> Result<Vec<f64>, GlmError> {
    let m = Mat::<f64>::from_fn(p, p, |i, j| a[i * p + j]);
    let llt = m.llt(Side::Lower).map_err(|_| GlmError::Singular)?;
    let mut rhs = Mat::<f64>::from_fn(p, 1, |i, _| b[i]);
    llt.solve_in_place(rhs.as_mut());
    let x: Vec<f64> = (0..p).map(|i| rhs[(i, 0)]).collect();
    if x.iter().all(|v| v.is_finite()) {
        Ok(x)
    } else {
        Err(GlmError::Singular)
    }
}

/// Fits y ~ Poisson(e^{o + Xβ}); `x` is row-major with `p` columns; `offset`
/// is o per row (empty: none); `start` is the initial β (e.g. log of the mean
/// count on an intercept column).
pub fn fit_poisson(
    x: &[f64],
    p: usize,
    y: &[f64],
    offset: &[f64],
    start: &[f64],
) -> Result<PoissonFit, GlmError> {
    let n = y.len();
    let off = |r: usize| offset.get(r).copied().unwrap_or(0.0);
    if x.len() != n * p || start.len() != p || !(offset.is_empty() || offset.len() == n) {
        return Err(GlmError::Shape(format!(
            "{} values for {n} rows × {p} columns",
            x.len()
        )));
    }
    if n <= p {
        return Err(GlmError::Shape(format!("{n} rows for {p} coefficients")));
    }
    let mut beta = start.to_vec();
    let mut info = vec![0.0; p * p];
    let mut iterations = 0;
    for it in 0..50 {
        iterations = it + 1;
        info.iter_mut().for_each(|v| *v = 0.0);
        let mut rhs = vec![0.0; p];
        for r in 0..n {
            let row = &x[r * p..(r + 1) * p];
            let lin = row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            let eta = (off(r) + lin).clamp(-30.0, 30.0);
            let mu = eta.exp();
            // Working response of the linear part (the offset is fixed).
            let z = eta - off(r) + (y[r] - mu) / mu;
            for i in 0..p {
                if row[i] == 0.0 {
                    continue;
                }
                let wi = mu * row[i];
                rhs[i] += wi * z;
                for j in 0..=i {
                    info[i * p + j] += wi * row[j];
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                info[j * p + i] = info[i * p + j];
            }
        }
        let mut a = info.clone();
        for i in 0..p {
            a[i * p + i] += 1e-8;
        }
        let next = solve(&a, p, &rhs)?;
        let step = next
            .iter()
            .zip(&beta)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        beta = next;
        if step < 1e-8 {
            break;
        }
    }
    let mut pearson = 0.0;
    for r in 0..n {
        let eta: f64 = (off(r)
            + x[r * p..(r + 1) * p]
                .iter()
                .zip(&beta)
                .map(|(a, b)| a * b)
                .sum::<f64>())
        .clamp(-30.0, 30.0);
        let mu = eta.exp();
        pearson += (y[r] - mu).powi(2) / mu;
    }
    let dispersion = (pearson / (n - p) as f64).max(1.0);
    Ok(PoissonFit {
        beta,
        dispersion,
        iterations,
        information: info,
    })
}

impl PoissonFit {
    /// Standard error of coefficient `j`: √(φ [(XᵀWX)⁻¹]ⱼⱼ).
    pub fn std_error(&self, j: usize) -> Result<f64, GlmError> {
        let p = self.beta.len();
        let mut e = vec![0.0; p];
        e[j] = 1.0;
        let mut a = self.information.clone();
        for i in 0..p {
            a[i * p + i] += 1e-8;
        }
        let v = solve(&a, p, &e)?;
        Ok((self.dispersion * v[j].max(0.0)).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_core::Rng;

    #[test]
    fn a_saturated_two_group_model_gives_the_group_means() {
        // log μ = β₀ + β₁·g: the MLE is the log of each group's mean count.
        let x = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let y = [2.0, 4.0, 9.0, 11.0, 10.0];
        let f = fit_poisson(&x, 2, &y, &[], &[0.0, 0.0]).unwrap();
        // An offset of log 2 on every row halves what the intercept carries.
        let o = [2f64.ln(); 5];
        let g = fit_poisson(&x, 2, &y, &o, &[0.0, 0.0]).unwrap();
        assert!((g.beta[0] - 1.5f64.ln()).abs() < 1e-7, "{g:?}");
        assert!((f.beta[0] - 3f64.ln()).abs() < 1e-7, "{f:?}");
        assert!((f.beta[1] - (10f64 / 3.0).ln()).abs() < 1e-7, "{f:?}");
        // Var(β̂₀) = 1/(n₀ μ₀) = 1/6 before the dispersion.
        let se0 = f.std_error(0).unwrap() / f.dispersion.sqrt();
        assert!((se0 - (1.0f64 / 6.0).sqrt()).abs() < 1e-6, "{se0}");
    }

    #[test]
    fn simulated_log_linear_counts_recover_their_coefficients() {
        let mut rng = Rng::seed_from_u64(7);
        let (n, truth) = (4000, [1.0, -2.0, 0.3]);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let row = [
                1.0,
                rng.range(-0.3, 0.3),
                if rng.bernoulli(0.2) { 1.0 } else { 0.0 },
            ];
            let eta: f64 = row.iter().zip(&truth).map(|(a, b)| a * b).sum();
            y.push(rng.poisson(eta.exp()) as f64);
            x.extend(row);
        }
        let f = fit_poisson(&x, 3, &y, &[], &[0.0; 3]).unwrap();
        for (j, t) in truth.iter().enumerate() {
            let se = f.std_error(j).unwrap();
            assert!((f.beta[j] - t).abs() < 4.0 * se, "{j}: {f:?} se {se}");
        }
        assert!(f.std_error(1).unwrap() < 0.1);
        assert!(fit_poisson(&x[..6], 3, &y[..2], &[], &[0.0; 3]).is_err());
        assert!(fit_poisson(&x, 3, &y, &[0.0; 2], &[0.0; 3]).is_err());
    }
}
