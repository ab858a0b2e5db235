//! Multinomial logistic regression (softmax regression) with an L2
//! penalty, fitted by L-BFGS (Nocedal and Wright, *Numerical Optimization*,
//! 2nd ed., algorithms 7.4–7.5) with a backtracking Armijo line search.
//!
//! For class weight vectors `W = (w_1 … w_K)`, scores `z_i = Wᵀx_i` and
//! `p_i = softmax(z_i)`:
//!
//! ```text
//! F(W)  = ½‖W‖² + C Σ_i (log Σ_m exp z_im − z_iy_i)
//! ∇F(W) = W + C Σ_i x_i (p_i − e_y_i)ᵀ
//! ```
//!
//! `F` is smooth and strictly convex, so L-BFGS converges to the unique
//! minimiser. Its probabilities complement the Crammer–Singer SVM's margins
//! in [`crate::intent`]'s ensemble. Weights and the L-BFGS memory are kept
//! in `f32` (the objective is summed in `f64`): with 10⁵ features and 77
//! classes a copy of `W` is 31 MB.

use std::collections::VecDeque;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::features::SparseVec;
use crate::svm::LinearModel;

/// Partial gradients computed side by side.
const PARTS: usize = 2;

/// Settings of [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SoftmaxParams {
    /// Weight of the data term against the penalty.
    pub c: f64,
    /// Stop when the gradient norm falls below this share of its start.
    pub tol: f64,
    /// Upper bound on L-BFGS iterations.
    pub max_iter: usize,
    /// Correction pairs kept.
    pub memory: usize,
}

impl Default for SoftmaxParams {
    fn default() -> Self {
        SoftmaxParams {
            c: 10.0,
            tol: 1e-3,
            max_iter: 200,
            memory: 5,
        }
    }
}

/// What the optimiser did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoftmaxReport {
    /// Iterations run.
    pub iterations: usize,
    /// Final objective.
    pub objective: f64,
    /// Final gradient norm over the initial one.
    pub gradient_ratio: f64,
}

/// `F(w)`, with `∇F(w)` written into `g` (feature-major weights, `k`
/// classes). `parts` are per-thread gradient buffers, reused across calls
/// so that no large vector is allocated per evaluation.
fn evaluate(
    w: &[f32],
    xs: &[SparseVec],
    ys: &[u32],
    k: usize,
    c: f64,
    parts: &mut [Vec<f32>],
    g: &mut [f32],
) -> f64 {
    let chunk = xs.len().div_ceil(parts.len().max(1)).max(1);
    let cf = c as f32;
    let losses: Vec<f64> = parts
        .par_iter_mut()
        .zip(xs.par_chunks(chunk).zip(ys.par_chunks(chunk)))
        .map(|(part, (xc, yc))| {
            part.iter_mut().for_each(|v| *v = 0.0);
            let mut loss = 0f64;
            let mut z = vec![0f32; k];
            for (x, &y) in xc.iter().zip(yc) {
                z.iter_mut().for_each(|v| *v = 0.0);
                for &(j, v) in x {
                    let row = &w[j as usize * k..(j as usize + 1) * k];
                    for (zm, wm) in z.iter_mut().zip(row) {
                        *zm += wm * v;
                    }
                }
                let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let sum: f64 = z.iter().map(|v| f64::from(v - max).exp()).sum();
                loss += f64::from(max) + sum.ln() - f64::from(z[y as usize]);
                for (m, zm) in z.iter_mut().enumerate() {
                    let p = (f64::from(*zm - max).exp() / sum) as f32;
                    *zm = cf * (p - if m == y as usize { 1.0 } else { 0.0 });
                }
                for &(j, v) in x {
                    let row = &mut part[j as usize * k..(j as usize + 1) * k];
                    for (gm, dm) in row.iter_mut().zip(&z) {
                        *gm += dm * v;
                    }
                }
            }
            loss
        })
        .collect();
    g.copy_from_slice(w);
    for part in parts.iter() {
        for (a, b) in g.iter_mut().zip(part) {
            *a += b;
        }
    }
    0.5 * dot(w, w) + c * losses.iter().sum::<f64>()
}

