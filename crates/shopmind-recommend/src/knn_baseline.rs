//! Explicit rating prediction with the item-based kNN-baseline model
//! (Koren, "Factor in the neighbors: scalable and accurate collaborative
//! filtering", TKDD 2010, §2.2; Surprise's `KNNBaseline`).
//!
//! **Baselines.** bᵤᵢ = μ + bᵤ + bᵢ, fitted by alternating least squares on
//! the regularised squared error (Koren 2010, eq. 2), a few sweeps of
//!   bᵤ = Σ_{i∈I(u)} (rᵤᵢ − μ − bᵢ) / (λᵤ + |I(u)|),
//!   bᵢ = Σ_{u∈U(i)} (rᵤᵢ − μ − bᵤ) / (λᵢ + |U(i)|).
//!
//! **Similarity.** The Pearson correlation of baseline residuals
//! eᵤᵢ = rᵤᵢ − bᵤᵢ over the users U(i, j) who rated both items,
//!   ρᵢⱼ = Σ eᵤᵢ eᵤⱼ / √(Σ eᵤᵢ² · Σ eᵤⱼ²),
//! shrunk towards zero when few users support it:
//!   sᵢⱼ = (|U(i, j)| − 1) / (|U(i, j)| − 1 + β) · ρᵢⱼ.
//! Each item keeps its `max_neighbors` most similar positive neighbours.
//!
//! **Prediction.** Among the items j the user rated that are neighbours of
//! i, the k most similar give
//!   r̂ᵤᵢ = bᵤᵢ + Σⱼ sᵢⱼ (rᵤⱼ − bᵤⱼ) / Σⱼ sᵢⱼ,
//! falling back to bᵤᵢ when there are none, clipped to the rating range.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use shopmind_core::Interner;
use shopmind_core::record::Event;
use shopmind_core::sparse::{Aggregate, CsrMatrix};

use crate::error::RecommendError;
use crate::validate;

/// kNN-baseline parameters (defaults as Surprise's `KNNBaseline` with
/// `pearson_baseline`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnnBaselineParams {
    /// Neighbours used per prediction, k (default 40).
    pub neighbors: usize,
    /// Similarity shrinkage β (default 100).
    pub shrink: f32,
    /// Neighbours kept per item (default 500).
    pub max_neighbors: usize,
    /// Baseline sweeps (default 10).
    pub baseline_iterations: usize,
    /// λᵤ of the user biases (default 15).
    pub user_regularization: f32,
    /// λᵢ of the item biases (default 10).
    pub item_regularization: f32,
}

impl Default for KnnBaselineParams {
    fn default() -> Self {
        KnnBaselineParams {
            neighbors: 40,
            shrink: 100.0,
            max_neighbors: 500,
            baseline_iterations: 10,
            user_regularization: 15.0,
            item_regularization: 10.0,
        }
    }
}

/// A fitted kNN-baseline model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnnBaseline {
    users: Interner,
    items: Interner,
    mean: f32,
    range: (f32, f32),
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    /// users × items ratings.
    ratings: CsrMatrix,
    /// Per item, (neighbour, sᵢⱼ) sorted by neighbour.
    neighbors: Vec<Vec<(u32, f32)>>,
    k: usize,
}

/// Per-thread sums over co-rating users, reset after each item.
struct Accumulator {
    dot: Vec<f32>,
    sq_i: Vec<f32>,
    sq_j: Vec<f32>,
    count: Vec<u32>,
    touched: Vec<u32>,
}

impl Accumulator {
    fn new(n: usize) -> Accumulator {
        Accumulator {
            dot: vec![0.0; n],
            sq_i: vec![0.0; n],
            sq_j: vec![0.0; n],
            count: vec![0; n],
            touched: Vec::new(),
        }
    }
}

impl KnnBaselineParams {
    fn validate(&self) -> Result<(), RecommendError> {
        validate::count("neighbors", self.neighbors, 1, usize::MAX)?;
        validate::count("max_neighbors", self.max_neighbors, 1, usize::MAX)?;
        validate::count("baseline_iterations", self.baseline_iterations, 1, 1000)?;
        validate::non_negative("shrink", self.shrink)?;
        validate::non_negative("user_regularization", self.user_regularization)?;
        validate::non_negative("item_regularization", self.item_regularization)
    }

