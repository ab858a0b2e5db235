//! `best`: the model users get by default, chosen on the data itself.
//!
//! A validation set is carved out of the training matrix (per user, a seeded
//! 20% of their items when they have at least two), each candidate
//! (EASE when the catalog fits it, iALS, item-kNN; default parameters) is
//! fitted on the rest and scored by NDCG@10 on the held-out items, and the
//! winner is refitted on all the training data.

use std::collections::HashSet;

use shopmind_core::Rng;
use shopmind_core::sparse::{Aggregate, CsrMatrix};

use crate::algorithms::{Params, fit};
use crate::dataset::Dataset;
use crate::ease::MAX_ITEMS;
use crate::error::RecommendError;
use crate::evaluate::evaluate;
use crate::model::Model;

/// Share of each user's items held out for validation.
pub const VALIDATION_RATIO: f64 = 0.2;
/// Seed of the validation split.
pub const VALIDATION_SEED: u64 = 42;

/// Splits each row: a seeded `ratio` of its entries (rounded, at least one
/// left in train) go to the returned relevant sets.
pub fn split_rows(m: &CsrMatrix, ratio: f64, seed: u64) -> (CsrMatrix, Vec<HashSet<u32>>) {
    let root = Rng::seed_from_u64(seed);
    let mut train = Vec::with_capacity(m.nnz());
    let mut held = vec![HashSet::new(); m.rows()];
    for (r, held_r) in held.iter_mut().enumerate() {
        let (idx, val) = m.row(r);
        let mut order: Vec<usize> = (0..idx.len()).collect();
        let keep = if idx.len() < 2 {
            idx.len()
        } else {
            root.fork(r as u64).shuffle(&mut order);
            ((idx.len() as f64 * (1.0 - ratio)).round() as usize).clamp(1, idx.len() - 1)
        };
        for (n, &p) in order.iter().enumerate() {
            if n < keep {
                train.push((r as u32, idx[p], val[p]));
            } else {
                held_r.insert(idx[p]);
            }
        }
    }
    let train = CsrMatrix::from_triplets(m.rows(), m.cols(), &train, Aggregate::Sum)
        .unwrap_or_else(|_| CsrMatrix::zeros(m.rows(), m.cols()));
    (train, held)
}

/// The candidates `best` tries on this data.
pub fn candidates(data: &Dataset) -> Vec<&'static str> {
    let mut c = Vec::new();
    if data.n_items() <= MAX_ITEMS {
        c.push("ease");
    }
    c.extend(["ials", "item-knn"]);
    c
}

/// The model `best` chose and why.
pub struct Selection {
    /// The winner, refitted on all the data.
    pub model: Model,
    /// Validation NDCG@10 of every candidate.
    pub validation: Vec<(&'static str, f64)>,
}

/// The data with a seeded `ratio` of every user's items held out: the
/// remaining training dataset and the held-out items per user.
pub fn holdout(data: &Dataset, ratio: f64, seed: u64) -> (Dataset, Vec<HashSet<u32>>) {
    let (train, held) = split_rows(&data.matrix, ratio, seed);
    let sub = Dataset {
        seen: train.clone(),
        users: data.users.clone(),
        items: data.items.clone(),
        matrix: train,
        interactions: data.interactions.clone(),
        catalog: data.catalog.clone(),
    };
    (sub, held)
}

/// Picks and refits the best candidate.
pub fn select_best(data: &Dataset) -> Result<Selection, RecommendError> {
    let (sub, held) = holdout(data, VALIDATION_RATIO, VALIDATION_SEED);
    let mut scores = Vec::new();
    for name in candidates(data) {
        let model = fit(name, &Params::new(), &sub)?;
        let ndcg = evaluate(model.as_ref(), &sub, &held, 10).map_or(0.0, |r| r.ranking.ndcg);
        scores.push((name, ndcg));
    }
    let winner = scores
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or("ials", |w| w.0);
    Ok(Selection {
        model: fit(winner, &Params::new(), data)?,
        validation: scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rows_partitions_each_row() {
        let t: Vec<(u32, u32, f32)> = (0..10).map(|i| (0, i, 1.0)).chain([(1, 3, 1.0)]).collect();
        let m = CsrMatrix::from_triplets(2, 10, &t, Aggregate::Sum).unwrap();
        let (train, held) = split_rows(&m, 0.2, 1);
        assert_eq!((train.row_nnz(0), held[0].len()), (8, 2));
        assert_eq!(
            (train.row_nnz(1), held[1].len()),
            (1, 0),
            "a single item stays in train"
        );
        for &i in &held[0] {
            assert_eq!(train.get(0, i as usize), 0.0);
        }
        assert_eq!(split_rows(&m, 0.2, 1).1, held, "deterministic");
    }
}
