//! Model-based (learning-to-rank) hybrid: a two-stage recommender.
//!
//! Stage one, *candidates*: each component model (EASE, iALS, item-kNN,
//! user-kNN by default) proposes its top `candidates` unseen items; the union
//! is the user's candidate list. Stage two, *ranking*: every (user, candidate)
//! pair gets a feature vector and a gradient-boosted ranker
//! ([`shopmind_core::learn`]) orders the list. Features, per component m:
//! the z-scored score z_m (over the whole catalog, per user) and
//! log(1 + rank_m) (rank past the candidate depth when m did not propose the
//! item); per item: the quantiles of its user count and of its time-decayed
//! count, and days since its first event; per user: log(history length /
//! median history length) and the mean popularity quantile of the history;
//! and the item's popularity quantile minus the user's (how far the item is
//! from the user's taste for popular items); with a catalog, the user's
//! affinity to the item's category (share of their history in it), the
//! item's price quantile within its category and its distance to the mean
//! price quantile of the user's history (missing values are NaN, which the
//! trees route as "missing"). Quantiles and ratios to the
//! median, not raw counts, because the ranker learns on a fit to 80% of the
//! data and is applied to a fit to all of it.
//!
//! Training follows the stacking recipe of the Netflix-prize blends and of
//! two-stage recommenders in production: a seeded 20% of every user's
//! training items is held out, the components are fitted on the remaining
//! 80%, and the ranker learns, on the candidate lists of that fit, to put the
//! held-out items first (LambdaRank on NDCG by default, Burges 2010). The
//! components are then refitted on all the data; ranks and z-scores keep the
//! features on the same scale between the two fits.

use std::collections::HashSet;
use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use shopmind_core::learn::{Features, Gbdt, GbdtParams, LambdaRank, LogLoss, Objective};

use crate::Recommender;
use crate::algorithms::{Params, fit};
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::hybrid::{Normalization, normalize};
use crate::model::Model;
use crate::popularity::{Popularity, TrendingParams};
use crate::select::holdout;
use crate::topk::top_k_with;

/// What the ranker minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankObjective {
    /// LambdaRank gradients of NDCG over each user's candidate list.
    LambdaRank,
    /// Pointwise log loss: is the candidate a held-out item?
    Logistic,
}

/// Learning-to-rank hybrid parameters.
#[derive(Debug, Clone)]
pub struct LtrParams {
    /// Component algorithms (empty: EASE when the catalog fits it, iALS,
    /// item-kNN and user-kNN).
    pub components: Vec<String>,
    /// Candidates proposed by each component (default 50).
    pub candidates: usize,
    /// The ranker's boosting parameters.
    pub ranker: GbdtParams,
    /// Ranking objective (default LambdaRank).
    pub objective: RankObjective,
    /// Share of each user's items held out to train the ranker.
    pub validation_ratio: f64,
    /// Seed of the validation split.
    pub seed: u64,
}

impl Default for LtrParams {
    fn default() -> Self {
        LtrParams {
            components: Vec::new(),
            candidates: 50,
            ranker: GbdtParams {
                trees: 100,
                learning_rate: 0.05,
                max_depth: 3,
                min_samples_leaf: 50,
                subsample: 0.8,
                ..GbdtParams::default()
            },
            objective: RankObjective::LambdaRank,
            validation_ratio: 0.2,
            seed: 42,
        }
    }
}

/// Item-side features, from the data the components were fitted on. They
/// are quantiles (0 = least, 1 = most) rather than raw counts, so that they
/// mean the same on the 80% fit the ranker learns from and on the full fit
/// it is applied to.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ItemStats {
    pop: Vec<f32>,
    trend: Vec<f32>,
    age_days: Vec<f32>,
    /// Median history length of the fitted users.
    median_history: f32,
    /// Category id per item (`u32::MAX`: none), when a catalog is attached.
    category: Vec<u32>,
    /// Price quantile within the item's category (NaN: unknown).
    price: Vec<f32>,
}

