//! Top-k ranking metrics for recommendations.
//!
//! For one user with recommended list `r₁, r₂, …` (best first) and relevant
//! set `R` (their held-out items), with `relᵢ = 1` when `rᵢ ∈ R`:
//!
//! - precision@k = Σ_{i≤k} relᵢ / k
//! - recall@k = Σ_{i≤k} relᵢ / |R|
//! - AP@k = (1 / min(|R|, k)) Σ_{i≤k} precision@i · relᵢ; MAP@k is its mean
//!   over users
//! - NDCG@k = DCG@k / IDCG@k with DCG@k = Σ_{i≤k} relᵢ / log₂(i + 1) and IDCG@k
//!   the DCG of a perfect list (min(|R|, k) hits first)
//! - MRR@k = 1 / (rank of the first hit within k), 0 when none
//! - hit rate@k = 1 when any of the first k is relevant
//! - catalog coverage@k = |⋃ᵤ top-k(u)| / number of items
//!
//! The per-user functions assume a list without duplicates; users with an
//! empty relevant set have no defined score and [`RankingReport`] skips them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::MetricError;

fn hits(recommended: &[u32], relevant: &HashSet<u32>, k: usize) -> impl Iterator<Item = bool> {
    recommended
        .iter()
        .take(k)
        .map(move |i| relevant.contains(i))
}

fn check(relevant: &HashSet<u32>, k: usize) -> Result<(), MetricError> {
    if k == 0 {
        return Err(MetricError::ZeroK);
    }
    if relevant.is_empty() {
        return Err(MetricError::Empty);
    }
    Ok(())
}

/// Fraction of the first `k` recommendations that are relevant (a list
/// shorter than `k` still divides by `k`).
pub fn precision_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    Ok(hits(recommended, relevant, k).filter(|h| *h).count() as f64 / k as f64)
}

/// Fraction of the relevant items found in the first `k`.
pub fn recall_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    Ok(hits(recommended, relevant, k).filter(|h| *h).count() as f64 / relevant.len() as f64)
}

/// Average precision at `k`.
pub fn average_precision_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, hit) in hits(recommended, relevant, k).enumerate() {
        if hit {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    Ok(sum / relevant.len().min(k) as f64)
}

/// Normalized discounted cumulative gain at `k` with binary relevance.
pub fn ndcg_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = hits(recommended, relevant, k)
        .enumerate()
        .filter(|(_, h)| *h)
        .map(|(i, _)| discount(i))
        .sum();
    let idcg: f64 = (0..relevant.len().min(k)).map(discount).sum();
    Ok(dcg / idcg)
}

/// Reciprocal rank of the first relevant item within `k`.
pub fn reciprocal_rank_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    Ok(hits(recommended, relevant, k)
        .position(|h| h)
        .map_or(0.0, |p| 1.0 / (p + 1) as f64))
}

/// 1 when any of the first `k` is relevant, else 0.
pub fn hit_at_k(
    recommended: &[u32],
    relevant: &HashSet<u32>,
    k: usize,
) -> Result<f64, MetricError> {
    check(relevant, k)?;
    Ok(if hits(recommended, relevant, k).any(|h| h) {
        1.0
    } else {
        0.0
    })
}

/// Share of the catalog (`n_items`) that appears in at least one top-k list.
pub fn catalog_coverage<'a, I>(lists: I, k: usize, n_items: usize) -> Result<f64, MetricError>
where
    I: IntoIterator<Item = &'a [u32]>,
{
    if k == 0 {
        return Err(MetricError::ZeroK);
    }
    if n_items == 0 {
        return Err(MetricError::Empty);
    }
    let seen: HashSet<u32> = lists
        .into_iter()
        .flat_map(|l| l.iter().take(k).copied())
        .collect();
    Ok(seen.len() as f64 / n_items as f64)
}

/// Mean ranking metrics over the users that have relevant items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingReport {
    /// Cut-off.
    pub k: usize,
    /// Users averaged over.
    pub users: usize,
    /// Mean precision@k.
    pub precision: f64,
    /// Mean recall@k.
    pub recall: f64,
    /// MAP@k.
    pub map: f64,
    /// Mean NDCG@k.
    pub ndcg: f64,
    /// MRR@k.
    pub mrr: f64,
    /// Hit rate@k.
    pub hit_rate: f64,
    /// Catalog coverage@k over all lists given.
    pub coverage: f64,
}

