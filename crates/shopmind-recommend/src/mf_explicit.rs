//! Explicit rating prediction with biased matrix factorisation trained by
//! stochastic gradient descent (Koren, Bell & Volinsky, "Matrix factorization
//! techniques for recommender systems", IEEE Computer 2009; the "SVD" of the
//! Netflix Prize and of Surprise).
//!
//!   r̂ᵤᵢ = μ + bᵤ + bᵢ + pᵤ·qᵢ
//!
//! minimising Σ (rᵤᵢ − r̂ᵤᵢ)² + λ_b (bᵤ² + bᵢ²) + λ (‖pᵤ‖² + ‖qᵢ‖²) by SGD over
//! the ratings in a seeded shuffled order each epoch, with e = r − r̂:
//!   bᵤ += η (e − λ_b bᵤ),  bᵢ += η (e − λ_b bᵢ),
//!   pᵤ += η (e qᵢ − λ pᵤ), qᵢ += η (e pᵤ − λ qᵢ).
//! The learning rate decays by `decay` per epoch. Predictions are clipped to
//! the rating range seen in training; an unknown user or item falls back to
//! the biases that are known.

use serde::{Deserialize, Serialize};
use shopmind_core::record::{Event, EventType};
use shopmind_core::{Interner, Rng};

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

/// Rating triples (user, item, rating) with the interners that number them,
/// in first-seen order.
pub(crate) type InternedRatings = (Interner, Interner, Vec<(u32, u32, f32)>);

/// Interns the users and items of rating events (their `value` is the
/// rating).
pub(crate) fn intern_ratings(ratings: &[Event]) -> Result<InternedRatings, RecommendError> {
    let (mut users, mut items) = (Interner::new(), Interner::new());
    let mut triples = Vec::with_capacity(ratings.len());
    for e in ratings {
        let u = users
            .intern(&e.user_id)
            .map_err(|_| RecommendError::TooManyIds)?;
        let i = items
            .intern(&e.item_id)
            .map_err(|_| RecommendError::TooManyIds)?;
        triples.push((u, i, e.value as f32));
    }
    Ok((users, items, triples))
}

/// Biased MF parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfParams {
    /// Latent dimension (default 100).
    pub factors: usize,
    /// Epochs (default 40).
    pub epochs: usize,
    /// Initial learning rate η (default 0.01).
    pub learning_rate: f32,
    /// Per-epoch learning-rate multiplier (default 0.95).
    pub decay: f32,
    /// Factor penalty λ (default 0.08).
    pub regularization: f32,
    /// Bias penalty λ_b (default 0.02).
    pub bias_regularization: f32,
    /// Standard deviation of the initial factors (default 0.1).
    pub init_std: f32,
    /// Seed of the initialisation and the shuffles.
    pub seed: u64,
}

impl Default for MfParams {
    fn default() -> Self {
        MfParams {
            factors: 100,
            epochs: 40,
            learning_rate: 0.01,
            decay: 0.95,
            regularization: 0.08,
            bias_regularization: 0.02,
            init_std: 0.1,
            seed: 42,
        }
    }
}

/// A fitted rating model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BiasedMf {
    users: Interner,
    items: Interner,
    mean: f32,
    range: (f32, f32),
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    p: Vec<f32>,
    q: Vec<f32>,
    k: usize,
}

impl BiasedMf {
    /// Erases a user by id: their id, bias and factors.
    pub(crate) fn forget_user_id(&mut self, user_id: &str) {
        let Some(u) = self.users.get(user_id) else {
            return;
        };
        self.users.forget(u);
        let (u, k) = (u as usize, self.k);
        if let Some(b) = self.user_bias.get_mut(u) {
            *b = 0.0;
        }
        if let Some(row) = self.p.get_mut(u * k..(u + 1) * k) {
            row.fill(0.0);
        }
    }
}

impl MfParams {
    /// Checks the parameters' ranges.
    pub fn validate(&self) -> Result<(), RecommendError> {
        validate::count("factors", self.factors, 1, 1024)?;
        validate::count("epochs", self.epochs, 1, usize::MAX)?;
        validate::positive("learning_rate", self.learning_rate)?;
        validate::positive("decay", self.decay)?;
        validate::positive("init_std", self.init_std)?;
        validate::non_negative("regularization", self.regularization)?;
        validate::non_negative("bias_regularization", self.bias_regularization)
    }

    /// Fits on rating events (their `value` is the rating).
    pub fn fit(&self, ratings: &[Event]) -> Result<BiasedMf, RecommendError> {
        self.validate()?;
        if ratings.is_empty() {
            return Err(RecommendError::EmptyTrainingData);
        }
        let (users, items, triples) = intern_ratings(ratings)?;
        Ok(self.fit_triples(&triples, users, items))
    }

