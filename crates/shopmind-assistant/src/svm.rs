//! Multi-class linear support vector machine of Crammer and Singer (2001),
//! trained by the sequential dual method of Keerthi, Sundararajan, Chang,
//! Hsieh and Lin ("A sequential dual method for large scale multi-class
//! linear SVMs", KDD 2008), the solver behind LIBLINEAR's `-s 4`.
//!
//! Primal, with one weight vector `w_m` per class:
//!
//! ```text
//! min ½ Σ_m ‖w_m‖² + C Σ_i ξ_i   s.t.  w_{y_i}·x_i − w_m·x_i ≥ e_i^m − ξ_i  ∀ i, m
//! ```
//!
//! with `e_i^m = 0` for `m = y_i` and 1 otherwise. Its dual has one block
//! `α_i ∈ ℝ^K` per example, `w_m = Σ_i α_i^m x_i`, the constraints
//! `Σ_m α_i^m = 0` and `α_i^m ≤ C_i^m` (`C` for the true class, 0 for the
//! others), and objective `½ Σ_m ‖w_m‖² + Σ_{i,m} e_i^m α_i^m`. The method
//! visits examples in a seeded random order and minimises the dual exactly
//! over one block at a time. With `A = ‖x_i‖²`, gradient
//! `G_m = w_m·x_i + e_i^m` and `B_m = G_m − A α_i^m`, the block's
//! sub-problem `min ½ A Σ α_m² + Σ B_m α_m` under the constraints has the
//! closed form `α_m = min(C_m, (β − B_m)/A)`, where `β` makes the block sum
//! to zero and is found by sorting `D_m = B_m + A C_m [m = y_i]`
//! (Crammer and Singer's fixed-point algorithm). An epoch ends the fit when
//! no block violates optimality (max `G` minus min `G` over the coordinates
//! free to grow) by more than `eps`.

use serde::{Deserialize, Serialize};
use shopmind_core::rng::Rng;

use crate::features::SparseVec;

/// Settings of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SvmParams {
    /// Cost of a margin violation (larger: less regularisation).
    pub c: f64,
    /// Stopping tolerance on the largest optimality violation of an epoch.
    pub eps: f64,
    /// Upper bound on passes over the data.
    pub max_epochs: usize,
    /// Seed of the visiting order.
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 0.5,
            eps: 0.1,
            max_epochs: 200,
            seed: 42,
        }
    }
}

/// Class weight vectors, stored feature-major (`weights[j·K + m]`) so that
/// scoring one sparse message reads one contiguous run of `K` weights per
/// feature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearModel {
    n_classes: usize,
    weights: Vec<f32>,
}

impl LinearModel {
    /// A model from feature-major weights (`weights[j·K + m]`).
    pub(crate) fn from_weights(n_classes: usize, weights: Vec<f32>) -> LinearModel {
        LinearModel { n_classes, weights }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// `w_m · x` for every class `m`.
    pub fn scores(&self, x: &SparseVec) -> Vec<f32> {
        let k = self.n_classes;
        let mut s = vec![0f32; k];
        for &(j, v) in x {
            let start = j as usize * k;
            if let Some(row) = self.weights.get(start..start + k) {
                for (acc, w) in s.iter_mut().zip(row) {
                    *acc += w * v;
                }
            }
        }
        s
    }
}

/// What the solver did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvmReport {
    /// Epochs run.
    pub epochs: usize,
    /// Largest violation in the last epoch.
    pub violation: f64,
}