    /// Fits on rating events (their `value` is the rating; a repeated
    /// (user, item) keeps the last rating).
    pub fn fit(&self, ratings: &[Event]) -> Result<KnnBaseline, RecommendError> {
        self.validate()?;
        if ratings.is_empty() {
            return Err(RecommendError::EmptyTrainingData);
        }
        let (users, items, mut t) = crate::mf_explicit::intern_ratings(ratings)?;
        // Keep the last rating of a repeated (user, item): stable sort, then
        // the final entry of each run.
        t.sort_by_key(|&(u, i, _)| (u, i));
        let mut dedup: Vec<(u32, u32, f32)> = Vec::with_capacity(t.len());
        for e in t {
            match dedup.last_mut() {
                Some(last) if (last.0, last.1) == (e.0, e.1) => *last = e,
                _ => dedup.push(e),
            }
        }
        let r = CsrMatrix::from_triplets(users.len(), items.len(), &dedup, Aggregate::Sum)
            .map_err(|_| RecommendError::EmptyTrainingData)?;
        let rt = r.transpose();
        let (mut lo, mut hi, mut sum) = (f32::INFINITY, f32::NEG_INFINITY, 0f64);
        for &v in r.data() {
            lo = lo.min(v);
            hi = hi.max(v);
            sum += f64::from(v);
        }
        let mean = (sum / r.nnz().max(1) as f64) as f32;
        let (mut bu, mut bi) = (vec![0f32; r.rows()], vec![0f32; r.cols()]);
        for _ in 0..self.baseline_iterations {
            for (u, b) in bu.iter_mut().enumerate() {
                let (idx, val) = r.row(u);
                let s: f32 = idx
                    .iter()
                    .zip(val)
                    .map(|(&i, &v)| v - mean - bi[i as usize])
                    .sum();
                *b = s / (self.user_regularization + idx.len() as f32);
            }
            for (i, b) in bi.iter_mut().enumerate() {
                let (idx, val) = rt.row(i);
                let s: f32 = idx
                    .iter()
                    .zip(val)
                    .map(|(&u, &v)| v - mean - bu[u as usize])
                    .sum();
                *b = s / (self.item_regularization + idx.len() as f32);
            }
        }
        // Residuals e = r − b, users × items.
        let e: Vec<(u32, u32, f32)> = dedup
            .iter()
            .map(|&(u, i, v)| (u, i, v - mean - bu[u as usize] - bi[i as usize]))
            .collect();
        let residual = CsrMatrix::from_triplets(r.rows(), r.cols(), &e, Aggregate::Sum)
            .map_err(|_| RecommendError::EmptyTrainingData)?;
        let residual_t = residual.transpose();
        let neighbors = (0..r.cols())
            .into_par_iter()
            .map_init(
                || Accumulator::new(r.cols()),
                |acc, i| self.item_neighbors(i, &residual, &residual_t, acc),
            )
            .collect();
        Ok(KnnBaseline {
            users,
            items,
            mean,
            range: (lo, hi),
            user_bias: bu,
            item_bias: bi,
            ratings: r,
            neighbors,
            k: self.neighbors,
        })
    }

    /// Shrunk Pearson-baseline similarities of item i, top `max_neighbors`.
    fn item_neighbors(
        &self,
        i: usize,
        residual: &CsrMatrix,
        residual_t: &CsrMatrix,
        acc: &mut Accumulator,
    ) -> Vec<(u32, f32)> {
        let Accumulator {
            dot,
            sq_i,
            sq_j,
            count,
            touched,
        } = acc;
        let (users, e_i) = residual_t.row(i);
        for (&u, &eui) in users.iter().zip(e_i) {
            let (js, e_u) = residual.row(u as usize);
            for (&j, &euj) in js.iter().zip(e_u) {
                let jj = j as usize;
                if jj == i {
                    continue;
                }
                if count[jj] == 0 {
                    touched.push(j);
                }
                count[jj] += 1;
                dot[jj] += eui * euj;
                sq_i[jj] += eui * eui;
                sq_j[jj] += euj * euj;
            }
        }
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(touched.len());
        for &j in touched.iter() {
            let jj = j as usize;
            let denom = (sq_i[jj] * sq_j[jj]).sqrt();
            let n = count[jj] as f32;
            if denom > 0.0 && n > 1.0 {
                let s = (n - 1.0) / (n - 1.0 + self.shrink) * dot[jj] / denom;
                if s > 0.0 {
                    out.push((j, s));
                }
            }
            dot[jj] = 0.0;
            sq_i[jj] = 0.0;
            sq_j[jj] = 0.0;
            count[jj] = 0;
        }
        touched.clear();
        if out.len() > self.max_neighbors {
            out.select_nth_unstable_by(self.max_neighbors - 1, |a, b| {
                b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
            });
            out.truncate(self.max_neighbors);
        }
        out.sort_unstable_by_key(|a| a.0);
        out
    }
}

