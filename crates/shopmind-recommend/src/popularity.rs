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
