//! Popularity: every user gets the items with the most distinct users in
//! training. The fallback for cold users and the floor every other model
//! must beat.

use serde::{Deserialize, Serialize};

use crate::Recommender;
use crate::dataset::Dataset;

/// Distinct users per item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Popularity {
    counts: Vec<f32>,
}

impl Popularity {
    /// Counts users per item.
    pub fn fit(data: &Dataset) -> Popularity {
        let mut counts = vec![0.0; data.n_items()];
        for &i in data.matrix.indices() {
            counts[i as usize] += 1.0;
        }
        Popularity { counts }
    }

    /// Users per item, by item index.
    pub fn counts(&self) -> &[f32] {
        &self.counts
    }
}

impl Recommender for Popularity {
    fn name(&self) -> &'static str {
        "popular"
    }
    fn n_items(&self) -> usize {
        self.counts.len()
    }
    fn score(&self, _user: Option<u32>, _history: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.counts);
    }
}

/// Trending: time-decayed popularity. Each positive event counts
/// 2^(−age / half-life), with age measured back from the latest event in the
/// data (not the wall clock, so the model is a pure function of its data):
///   trendᵢ = Σ_{e on i, weight > 0} 2^(−(t_max − tₑ) / h).
/// The answer for users without history (cold start).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trending {
    scores: Vec<f32>,
}

/// Trending parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrendingParams {
    /// Half-life in days (default 7).
    pub half_life_days: f32,
}

impl Default for TrendingParams {
    fn default() -> Self {
        TrendingParams {
            half_life_days: 7.0,
        }
    }
}

impl TrendingParams {
    /// Validates and fits on the dataset's interactions.
    pub fn fit(&self, data: &Dataset) -> Result<Trending, crate::RecommendError> {
        crate::validate::positive("half_life_days", self.half_life_days)?;
        let latest = data
            .interactions
            .iter()
            .map(|i| i.timestamp)
            .max()
            .unwrap_or(0);
        let half_life = f64::from(self.half_life_days) * 86_400.0;
        let mut scores = vec![0f64; data.n_items()];
        for i in &data.interactions {
            if data.matrix.get(i.user as usize, i.item as usize) > 0.0 {
                let age = (latest - i.timestamp).max(0) as f64;
                scores[i.item as usize] += (-age / half_life * std::f64::consts::LN_2).exp();
            }
        }
        Ok(Trending {
            scores: scores.into_iter().map(|s| s as f32).collect(),
        })
    }
}

impl Trending {
    /// Decayed counts by item index.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

impl Recommender for Trending {
    fn name(&self) -> &'static str {
        "trending"
    }
    fn n_items(&self) -> usize {
        self.scores.len()
    }
    fn score(&self, _user: Option<u32>, _history: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.scores);
    }
}
