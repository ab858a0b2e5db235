//! Personalized recommendation: popularity (global, per category,
//! trending), user- and item-based kNN, content (attributes) and description
//! (text) models, EASEᴿ, implicit ALS, BPR, weighted and learning-to-rank
//! hybrids, and explicit rating models (biased MF, kNN-baseline).
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP.
//!
//! Every model answers through one trait, [`Recommender`]: given a user's
//! training row (if known) and current history, it scores every item. The
//! history-based models (kNN, EASE, content, description) use only the
//! history, so a new event changes the next answer without refitting; iALS
//! folds a new or changed user in by one k × k solve. [`Model`] holds any
//! fitted model as one serializable value. [`recommend`] turns scores into a
//! top-k list that skips what the caller excludes (by default, what the user
//! has already seen).
//!
//! ```
//! use shopmind_core::record::{Event, EventType};
//! use shopmind_recommend::{Dataset, MatrixOptions, recommend, algorithms};
//!
//! let ev = |u: &str, i: &str| Event {
//!     event_id: format!("{u}{i}"), user_id: u.into(), item_id: i.into(),
//!     event_type: EventType::Purchase, value: 1.0, timestamp: 0,
//! };
//! let events = [ev("a", "x"), ev("a", "y"), ev("b", "x"), ev("b", "y"), ev("c", "x")];
//! let data = Dataset::from_events(&events, [], MatrixOptions { binary: true, ..Default::default() })?;
//! let model = algorithms::fit("item-knn", &Default::default(), &data)?;
//! let c = data.users.get("c").unwrap();
//! let recs = recommend(model.as_ref(), Some(c), &data.history(c), 1, &[]);
//! assert_eq!(data.items.resolve(recs[0].0), Some("y"));
//! # Ok::<(), shopmind_recommend::RecommendError>(())
//! ```

pub mod algorithms;
pub mod bpr;
pub mod content;
pub mod dataset;
pub mod ease;
pub mod error;
pub mod evaluate;
pub mod hybrid;
pub mod ials;
pub mod item_knn;
pub mod knn_baseline;
pub mod ltr;
pub mod mf_explicit;
pub mod model;
mod params;
pub mod popularity;
pub mod rules;
pub mod select;
pub mod topk;
pub mod tune;
pub mod user_knn;
mod validate;

pub use dataset::{Dataset, MatrixOptions};
pub use error::RecommendError;
pub use model::Model;

/// A fitted recommendation model.
pub trait Recommender: Send + Sync {
    /// Algorithm name as used on the command line.
    fn name(&self) -> &'static str;
    /// Items the model can score.
    fn n_items(&self) -> usize;
    /// Writes a score for every item into `out` (length [`Self::n_items`]).
    /// `user` is the user's training row, when known; `history` their current
    /// (item, weight) interactions.
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]);
    /// Writes every item's similarity to `item` into `out`. By default, the
    /// scores of an anonymous user whose whole history is that one item
    /// ("people who liked this also liked"); the content models override it
    /// with the cosine of the item vectors.
    fn similar(&self, item: u32, out: &mut [f32]) {
        self.score(None, &[(item, 1.0)], out);
    }
}

/// Cold start: [`recommend`] with `model` when the user has a positive
/// history, otherwise with `fallback` (trending items, by convention). The
/// flag says whether the fallback answered.
pub fn recommend_or_fallback(
    model: &dyn Recommender,
    fallback: &dyn Recommender,
    user: Option<u32>,
    history: &[(u32, f32)],
    k: usize,
    exclude: &[u32],
) -> (Vec<(u32, f32)>, bool) {
    if history.iter().any(|(_, w)| *w > 0.0) {
        (recommend(model, user, history, k, exclude), false)
    } else {
        (recommend(fallback, user, history, k, exclude), true)
    }
}

/// The `k` items most similar to `item` (never `item` itself nor `exclude`).
pub fn similar_items(
    model: &dyn Recommender,
    item: u32,
    k: usize,
    exclude: &[u32],
) -> Vec<(u32, f32)> {
    let mut scores = vec![0f32; model.n_items()];
    model.similar(item, &mut scores);
    let mut excluded: Vec<u32> = exclude.iter().copied().chain([item]).collect();
    excluded.sort_unstable();
    excluded.dedup();
    topk::top_k(&scores, k, &excluded)
}

/// The `k` best items for a user as (item, score), never any of the
/// history's items nor of `exclude`.
pub fn recommend(
    model: &dyn Recommender,
    user: Option<u32>,
    history: &[(u32, f32)],
    k: usize,
    exclude: &[u32],
) -> Vec<(u32, f32)> {
    recommend_with(&mut Scratch::default(), model, user, history, k, exclude)
}

/// Work buffers for [`recommend_with`], reused across users (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    scores: Vec<f32>,
    candidates: Vec<(u32, f32)>,
    excluded: Vec<u32>,
}

/// [`recommend`] with reusable buffers.
pub fn recommend_with(
    scratch: &mut Scratch,
    model: &dyn Recommender,
    user: Option<u32>,
    history: &[(u32, f32)],
    k: usize,
    exclude: &[u32],
) -> Vec<(u32, f32)> {
    scratch.scores.resize(model.n_items(), 0.0);
    model.score(user, history, &mut scratch.scores);
    let excluded = &mut scratch.excluded;
    excluded.clear();
    excluded.extend(
        history
            .iter()
            .map(|(i, _)| *i)
            .chain(exclude.iter().copied()),
    );
    excluded.sort_unstable();
    excluded.dedup();
    topk::top_k_with(&scratch.scores, k, excluded, &mut scratch.candidates)
}