    /// Fits on a training dataset as a top-N recommender (`mf-explicit` in
    /// `recommend batch`): the ratings are the dataset's rating events, or,
    /// for other events, the interaction-matrix weights.
    pub fn fit_dataset(&self, data: &Dataset) -> Result<BiasedMf, RecommendError> {
        self.validate()?;
        let ratings: Vec<(u32, u32, f32)> = data
            .interactions
            .iter()
            .filter(|i| i.kind == EventType::Rating)
            .map(|i| (i.user, i.item, i.value))
            .collect();
        let triples = if ratings.is_empty() {
            let mut t = Vec::with_capacity(data.matrix.nnz());
            for u in 0..data.n_users() {
                let (idx, val) = data.matrix.row(u);
                t.extend(idx.iter().zip(val).map(|(&i, &v)| (u as u32, i, v)));
            }
            t
        } else {
            ratings
        };
        if triples.is_empty() {
            return Err(RecommendError::EmptyTrainingData);
        }
        Ok(self.fit_triples(&triples, data.users.clone(), data.items.clone()))
    }

    fn fit_triples(
        &self,
        triples: &[(u32, u32, f32)],
        users: Interner,
        items: Interner,
    ) -> BiasedMf {
        let (mut lo, mut hi, mut sum) = (f32::INFINITY, f32::NEG_INFINITY, 0f64);
        for &(_, _, r) in triples {
            lo = lo.min(r);
            hi = hi.max(r);
            sum += f64::from(r);
        }
        let k = self.factors;
        let mut rng = Rng::seed_from_u64(self.seed);
        let mut init = |n: usize| -> Vec<f32> {
            (0..n * k)
                .map(|_| (rng.normal() as f32) * self.init_std)
                .collect()
        };
        let mut m = BiasedMf {
            mean: (sum / triples.len() as f64) as f32,
            range: (lo, hi),
            user_bias: vec![0.0; users.len()],
            item_bias: vec![0.0; items.len()],
            p: init(users.len()),
            q: init(items.len()),
            users,
            items,
            k,
        };
        let mut lr = self.learning_rate;
        let mut order: Vec<usize> = (0..triples.len()).collect();
        let mut shuffle_rng = Rng::seed_from_u64(self.seed ^ 0x5eed);
        for _ in 0..self.epochs {
            shuffle_rng.shuffle(&mut order);
            for &n in &order {
                let (u, i, r) = triples[n];
                let (u, i) = (u as usize, i as usize);
                let pu = &mut m.p[u * k..(u + 1) * k];
                let qi = &mut m.q[i * k..(i + 1) * k];
                let dot: f32 = pu.iter().zip(qi.iter()).map(|(a, b)| a * b).sum();
                let e = r - (m.mean + m.user_bias[u] + m.item_bias[i] + dot);
                m.user_bias[u] += lr * (e - self.bias_regularization * m.user_bias[u]);
                m.item_bias[i] += lr * (e - self.bias_regularization * m.item_bias[i]);
                for (a, b) in pu.iter_mut().zip(qi.iter_mut()) {
                    let (pa, qb) = (*a, *b);
                    *a += lr * (e * qb - self.regularization * pa);
                    *b += lr * (e * pa - self.regularization * qb);
                }
            }
            lr *= self.decay;
        }
        m
    }
}

impl Recommender for BiasedMf {
    fn name(&self) -> &'static str {
        "mf-explicit"
    }
    fn n_items(&self) -> usize {
        self.item_bias.len()
    }
    /// Predicted ratings (unclipped, so ties at the top of the scale keep
    /// their order); a user unknown to the fit gets μ + bᵢ.
    fn score(&self, user: Option<u32>, _history: &[(u32, f32)], out: &mut [f32]) {
        let k = self.k;
        let pu = user
            .filter(|&u| (u as usize) < self.user_bias.len())
            .map(|u| {
                (
                    self.user_bias[u as usize],
                    &self.p[u as usize * k..(u as usize + 1) * k],
                )
            });
        for (i, o) in out.iter_mut().enumerate().take(self.item_bias.len()) {
            let mut r = self.mean + self.item_bias[i];
            if let Some((bu, p)) = pu {
                r += bu
                    + p.iter()
                        .zip(&self.q[i * k..(i + 1) * k])
                        .map(|(a, b)| a * b)
                        .sum::<f32>();
            }
            *o = r;
        }
    }
}

impl BiasedMf {
    /// Predicted rating of `user` for `item` (external ids).
    pub fn predict(&self, user: &str, item: &str) -> f32 {
        let (u, i) = (self.users.get(user), self.items.get(item));
        let mut r = self.mean;
        if let Some(u) = u {
            r += self.user_bias[u as usize];
        }
        if let Some(i) = i {
            r += self.item_bias[i as usize];
        }
        if let (Some(u), Some(i)) = (u, i) {
            let k = self.k;
            let (u, i) = (u as usize, i as usize);
            r += self.p[u * k..(u + 1) * k]
                .iter()
                .zip(&self.q[i * k..(i + 1) * k])
                .map(|(a, b)| a * b)
                .sum::<f32>();
        }
        r.clamp(self.range.0, self.range.1)
    }
}