/// `y += a · x`.
fn axpy(a: f64, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = (f64::from(*yi) + a * f64::from(*xi)) as f32;
    }
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// Fits the model; returns it as a [`LinearModel`] whose scores are logits.
pub fn fit(
    xs: &[SparseVec],
    ys: &[u32],
    n_features: usize,
    n_classes: usize,
    params: &SoftmaxParams,
) -> (LinearModel, SoftmaxReport) {
    let k = n_classes;
    let size = n_features * k;
    // A fixed number of partial gradients (not one per thread), summed in a
    // fixed order: the model does not depend on the machine's core count.
    let mut parts = vec![vec![0f32; size]; PARTS.min(xs.len().max(1))];
    let mut w = vec![0f32; size];
    let mut g = vec![0f32; size];
    let mut f = evaluate(&w, xs, ys, k, params.c, &mut parts, &mut g);
    let g0 = dot(&g, &g).sqrt().max(f64::MIN_POSITIVE);
    let mut history: VecDeque<(Vec<f32>, Vec<f32>, f64)> = VecDeque::new();
    let mut d = vec![0f32; size];
    let mut trial = vec![0f32; size];
    let mut gt = vec![0f32; size];
    let mut report = SoftmaxReport {
        iterations: 0,
        objective: f,
        gradient_ratio: 1.0,
    };
    for iter in 1..=params.max_iter {
        // Two-loop recursion: d = −H g.
        for (di, gi) in d.iter_mut().zip(&g) {
            *di = -gi;
        }
        let mut alphas = Vec::with_capacity(history.len());
        for (s, y, rho) in history.iter().rev() {
            let a = rho * dot(s, &d);
            axpy(-a, y, &mut d);
            alphas.push(a);
        }
        let gamma = match history.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y).max(f64::MIN_POSITIVE),
            None => 1.0 / g0,
        };
        d.iter_mut()
            .for_each(|v| *v = (f64::from(*v) * gamma) as f32);
        for ((s, y, rho), a) in history.iter().zip(alphas.into_iter().rev()) {
            let b = rho * dot(y, &d);
            axpy(a - b, s, &mut d);
        }
        let slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (round-off): restart from the gradient.
            if history.is_empty() {
                break;
            }
            history.clear();
            continue;
        }
        let mut t = 1.0f64;
        let mut ft = f64::INFINITY;
        for _ in 0..40 {
            for ((ti, wi), di) in trial.iter_mut().zip(&w).zip(&d) {
                *ti = (f64::from(*wi) + t * f64::from(*di)) as f32;
            }
            ft = evaluate(&trial, xs, ys, k, params.c, &mut parts, &mut gt);
            if ft <= f + 1e-4 * t * slope {
                break;
            }
            t *= 0.5;
        }
        if ft > f + 1e-4 * t * slope {
            break;
        }
        // The new correction pair reuses the oldest pair's buffers.
        let (mut s, mut y) = if history.len() >= params.memory.max(1) {
            let (s, y, _) = history.pop_front().unwrap_or_default();
            (s, y)
        } else {
            (vec![0f32; size], vec![0f32; size])
        };
        for (((si, yi), (ti, wi)), (gti, gi)) in s
            .iter_mut()
            .zip(y.iter_mut())
            .zip(trial.iter().zip(&w))
            .zip(gt.iter().zip(&g))
        {
            *si = ti - wi;
            *yi = gti - gi;
        }
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            history.push_back((s, y, 1.0 / sy));
        }
        let decrease = f - ft;
        std::mem::swap(&mut w, &mut trial);
        std::mem::swap(&mut g, &mut gt);
        f = ft;
        let ratio = dot(&g, &g).sqrt() / g0;
        report = SoftmaxReport {
            iterations: iter,
            objective: f,
            gradient_ratio: ratio,
        };
        if ratio < params.tol || decrease <= 1e-10 * f.abs().max(1.0) {
            break;
        }
    }
    (LinearModel::from_weights(k, w), report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_points_meet_the_closed_form() {
        // x = +1 (class 0), x = −1 (class 1), one feature, C = 1. By
        // symmetry w_0 = −w_1 = u and z = ±2u, so F(u) = u² + 2 ln(1 + e^{−2u})
        // and F'(u) = 2u − 4/(1 + e^{2u}) = 0.
        let xs = vec![vec![(0, 1.0)], vec![(0, -1.0)]];
        let params = SoftmaxParams {
            c: 1.0,
            tol: 1e-7,
            ..SoftmaxParams::default()
        };
        let (model, report) = fit(&xs, &[0, 1], 1, 2, &params);
        let s = model.scores(&vec![(0, 1.0)]);
        let u = f64::from(s[0]);
        assert!(
            (2.0 * u - 4.0 / (1.0 + (2.0 * u).exp())).abs() < 1e-4,
            "u = {u}, {report:?}"
        );
        assert!((s[0] + s[1]).abs() < 1e-5);
    }

    #[test]
    fn the_gradient_matches_finite_differences() {
        let xs = vec![
            vec![(0, 0.5), (2, 1.0)],
            vec![(1, 1.0)],
            vec![(0, -0.3), (1, 0.4), (2, 0.2)],
        ];
        let ys = [0, 2, 1];
        let w: Vec<f32> = (0..9).map(|i| (i as f32 - 4.0) * 0.1).collect();
        let eval = |w: &[f32]| {
            let mut parts = vec![vec![0f32; 9]; 2];
            let mut g = vec![0f32; 9];
            let f = evaluate(w, &xs, &ys, 3, 2.0, &mut parts, &mut g);
            (f, g)
        };
        let (_, g) = eval(&w);
        for i in 0..w.len() {
            let h = 1e-2f32;
            let (mut up, mut down) = (w.clone(), w.clone());
            up[i] += h;
            down[i] -= h;
            let numeric = (eval(&up).0 - eval(&down).0) / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(g[i])).abs() < 1e-3,
                "{i}: {numeric} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn the_objective_only_falls() {
        let xs: Vec<SparseVec> = (0..60)
            .map(|i| vec![((i % 3) as u32, 1.0), (3 + (i % 5) as u32, 0.5)])
            .collect();
        let ys: Vec<u32> = (0..60).map(|i| (i % 3) as u32).collect();
        let mut last = f64::INFINITY;
        for iters in [1, 3, 10, 30] {
            let params = SoftmaxParams {
                max_iter: iters,
                tol: 0.0,
                ..SoftmaxParams::default()
            };
            let (_, r) = fit(&xs, &ys, 8, 3, &params);
            assert!(
                r.objective <= last + 1e-9,
                "{iters}: {} > {last}",
                r.objective
            );
            last = r.objective;
        }
    }
}
