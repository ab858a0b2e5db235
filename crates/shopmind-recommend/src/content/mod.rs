//! Content-based and description-based recommendation: items as sparse,
//! L2-normalised feature vectors; a user as the recency-weighted mean of the
//! vectors of the items in their history; scores as cosines.
//!
//! **Content** (`content`): one feature per category-path prefix
//! (`Shoes`, `Shoes > Running`), brand, tag, `key=value` attribute and price
//! band (the price's quintile within its top-level category), each weighted
//! by its smoothed inverse document frequency idf(f) = ln((N + 1)/(df(f) + 1)) + 1
//! over the N catalog items, so a rare brand says more than a common
//! category.
//!
//! **Description** (`description`): terms of title and description from
//! [`shopmind_core::text::tokenize`] (English words, CJK bigrams), the
//! title counted twice. Weighted either by BM25 (Robertson & Zaragoza, "The
//! probabilistic relevance framework", 2009):
//!
//!   w(t, d) = idf(t) · tf (k₁ + 1) / (tf + k₁ (1 − b + b |d| / avgdl)),
//!   idf(t) = ln(1 + (N − df + ½)/(df + ½)),
//!
//! or by TF-IDF (1 + ln tf) · idf(f) with the smoothed idf above.
//!
//! **Profiles.** User u's profile is pᵤ = Σᵢ wᵤᵢ dᵤᵢ vᵢ / Σᵢ wᵤᵢ dᵤᵢ over their
//! history, where wᵤᵢ is the interaction weight and dᵤᵢ = 2^(−age/h) the
//! recency decay, age measured back from the user's latest event at fit time
//! (items that arrive later in the history count as new: dᵤᵢ = 1). Item j
//! scores pᵤ · vⱼ through the inverted (features × items) index, so a new
//! event changes the next answer without refitting, and a new item with a
//! catalog row but no events is recommendable at once (cold start).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use shopmind_core::record::Item;
use shopmind_core::sparse::{Aggregate, CsrMatrix};
use shopmind_core::text::{TokenizerOptions, tokenize};

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;

/// Sparse, row-normalised item vectors with their inverted index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemVectors {
    /// items × features.
    items: CsrMatrix,
    /// features × items.
    index: CsrMatrix,
    /// Feature names by column.
    vocabulary: Vec<String>,
}

