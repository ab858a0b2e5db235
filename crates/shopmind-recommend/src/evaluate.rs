//! Offline evaluation: fit on train, recommend the top k of every test user
//! among the items they have not seen in train, and score the lists.

use std::collections::HashSet;

use rayon::prelude::*;
use shopmind_core::metrics::ranking::RankingReport;
use shopmind_core::metrics::{MetricError, beyond};
use shopmind_core::record::Event;
use shopmind_core::sparse::CsrMatrix;

use crate::dataset::Dataset;
use crate::{Recommender, Scratch, recommend_with};

/// Test events as relevant sets per training row (users absent from train
/// and items absent from the dataset's catalog are dropped).
pub fn relevant_sets(data: &Dataset, test: &[Event]) -> Vec<HashSet<u32>> {
    let mut rel = vec![HashSet::new(); data.n_users()];
    for e in test {
        if let (Some(u), Some(i)) = (data.users.get(&e.user_id), data.items.get(&e.item_id)) {
            rel[u as usize].insert(i);
        }
    }
    rel
}

/// Accuracy and beyond-accuracy metrics of one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Precision, recall, MAP, NDCG, MRR, hit rate and coverage at k.
    pub ranking: RankingReport,
    /// Mean self-information of recommended items (bits).
    pub novelty: f64,
    /// Mean training popularity of recommended items (users).
    pub average_popularity: f64,
    /// Mean pairwise (1 − item cosine) within lists, cosine over training users.
    pub intra_list_diversity: f64,
    /// Wall time spent producing the lists (scoring, exclusions, top k).
    pub scoring_seconds: f64,
}

/// Cosine of two items' training-user sets (sorted rows of the transposed
/// binary matrix): |Uᵢ ∩ Uⱼ| / √(|Uᵢ| |Uⱼ|).
fn item_cosine(xt: &CsrMatrix, i: u32, j: u32) -> f64 {
    let (a, b) = (xt.row(i as usize).0, xt.row(j as usize).0);
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut p, mut q, mut common) = (0, 0, 0usize);
    while p < a.len() && q < b.len() {
        match a[p].cmp(&b[q]) {
            std::cmp::Ordering::Less => p += 1,
            std::cmp::Ordering::Greater => q += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                p += 1;
                q += 1;
            }
        }
    }
    common as f64 / ((a.len() * b.len()) as f64).sqrt()
}

/// Metrics at `k` of `model` over the users with test items.
pub fn evaluate(
    model: &dyn Recommender,
    data: &Dataset,
    relevant: &[HashSet<u32>],
    k: usize,
) -> Result<Evaluation, MetricError> {
    let start = std::time::Instant::now();
    let lists: Vec<Vec<u32>> = (0..data.n_users() as u32)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, u| {
            if relevant[u as usize].is_empty() {
                return Vec::new();
            }
            let recs = recommend_with(
                scratch,
                model,
                Some(u),
                &data.history(u),
                k,
                data.seen_items(u),
            );
            recs.into_iter().map(|(i, _)| i).collect()
        })
        .collect();
    let scoring_seconds = start.elapsed().as_secs_f64();
    let ranking = RankingReport::evaluate(&lists, relevant, k, data.n_items())?;
    let xt = data.matrix.transpose();
    let popularity: Vec<f64> = (0..data.n_items()).map(|i| xt.row_nnz(i) as f64).collect();
    let slices = || lists.iter().map(Vec::as_slice);
    // Pairs repeat across lists (a popularity model gives everyone the same
    // ten items), and a pair of popular items costs a merge of two long user
    // lists: computed once per pair. On a million users this took the
    // diversity of `popular`'s lists from over ten minutes to seconds.
    let memo = std::cell::RefCell::new(std::collections::HashMap::new());
    let cosine = |i: u32, j: u32| {
        let key = (i.min(j), i.max(j));
        if let Some(&v) = memo.borrow().get(&key) {
            return v;
        }
        let v = item_cosine(&xt, i, j);
        memo.borrow_mut().insert(key, v);
        v
    };
    Ok(Evaluation {
        ranking,
        novelty: beyond::novelty(slices(), &popularity, data.n_users())?,
        average_popularity: beyond::average_popularity(slices(), &popularity)?,
        intra_list_diversity: beyond::intra_list_diversity(slices(), cosine).unwrap_or(0.0),
        scoring_seconds,
    })
}
