//! Nelder–Mead simplex minimisation (Nelder & Mead, 1965) with the
//! dimension-adaptive coefficients of Gao & Han (2012): reflection 1,
//! expansion 1 + 2/d, contraction 0.75 − 1/(2d), shrink 1 − 1/d. Used to fit
//! the smoothing parameters and initial states of ETS and Theta, whose
//! likelihoods are cheap, low-dimensional and not differentiable in closed
//! form. Constraints are handled by the callers' transforms (a bounded
//! parameter is optimised through a logistic map), so the search is
//! unconstrained; a non-finite objective counts as +∞.

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct Minimum {
    /// Best point found.
    pub x: Vec<f64>,
    /// Objective at `x`.
    pub value: f64,
    /// Objective evaluations used.
    #[allow(dead_code)]
    pub evaluations: usize,
}

/// Minimises `f` from `start` with initial simplex steps `step` (one per
/// coordinate). Stops after `max_evals` evaluations or when the spread of
/// the simplex values falls below `tol · (|f_best| + tol)`.
pub fn nelder_mead(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    step: &[f64],
    max_evals: usize,
    tol: f64,
) -> Minimum {
    let d = start.len();
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    if d == 0 {
        let value = eval(start);
        return Minimum {
            x: Vec::new(),
            value,
            evaluations: 1,
        };
    }
    let df = d as f64;
    let (rho, chi, psi, sigma) = (1.0, 1.0 + 2.0 / df, 0.75 - 0.5 / df, 1.0 - 1.0 / df);
    let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(d + 1);
    simplex.push(start.to_vec());
    for i in 0..d {
        let mut p = start.to_vec();
        p[i] += step[i];
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| eval(p)).collect();
    let mut evals = d + 1;
    let mut order: Vec<usize> = (0..=d).collect();
    let mut centroid = vec![0.0; d];
    let mut trial = vec![0.0; d];
    let mut trial2 = vec![0.0; d];
    while evals < max_evals {
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let (best, worst, second) = (order[0], order[d], order[d - 1]);
        let spread = values[worst] - values[best];
        if spread.is_finite() && spread <= tol * (values[best].abs() + tol) {
            break;
        }
        centroid.iter_mut().for_each(|c| *c = 0.0);
        for &i in &order[..d] {
            for (c, x) in centroid.iter_mut().zip(&simplex[i]) {
                *c += x / df;
            }
        }
        let along = |coef: f64, out: &mut [f64], worst_p: &[f64], centroid: &[f64]| {
            for ((o, c), w) in out.iter_mut().zip(centroid).zip(worst_p) {
                *o = c + coef * (c - w);
            }
        };
        along(rho, &mut trial, &simplex[worst], &centroid);
        let fr = eval(&trial);
        evals += 1;
        if fr < values[best] {
            along(rho * chi, &mut trial2, &simplex[worst], &centroid);
            let fe = eval(&trial2);
            evals += 1;
            if fe < fr {
                simplex[worst].copy_from_slice(&trial2);
                values[worst] = fe;
            } else {
                simplex[worst].copy_from_slice(&trial);
                values[worst] = fr;
            }
            continue;
        }
        if fr < values[second] {
            simplex[worst].copy_from_slice(&trial);
            values[worst] = fr;
            continue;
        }
        // Contraction: outside when the reflection improved on the worst, else inside.
        let (coef, bar) = if fr < values[worst] {
            (rho * psi, fr)
        } else {
            (-psi, values[worst])
        };
        along(coef, &mut trial2, &simplex[worst], &centroid);
        let fc = eval(&trial2);
        evals += 1;
        if fc <= bar {
            simplex[worst].copy_from_slice(&trial2);
            values[worst] = fc;
            continue;
        }
        // Shrink towards the best vertex.
        let best_p = simplex[best].clone();
        for &i in &order[1..] {
            for (x, b) in simplex[i].iter_mut().zip(&best_p) {
                *x = b + sigma * (*x - b);
            }
            values[i] = eval(&simplex[i]);
        }
        evals += d;
    }
    let best = (0..=d)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    Minimum {
        x: simplex.swap_remove(best),
        value: values[best],
        evaluations: evals,
    }
}

/// Maps an unconstrained `x` into (lo, hi) by the logistic function.
pub(crate) fn to_range(x: f64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) / (1.0 + (-x).exp())
}

/// Inverse of [`to_range`].
pub(crate) fn from_range(v: f64, lo: f64, hi: f64) -> f64 {
    let p = ((v - lo) / (hi - lo)).clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(rosen, &[-1.2, 1.0], &[0.5, 0.5], 5_000, 1e-14);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-3 && (m.x[1] - 1.0).abs() < 1e-3,
            "{m:?}"
        );
    }

    #[test]
    fn finds_a_quadratic_minimum_in_five_dimensions() {
        let f = |x: &[f64]| {
            x.iter()
                .enumerate()
                .map(|(i, v)| (v - i as f64).powi(2))
                .sum()
        };
        let m = nelder_mead(f, &[0.0; 5], &[1.0; 5], 20_000, 1e-16);
        for (i, v) in m.x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-3, "{m:?}");
        }
    }

    #[test]
    fn range_map_round_trips() {
        for v in [0.1, 0.5, 0.93] {
            assert!((to_range(from_range(v, 0.0, 1.0), 0.0, 1.0) - v).abs() < 1e-12);
        }
    }
}
