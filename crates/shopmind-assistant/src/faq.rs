//! FAQ retrieval: BM25 over each answer's paraphrased questions (weight 2)
//! and the answer text (weight 1), paraphrases of one answer pooled into one
//! document so that an answer with many phrasings is not over-counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopmind_core::record::FaqEntry;

use crate::bm25::{Bm25Index, Hit};

/// Default relevance (see [`crate::bm25::Hit::relevance`]) below which the
/// FAQ has "no answer".
pub const DEFAULT_THRESHOLD: f64 = 0.25;

/// One answer with all the questions that lead to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqAnswer {
    /// The answer text.
    pub answer: String,
    /// Its intent label, when the FAQ gives one.
    pub intent: Option<String>,
    /// Every phrasing of the question.
    pub questions: Vec<String>,
}

/// The searchable FAQ.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaqIndex {
    answers: Vec<FaqAnswer>,
    bm25: Bm25Index,
    /// Relevance below which [`FaqIndex::best`] answers nothing.
    pub threshold: f64,
}

/// A retrieved answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FaqHit<'a> {
    /// Position of the answer (its source id is `faq:{index}`).
    pub index: usize,
    /// The answer.
    pub entry: &'a FaqAnswer,
    /// Normalised BM25 relevance in `[0, 1)`.
    pub relevance: f64,
}

impl FaqIndex {
    /// Builds the index; rows with the same answer text are pooled.
    pub fn build(entries: &[FaqEntry]) -> FaqIndex {
        let mut by_answer: BTreeMap<&str, usize> = BTreeMap::new();
        let mut answers: Vec<FaqAnswer> = Vec::new();
        for e in entries {
            let n = *by_answer.entry(e.answer.trim()).or_insert_with(|| {
                answers.push(FaqAnswer {
                    answer: e.answer.trim().to_owned(),
                    intent: e.intent.clone().filter(|i| !i.is_empty()),
                    questions: Vec::new(),
                });
                answers.len() - 1
            });
            if !answers[n].questions.contains(&e.question) {
                answers[n].questions.push(e.question.clone());
            }
        }
        let bm25 = Bm25Index::build(answers.iter().map(|a| {
            a.questions
                .iter()
                .map(|q| (q.as_str(), 2.0))
                .chain(std::iter::once((a.answer.as_str(), 1.0)))
                .collect::<Vec<_>>()
        }));
        FaqIndex {
            answers,
            bm25,
            threshold: DEFAULT_THRESHOLD,
        }
    }

    /// Number of distinct answers.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether there is no answer at all.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// Answer `index`.
    pub fn get(&self, index: usize) -> Option<&FaqAnswer> {
        self.answers.get(index)
    }

    /// The `k` best answers to `question`, restricted to `intent` when given.
    pub fn search(&self, question: &str, intent: Option<&str>, k: usize) -> Vec<FaqHit<'_>> {
        let keep = |d: usize| intent.is_none_or(|i| self.answers[d].intent.as_deref() == Some(i));
        self.bm25
            .search(question, k, keep)
            .into_iter()
            .map(|Hit { doc, relevance, .. }| FaqHit {
                index: doc,
                entry: &self.answers[doc],
                relevance,
            })
            .collect()
    }

    /// The best answer at or above the threshold: first among the answers
    /// of `intent`, then among all.
    pub fn best(&self, question: &str, intent: Option<&str>) -> Option<FaqHit<'_>> {
        let pick = |i: Option<&str>| {
            self.search(question, i, 1)
                .into_iter()
                .next()
                .filter(|h| h.relevance >= self.threshold)
        };
        intent.and_then(|i| pick(Some(i))).or_else(|| pick(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> FaqIndex {
        let e = |q: &str, a: &str, i: &str| FaqEntry {
            question: q.into(),
            answer: a.into(),
            intent: Some(i.into()),
        };
        FaqIndex::build(&[
            e(
                "How do I return an item?",
                "Returns are free within 30 days.",
                "returns",
            ),
            e(
                "Can I send something back?",
                "Returns are free within 30 days.",
                "returns",
            ),
            e(
                "How long does shipping take?",
                "Delivery takes 2 to 4 days.",
                "shipping_time",
            ),
            e(
                "Which payment methods do you accept?",
                "We take cards and PayPal.",
                "payment",
            ),
        ])
    }

    #[test]
    fn paraphrases_are_pooled_and_retrieved() {
        let f = faq();
        assert_eq!(f.len(), 3);
        let hit = f.best("I want to send this back", None).expect("an answer");
        assert_eq!(hit.entry.answer, "Returns are free within 30 days.");
        assert_eq!(hit.entry.questions.len(), 2);
    }

    #[test]
    fn below_threshold_is_no_answer() {
        let f = faq();
        assert!(f.best("what is the meaning of life", None).is_none());
        assert!(f.best("", None).is_none());
    }

    #[test]
    fn intent_restricts_then_falls_back() {
        let f = faq();
        let hit = f.best("how long does shipping take", Some("returns"));
        assert_eq!(hit.map(|h| h.index), Some(1), "falls back to all answers");
        let none = f.search("shipping", Some("payment"), 5);
        assert!(none.is_empty());
    }
}
