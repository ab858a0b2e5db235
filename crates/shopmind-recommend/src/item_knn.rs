//! Item-based k-nearest-neighbour collaborative filtering (Sarwar et al.,
//! "Item-based collaborative filtering recommendation algorithms", WWW 2001;
//! Deshpande & Karypis, "Item-based top-N recommendation algorithms", TOIS 2004).
//!
//! With rᵢ the column of item i in the users × items matrix:
//!
//! - cosine: sim(i, j) = ⟨rᵢ, rⱼ⟩ / (‖rᵢ‖ ‖rⱼ‖ + shrink)
//! - jaccard: sim(i, j) = |Uᵢ ∩ Uⱼ| / (|Uᵢ ∪ Uⱼ| + shrink) on the binarised matrix
//! - adjusted cosine (Sarwar et al. 2001): cosine after subtracting each
//!   user's mean weight from their entries, so that a generous rater's
//!   weights do not look like agreement; non-positive similarities are
//!   dropped. (On binary data every entry equals its user's mean: use it with
//!   ratings or event weights.)
//!
//! Before the similarity, the matrix can be re-weighted as a document
//! collection with items as documents and users as terms (as the `implicit`
//! package's nearest-neighbour models do), so that heavy users, who touch
//! everything, count less:
//!
//! - TF-IDF: xᵤᵢ ← √xᵤᵢ · ln(N / (1 + |Iᵤ|)), N items, |Iᵤ| the user's items;
//! - BM25 (Robertson & Zaragoza 2009): xᵤᵢ ← idfᵤ · xᵤᵢ (k₁ + 1) /
//!   (xᵤᵢ + k₁ (1 − b + b |Uᵢ| / avg|U|)), idfᵤ = ln N − ln(1 + |Iᵤ|), with
//!   the item's user count as its document length.
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
use shopmind_core::sparse::{Aggregate, CsrMatrix};

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

/// The similarity measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Similarity {
    /// Cosine with shrinkage.
    Cosine,
    /// Jaccard with shrinkage.
    Jaccard,
    /// Cosine of user-mean-centred weights, with shrinkage.
    AdjustedCosine,
}

/// How the interaction matrix is re-weighted before the similarity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Weighting {
    /// The weights as they are.
    None,
    /// √x · idf of the user.
    TfIdf,
    /// BM25 with k₁ and b.
    Bm25 {
        /// Saturation (the `implicit` package uses 100).
        k1: f32,
        /// Length normalisation (0.8 in `implicit`).
        b: f32,
    },
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
    /// Re-weighting of the matrix (default none).
    pub weighting: Weighting,
}

