//! Weighted hybrid: a weighted sum of normalised component scores.
//!
//! Component scores live on different scales (cosine sums, regression
//! weights, dot products), so each user's score vector is standardised first:
//! z-score zᵢ = (sᵢ − mean) / std over all items, or rank-based
//! zᵢ = 1 − rankᵢ / n. The hybrid scores Σ_m w_m z_mᵢ.
//!
//! [`tune_weights`] picks the weights on a validation split carved from the
//! training data: the components are fitted once on the remaining 80%, and
//! every weight vector of a simplex grid (steps of 1/10 for two components,
//! 1/4 for three, 1/2 beyond) is scored by NDCG@10 on the held-out items of
//! up to 1,000 users.

use serde::{Deserialize, Serialize};

use rayon::prelude::*;
use shopmind_core::metrics::ranking::ndcg_at_k;

use crate::Recommender;
use crate::algorithms::{Params, fit};
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::model::Model;
use crate::select::{VALIDATION_RATIO, validation_holdout};
use crate::topk::top_k_with;

/// How component scores are put on one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalization {
    /// (s − mean) / std per user.
    ZScore,
    /// 1 − rank / n per user (robust to outliers, loses magnitudes).
    Rank,
}

/// A fitted weighted hybrid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WeightedHybrid {
    components: Vec<(Model, f32)>,
    normalization: Normalization,
    n_items: usize,
}

impl WeightedHybrid {
    /// Combines fitted models (all over the same catalog) with weights.
    pub fn new(components: Vec<(Model, f32)>, normalization: Normalization) -> WeightedHybrid {
        let n_items = components
            .iter()
            .map(|(m, _)| m.n_items())
            .min()
            .unwrap_or(0);
        WeightedHybrid {
            components,
            normalization,
            n_items,
        }
    }

    /// Component names and weights.
    pub fn weights(&self) -> Vec<(&'static str, f32)> {
        self.components
            .iter()
            .map(|(m, w)| (m.name(), *w))
            .collect()
    }
}

/// Standardises `s` in place.
pub fn normalize(s: &mut [f32], how: Normalization) {
    let n = s.len();
    if n == 0 {
        return;
    }
    match how {
        Normalization::ZScore => {
            let mean = s.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
            let var = s
                .iter()
                .map(|v| (f64::from(*v) - mean).powi(2))
                .sum::<f64>()
                / n as f64;
            let sd = var.sqrt();
            for v in s.iter_mut() {
                *v = if sd > 0.0 {
                    ((f64::from(*v) - mean) / sd) as f32
                } else {
                    0.0
                };
            }
        }
        Normalization::Rank => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
            let mut ranks = vec![0f32; n];
            for (rank, &i) in order.iter().enumerate() {
                ranks[i] = 1.0 - rank as f32 / n as f32;
            }
            s.copy_from_slice(&ranks);
        }
    }
}

impl WeightedHybrid {
    /// Takes training user `u` (and `user_id`) out of every component.
    pub(crate) fn forget_user(&mut self, u: u32, user_id: &str) {
        for (c, _) in &mut self.components {
            c.forget_user(u, user_id);
        }
    }
}

impl Recommender for WeightedHybrid {
    fn name(&self) -> &'static str {
        "hybrid-weighted"
    }
    fn n_items(&self) -> usize {
        self.n_items
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        out.fill(0.0);
        let mut buf = vec![0f32; self.n_items];
        for (model, w) in &self.components {
            model.score(user, history, &mut buf);
            normalize(&mut buf, self.normalization);
            for (o, b) in out.iter_mut().zip(&buf) {
                *o += w * b;
            }
        }
    }
}

/// Every weight vector with `m` non-negative parts summing to 1 in steps of
/// 1/`steps`.
pub fn simplex_grid(m: usize, steps: usize) -> Vec<Vec<f32>> {
    fn rec(m: usize, left: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if m == 1 {
            prefix.push(left);
            out.push(prefix.clone());
            prefix.pop();
            return;
        }
        for v in (0..=left).rev() {
            prefix.push(v);
            rec(m - 1, left - v, prefix, out);
            prefix.pop();
        }
    }
    if m == 0 || steps == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    rec(m, steps, &mut Vec::new(), &mut out);
    out.into_iter()
        .map(|v| v.into_iter().map(|x| x as f32 / steps as f32).collect())
        .collect()
}