impl KnnBaseline {
    /// Predicted rating of `user` for `item` (external ids); unknown ids fall
    /// back to the biases that are known.
    pub fn predict(&self, user: &str, item: &str) -> f32 {
        let (u, i) = (self.users.get(user), self.items.get(item));
        let base = |u: Option<u32>, i: Option<u32>| {
            self.mean
                + u.map_or(0.0, |u| self.user_bias[u as usize])
                + i.map_or(0.0, |i| self.item_bias[i as usize])
        };
        let mut r = base(u, i);
        if let (Some(u), Some(i)) = (u, i) {
            let nb = &self.neighbors[i as usize];
            let (js, vals) = self.ratings.row(u as usize);
            let mut found: Vec<(f32, f32)> = js
                .iter()
                .zip(vals)
                .filter_map(|(&j, &ruj)| {
                    let p = nb.binary_search_by_key(&j, |n| n.0).ok()?;
                    Some((nb[p].1, ruj - base(Some(u), Some(j))))
                })
                .collect();
            if found.len() > self.k {
                found.select_nth_unstable_by(self.k - 1, |a, b| b.0.total_cmp(&a.0));
                found.truncate(self.k);
            }
            let (num, den) = found
                .iter()
                .fold((0f32, 0f32), |(n, d), (s, e)| (n + s * e, d + s));
            if den > 0.0 {
                r += num / den;
            }
        }
        r.clamp(self.range.0, self.range.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_core::record::EventType;

    fn rating(u: &str, i: &str, v: f64) -> Event {
        Event {
            event_id: format!("{u}{i}"),
            user_id: u.into(),
            item_id: i.into(),
            event_type: EventType::Rating,
            value: v,
            timestamp: 0,
        }
    }

    #[test]
    fn a_perfectly_correlated_neighbour_carries_its_residual() {
        // With huge bias penalties every baseline is μ = 24/8 = 3.
        // Residuals of a and b agree on u0 (+2, +2) and u1 (−2, −2): ρ = 1.
        // c is anti-correlated with a (u0: a +2, c −2; u1: a −2, c +2) and is
        // ignored. So r̂(u2, b) = 3 + (r(u2, a) − 3) = 5.
        let ratings = [
            rating("u0", "a", 5.0),
            rating("u0", "b", 5.0),
            rating("u0", "c", 1.0),
            rating("u1", "a", 1.0),
            rating("u1", "b", 1.0),
            rating("u1", "c", 5.0),
            rating("u2", "a", 5.0),
            rating("u3", "a", 1.0),
        ];
        let p = KnnBaselineParams {
            shrink: 0.0,
            user_regularization: 1e9,
            item_regularization: 1e9,
            ..KnnBaselineParams::default()
        };
        let m = p.fit(&ratings).unwrap();
        assert!((m.mean - 3.0).abs() < 1e-6);
        assert!((m.predict("u2", "b") - 5.0).abs() < 1e-4);
        assert!((m.predict("u3", "b") - 1.0).abs() < 1e-4);
        // c's only neighbour of u2 is a, anti-correlated: baseline.
        assert!((m.predict("u2", "c") - 3.0).abs() < 1e-4);
        assert!((m.predict("nobody", "nothing") - 3.0).abs() < 1e-6);
        let a = m.items.get("a").unwrap();
        assert_eq!(m.neighbors[a as usize].len(), 1, "only b, positive");
    }

    #[test]
    fn baselines_solve_the_alternating_least_squares_steps() {
        // One sweep from zero with λᵤ = λᵢ = 1, μ = 3:
        // bᵤ₀ = (4 − 3)/(1 + 1) = 0.5, bᵤ₁ = (2 − 3)/2 = −0.5,
        // bₐ = ((4 − 3 − 0.5) + (2 − 3 + 0.5))/(1 + 2) = 0.
        let ratings = [rating("u0", "a", 4.0), rating("u1", "a", 2.0)];
        let p = KnnBaselineParams {
            baseline_iterations: 1,
            user_regularization: 1.0,
            item_regularization: 1.0,
            ..KnnBaselineParams::default()
        };
        let m = p.fit(&ratings).unwrap();
        assert_eq!(m.user_bias, [0.5, -0.5]);
        assert_eq!(m.item_bias, [0.0]);
        assert!(KnnBaselineParams::default().fit(&[]).is_err());
        let bad = KnnBaselineParams {
            neighbors: 0,
            ..KnnBaselineParams::default()
        };
        assert!(matches!(
            bad.fit(&ratings),
            Err(RecommendError::BadParam { .. })
        ));
    }
}
