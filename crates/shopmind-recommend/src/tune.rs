//! Seeded hyper-parameter search: `eval recommend --tune`.
//!
//! Random search (Bergstra & Bengio, "Random search for hyper-parameter
//! optimization", JMLR 2012) over a small grid per algorithm: the defaults
//! are always tried first, then up to `trials − 1` distinct grid points drawn
//! with a seeded generator. Each is fitted on the training data minus a
//! seeded 20% of every user's items and scored by NDCG@k on those items; the
//! winner's parameters are returned for a refit on all the training data.

use std::collections::HashSet;

use shopmind_core::Rng;

use crate::algorithms::{Params, fit};
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::evaluate::evaluate;
use crate::select::{VALIDATION_RATIO, validation_holdout};

/// The grid searched for an algorithm (empty: nothing to tune).
pub fn space(algorithm: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match algorithm {
        "item-knn" => &[
            ("neighbors", &["20", "50", "100", "200", "400"]),
            ("shrink", &["0", "10", "50", "100"]),
            ("similarity", &["cosine", "jaccard"]),
            ("weighting", &["none", "tfidf", "bm25"]),
        ],
        "user-knn" => &[
            ("neighbors", &["20", "50", "100", "200"]),
            ("shrink", &["0", "10", "50"]),
            ("similarity", &["cosine", "pearson", "jaccard"]),
        ],
        "ease" => &[(
            "lambda",
            &["50", "100", "200", "300", "500", "800", "1200", "2000"],
        )],
        "ials" => &[
            ("factors", &["32", "64", "128"]),
            ("regularization", &["5", "10", "17", "22", "30", "50"]),
            ("reg_exponent", &["0", "0.5", "1"]),
            ("alpha", &["0.5", "1", "2", "4"]),
        ],
        "bpr" => &[
            ("factors", &["32", "64", "128"]),
            ("learning_rate", &["0.01", "0.05", "0.1"]),
            ("regularization", &["0.0001", "0.001", "0.01"]),
            ("epochs", &["20", "50", "100"]),
        ],
        "trending" => &[("half_life_days", &["1", "3", "7", "14", "30", "90"])],
        "content" | "description" => &[("half_life_days", &["7", "30", "90", "365"])],
        _ => &[],
    }
}

/// One tried parameter set and its validation NDCG@k.
#[derive(Debug, Clone)]
pub struct Trial {
    /// Parameters (empty = defaults).
    pub params: Params,
    /// Validation NDCG@k.
    pub ndcg: f64,
}

/// The search's outcome.
#[derive(Debug, Clone)]
pub struct Tuned {
    /// The best parameters.
    pub best: Params,
    /// Every trial, in the order tried.
    pub trials: Vec<Trial>,
}

/// Searches `algorithm`'s grid (see the module docs). `progress` is called
/// after each trial with (done, total).
pub fn tune(
    algorithm: &str,
    data: &Dataset,
    trials: usize,
    k: usize,
    seed: u64,
    mut progress: impl FnMut(usize, usize),
) -> Result<Tuned, RecommendError> {
    if k == 0 {
        return Err(RecommendError::ZeroK);
    }
    let grid = space(algorithm);
    let size: usize = grid.iter().map(|(_, v)| v.len()).product();
    let mut candidates: Vec<Params> = vec![Params::new()];
    if !grid.is_empty() {
        let mut rng = Rng::seed_from_u64(seed);
        let mut tried = HashSet::new();
        // Bounded attempts: small grids run out of new points.
        for _ in 0..trials.saturating_mul(20) {
            if candidates.len() >= trials.min(size + 1) {
                break;
            }
            let point: Vec<usize> = grid
                .iter()
                .map(|(_, v)| rng.below(v.len() as u64) as usize)
                .collect();
            if tried.insert(point.clone()) {
                candidates.push(
                    grid.iter()
                        .zip(&point)
                        .map(|((key, vals), &i)| ((*key).to_owned(), vals[i].to_owned()))
                        .collect(),
                );
            }
        }
    }
    let (sub, held) = validation_holdout(data, VALIDATION_RATIO, seed);
    let total = candidates.len();
    let mut out = Vec::with_capacity(total);
    for (n, params) in candidates.into_iter().enumerate() {
        let model = fit(algorithm, &params, &sub)?;
        let ndcg = evaluate(model.as_ref(), &sub, &held, k).map_or(0.0, |e| e.ranking.ndcg);
        out.push(Trial { params, ndcg });
        progress(n + 1, total);
    }
    let best = out
        .iter()
        .fold(None::<&Trial>, |b, t| match b {
            Some(b) if b.ndcg >= t.ndcg => Some(b),
            _ => Some(t),
        })
        .map(|t| t.params.clone())
        .unwrap_or_default();
    Ok(Tuned { best, trials: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithms::NAMES;

    #[test]
    fn every_grid_value_is_accepted_by_its_algorithm() {
        for name in NAMES {
            for (key, values) in space(name) {
                for v in *values {
                    let p: Params = [((*key).to_owned(), (*v).to_owned())].into();
                    let parsed = crate::algorithms::check(name, &p);
                    assert!(parsed.is_ok(), "{name}.{key}={v}: {parsed:?}");
                }
            }
        }
    }
}