/// Each priced item's price quantile among the priced items of its
/// category; NaN without a price.
fn price_quantiles(catalog: &[shopmind_core::record::Item], category: &[u32]) -> Vec<f32> {
    let mut groups: std::collections::HashMap<u32, Vec<f64>> = Default::default();
    for (item, c) in catalog.iter().zip(category) {
        if let Some(p) = item.price {
            groups.entry(*c).or_default().push(p);
        }
    }
    for g in groups.values_mut() {
        g.sort_by(f64::total_cmp);
    }
    catalog
        .iter()
        .zip(category)
        .map(|(item, c)| match (item.price, groups.get(c)) {
            (Some(p), Some(g)) if g.len() > 1 => {
                g.partition_point(|&x| x < p) as f32 / (g.len() - 1) as f32
            }
            (Some(_), Some(_)) => 0.5,
            _ => f32::NAN,
        })
        .collect()
}

/// Each value's quantile among all values (ties share the lowest rank).
fn quantiles(v: &[f32]) -> Vec<f32> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut q = vec![0f32; v.len()];
    let denom = (v.len().max(2) - 1) as f32;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && v[order[end + 1]] == v[order[start]] {
            end += 1;
        }
        for &i in &order[start..=end] {
            q[i] = start as f32 / denom;
        }
        start = end + 1;
    }
    q
}

impl ItemStats {
    fn new(data: &Dataset) -> Result<ItemStats, RecommendError> {
        let pop = Popularity::fit(data);
        let trend = TrendingParams::default().fit(data)?;
        let latest = data.latest_timestamp();
        let mut first = vec![i64::MAX; data.n_items()];
        for i in &data.interactions {
            let f = &mut first[i.item as usize];
            *f = (*f).min(i.timestamp);
        }
        let category = if data.has_catalog() {
            crate::popularity::category_ids(&data.catalog)
        } else {
            vec![u32::MAX; data.n_items()]
        };
        let price = if data.has_catalog() {
            price_quantiles(&data.catalog, &category)
        } else {
            vec![f32::NAN; data.n_items()]
        };
        let mut lens: Vec<usize> = (0..data.n_users())
            .map(|u| data.matrix.row_nnz(u))
            .collect();
        lens.sort_unstable();
        Ok(ItemStats {
            pop: quantiles(pop.counts()),
            trend: quantiles(trend.scores()),
            age_days: first
                .iter()
                .map(|&f| {
                    if f == i64::MAX {
                        f32::NAN
                    } else {
                        (latest - f) as f32 / 86_400.0
                    }
                })
                .collect(),
            median_history: lens.get(lens.len() / 2).copied().unwrap_or(1).max(1) as f32,
            category,
            price,
        })
    }
}

/// Candidate lists and their feature rows, for one user.
struct Scored {
    items: Vec<u32>,
    features: Vec<f32>,
}

/// Fitted components plus item statistics: stage one and the features.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stage {
    components: Vec<Model>,
    stats: ItemStats,
    candidates: usize,
}

impl Stage {
    fn n_features(&self) -> usize {
        2 * self.components.len() + 9
    }

