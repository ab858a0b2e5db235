//! Supervised learners shared by the engines: gradient-boosted trees with
//! pluggable objectives (squared error for regression, log loss for
//! classification, LambdaRank for ranking).
//!
//! They live in the core crate because several engines need them (the
//! learning-to-rank hybrid recommender, price prediction, the global demand
//! forecaster) and the engines depend on nothing but the core.

pub mod gbdt;

pub use gbdt::{Features, Gbdt, GbdtParams};

use crate::Rng;

/// Why a learner could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LearnError {
    /// No rows or no features.
    #[error("no training rows or no features")]
    Empty,
    /// A feature value is ±∞ (NaN is allowed and means "missing").
    #[error("a feature value is infinite")]
    NonFinite,
    /// Targets or groups do not match the rows.
    #[error("{0}")]
    Shape(String),
    /// A parameter is out of range.
    #[error("parameter {name}: {reason}")]
    BadParam {
        /// Parameter name.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// A differentiable loss over raw scores F(xᵢ): what boosting minimises.
pub trait Objective: Sync {
    /// Validates the targets against `rows` rows.
    fn check(&self, rows: usize) -> Result<(), LearnError>;
    /// The constant start F₀ minimising the loss.
    fn base_score(&self) -> f64;
    /// First and second derivatives of the loss at the current scores.
    fn gradients(&self, pred: &[f64], grad: &mut [f64], hess: &mut [f64]);
    /// Rows used for one tree: all of them when `share` is 1, otherwise a
    /// seeded sample (whole groups for ranking objectives).
    fn sample(&self, rows: usize, share: f64, rng: &mut Rng) -> Vec<u32> {
        (0..rows as u32)
            .filter(|_| share >= 1.0 || rng.bernoulli(share))
            .collect()
    }
}

fn check_len(targets: usize, rows: usize) -> Result<(), LearnError> {
    if targets == rows {
        Ok(())
    } else {
        Err(LearnError::Shape(format!(
            "{targets} targets for {rows} rows"
        )))
    }
}

/// Squared error ½(y − F)²: g = F − y, h = 1.
pub struct SquaredError<'a>(pub &'a [f64]);

impl Objective for SquaredError<'_> {
    fn check(&self, rows: usize) -> Result<(), LearnError> {
        check_len(self.0.len(), rows)
    }
    fn base_score(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len().max(1) as f64
    }
    fn gradients(&self, pred: &[f64], grad: &mut [f64], hess: &mut [f64]) {
        for i in 0..pred.len() {
            grad[i] = pred[i] - self.0[i];
            hess[i] = 1.0;
        }
    }
}

/// Logistic loss for labels y ∈ {0, 1} on logits F: with p = σ(F),
/// g = p − y and h = p(1 − p).
pub struct LogLoss<'a>(pub &'a [f64]);

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Objective for LogLoss<'_> {
    fn check(&self, rows: usize) -> Result<(), LearnError> {
        check_len(self.0.len(), rows)?;
        if self.0.iter().any(|y| *y != 0.0 && *y != 1.0) {
            return Err(LearnError::Shape("log loss needs 0/1 labels".into()));
        }
        Ok(())
    }
    fn base_score(&self) -> f64 {
        let p = (self.0.iter().sum::<f64>() / self.0.len().max(1) as f64).clamp(1e-6, 1.0 - 1e-6);
        (p / (1.0 - p)).ln()
    }
    fn gradients(&self, pred: &[f64], grad: &mut [f64], hess: &mut [f64]) {
        for i in 0..pred.len() {
            let p = sigmoid(pred[i]);
            grad[i] = p - self.0[i];
            hess[i] = (p * (1.0 - p)).max(1e-12);
        }
    }
}

/// LambdaRank (Burges, "From RankNet to LambdaRank to LambdaMART", 2010):
/// within each group (one query, here one user's candidate list), every pair
/// (i, j) with relevance yᵢ > yⱼ pulls sᵢ up and sⱼ down by
///
///   λᵢⱼ = ρᵢⱼ · |ΔNDCGᵢⱼ|,  ρᵢⱼ = 1 / (1 + e^{sᵢ − sⱼ}),
///
/// where |ΔNDCGᵢⱼ| is the change of the group's NDCG if i and j swapped
/// places in the current ranking; the hessian is ρᵢⱼ(1 − ρᵢⱼ)|ΔNDCGᵢⱼ|.
/// Gains are 2^y − 1 and discounts 1 / log₂(1 + position).
pub struct LambdaRank<'a> {
    /// Relevance of every row.
    pub relevance: &'a [f64],
    /// Each group's rows, as a contiguous range (groups cover all rows).
    pub groups: &'a [std::ops::Range<usize>],
}

impl Objective for LambdaRank<'_> {
    fn check(&self, rows: usize) -> Result<(), LearnError> {
        check_len(self.relevance.len(), rows)?;
        let mut next = 0;
        for g in self.groups {
            if g.start != next {
                return Err(LearnError::Shape("groups must be contiguous".into()));
            }
            next = g.end;
        }
        if next != rows {
            return Err(LearnError::Shape(format!(
                "groups cover {next} of {rows} rows"
            )));
        }
        Ok(())
    }
    fn base_score(&self) -> f64 {
        0.0
    }
    fn gradients(&self, pred: &[f64], grad: &mut [f64], hess: &mut [f64]) {
        use rayon::prelude::*;
        grad.fill(0.0);
        hess.fill(0.0);
        let parts: Vec<(usize, Vec<f64>, Vec<f64>)> = self
            .groups
            .par_iter()
            .map(|g| {
                let (gr, he) = lambda_group(&pred[g.clone()], &self.relevance[g.clone()]);
                (g.start, gr, he)
            })
            .collect();
        for (start, gr, he) in parts {
            grad[start..start + gr.len()].copy_from_slice(&gr);
            hess[start..start + he.len()].copy_from_slice(&he);
        }
    }
    fn sample(&self, _rows: usize, share: f64, rng: &mut Rng) -> Vec<u32> {
        self.groups
            .iter()
            .filter(|_| share >= 1.0 || rng.bernoulli(share))
            .flat_map(|g| g.start as u32..g.end as u32)
            .collect()
    }
}

fn lambda_group(s: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = s.len();
    let (mut grad, mut hess) = (vec![0.0; n], vec![0.0; n]);
    let gain = |r: f64| 2f64.powf(r) - 1.0;
    let disc = |pos: usize| 1.0 / ((pos + 2) as f64).log2();
    let mut ideal: Vec<f64> = y.to_vec();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .enumerate()
        .map(|(p, r)| gain(*r) * disc(p))
        .sum();
    if idcg <= 0.0 {
        return (grad, hess);
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
    let mut pos = vec![0usize; n];
    for (p, &i) in order.iter().enumerate() {
        pos[i] = p;
    }
    // Only pairs with yᵢ > yⱼ contribute, so the outer loop runs over the
    // (few) relevant rows: O(relevant · n) per group, not O(n²).
    for i in (0..n).filter(|&i| y[i] > 0.0) {
        for j in 0..n {
            if y[i] <= y[j] {
                continue;
            }
            let delta = ((gain(y[i]) - gain(y[j])) * (disc(pos[i]) - disc(pos[j]))).abs() / idcg;
            let rho = sigmoid(-(s[i] - s[j]));
            grad[i] -= rho * delta;
            grad[j] += rho * delta;
            let h = (rho * (1.0 - rho) * delta).max(1e-12);
            hess[i] += h;
            hess[j] += h;
        }
    }
    (grad, hess)
}

#[cfg(test)]
mod tests;