impl ItemVectors {
    /// Builds vectors from per-item (feature, weight) lists, weights summed
    /// per feature and each row scaled to unit length.
    fn build(rows: Vec<Vec<(String, f32)>>) -> ItemVectors {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut names = Vec::new();
        let mut triplets = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            let mut acc: Vec<(u32, f32)> = Vec::with_capacity(row.len());
            for (f, w) in row {
                let id = *vocab.entry(f).or_insert_with_key(|k| {
                    names.push(k.clone());
                    (names.len() - 1) as u32
                });
                acc.push((id, w));
            }
            acc.sort_by_key(|a| a.0);
            let mut merged: Vec<(u32, f32)> = Vec::with_capacity(acc.len());
            for (id, w) in acc {
                match merged.last_mut() {
                    Some(last) if last.0 == id => last.1 += w,
                    _ => merged.push((id, w)),
                }
            }
            let norm = merged.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                triplets.extend(merged.into_iter().map(|(f, w)| (i as u32, f, w / norm)));
            }
        }
        let n_items = triplets.iter().map(|t| t.0 as usize + 1).max().unwrap_or(0);
        Self::from_triplets(n_items, names, &triplets)
    }

    fn from_triplets(n_items: usize, names: Vec<String>, t: &[(u32, u32, f32)]) -> ItemVectors {
        let items = CsrMatrix::from_triplets(n_items, names.len(), t, Aggregate::Sum)
            .unwrap_or_else(|_| CsrMatrix::zeros(n_items, names.len()));
        ItemVectors {
            index: items.transpose(),
            items,
            vocabulary: names,
        }
    }

    /// Pads to `n` items (items without features have empty rows).
    fn with_items(self, n: usize) -> ItemVectors {
        if self.items.rows() >= n {
            return self;
        }
        let mut t = Vec::with_capacity(self.items.nnz());
        for r in 0..self.items.rows() {
            let (idx, val) = self.items.row(r);
            t.extend(idx.iter().zip(val).map(|(&c, &v)| (r as u32, c, v)));
        }
        Self::from_triplets(n, self.vocabulary, &t)
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.items.rows()
    }

    /// An item's (feature name, weight) pairs.
    pub fn features(&self, item: u32) -> Vec<(&str, f32)> {
        if item as usize >= self.items.rows() {
            return Vec::new();
        }
        let (idx, val) = self.items.row(item as usize);
        idx.iter()
            .zip(val)
            .map(|(&f, &w)| (self.vocabulary[f as usize].as_str(), w))
            .collect()
    }

    /// out[j] = p · vⱼ for a sparse profile p.
    fn dot_all(&self, profile: &BTreeMap<u32, f32>, out: &mut [f32]) {
        out.fill(0.0);
        for (&f, &pw) in profile {
            let (idx, val) = self.index.row(f as usize);
            for (&j, &v) in idx.iter().zip(val) {
                if let Some(o) = out.get_mut(j as usize) {
                    *o += pw * v;
                }
            }
        }
    }

    /// Σ wᵢ vᵢ / Σ wᵢ over (item, weight) pairs, in feature order (a hash
    /// map's random order would change float sums, hence ties, between runs).
    fn profile(&self, weighted: impl Iterator<Item = (u32, f32)>) -> BTreeMap<u32, f32> {
        let mut p: BTreeMap<u32, f32> = BTreeMap::new();
        let mut total = 0f32;
        for (i, w) in weighted {
            if w <= 0.0 || i as usize >= self.items.rows() {
                continue;
            }
            total += w;
            let (idx, val) = self.items.row(i as usize);
            for (&f, &v) in idx.iter().zip(val) {
                *p.entry(f).or_insert(0.0) += w * v;
            }
        }
        if total > 0.0 {
            for v in p.values_mut() {
                *v /= total;
            }
        }
        p
    }
}

fn smooth_idf(n: usize, df: usize) -> f32 {
    (((n + 1) as f32) / ((df + 1) as f32)).ln() + 1.0
}

/// Re-weights raw (feature, count) rows by smoothed idf.
fn idf_weight(rows: Vec<Vec<(String, f32)>>) -> Vec<Vec<(String, f32)>> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let mut seen: Vec<&str> = row.iter().map(|(f, _)| f.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for f in seen {
            *df.entry(f).or_insert(0) += 1;
        }
    }
    let n = rows.len();
    let idf: HashMap<String, f32> = df
        .into_iter()
        .map(|(f, d)| (f.to_owned(), smooth_idf(n, d)))
        .collect();
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(f, w)| {
                    let i = idf.get(&f).copied().unwrap_or(1.0);
                    (f, w * i)
                })
                .collect()
        })
        .collect()
}

/// Structured features of one item (before idf weighting).
fn attribute_features(item: &Item, band: Option<usize>) -> Vec<(String, f32)> {
    let mut f = Vec::new();
    if let Some(cat) = &item.category {
        let mut path = String::new();
        for part in shopmind_core::record::category_levels(cat) {
            if !path.is_empty() {
                path.push_str(" > ");
            }
            path.push_str(&part);
            f.push((format!("category:{path}"), 1.0));
        }
    }
    if let Some(b) = &item.brand {
        f.push((format!("brand:{}", b.trim().to_lowercase()), 1.0));
    }
    for t in &item.tags {
        f.push((format!("tag:{}", t.trim().to_lowercase()), 1.0));
    }
    for (k, v) in &item.attributes {
        if !v.trim().is_empty() {
            f.push((
                format!("{}={}", k.to_lowercase(), v.trim().to_lowercase()),
                1.0,
            ));
        }
    }
    if let Some(b) = band {
        f.push((format!("price_band:{b}"), 1.0));
    }
    f
}

