//! Weighted hybrid: a weighted sum of normalised component scores.
//!
//! Component scores live on different scales (cosine sums, regression
//! weights, dot products), so each user's score vector is standardised first:
//! z-score zᵢ = (sᵢ − mean) / std over all items, or rank-based
//! zᵢ = 1 − rankᵢ / n. The hybrid scores Σ_m w_m z_mᵢ.

use serde::{Deserialize, Serialize};

use crate::Recommender;
use crate::model::Model;

/// How component scores are put on one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}