    fn score(&self, user: Option<u32>, history: &[(u32, f32)]) -> Scored {
        let n = self.stats.pop.len();
        let mut excluded: Vec<u32> = history.iter().map(|(i, _)| *i).collect();
        excluded.sort_unstable();
        excluded.dedup();
        let mut z = Vec::with_capacity(self.components.len());
        let mut ranks = Vec::with_capacity(self.components.len());
        let mut items: Vec<u32> = Vec::new();
        let mut buf = Vec::new();
        for m in &self.components {
            let mut s = vec![0f32; n];
            m.score(user, history, &mut s);
            for v in &mut s {
                if !v.is_finite() {
                    *v = 0.0;
                }
            }
            let top = top_k_with(&s, self.candidates, &excluded, &mut buf);
            let mut rank = vec![u16::MAX; n];
            for (r, (i, _)) in top.iter().enumerate() {
                rank[*i as usize] = r as u16;
                items.push(*i);
            }
            normalize(&mut s, Normalization::ZScore);
            z.push(s);
            ranks.push(rank);
        }
        items.sort_unstable();
        items.dedup();
        let hist_len = (history.len().max(1) as f32 / self.stats.median_history).ln();
        let hist_pop = if history.is_empty() {
            0.5
        } else {
            history
                .iter()
                .map(|(i, _)| self.stats.pop.get(*i as usize).copied().unwrap_or(0.0))
                .sum::<f32>()
                / history.len() as f32
        };
        let depth = self.candidates as f32;
        // Category affinity: share of the history's weight in each category;
        // price taste: the history's mean price quantile.
        let mut affinity: std::collections::BTreeMap<u32, f32> = Default::default();
        let (mut total, mut price_sum, mut priced) = (0f32, 0f32, 0f32);
        for &(i, w) in history {
            let i = i as usize;
            if w <= 0.0 || i >= n {
                continue;
            }
            total += w;
            *affinity.entry(self.stats.category[i]).or_insert(0.0) += w;
            if !self.stats.price[i].is_nan() {
                price_sum += w * self.stats.price[i];
                priced += w;
            }
        }
        let user_price = if priced > 0.0 {
            price_sum / priced
        } else {
            f32::NAN
        };
        let mut features = Vec::with_capacity(items.len() * self.n_features());
        for &i in &items {
            let i = i as usize;
            for (zm, rm) in z.iter().zip(&ranks) {
                features.push(zm[i]);
                let r = if rm[i] == u16::MAX {
                    depth
                } else {
                    f32::from(rm[i])
                };
                features.push(r.ln_1p());
            }
            features.extend([
                self.stats.pop[i],
                self.stats.trend[i],
                self.stats.age_days[i],
                hist_len,
                hist_pop,
                self.stats.pop[i] - hist_pop,
            ]);
            let c = self.stats.category[i];
            features.extend([
                if c == u32::MAX || total <= 0.0 {
                    f32::NAN
                } else {
                    affinity.get(&c).map_or(0.0, |a| a / total)
                },
                self.stats.price[i],
                (self.stats.price[i] - user_price).abs(),
            ]);
        }
        Scored { items, features }
    }
}

fn fit_stage(names: &[String], candidates: usize, data: &Dataset) -> Result<Stage, RecommendError> {
    let components = names
        .iter()
        .map(|n| fit(n, &Params::new(), data))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Stage {
        components,
        stats: ItemStats::new(data)?,
        candidates,
    })
}

/// A fitted learning-to-rank hybrid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LtrHybrid {
    stage: Stage,
    names: Vec<String>,
    ranker: Gbdt,
}

impl LtrHybrid {
    /// Takes training user `u` (and `user_id`) out of every component.
    pub(crate) fn forget_user(&mut self, u: u32, user_id: &str) {
        for c in &mut self.stage.components {
            c.forget_user(u, user_id);
        }
    }
}

/// Training rows: features, labels and per-user groups.
struct TrainingSet {
    features: Vec<f32>,
    labels: Vec<f64>,
    groups: Vec<Range<usize>>,
}

fn training_set(stage: &Stage, sub: &Dataset, held: &[HashSet<u32>], users: &[u32]) -> TrainingSet {
    let per_user: Vec<(Scored, Vec<f64>)> = users
        .par_iter()
        .map(|&u| {
            let s = stage.score(Some(u), &sub.history(u));
            let labels = s
                .items
                .iter()
                .map(|i| f64::from(u8::from(held[u as usize].contains(i))))
                .collect();
            (s, labels)
        })
        .collect();
    let mut set = TrainingSet {
        features: Vec::new(),
        labels: Vec::new(),
        groups: Vec::new(),
    };
    for (s, labels) in per_user {
        // A list without a held-out item teaches a ranker nothing.
        if labels.iter().all(|l| *l == 0.0) {
            continue;
        }
        let start = set.labels.len();
        set.features.extend(s.features);
        set.labels.extend(labels);
        set.groups.push(start..set.labels.len());
    }
    set
}

impl LtrParams {
    /// The component names these parameters resolve to on `data`.
    pub fn component_names(&self, data: &Dataset) -> Vec<String> {
        if !self.components.is_empty() {
            return self.components.clone();
        }
        let mut c = Vec::new();
        if data.n_items() <= crate::ease::MAX_ITEMS {
            c.push("ease".to_owned());
        }
        c.extend(["ials", "item-knn", "user-knn"].map(String::from));
        c
    }