/// Price quintile (0..=4) of every priced item within its top-level category.
fn price_bands(items: &[Item]) -> Vec<Option<usize>> {
    let top = |i: &Item| {
        i.category
            .as_deref()
            .and_then(|c| shopmind_core::record::category_levels(c).next())
            .unwrap_or_default()
    };
    let mut groups: HashMap<String, Vec<f64>> = HashMap::new();
    for i in items {
        if let Some(p) = i.price {
            groups.entry(top(i)).or_default().push(p);
        }
    }
    for prices in groups.values_mut() {
        prices.sort_by(f64::total_cmp);
    }
    items
        .iter()
        .map(|i| {
            let p = i.price?;
            let g = groups.get(&top(i))?;
            let below = g.partition_point(|&x| x < p);
            Some((below * 5 / g.len().max(1)).min(4))
        })
        .collect()
}

/// How description terms are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum TermWeighting {
    /// BM25 with k₁ and b.
    Bm25 {
        /// Term-frequency saturation.
        k1: f32,
        /// Length normalisation.
        b: f32,
    },
    /// (1 + ln tf) · idf.
    TfIdf,
}

/// Content-model parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContentParams {
    /// Half-life of a history item's weight in the profile, in days
    /// (default 30).
    pub half_life_days: f32,
    /// Description weighting (only for `description`; default BM25 with
    /// k₁ = 1.2, b = 0.75).
    pub weighting: TermWeighting,
}

impl Default for ContentParams {
    fn default() -> Self {
        ContentParams {
            half_life_days: 30.0,
            weighting: TermWeighting::Bm25 { k1: 1.2, b: 0.75 },
        }
    }
}

/// A fitted content or description model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContentModel {
    name: ContentKind,
    vectors: ItemVectors,
    /// users × items recency decay dᵤᵢ of the fitted histories.
    decay: CsrMatrix,
}

impl ContentModel {
    /// Drops training user `u`'s recency weights.
    pub(crate) fn forget_user(&mut self, u: usize) {
        self.decay.clear_row(u);
    }
}

/// Which item representation a [`ContentModel`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentKind {
    /// Structured attributes.
    Content,
    /// Title and description text.
    Description,
}

/// Description terms of every item, weighted.
fn description_rows(items: &[Item], weighting: TermWeighting) -> Vec<Vec<(String, f32)>> {
    let docs: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let mut t = Vec::new();
            if let Some(title) = &i.title {
                let words = tokenize(title, TokenizerOptions::default());
                t.extend(words.iter().cloned());
                t.extend(words);
            }
            if let Some(d) = &i.description {
                t.extend(tokenize(d, TokenizerOptions::default()));
            }
            t
        })
        .collect();
    let tf_rows: Vec<Vec<(String, f32)>> = docs
        .iter()
        .map(|d| {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for w in d {
                *tf.entry(w).or_insert(0.0) += 1.0;
            }
            let mut row: Vec<(String, f32)> =
                tf.into_iter().map(|(w, c)| (w.to_owned(), c)).collect();
            row.sort_by(|a, b| a.0.cmp(&b.0));
            row
        })
        .collect();
    match weighting {
        TermWeighting::TfIdf => idf_weight(
            tf_rows
                .into_iter()
                .map(|r| r.into_iter().map(|(w, c)| (w, 1.0 + c.ln())).collect())
                .collect(),
        ),
        TermWeighting::Bm25 { k1, b } => {
            let n = docs.len() as f32;
            let avgdl = docs.iter().map(Vec::len).sum::<usize>() as f32 / n.max(1.0);
            let mut df: HashMap<&str, f32> = HashMap::new();
            for row in &tf_rows {
                for (w, _) in row {
                    *df.entry(w.as_str()).or_insert(0.0) += 1.0;
                }
            }
            let idf: HashMap<String, f32> = df
                .into_iter()
                .map(|(w, d)| (w.to_owned(), (1.0 + (n - d + 0.5) / (d + 0.5)).ln()))
                .collect();
            tf_rows
                .into_iter()
                .zip(&docs)
                .map(|(row, doc)| {
                    let norm = k1 * (1.0 - b + b * doc.len() as f32 / avgdl.max(1e-9));
                    row.into_iter()
                        .map(|(w, tf)| {
                            let i = idf.get(&w).copied().unwrap_or(0.0);
                            (w, i * tf * (k1 + 1.0) / (tf + norm))
                        })
                        .collect()
                })
                .collect()
        }
    }
}

