//! Offline evaluation: fit on train, recommend the top k of every test user
//! among the items they have not seen in train, and score the lists.

use std::collections::HashSet;

use rayon::prelude::*;
use shopmind_core::metrics::MetricError;
use shopmind_core::metrics::ranking::RankingReport;
use shopmind_core::record::Event;

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

/// Ranking metrics at `k` of `model` over the users with test items.
pub fn evaluate(
    model: &dyn Recommender,
    data: &Dataset,
    relevant: &[HashSet<u32>],
    k: usize,
) -> Result<RankingReport, MetricError> {
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
    RankingReport::evaluate(&lists, relevant, k, data.n_items())
}