impl Default for ItemKnnParams {
    fn default() -> Self {
        ItemKnnParams {
            neighbors: 200,
            shrink: 10.0,
            similarity: Similarity::Cosine,
            weighting: Weighting::None,
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
    /// Checks the parameters' ranges.
    pub fn validate(&self) -> Result<(), RecommendError> {
        validate::count("neighbors", self.neighbors, 1, usize::MAX)?;
        validate::non_negative("shrink", self.shrink)?;
        if let Weighting::Bm25 { k1, b } = self.weighting {
            validate::non_negative("k1", k1)?;
            if !(0.0..=1.0).contains(&b) {
                return Err(RecommendError::BadParam {
                    param: "b".into(),
                    value: b.to_string(),
                    reason: "must lie in [0, 1]".into(),
                });
            }
        }
        Ok(())
    }

    /// Validates and fits.
    pub fn fit(&self, data: &Dataset) -> Result<ItemKnn, RecommendError> {
        let lists = self.neighbor_lists(data, 0..data.n_items())?;
        self.with_lists(lists)
    }

    /// The neighbour lists of the items in `items` only (what
    /// [`ItemKnnParams::fit`] computes for every item): each item's list
    /// depends on the whole matrix but on no other item's list, so ranges
    /// can be computed apart — by several workers — and concatenated in
    /// order with [`ItemKnnParams::with_lists`] into the same model.
    pub fn neighbor_lists(
        &self,
        data: &Dataset,
        items: std::ops::Range<usize>,
    ) -> Result<Vec<Vec<(u32, f32)>>, RecommendError> {
        self.validate()?;
        let n = data.matrix.cols();
        if items.start > items.end || items.end > n {
            return Err(RecommendError::BadParam {
                param: "items".into(),
                value: format!("{}..{}", items.start, items.end),
                reason: format!("must lie in 0..{n}"),
            });
        }
        let x = reweight(&data.matrix, self.weighting, self.similarity);
        let x = &x;
        let xt = x.transpose();
        // Column norms (cosine) or user counts (jaccard).
        let norms: Vec<f32> = (0..n)
            .map(|i| {
                let (_, v) = xt.row(i);
                match self.similarity {
                    Similarity::Cosine | Similarity::AdjustedCosine => {
                        v.iter().map(|w| w * w).sum::<f32>().sqrt()
                    }
                    Similarity::Jaccard => v.len() as f32,
                }
            })
            .collect();
        let neighbors = items
            .into_par_iter()
            .map_init(
                || (vec![0f32; n], vec![false; n], Vec::<u32>::new()),
                |(acc, marked, touched), i| {
                    let (users, ru) = xt.row(i);
                    for (&u, &w_ui) in users.iter().zip(ru) {
                        let (items, rv) = x.row(u as usize);
                        for (&j, &w_uj) in items.iter().zip(rv) {
                            if j as usize == i {
                                continue;
                            }
                            if !marked[j as usize] {
                                marked[j as usize] = true;
                                touched.push(j);
                            }
                            acc[j as usize] += match self.similarity {
                                Similarity::Cosine | Similarity::AdjustedCosine => w_ui * w_uj,
                                Similarity::Jaccard => 1.0,
                            };
                        }
                    }
                    let mut list: Vec<(u32, f32)> = touched
                        .drain(..)
                        .map(|j| {
                            marked[j as usize] = false;
                            let dot = std::mem::take(&mut acc[j as usize]);
                            let denom = match self.similarity {
                                Similarity::Cosine | Similarity::AdjustedCosine => {
                                    norms[i] * norms[j as usize]
                                }
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
        Ok(neighbors)
    }

    /// The model made of every item's neighbour list, in item order (the
    /// concatenation of [`ItemKnnParams::neighbor_lists`] over ranges that
    /// cover the items); refuses a list naming an item past the end.
    pub fn with_lists(&self, neighbors: Vec<Vec<(u32, f32)>>) -> Result<ItemKnn, RecommendError> {
        self.validate()?;
        let n = neighbors.len();
        if let Some(&(j, _)) = neighbors.iter().flatten().find(|(j, _)| *j as usize >= n) {
            return Err(RecommendError::BadParam {
                param: "neighbors".into(),
                value: j.to_string(),
                reason: format!("a neighbour list names item {j} of {n}"),
            });
        }
        Ok(ItemKnn {
            params: self.clone(),
            neighbors,
        })
    }
}

/// The matrix the similarity is computed on (see the module docs).
fn reweight(m: &CsrMatrix, weighting: Weighting, similarity: Similarity) -> CsrMatrix {
    let n_items = m.cols() as f32;
    let mut item_users = vec![0f32; m.cols()];
    for &i in m.indices() {
        item_users[i as usize] += 1.0;
    }
    let avg_len = m.nnz() as f32 / m.cols().max(1) as f32;
    let mut t = Vec::with_capacity(m.nnz());
    for u in 0..m.rows() {
        let (idx, val) = m.row(u);
        let mean = if similarity == Similarity::AdjustedCosine && !val.is_empty() {
            val.iter().sum::<f32>() / val.len() as f32
        } else {
            0.0
        };
        let df = idx.len() as f32;
        for (&i, &v) in idx.iter().zip(val) {
            let w = match weighting {
                Weighting::None => v,
                Weighting::TfIdf => v.max(0.0).sqrt() * (n_items / (1.0 + df)).ln().max(0.0),
                Weighting::Bm25 { k1, b } => {
                    let idf = (n_items.ln() - df.ln_1p()).max(0.0);
                    let norm = k1 * (1.0 - b + b * item_users[i as usize] / avg_len.max(1e-9));
                    idf * v * (k1 + 1.0) / (v + norm)
                }
            };
            t.push((u as u32, i, w - mean));
        }
    }
    CsrMatrix::from_triplets(m.rows(), m.cols(), &t, Aggregate::Sum)
        .unwrap_or_else(|_| CsrMatrix::zeros(m.rows(), m.cols()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(t: &[(u32, u32, f32)]) -> CsrMatrix {
        CsrMatrix::from_triplets(2, 4, t, Aggregate::Sum).unwrap()
    }

    #[test]
    fn ranges_concatenate_to_the_full_fit() {
        let t: Vec<(u32, u32, f32)> = (0..40u32)
            .flat_map(|u| {
                (0..12u32)
                    .filter(move |i| (u * 7 + i * 3) % 5 < 2)
                    .map(move |i| (u, i, 1.0 + (u % 3) as f32))
            })
            .collect();
        let m = CsrMatrix::from_triplets(40, 12, &t, Aggregate::Sum).unwrap();
        let ids = |n: usize| {
            let mut i = shopmind_core::id::Interner::new();
            for k in 0..n {
                i.intern(&k.to_string()).unwrap();
            }
            i
        };
        let data = Dataset {
            seen: m.clone(),
            users: ids(40),
            items: ids(12),
            matrix: m,
            interactions: Vec::new(),
            catalog: Default::default(),
        };
        let p = ItemKnnParams {
            neighbors: 3,
            ..ItemKnnParams::default()
        };
        let whole = p.fit(&data).unwrap();
        let mut lists = p.neighbor_lists(&data, 0..5).unwrap();
        lists.extend(p.neighbor_lists(&data, 5..5).unwrap());
        lists.extend(p.neighbor_lists(&data, 5..12).unwrap());
        let parts = p.with_lists(lists).unwrap();
        assert_eq!(whole.neighbors, parts.neighbors);
        assert!(whole.neighbors.iter().any(|l| l.len() == 3));
        assert!(p.neighbor_lists(&data, 5..13).is_err());
        assert!(p.with_lists(vec![vec![(4, 1.0)]]).is_err());
    }

    #[test]
    fn reweighting_matches_hand_computation() {
        // u0 = {i0}, u1 = {i0, i1, i2}; N = 4 items, item user counts
        // (2, 1, 1, 0), mean 1.
        let m = matrix(&[(0, 0, 1.0), (1, 0, 1.0), (1, 1, 1.0), (1, 2, 1.0)]);
        // TF-IDF: u0 √1 · ln(4/2) = ln 2; u1 ln(4/4) = 0.
        let t = reweight(&m, Weighting::TfIdf, Similarity::Cosine);
        assert!((t.get(0, 0) - 2f32.ln()).abs() < 1e-6);
        assert_eq!(t.get(1, 1), 0.0);
        // BM25 k₁ = 1, b = ½: u0 idf = ln 4 − ln 2 = ln 2; i0 norm
        // 1·(½ + ½·2/1) = 1.5, so ln 2 · 1 · 2 / (1 + 1.5) = 0.8 ln 2.
        let b = reweight(&m, Weighting::Bm25 { k1: 1.0, b: 0.5 }, Similarity::Cosine);
        assert!((b.get(0, 0) - 0.8 * 2f32.ln()).abs() < 1e-6);
        assert_eq!(b.get(1, 0), 0.0, "a user with every item weighs nothing");
        // Adjusted cosine centres each user: u1 weights (2, 4) → (−1, +1).
        let w = matrix(&[(0, 0, 5.0), (1, 0, 2.0), (1, 1, 4.0)]);
        let c = reweight(&w, Weighting::None, Similarity::AdjustedCosine);
        assert_eq!((c.get(1, 0), c.get(1, 1)), (-1.0, 1.0));
        assert_eq!(c.get(0, 0), 0.0);
    }
}