impl ContentParams {
    fn check(&self) -> Result<(), RecommendError> {
        crate::validate::positive("half_life_days", self.half_life_days)?;
        if let TermWeighting::Bm25 { k1, b } = self.weighting {
            crate::validate::non_negative("k1", k1)?;
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

    /// Fits a content (`Content`) or description (`Description`) model.
    pub fn fit(&self, kind: ContentKind, data: &Dataset) -> Result<ContentModel, RecommendError> {
        self.check()?;
        if !data.has_catalog() {
            return Err(RecommendError::NoCatalog(match kind {
                ContentKind::Content => "content",
                ContentKind::Description => "description",
            }));
        }
        let items = &data.catalog;
        let rows = match kind {
            ContentKind::Content => {
                let bands = price_bands(items);
                idf_weight(
                    items
                        .iter()
                        .zip(bands)
                        .map(|(i, b)| attribute_features(i, b))
                        .collect(),
                )
            }
            ContentKind::Description => description_rows(items, self.weighting),
        };
        let vectors = ItemVectors::build(rows).with_items(data.n_items());
        if vectors.items.nnz() == 0 {
            return Err(RecommendError::NoCatalog(match kind {
                ContentKind::Content => "content",
                ContentKind::Description => "description",
            }));
        }
        Ok(ContentModel {
            name: kind,
            vectors,
            decay: recency_decay(data, self.half_life_days),
        })
    }
}

/// dᵤᵢ = 2^(−(t_last(u) − t_last(u, i)) / h) for every (user, item) with a
/// positive weight.
fn recency_decay(data: &Dataset, half_life_days: f32) -> CsrMatrix {
    let mut last_user = vec![i64::MIN; data.n_users()];
    let mut last: HashMap<(u32, u32), i64> = HashMap::new();
    for i in &data.interactions {
        let u = &mut last_user[i.user as usize];
        *u = (*u).max(i.timestamp);
        let e = last.entry((i.user, i.item)).or_insert(i64::MIN);
        *e = (*e).max(i.timestamp);
    }
    let h = f64::from(half_life_days) * 86_400.0;
    let t: Vec<(u32, u32, f32)> = last
        .into_iter()
        .map(|((u, i), ts)| {
            let age = (last_user[u as usize] - ts).max(0) as f64;
            (u, i, (-age / h * std::f64::consts::LN_2).exp() as f32)
        })
        .collect();
    CsrMatrix::from_triplets(data.n_users(), data.n_items(), &t, Aggregate::Max)
        .unwrap_or_else(|_| CsrMatrix::zeros(data.n_users(), data.n_items()))
}

impl ContentModel {
    /// The item vectors.
    pub fn vectors(&self) -> &ItemVectors {
        &self.vectors
    }

    /// Cosine of `item` with every item.
    pub fn similar_scores(&self, item: u32, out: &mut [f32]) {
        let p = self.vectors.profile(std::iter::once((item, 1.0)));
        self.vectors.dot_all(&p, out);
    }
}

impl Recommender for ContentModel {
    fn name(&self) -> &'static str {
        match self.name {
            ContentKind::Content => "content",
            ContentKind::Description => "description",
        }
    }
    fn n_items(&self) -> usize {
        self.vectors.n_items()
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        let decay = |i: u32| match user {
            Some(u) if (u as usize) < self.decay.rows() => {
                let d = self.decay.get(u as usize, i as usize);
                if d > 0.0 { d } else { 1.0 }
            }
            _ => 1.0,
        };
        let p = self
            .vectors
            .profile(history.iter().map(|&(i, w)| (i, w * decay(i))));
        self.vectors.dot_all(&p, out);
    }
    fn similar(&self, item: u32, out: &mut [f32]) {
        self.similar_scores(item, out);
    }
}

#[cfg(test)]
mod tests;
