//! Item-based k-nearest-neighbour collaborative filtering (Sarwar et al.,
//! "Item-based collaborative filtering recommendation algorithms", WWW 2001;
//! Deshpande & Karypis, "Item-based top-N recommendation algorithms", TOIS 2004).
//!
//! With rᵢ the column of item i in the users × items matrix:
//!
//! - cosine: sim(i, j) = ⟨rᵢ, rⱼ⟩ / (‖rᵢ‖ ‖rⱼ‖ + shrink)
//! - jaccard: sim(i, j) = |Uᵢ ∩ Uⱼ| / (|Uᵢ ∪ Uⱼ| + shrink) on the binarised matrix
//!
//! Each item keeps its `neighbors` most similar items. A user with history
//! h = {(i, wᵢ)} scores item j as Σᵢ wᵢ · sim(i, j), so a new event changes
//! the next answer without refitting.
//!
//! Similarities are computed sparse × sparse, item by item in parallel:
//! for item i, walk its users and their items, accumulating ⟨rᵢ, rⱼ⟩ into a
//! dense accumulator of one row. Cost Σᵤ deg(u)² multiply-adds; memory one
//! accumulator per thread plus the pruned lists, never items × items.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

/// The similarity measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Similarity {
    /// Cosine with shrinkage.
    Cosine,
    /// Jaccard with shrinkage.
    Jaccard,
}

/// Item-kNN parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemKnnParams {
    /// Neighbours kept per item (default 200).
    pub neighbors: usize,
    /// Shrinkage added to the denominator (default 10).
    pub shrink: f32,
    /// Similarity (default cosine).
    pub similarity: Similarity,
}

impl Default for ItemKnnParams {
    fn default() -> Self {
        ItemKnnParams {
            neighbors: 200,
            shrink: 10.0,
            similarity: Similarity::Cosine,
        }
    }
}

/// A fitted item-kNN model: the pruned neighbour list of every item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemKnn {
    params: ItemKnnParams,
    /// neighbours[i] = (j, sim(i, j)), most similar first.
    neighbors: Vec<Vec<(u32, f32)>>,
}

impl ItemKnnParams {
    /// Validates and fits.
    pub fn fit(&self, data: &Dataset) -> Result<ItemKnn, RecommendError> {
        validate::count("neighbors", self.neighbors, 1, usize::MAX)?;
        validate::non_negative("shrink", self.shrink)?;
        let x = &data.matrix;
        let xt = x.transpose();
        let n = data.n_items();
        // Column norms (cosine) or user counts (jaccard).
        let norms: Vec<f32> = (0..n)
            .map(|i| {
                let (_, v) = xt.row(i);
                match self.similarity {
                    Similarity::Cosine => v.iter().map(|w| w * w).sum::<f32>().sqrt(),
                    Similarity::Jaccard => v.len() as f32,
                }
            })
            .collect();
        let neighbors = (0..n)
            .into_par_iter()
            .map_init(
                || (vec![0f32; n], Vec::<u32>::new()),
                |(acc, touched), i| {
                    let (users, ru) = xt.row(i);
                    for (&u, &w_ui) in users.iter().zip(ru) {
                        let (items, rv) = x.row(u as usize);
                        for (&j, &w_uj) in items.iter().zip(rv) {
                            if j as usize == i {
                                continue;
                            }
                            if acc[j as usize] == 0.0 {
                                touched.push(j);
                            }
                            acc[j as usize] += match self.similarity {
                                Similarity::Cosine => w_ui * w_uj,
                                Similarity::Jaccard => 1.0,
                            };
                        }
                    }
                    let mut list: Vec<(u32, f32)> = touched
                        .drain(..)
                        .map(|j| {
                            let dot = std::mem::take(&mut acc[j as usize]);
                            let denom = match self.similarity {
                                Similarity::Cosine => norms[i] * norms[j as usize],
                                Similarity::Jaccard => norms[i] + norms[j as usize] - dot,
                            } + self.shrink;
                            (j, if denom > 0.0 { dot / denom } else { 0.0 })
                        })
                        .filter(|(_, s)| *s > 0.0)
                        .collect();
                    let order =
                        |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                    if list.len() > self.neighbors {
                        list.select_nth_unstable_by(self.neighbors - 1, order);
                        list.truncate(self.neighbors);
                    }
                    list.sort_by(order);
                    list
                },
            )
            .collect();
        Ok(ItemKnn {
            params: self.clone(),
            neighbors,
        })
    }
}

impl ItemKnn {
    /// The neighbours of item `i`, most similar first.
    pub fn neighbors(&self, i: u32) -> &[(u32, f32)] {
        self.neighbors.get(i as usize).map_or(&[], Vec::as_slice)
    }

    /// The parameters it was fitted with.
    pub fn params(&self) -> &ItemKnnParams {
        &self.params
    }
}

impl Recommender for ItemKnn {
    fn name(&self) -> &'static str {
        "item-knn"
    }
    fn n_items(&self) -> usize {
        self.neighbors.len()
    }
    fn score(&self, _user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        out.fill(0.0);
        for &(i, w) in history {
            for &(j, s) in self.neighbors(i) {
                out[j as usize] += w * s;
            }
        }
    }
}