/// Users sampled for weight tuning.
const TUNING_USERS: usize = 1000;

/// Tunes the weights of `names` on a validation split (see the module docs)
/// and returns the hybrid refitted on all of `data`, with the validation
/// NDCG@10 of the chosen weights.
pub fn tune_weights(
    names: &[String],
    data: &Dataset,
    normalization: Normalization,
    seed: u64,
) -> Result<(WeightedHybrid, f64), RecommendError> {
    let grid = simplex_grid(
        names.len(),
        match names.len() {
            2 => 10,
            3 => 4,
            _ => 2,
        },
    );
    let (sub, held) = validation_holdout(data, VALIDATION_RATIO, seed);
    let models = names
        .iter()
        .map(|n| fit(n, &Params::new(), &sub))
        .collect::<Result<Vec<_>, _>>()?;
    let users: Vec<u32> = (0..sub.n_users() as u32)
        .filter(|&u| !held[u as usize].is_empty())
        .collect();
    let stride = users.len().div_ceil(TUNING_USERS).max(1);
    let sample: Vec<u32> = users.into_iter().step_by(stride).collect();
    let n = sub.n_items();
    let totals = sample
        .par_iter()
        .map(|&u| {
            let history = sub.history(u);
            let z: Vec<Vec<f32>> = models
                .iter()
                .map(|m| {
                    let mut s = vec![0f32; n];
                    m.score(Some(u), &history, &mut s);
                    normalize(&mut s, normalization);
                    s
                })
                .collect();
            let seen = sub.seen_items(u);
            let (mut combined, mut buf) = (vec![0f32; n], Vec::new());
            grid.iter()
                .map(|w| {
                    combined.fill(0.0);
                    for (zm, wm) in z.iter().zip(w) {
                        for (c, v) in combined.iter_mut().zip(zm) {
                            *c += wm * v;
                        }
                    }
                    let list: Vec<u32> = top_k_with(&combined, 10, seen, &mut buf)
                        .into_iter()
                        .map(|(i, _)| i)
                        .collect();
                    ndcg_at_k(&list, &held[u as usize], 10).unwrap_or(0.0)
                })
                .collect::<Vec<f64>>()
        })
        .reduce(
            || vec![0.0; grid.len()],
            |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
        );
    // The first best in grid order wins ties (deterministic).
    let (best, score) =
        totals
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |(bi, bs), (i, &s)| {
                if s > bs { (i, s) } else { (bi, bs) }
            });
    let weights = grid.get(best).cloned().unwrap_or_default();
    let components = names
        .iter()
        .zip(weights)
        .map(|(n, w)| Ok((fit(n, &Params::new(), data)?, w)))
        .collect::<Result<Vec<_>, RecommendError>>()?;
    Ok((
        WeightedHybrid::new(components, normalization),
        score / sample.len().max(1) as f64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisations_known_answers() {
        let mut s = [1.0, 2.0, 3.0, 4.0];
        normalize(&mut s, Normalization::ZScore);
        // mean 2.5, population sd √1.25
        let sd = 1.25f32.sqrt();
        assert!((s[0] + 1.5 / sd).abs() < 1e-6 && (s[3] - 1.5 / sd).abs() < 1e-6);
        let mut r = [0.2, 0.9, 0.5];
        normalize(&mut r, Normalization::Rank);
        assert_eq!(r, [1.0 - 2.0 / 3.0, 1.0, 1.0 - 1.0 / 3.0]);
        let mut c = [3.0, 3.0];
        normalize(&mut c, Normalization::ZScore);
        assert_eq!(c, [0.0, 0.0]);
    }

    #[test]
    fn simplex_grid_enumerates_compositions() {
        let g = simplex_grid(2, 4);
        assert_eq!(g.len(), 5);
        assert_eq!(g[0], [1.0, 0.0]);
        assert_eq!(g[4], [0.0, 1.0]);
        // C(steps + m − 1, m − 1) points: C(6, 2) = 15 for m = 3, steps = 4
        let g3 = simplex_grid(3, 4);
        assert_eq!(g3.len(), 15);
        assert!(
            g3.iter()
                .all(|w| (w.iter().sum::<f32>() - 1.0).abs() < 1e-6)
        );
        assert!(simplex_grid(0, 4).is_empty());
    }
}