impl RankingReport {
    /// Scores `lists[u]` against `relevant[u]`; users whose relevant set is
    /// empty are left out of the means but their lists count for coverage.
    pub fn evaluate(
        lists: &[Vec<u32>],
        relevant: &[HashSet<u32>],
        k: usize,
        n_items: usize,
    ) -> Result<Self, MetricError> {
        if lists.len() != relevant.len() {
            return Err(MetricError::LengthMismatch {
                actual: relevant.len(),
                predicted: lists.len(),
            });
        }
        let mut r = RankingReport {
            k,
            users: 0,
            precision: 0.0,
            recall: 0.0,
            map: 0.0,
            ndcg: 0.0,
            mrr: 0.0,
            hit_rate: 0.0,
            coverage: catalog_coverage(lists.iter().map(Vec::as_slice), k, n_items)?,
        };
        for (list, rel) in lists.iter().zip(relevant) {
            if rel.is_empty() {
                continue;
            }
            r.users += 1;
            r.precision += precision_at_k(list, rel, k)?;
            r.recall += recall_at_k(list, rel, k)?;
            r.map += average_precision_at_k(list, rel, k)?;
            r.ndcg += ndcg_at_k(list, rel, k)?;
            r.mrr += reciprocal_rank_at_k(list, rel, k)?;
            r.hit_rate += hit_at_k(list, rel, k)?;
        }
        if r.users == 0 {
            return Err(MetricError::Empty);
        }
        let n = r.users as f64;
        for v in [
            &mut r.precision,
            &mut r.recall,
            &mut r.map,
            &mut r.ndcg,
            &mut r.mrr,
            &mut r.hit_rate,
        ] {
            *v /= n;
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn set(v: &[u32]) -> HashSet<u32> {
        v.iter().copied().collect()
    }

    #[test]
    fn hand_computed_list() {
        // Hits at ranks 2 and 5 of 5; three relevant items.
        let rec = [1, 2, 3, 4, 5];
        let rel = set(&[2, 5, 9]);
        assert!((precision_at_k(&rec, &rel, 5).unwrap() - 0.4).abs() < EPS);
        assert!((recall_at_k(&rec, &rel, 5).unwrap() - 2.0 / 3.0).abs() < EPS);
        // (1/3)·(1/2 + 2/5) = 0.3
        assert!((average_precision_at_k(&rec, &rel, 5).unwrap() - 0.3).abs() < EPS);
        // (1/log2 3 + 1/log2 6) / (1 + 1/log2 3 + 1/log2 4), by Python: 0.4776237035032179
        assert!((ndcg_at_k(&rec, &rel, 5).unwrap() - 0.477_623_703_503_217_9).abs() < EPS);
        assert!((reciprocal_rank_at_k(&rec, &rel, 5).unwrap() - 0.5).abs() < EPS);
        assert_eq!(hit_at_k(&rec, &rel, 5).unwrap(), 1.0);
        for f in [
            precision_at_k,
            recall_at_k,
            average_precision_at_k,
            ndcg_at_k,
            reciprocal_rank_at_k,
            hit_at_k,
        ] {
            assert_eq!(f(&rec, &rel, 1).unwrap(), 0.0);
        }
    }

    #[test]
    fn perfect_list_scores_one_and_short_lists_divide_by_k() {
        let rel = set(&[7, 8]);
        assert!((ndcg_at_k(&[8, 7, 1], &rel, 3).unwrap() - 1.0).abs() < EPS);
        assert!((average_precision_at_k(&[8, 7, 1], &rel, 3).unwrap() - 1.0).abs() < EPS);
        assert!((precision_at_k(&[8], &rel, 4).unwrap() - 0.25).abs() < EPS);
        assert_eq!(precision_at_k(&[8], &rel, 0), Err(MetricError::ZeroK));
        assert_eq!(recall_at_k(&[8], &set(&[]), 3), Err(MetricError::Empty));
    }

    #[test]
    fn report_averages_and_coverage() {
        let lists = vec![vec![1, 2], vec![3, 4], vec![1, 5]];
        let rel = vec![set(&[2]), set(&[9]), set(&[])];
        let r = RankingReport::evaluate(&lists, &rel, 2, 10).unwrap();
        assert_eq!(r.users, 2);
        assert!((r.precision - 0.25).abs() < EPS); // (1/2 + 0) / 2
        assert!((r.mrr - 0.25).abs() < EPS);
        assert!((r.hit_rate - 0.5).abs() < EPS);
        assert!((r.coverage - 0.5).abs() < EPS); // {1,2,3,4,5} of 10
    }
}
