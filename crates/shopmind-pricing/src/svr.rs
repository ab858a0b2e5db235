//! ε-insensitive support vector regression (Vapnik 1995; Smola & Schölkopf,
//! "A tutorial on support vector regression", 2004), solved in the dual by
//! coordinate descent (Ho & Lin, "Large-scale linear support vector
//! regression", JMLR 2012, applied here to a kernel).
//!
//! With the bias folded into the kernel, K'(a, b) = K(a, b) + 1, the dual is
//!
//! min_β ½ βᵀK'β − yᵀβ + ε‖β‖₁   subject to −C ≤ βᵢ ≤ C,
//!
//! and the model is f(x) = Σᵢ βᵢ K'(xᵢ, x). One coordinate step with
//! gᵢ = (K'β)ᵢ − yᵢ minimises ½K'ᵢᵢ d² + gᵢ d + ε|βᵢ + d| in closed form:
//! βᵢ ← clip(S(βᵢ − gᵢ/K'ᵢᵢ, ε/K'ᵢᵢ), −C, C), S the soft threshold. Sweeps go
//! over a seeded permutation until no βᵢ moves more than 10⁻⁶·C.
//!
//! Targets are standardised before fitting (ε and C are in units of the
//! target's standard deviation) and features arrive standardised from the
//! encoder; the RBF kernel is exp(−γ‖a − b‖²) with γ = 1/p by default (the
//! "scale" rule on unit-variance features). The kernel matrix is held in
//! memory, so training is limited to [`MAX_ROWS`] rows.

use serde::{Deserialize, Serialize};
use shopmind_core::Rng;

/// Most training rows (the kernel matrix has rows² entries).
pub const MAX_ROWS: usize = 5_000;

/// The kernel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// aᵀb.
    Linear,
    /// exp(−γ‖a − b‖²).
    Rbf {
        /// γ > 0.
        gamma: f64,
    },
}

impl Kernel {
    fn eval(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Kernel::Linear => a.iter().zip(b).map(|(x, y)| x * y).sum(),
            Kernel::Rbf { gamma } => {
                let d: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
                (-gamma * d).exp()
            }
        }
    }
}

/// A fitted SVR: its support vectors and their weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Svr {
    kernel: Kernel,
    cols: usize,
    support: Vec<f64>,
    beta: Vec<f64>,
    y_mean: f64,
    y_scale: f64,
}

/// Fits an SVR on row-major `x` (`cols` columns) → `y`. Deterministic for a
/// seed. Errors name the problem (too many rows, bad parameters).
pub fn fit(
    x: &[f64],
    cols: usize,
    y: &[f64],
    kernel: Kernel,
    c: f64,
    epsilon: f64,
    seed: u64,
) -> Result<Svr, String> {
    let n = y.len();
    if n > MAX_ROWS {
        return Err(format!(
            "{n} rows: SVR keeps a rows × rows kernel matrix and takes at most {MAX_ROWS}; use gbdt"
        ));
    }
    if !(c.is_finite() && c > 0.0 && epsilon.is_finite() && epsilon >= 0.0) {
        return Err("SVR needs C > 0 and ε ≥ 0".into());
    }
    let y_mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let sd = (y.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / n.max(1) as f64).sqrt();
    let y_scale = if sd > 1e-12 { sd } else { 1.0 };
    let t: Vec<f64> = y.iter().map(|v| (v - y_mean) / y_scale).collect();
    let row = |i: usize| &x[i * cols..(i + 1) * cols];
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v = kernel.eval(row(i), row(j)) + 1.0;
            k[i * n + j] = v;
            k[j * n + i] = v;
        }
    }
    let mut beta = vec![0.0; n];
    // f = K'β, kept up to date.
    let mut f = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::seed_from_u64(seed);
    for _sweep in 0..2_000 {
        rng.shuffle(&mut order);
        let mut moved: f64 = 0.0;
        for &i in &order {
            let kii = k[i * n + i];
            if kii <= 0.0 {
                continue;
            }
            let g = f[i] - t[i];
            let z = beta[i] - g / kii;
            let thr = epsilon / kii;
            let soft = z.signum() * (z.abs() - thr).max(0.0);
            let next = soft.clamp(-c, c);
            let d = next - beta[i];
            if d != 0.0 {
                beta[i] = next;
                for (fj, kj) in f.iter_mut().zip(&k[i * n..(i + 1) * n]) {
                    *fj += d * kj;
                }
                moved = moved.max(d.abs());
            }
        }
        if moved < 1e-6 * c {
            break;
        }
    }
    let keep: Vec<usize> = (0..n).filter(|&i| beta[i] != 0.0).collect();
    Ok(Svr {
        kernel,
        cols,
        support: keep.iter().flat_map(|&i| row(i).to_vec()).collect(),
        beta: keep.iter().map(|&i| beta[i]).collect(),
        y_mean,
        y_scale,
    })
}

impl Svr {
    /// The prediction for one encoded row.
    pub fn predict_row(&self, r: &[f64]) -> f64 {
        let s: f64 = self
            .beta
            .iter()
            .enumerate()
            .map(|(i, b)| {
                b * (self
                    .kernel
                    .eval(&self.support[i * self.cols..(i + 1) * self.cols], r)
                    + 1.0)
            })
            .sum();
        self.y_mean + self.y_scale * s
    }

    /// Support vectors kept.
    pub fn support_vectors(&self) -> usize {
        self.beta.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_kernel_fits_a_line_within_epsilon() {
        // y = 3x + 1 on x ∈ [−1, 1]; with a wide C the fit is inside the
        // ε-tube (0.05 standard deviations) everywhere.
        let x: Vec<f64> = (0..41).map(|i| f64::from(i) / 20.0 - 1.0).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v + 1.0).collect();
        let m = fit(&x, 1, &y, Kernel::Linear, 100.0, 0.05, 1).unwrap();
        let sd = (y.iter().map(|v| (v - 1.0).powi(2)).sum::<f64>() / 41.0).sqrt();
        for (xi, yi) in x.iter().zip(&y) {
            let p = m.predict_row(&[*xi]);
            assert!((p - yi).abs() <= 0.05 * sd + 1e-3, "{xi}: {p} vs {yi}");
        }
        // Points strictly inside the tube carry no weight: only a few are kept.
        assert!(m.support_vectors() < 41, "{}", m.support_vectors());
    }

    #[test]
    fn an_rbf_kernel_follows_a_curve_and_limits_hold() {
        let x: Vec<f64> = (0..200).map(|i| f64::from(i) / 100.0 - 1.0).collect();
        let y: Vec<f64> = x.iter().map(|v| (3.0 * v).sin()).collect();
        let m = fit(&x, 1, &y, Kernel::Rbf { gamma: 2.0 }, 10.0, 0.05, 1).unwrap();
        let mse = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (m.predict_row(&[*a]) - b).powi(2))
            .sum::<f64>()
            / 200.0;
        assert!(mse < 0.01, "{mse}");
        assert!(fit(&x, 1, &y, Kernel::Linear, 0.0, 0.1, 1).is_err());
        let big = vec![0.0; MAX_ROWS + 1];
        assert!(fit(&big, 1, &big, Kernel::Linear, 1.0, 0.1, 1).is_err());
    }
}
