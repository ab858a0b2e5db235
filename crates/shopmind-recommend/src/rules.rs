//! Business rules applied at scoring time, the same for every model:
//!
//! 1. **Eligibility**: items in the user's history, in `exclude`, or outside
//!    the `allowed` mask (category filter, inactive, out of stock: the
//!    caller builds the mask from the catalog) are never returned.
//! 2. **Popularity-bias control**: s'ᵢ = zᵢ − β · log(1 + popᵢ) / log(1 + max pop),
//!    with zᵢ the user's standardised scores; β > 0 favours the long tail.
//! 3. **Boosts**: an additive bonus on the standardised score per item
//!    (merchandising: new arrivals, margin, campaigns).
//! 4. **Diversity**: maximal marginal relevance (Carbonell & Goldstein,
//!    SIGIR 1998) over a candidate pool of the best max(5k, 50) items: pick
//!    argmaxᵢ λ·relᵢ − (1 − λ)·max_{j∈S} sim(i, j), with rel the scores
//!    min–max scaled to [0, 1] over the pool; λ = 1 is plain top-k.

use crate::hybrid::{Normalization, normalize};
use crate::topk::top_k_with;
use crate::{Recommender, Scratch};

/// Item-item similarity used by the diversity rule (e.g. same category → 1).
pub type ItemSimilarity<'a> = &'a (dyn Fn(u32, u32) -> f32 + Sync);

/// The rules of one request.
#[derive(Default)]
pub struct Rules<'a> {
    /// Items never to return (besides the history).
    pub exclude: &'a [u32],
    /// When set, only items whose entry is true may be returned.
    pub allowed: Option<&'a [bool]>,
    /// Per-item interaction counts and β for the popularity-bias control.
    pub popularity_penalty: Option<(&'a [f32], f32)>,
    /// (item, bonus) added to the standardised score.
    pub boosts: &'a [(u32, f32)],
    /// λ in [0, 1] and the similarity for MMR diversity.
    pub diversity: Option<(f32, ItemSimilarity<'a>)>,
}

/// The `k` best eligible items for a user under `rules`, best first.
pub fn recommend_with_rules(
    scratch: &mut Scratch,
    model: &dyn Recommender,
    user: Option<u32>,
    history: &[(u32, f32)],
    k: usize,
    rules: &Rules<'_>,
) -> Vec<(u32, f32)> {
    let mut scores = std::mem::take(&mut scratch.scores);
    scores.resize(model.n_items(), 0.0);
    model.score(user, history, &mut scores);
    let shaped = rules.popularity_penalty.is_some() || !rules.boosts.is_empty();
    if shaped {
        normalize(&mut scores, Normalization::ZScore);
    }
    if let Some((pop, beta)) = rules.popularity_penalty {
        let max = pop.iter().copied().fold(0f32, f32::max);
        if max > 0.0 {
            let scale = (1.0 + max).ln();
            for (s, p) in scores.iter_mut().zip(pop) {
                *s -= beta * (1.0 + p.max(0.0)).ln() / scale;
            }
        }
    }
    for &(i, b) in rules.boosts {
        if let Some(s) = scores.get_mut(i as usize) {
            *s += b;
        }
    }
    if let Some(mask) = rules.allowed {
        for (s, ok) in scores
            .iter_mut()
            .zip(mask.iter().chain(std::iter::repeat(&false)))
        {
            if !ok {
                *s = f32::NEG_INFINITY;
            }
        }
    }
    let mut excluded = std::mem::take(&mut scratch.excluded);
    excluded.clear();
    excluded.extend(
        history
            .iter()
            .map(|(i, _)| *i)
            .chain(rules.exclude.iter().copied()),
    );
    excluded.sort_unstable();
    excluded.dedup();
    let out = match rules.diversity {
        Some((lambda, sim)) if lambda < 1.0 => {
            let pool = top_k_with(&scores, (5 * k).max(50), &excluded, &mut scratch.candidates);
            mmr(&pool, k, lambda.clamp(0.0, 1.0), sim)
        }
        _ => top_k_with(&scores, k, &excluded, &mut scratch.candidates),
    };
    scratch.excluded = excluded;
    scratch.scores = scores;
    out
}

/// Greedy maximal marginal relevance over a pool sorted best first.
fn mmr(pool: &[(u32, f32)], k: usize, lambda: f32, sim: ItemSimilarity<'_>) -> Vec<(u32, f32)> {
    let (hi, lo) = match (pool.first(), pool.last()) {
        (Some(h), Some(l)) => (h.1, l.1),
        _ => return Vec::new(),
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let rel = |s: f32| (s - lo) / span;
    let mut chosen: Vec<(u32, f32)> = Vec::with_capacity(k);
    let mut left: Vec<(u32, f32)> = pool.to_vec();
    while chosen.len() < k && !left.is_empty() {
        let (best, _) = left
            .iter()
            .enumerate()
            .map(|(n, &(i, s))| {
                let redundancy = chosen.iter().map(|&(j, _)| sim(i, j)).fold(0f32, f32::max);
                (n, lambda * rel(s) - (1.0 - lambda) * redundancy)
            })
            .fold(
                (0, f32::NEG_INFINITY),
                |acc, x| if x.1 > acc.1 { x } else { acc },
            );
        chosen.push(left.remove(best));
    }
    chosen
}
