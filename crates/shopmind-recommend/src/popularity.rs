//! Popularity: every user gets the items with the most distinct users in
//! training. The fallback for cold users and the floor every other model
//! must beat.

use serde::{Deserialize, Serialize};

use crate::Recommender;
use crate::dataset::Dataset;

/// Distinct users per item; optionally per category (see
/// [`Popularity::fit_by_category`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Popularity {
    counts: Vec<f32>,
    /// Full category path of every item (`u32::MAX`: none), when fitted
    /// per category.
    categories: Option<Vec<u32>>,
}

/// A dense id per distinct category path (lower-cased, parts trimmed) of
/// every item; `u32::MAX` for an item without a category.
pub(crate) fn category_ids(catalog: &[shopmind_core::record::Item]) -> Vec<u32> {
    let mut ids: std::collections::HashMap<String, u32> = Default::default();
    catalog
        .iter()
        .map(|item| {
            let path = item
                .category
                .as_deref()
                .map(shopmind_core::record::normalize_category);
            match path.filter(|c| !c.is_empty()) {
                None => u32::MAX,
                Some(c) => {
                    let next = ids.len() as u32;
                    *ids.entry(c).or_insert(next)
                }
            }
        })
        .collect()
}

/// Share of a user's history that makes an item count in per-category
/// popularity even when the user never touched its category.
const CATEGORY_FLOOR: f32 = 0.05;

impl Popularity {
    /// Counts users per item.
    pub fn fit(data: &Dataset) -> Popularity {
        let mut counts = vec![0.0; data.n_items()];
        for &i in data.matrix.indices() {
            counts[i as usize] += 1.0;
        }
        Popularity {
            counts,
            categories: None,
        }
    }

    /// Per-category popularity: an item scores its user count times the
    /// user's affinity to its category (the full path) plus a floor,
    ///   sᵢ = popᵢ · (a_u(cᵢ) + 0.05),  a_u(c) = Σ_{j∈H(u), cⱼ=c} wⱼ / Σ_{j∈H(u)} wⱼ,
    /// so the best sellers of the user's favourite categories come first and
    /// a user without history gets global popularity. Needs a catalog.
    pub fn fit_by_category(data: &Dataset) -> Result<Popularity, crate::RecommendError> {
        if !data.has_catalog() {
            return Err(crate::RecommendError::NoCatalog("popular by=category"));
        }
        let categories = category_ids(&data.catalog);
        Ok(Popularity {
            categories: Some(categories),
            ..Popularity::fit(data)
        })
    }

    /// Users per item, by item index.
    pub fn counts(&self) -> &[f32] {
        &self.counts
    }
}

impl Recommender for Popularity {
    fn name(&self) -> &'static str {
        "popular"
    }
    fn n_items(&self) -> usize {
        self.counts.len()
    }
    fn score(&self, _user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.counts);
        let Some(cats) = &self.categories else {
            return;
        };
        let mut affinity: std::collections::BTreeMap<u32, f32> = Default::default();
        let mut total = 0f32;
        for &(i, w) in history {
            if let Some(&c) = cats.get(i as usize).filter(|c| **c != u32::MAX)
                && w > 0.0
            {
                *affinity.entry(c).or_insert(0.0) += w;
                total += w;
            }
        }
        if total <= 0.0 {
            return;
        }
        for (o, c) in out.iter_mut().zip(cats) {
            let a = affinity.get(c).map_or(0.0, |a| a / total);
            *o *= a + CATEGORY_FLOOR;
        }
    }
}

/// Trending: time-decayed popularity. Each positive event counts
/// 2^(−age / half-life), with age measured back from the latest event in the
/// data (not the wall clock, so the model is a pure function of its data):
///   trendᵢ = Σ_{e on i, weight > 0} 2^(−(t_max − tₑ) / h).
/// The answer for users without history (cold start).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trending {
    scores: Vec<f32>,
}

/// Trending parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendingParams {
    /// Half-life in days (default 7).
    pub half_life_days: f32,
}

impl Default for TrendingParams {
    fn default() -> Self {
        TrendingParams {
            half_life_days: 7.0,
        }
    }
}

impl TrendingParams {
    /// Validates and fits on the dataset's interactions.
    pub fn fit(&self, data: &Dataset) -> Result<Trending, crate::RecommendError> {
        crate::validate::positive("half_life_days", self.half_life_days)?;
        let latest = data.latest_timestamp();
        let half_life = f64::from(self.half_life_days) * 86_400.0;
        let mut scores = vec![0f64; data.n_items()];
        for i in &data.interactions {
            if data.matrix.get(i.user as usize, i.item as usize) > 0.0 {
                let age = (latest - i.timestamp).max(0) as f64;
                scores[i.item as usize] += (-age / half_life * std::f64::consts::LN_2).exp();
            }
        }
        Ok(Trending {
            scores: scores.into_iter().map(|s| s as f32).collect(),
        })
    }
}

impl Trending {
    /// Decayed counts by item index.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

impl Recommender for Trending {
    fn name(&self) -> &'static str {
        "trending"
    }
    fn n_items(&self) -> usize {
        self.scores.len()
    }
    fn score(&self, _user: Option<u32>, _history: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.scores);
    }
}

#[cfg(test)]
mod tests {
    use shopmind_core::record::{Event, EventType, Item};

    use super::*;
    use crate::dataset::MatrixOptions;

    #[test]
    fn per_category_popularity_weights_counts_by_affinity() {
        let ev = |u: &str, i: &str| Event {
            event_id: format!("{u}{i}"),
            user_id: u.into(),
            item_id: i.into(),
            event_type: EventType::Purchase,
            value: 1.0,
            timestamp: 0,
        };
        // a (X): 3 users, b (Y): 5 users, c (X): 1 user.
        let mut events = Vec::new();
        for n in 0..5 {
            events.push(ev(&format!("y{n}"), "b"));
        }
        for n in 0..3 {
            events.push(ev(&format!("x{n}"), "a"));
        }
        events.push(ev("me", "c"));
        let cat = |id: &str, c: &str| Item {
            category: Some(format!("{c} > sub")),
            ..Item::new(id)
        };
        let items = [cat("a", "X"), cat("b", "Y"), cat("c", "x")];
        let opts = MatrixOptions {
            binary: true,
            ..MatrixOptions::default()
        };
        let d = Dataset::from_events_with_catalog(&events, &items, [], opts).unwrap();
        let m = Popularity::fit_by_category(&d).unwrap();
        let id = |s: &str| d.items.get(s).unwrap() as usize;
        let me = d.users.get("me").unwrap();
        let mut s = vec![0f32; 3];
        // history all in X > sub (case-insensitive): a = 3 · (1 + 0.05), b = 5 · 0.05
        m.score(Some(me), &d.history(me), &mut s);
        assert!((s[id("a")] - 3.15).abs() < 1e-6 && (s[id("b")] - 0.25).abs() < 1e-6);
        // no history: global counts
        m.score(None, &[], &mut s);
        assert_eq!((s[id("a")], s[id("b")]), (3.0, 5.0));
        let bare = Dataset::from_events(&events, [], opts).unwrap();
        assert!(Popularity::fit_by_category(&bare).is_err());
    }
}
