//! Okapi BM25 ranking (Robertson and Zaragoza, "The probabilistic relevance
//! framework: BM25 and beyond", 2009) over short documents with weighted
//! fields: the FAQ index and the product index are both built on it.
//!
//! For a query `q` and document `d`:
//!
//! ```text
//! score(d, q) = Σ_{t ∈ q} idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
//! idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
//! ```
//!
//! where `tf` sums the field weights of each occurrence (a BM25F-style
//! simplification: a title word counts twice as much as a description
//! word) and `|d|` is the weighted length. Each query term is at most
//! `idf(t) · (k1 + 1)`, so dividing by that bound summed over the query's
//! known terms gives a [`Hit::relevance`] in `[0, 1)` that does not grow
//! with the query's length: the quantity thresholds are set on.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use shopmind_core::text::{TokenizerOptions, tokenize};

/// Term-frequency saturation.
pub const K1: f64 = 1.2;
/// Length normalisation.
pub const B: f64 = 0.75;

/// An inverted index over weighted-field documents.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bm25Index {
    #[serde(serialize_with = "shopmind_core::artifact::sorted")]
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    avg_len: f64,
}

/// A ranked document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the document in insertion order.
    pub doc: usize,
    /// Raw BM25 score.
    pub score: f64,
    /// Score divided by the query's attainable bound, in `[0, 1)`.
    pub relevance: f64,
}

/// The terms of `text` for retrieval: stop words dropped, plurals folded.
pub fn terms(text: &str) -> Vec<String> {
    tokenize(text, TokenizerOptions::default())
}

impl Bm25Index {
    /// Builds the index; each document is a list of `(text, weight)` fields.
    pub fn build<'a, D>(docs: D) -> Bm25Index
    where
        D: IntoIterator,
        D::Item: IntoIterator<Item = (&'a str, f32)>,
    {
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut lengths = Vec::new();
        for (id, fields) in docs.into_iter().enumerate() {
            let mut tf: HashMap<String, f32> = HashMap::new();
            let mut len = 0f32;
            for (text, weight) in fields {
                for t in terms(text) {
                    *tf.entry(t).or_insert(0.0) += weight;
                    len += weight;
                }
            }
            for (t, f) in tf {
                postings.entry(t).or_default().push((id as u32, f));
            }
            lengths.push(len);
        }
        let avg_len = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len() as f64
        };
        Bm25Index {
            postings,
            lengths,
            avg_len,
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    fn idf(&self, df: usize) -> f64 {
        let n = self.lengths.len() as f64;
        (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln()
    }

    /// The `k` best documents for `query` among those `keep` accepts, best
    /// first (ties by insertion order); documents sharing no term are left
    /// out.
    pub fn search(&self, query: &str, k: usize, keep: impl Fn(usize) -> bool) -> Vec<Hit> {
        let mut q = terms(query);
        q.sort_unstable();
        q.dedup();
        let mut scores: HashMap<u32, f64> = HashMap::new();
        let mut bound = 0.0;
        for t in &q {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            let idf = self.idf(list.len());
            bound += idf * (K1 + 1.0);
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let norm = 1.0 - B + B * f64::from(self.lengths[doc as usize]) / self.avg_len;
                *scores.entry(doc).or_insert(0.0) += idf * tf * (K1 + 1.0) / (tf + K1 * norm);
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .filter(|&(d, _)| keep(d as usize))
            .map(|(d, score)| Hit {
                doc: d as usize,
                score,
                relevance: if bound > 0.0 { score / bound } else { 0.0 },
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
        hits.truncate(k);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_matches_the_formula_by_hand() {
        // Three one-field documents; query "refund".
        let idx = Bm25Index::build([
            [("refund refund policy", 1.0)],
            [("shipping policy", 1.0)],
            [("refund", 1.0)],
        ]);
        let hits = idx.search("refund", 10, |_| true);
        assert_eq!(hits.len(), 2);
        // N = 3, df = 2: idf = ln(1 + 1.5/2.5); avgdl = (3 + 2 + 1)/3 = 2.
        let idf = (1.0f64 + 1.5 / 2.5).ln();
        let s = |tf: f64, len: f64| idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / 2.0));
        let (d0, d2) = (s(2.0, 3.0), s(1.0, 1.0));
        assert!(d2 > d0, "the short document wins: {d2} vs {d0}");
        assert_eq!(hits[0].doc, 2);
        assert!((hits[0].score - d2).abs() < 1e-9 && (hits[1].score - d0).abs() < 1e-9);
        assert!((hits[0].relevance - d2 / (idf * 2.2)).abs() < 1e-9);
    }

    #[test]
    fn field_weights_count_as_repeated_terms() {
        let weighted = Bm25Index::build([[("card", 2.0)], [("other words", 1.0)]]);
        let repeated = Bm25Index::build([[("card card", 1.0)], [("other words", 1.0)]]);
        let a = weighted.search("card", 1, |_| true)[0].score;
        let b = repeated.search("card", 1, |_| true)[0].score;
        assert!((a - b).abs() < 1e-9);
    }

    #[test]
    fn filter_and_no_match() {
        let idx = Bm25Index::build([[("red shoe", 1.0)], [("red hat", 1.0)]]);
        let hits = idx.search("red", 10, |d| d == 1);
        assert_eq!(hits.iter().map(|h| h.doc).collect::<Vec<_>>(), [1]);
        assert!(idx.search("blue", 10, |_| true).is_empty());
        assert!(Bm25Index::default().search("red", 10, |_| true).is_empty());
    }
}
