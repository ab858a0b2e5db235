//! User-based k-nearest-neighbour collaborative filtering (Resnick et al.,
//! GroupLens, CSCW 1994; Herlocker et al., SIGIR 1999).
//!
//! For a user with history h (item → weight) and a training user v with row
//! rᵥ, over co-interacted items I = h ∩ rᵥ:
//!
//! - cosine: sim = Σ_I hᵢ rᵥᵢ / (‖h‖ ‖rᵥ‖)
//! - pearson: sim = Σ_I (hᵢ − h̄)(rᵥᵢ − r̄ᵥ) / (‖h − h̄‖ ‖rᵥ − r̄ᵥ‖) (for ratings;
//!   on binary data every centred value is 0)
//! - jaccard: sim = |I| / |h ∪ rᵥ|
//!
//! then significance shrinkage sim · |I| / (|I| + shrink). The `neighbors`
//! most similar users vote: score(j) = Σ_v sim(v) · rᵥⱼ. Everything is
//! computed from the current history at request time (through the
//! item → users index), so new events count at once.

use serde::{Deserialize, Serialize};
use shopmind_core::sparse::CsrMatrix;

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

/// The user-user similarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserSimilarity {
    /// Cosine.
    Cosine,
    /// Pearson correlation.
    Pearson,
    /// Jaccard.
    Jaccard,
}

/// User-kNN parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserKnnParams {
    /// Neighbours that vote (default 100; best of 20–200 on MovieLens 100K).
    pub neighbors: usize,
    /// Significance shrinkage (default 10).
    pub shrink: f32,
    /// Similarity (default cosine).
    pub similarity: UserSimilarity,
}

impl Default for UserKnnParams {
    fn default() -> Self {
        UserKnnParams {
            neighbors: 100,
            shrink: 10.0,
            similarity: UserSimilarity::Cosine,
        }
    }
}

/// A fitted user-kNN model: the training matrix and its item → users index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserKnn {
    params: UserKnnParams,
    x: CsrMatrix,
    xt: CsrMatrix,
    means: Vec<f32>,
    norms: Vec<f32>,
}

impl UserKnnParams {
    /// Checks the parameters' ranges.
    pub fn validate(&self) -> Result<(), RecommendError> {
        validate::count("neighbors", self.neighbors, 1, usize::MAX)?;
        validate::non_negative("shrink", self.shrink)
    }

    /// Validates and fits (indexes the matrix).
    pub fn fit(&self, data: &Dataset) -> Result<UserKnn, RecommendError> {
        self.validate()?;
        let x = data.matrix.clone();
        let (mut means, mut norms) = (Vec::new(), Vec::new());
        for u in 0..x.rows() {
            let (idx, val) = x.row(u);
            let mean = if idx.is_empty() {
                0.0
            } else {
                val.iter().sum::<f32>() / idx.len() as f32
            };
            let norm = match self.similarity {
                UserSimilarity::Cosine => val.iter().map(|v| v * v).sum::<f32>().sqrt(),
                UserSimilarity::Pearson => {
                    val.iter().map(|v| (v - mean).powi(2)).sum::<f32>().sqrt()
                }
                UserSimilarity::Jaccard => idx.len() as f32,
            };
            means.push(mean);
            norms.push(norm);
        }
        Ok(UserKnn {
            params: self.clone(),
            xt: x.transpose(),
            x,
            means,
            norms,
        })
    }
}

impl UserKnn {
    /// The most similar training users to a history, as (user, similarity).
    pub fn neighbors(&self, user: Option<u32>, history: &[(u32, f32)]) -> Vec<(u32, f32)> {
        let n_users = self.x.rows();
        let mut dot = vec![0f32; n_users];
        let mut common = vec![0u32; n_users];
        let h_mean = if history.is_empty() {
            0.0
        } else {
            history.iter().map(|h| h.1).sum::<f32>() / history.len() as f32
        };
        for &(i, w) in history {
            let (users, vals) = self.xt.row(i as usize);
            for (&v, &r) in users.iter().zip(vals) {
                common[v as usize] += 1;
                dot[v as usize] += match self.params.similarity {
                    UserSimilarity::Cosine => w * r,
                    UserSimilarity::Pearson => (w - h_mean) * (r - self.means[v as usize]),
                    UserSimilarity::Jaccard => 1.0,
                };
            }
        }
        let h_norm = match self.params.similarity {
            UserSimilarity::Cosine => history.iter().map(|h| h.1 * h.1).sum::<f32>().sqrt(),
            UserSimilarity::Pearson => history
                .iter()
                .map(|h| (h.1 - h_mean).powi(2))
                .sum::<f32>()
                .sqrt(),
            UserSimilarity::Jaccard => history.len() as f32,
        };
        let mut sims: Vec<(u32, f32)> = (0..n_users)
            .filter(|&v| common[v] > 0 && Some(v as u32) != user)
            .map(|v| {
                let denom = match self.params.similarity {
                    UserSimilarity::Jaccard => h_norm + self.norms[v] - dot[v],
                    UserSimilarity::Cosine | UserSimilarity::Pearson => h_norm * self.norms[v],
                };
                let sim = if denom > 0.0 { dot[v] / denom } else { 0.0 };
                let c = common[v] as f32;
                (v as u32, sim * c / (c + self.params.shrink))
            })
            .filter(|(_, s)| *s > 0.0)
            .collect();
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let k = self.params.neighbors;
        if sims.len() > k {
            sims.select_nth_unstable_by(k - 1, order);
            sims.truncate(k);
        }
        sims.sort_by(order);
        sims
    }
}

impl UserKnn {
    /// Takes training user `u` out: their row, their place in every item's
    /// user list, their mean and norm. They are nobody's neighbour again.
    pub(crate) fn forget_user(&mut self, u: usize) {
        self.x.clear_row(u);
        if let Ok(c) = u32::try_from(u) {
            self.xt.clear_col(c);
        }
        if let Some(m) = self.means.get_mut(u) {
            *m = 0.0;
        }
        if let Some(n) = self.norms.get_mut(u) {
            *n = 0.0;
        }
    }
}

impl Recommender for UserKnn {
    fn name(&self) -> &'static str {
        "user-knn"
    }
    fn n_items(&self) -> usize {
        self.x.cols()
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        out.fill(0.0);
        for (v, s) in self.neighbors(user, history) {
            let (idx, val) = self.x.row(v as usize);
            for (&j, &r) in idx.iter().zip(val) {
                out[j as usize] += s * r;
            }
        }
    }
}