/// Fits the Crammer–Singer SVM to examples `xs` with labels `ys < n_classes`
/// over `n_features` features.
pub fn fit(
    xs: &[SparseVec],
    ys: &[u32],
    n_features: usize,
    n_classes: usize,
    params: &SvmParams,
) -> (LinearModel, SvmReport) {
    let k = n_classes;
    let c = params.c;
    let mut w = vec![0f32; n_features * k];
    let mut alpha = vec![0f64; xs.len() * k];
    let norms: Vec<f64> = xs
        .iter()
        .map(|x| x.iter().map(|&(_, v)| f64::from(v) * f64::from(v)).sum())
        .collect();
    let mut order: Vec<usize> = (0..xs.len()).filter(|&i| norms[i] > 0.0).collect();
    let mut rng = Rng::seed_from_u64(params.seed);
    let mut g = vec![0f64; k];
    let mut b = vec![0f64; k];
    let mut d = vec![0f64; k];
    let mut report = SvmReport {
        epochs: 0,
        violation: f64::INFINITY,
    };
    for epoch in 1..=params.max_epochs {
        rng.shuffle(&mut order);
        let mut worst = 0f64;
        for &i in &order {
            let x = &xs[i];
            let y = ys[i] as usize;
            let a = norms[i];
            let al = &mut alpha[i * k..(i + 1) * k];
            g.iter_mut().for_each(|v| *v = 1.0);
            g[y] = 0.0;
            for &(j, v) in x {
                let row = &w[j as usize * k..(j as usize + 1) * k];
                for (gm, wm) in g.iter_mut().zip(row) {
                    *gm += f64::from(*wm) * f64::from(v);
                }
            }
            let bound = |m: usize| if m == y { c } else { 0.0 };
            let mut max_g = f64::NEG_INFINITY;
            let mut min_g = f64::INFINITY;
            for m in 0..k {
                max_g = max_g.max(g[m]);
                if al[m] < bound(m) {
                    min_g = min_g.min(g[m]);
                }
            }
            let violation = max_g - min_g;
            worst = worst.max(violation);
            if violation <= 1e-12 {
                continue;
            }
            for m in 0..k {
                b[m] = g[m] - a * al[m];
                d[m] = b[m];
            }
            d[y] += a * c;
            d.sort_unstable_by(|p, q| q.total_cmp(p));
            let mut beta = d[0] - a * c;
            let mut r = 1;
            while r < k && beta < r as f64 * d[r] {
                beta += d[r];
                r += 1;
            }
            beta /= r as f64;
            for m in 0..k {
                let new = bound(m).min((beta - b[m]) / a);
                let delta = new - al[m];
                if delta.abs() > 1e-12 {
                    al[m] = new;
                    for &(j, v) in x {
                        w[j as usize * k + m] += (delta * f64::from(v)) as f32;
                    }
                }
            }
        }
        report = SvmReport {
            epochs: epoch,
            violation: worst,
        };
        if worst < params.eps {
            break;
        }
    }
    (
        LinearModel {
            n_classes: k,
            weights: w,
        },
        report,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(seed: u64) -> (Vec<SparseVec>, Vec<u32>) {
        // Three classes, each with its own two "topic" features plus noise.
        let mut rng = Rng::seed_from_u64(seed);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for n in 0..300 {
            let y = (n % 3) as u32;
            let mut x: SparseVec = vec![
                (2 * y, 1.0 + rng.uniform() as f32),
                (2 * y + 1, rng.uniform() as f32),
                (6 + rng.below(10) as u32, 0.5),
            ];
            x.sort_by_key(|p| p.0);
            xs.push(x);
            ys.push(y);
        }
        (xs, ys)
    }

    #[test]
    fn separable_classes_are_learned() {
        let (xs, ys) = blobs(1);
        let (model, report) = fit(&xs, &ys, 16, 3, &SvmParams::default());
        assert!(report.violation < 0.1, "{report:?}");
        let correct = xs
            .iter()
            .zip(&ys)
            .filter(|(x, y)| {
                let s = model.scores(x);
                let best = (0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap_or(0);
                best == **y as usize
            })
            .count();
        assert_eq!(correct, xs.len());
    }

    #[test]
    fn tiny_problem_meets_the_dual_optimum_by_hand() {
        // Two one-dimensional examples x = +1 (class 0) and x = −1 (class 1),
        // C = 10. By symmetry w_0 = −w_1 = u; the margin constraints are
        // 2u ≥ 1 − ξ, so the optimum is u = ½ with no slack: scores ±½.
        let xs = vec![vec![(0, 1.0)], vec![(0, -1.0)]];
        let params = SvmParams {
            c: 10.0,
            eps: 1e-9,
            ..SvmParams::default()
        };
        let (model, _) = fit(&xs, &[0, 1], 1, 2, &params);
        let s = model.scores(&vec![(0, 1.0)]);
        assert!(
            (s[0] - 0.5).abs() < 1e-6 && (s[1] + 0.5).abs() < 1e-6,
            "{s:?}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_weights() {
        let (xs, ys) = blobs(7);
        let (a, _) = fit(&xs, &ys, 16, 3, &SvmParams::default());
        let (b, _) = fit(&xs, &ys, 16, 3, &SvmParams::default());
        assert_eq!(a.weights, b.weights);
    }
}