    fn check(&self) -> Result<(), RecommendError> {
        if self.candidates == 0 {
            return Err(RecommendError::BadParam {
                param: "candidates".into(),
                value: "0".into(),
                reason: "at least 1".into(),
            });
        }
        if !(self.validation_ratio > 0.0 && self.validation_ratio < 1.0) {
            return Err(RecommendError::BadParam {
                param: "validation_ratio".into(),
                value: self.validation_ratio.to_string(),
                reason: "must lie in (0, 1)".into(),
            });
        }
        for c in &self.components {
            if matches!(c.as_str(), "hybrid-ltr" | "hybrid-weighted" | "best") {
                return Err(RecommendError::BadParam {
                    param: "components".into(),
                    value: c.clone(),
                    reason: "components must be base algorithms".into(),
                });
            }
        }
        Ok(())
    }

    fn train_ranker(&self, set: &TrainingSet, n_features: usize) -> Result<Gbdt, RecommendError> {
        if set.groups.is_empty() {
            return Err(RecommendError::BadParam {
                param: "validation_ratio".into(),
                value: self.validation_ratio.to_string(),
                reason: "no held-out item reached any candidate list; the data is too small for a learned ranker".into(),
            });
        }
        let x = Features {
            values: &set.features,
            cols: n_features,
        };
        let rank = LambdaRank {
            relevance: &set.labels,
            groups: &set.groups,
        };
        let log = LogLoss(&set.labels);
        let objective: &dyn Objective = match self.objective {
            RankObjective::LambdaRank => &rank,
            RankObjective::Logistic => &log,
        };
        self.ranker
            .fit(x, objective)
            .map_err(|e| RecommendError::BadParam {
                param: "ranker".into(),
                value: String::new(),
                reason: e.to_string(),
            })
    }

    /// Fits components on 80% of the data, the ranker on the held-out 20%,
    /// then refits the components on everything.
    pub fn fit(&self, data: &Dataset) -> Result<LtrHybrid, RecommendError> {
        self.check()?;
        let names = self.component_names(data);
        let (sub, held) = holdout(data, self.validation_ratio, self.seed);
        let stage = fit_stage(&names, self.candidates, &sub)?;
        let users: Vec<u32> = (0..data.n_users() as u32)
            .filter(|&u| !held[u as usize].is_empty())
            .collect();
        let set = training_set(&stage, &sub, &held, &users);
        let ranker = self.train_ranker(&set, stage.n_features())?;
        drop(stage);
        Ok(LtrHybrid {
            stage: fit_stage(&names, self.candidates, data)?,
            names,
            ranker,
        })
    }
}

impl LtrHybrid {
    /// Component names, in feature order.
    pub fn components(&self) -> &[String] {
        &self.names
    }

    /// Names of the ranker's features, in order.
    pub fn feature_names(&self) -> Vec<String> {
        let mut f = Vec::new();
        for n in &self.names {
            f.push(format!("{n}.zscore"));
            f.push(format!("{n}.log_rank"));
        }
        f.extend(
            [
                "item.popularity_quantile",
                "item.trend_quantile",
                "item.age_days",
                "user.log_history_over_median",
                "user.mean_popularity_quantile",
                "item_minus_user.popularity_quantile",
                "user_item.category_affinity",
                "item.price_quantile_in_category",
                "user_item.price_quantile_distance",
            ]
            .map(String::from),
        );
        f
    }

    /// Share of the ranker's split gain per feature (names as
    /// [`Self::feature_names`]).
    pub fn importance(&self) -> Vec<f64> {
        self.ranker.importance()
    }
}

impl Recommender for LtrHybrid {
    fn name(&self) -> &'static str {
        "hybrid-ltr"
    }
    fn n_items(&self) -> usize {
        self.stage.stats.pop.len()
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        let s = self.stage.score(user, history);
        let cols = self.stage.n_features();
        let ranked: Vec<f64> = s
            .features
            .chunks(cols)
            .map(|r| self.ranker.predict_row(r))
            .collect();
        // Non-candidates sit below every candidate (in catalog order).
        let floor = ranked.iter().copied().fold(0.0f64, f64::min) - 1.0;
        out.fill(floor as f32);
        for (&i, r) in s.items.iter().zip(&ranked) {
            out[i as usize] = *r as f32;
        }
    }
}
