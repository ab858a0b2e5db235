//! Intent classification: TF-IDF features ([`crate::features`]), a
//! Crammer–Singer linear SVM ([`crate::svm`]), temperature-scaled
//! confidences and an out-of-scope threshold, both chosen on a held-out
//! validation split of the training data.
//!
//! - **Calibration** (Guo et al., "On calibration of modern neural
//!   networks", ICML 2017): confidence is the largest `softmax(s / T)` of
//!   the class scores `s`; the temperature `T` minimises the negative
//!   log-likelihood of the validation labels (golden-section search on
//!   `ln T`).
//! - **Out of scope**: a message whose confidence is below `τ` gets the
//!   intent [`OOS`]. `τ` maximises, over the validation messages, the number
//!   answered correctly minus the number answered wrongly, where answering
//!   an out-of-scope example (label `oos`) counts as wrong: the model
//!   answers exactly where it is more often right than wrong (Larson et
//!   al. 2019 choose the CLINC150 threshold on validation data the same way
//!   in spirit).
//!
//! Examples labelled `oos` (or `out_of_scope`) are not a class: they only
//! help choose `τ` and are scored by out-of-scope recall.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shopmind_core::record::IntentExample;
use shopmind_core::rng::Rng;

use crate::AssistantError;
use crate::features::{SparseVec, Vectorizer};
use crate::svm::{self, LinearModel, SvmParams};

/// The label of a message the model should not answer.
pub const OOS: &str = "oos";

/// Whether `label` marks an out-of-scope example.
pub fn is_oos(label: &str) -> bool {
    matches!(label, "oos" | "out_of_scope" | "out-of-scope")
}

/// Settings of [`IntentModel::fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IntentParams {
    /// The linear SVM.
    pub svm: SvmParams,
    /// Share of each intent's examples held out to calibrate (0 disables).
    pub validation: f64,
    /// Seed of the validation split.
    pub seed: u64,
}

impl Default for IntentParams {
    fn default() -> Self {
        IntentParams {
            svm: SvmParams::default(),
            validation: 0.1,
            seed: 42,
        }
    }
}

/// A fitted intent classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntentModel {
    vectorizer: Vectorizer,
    labels: Vec<String>,
    linear: LinearModel,
    /// Softmax temperature.
    pub temperature: f64,
    /// Confidence below which a message is out of scope.
    pub threshold: f64,
    /// Parameters it was fitted with.
    pub params: IntentParams,
}

/// The classification of one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// The most likely intent, or [`OOS`] below the threshold.
    pub intent: String,
    /// The most likely intent whatever the threshold.
    pub top: String,
    /// Calibrated probability of `top`.
    pub confidence: f64,
    /// The next most likely intents with their probabilities.
    pub alternatives: Vec<(String, f64)>,
}

impl IntentModel {
    /// Fits the classifier (see the module docs). Runs the validation fit
    /// and the final fit on all in-scope examples side by side.
    pub fn fit(
        examples: &[IntentExample],
        params: &IntentParams,
    ) -> Result<IntentModel, AssistantError> {
        if !(0.0..0.9).contains(&params.validation) || params.svm.c.is_nan() || params.svm.c <= 0.0
        {
            return Err(AssistantError::Params(
                "validation must be in [0, 0.9) and C positive".into(),
            ));
        }
        let mut by_label: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut oos: Vec<&str> = Vec::new();
        for e in examples {
            if is_oos(&e.intent) {
                oos.push(&e.text);
            } else {
                by_label.entry(&e.intent).or_default().push(&e.text);
            }
        }
        if by_label.len() < 2 {
            return Err(AssistantError::Data(format!(
                "need examples of at least two intents, got {}",
                by_label.len()
            )));
        }
        let labels: Vec<String> = by_label.keys().map(|l| (*l).to_owned()).collect();
        let mut rng = Rng::seed_from_u64(params.seed);
        let mut train: Vec<(&str, u32)> = Vec::new();
        let mut valid: Vec<(&str, Option<u32>)> = Vec::new();
        let mut all: Vec<(&str, u32)> = Vec::new();
        for (y, texts) in by_label.values().enumerate() {
            let mut texts = texts.clone();
            rng.shuffle(&mut texts);
            let hold = if texts.len() >= 2 {
                ((texts.len() as f64 * params.validation).round() as usize).min(texts.len() - 1)
            } else {
                0
            };
            for (n, t) in texts.iter().enumerate() {
                all.push((t, y as u32));
                if n < hold {
                    valid.push((t, Some(y as u32)));
                } else {
                    train.push((t, y as u32));
                }
            }
        }
        valid.extend(oos.iter().map(|t| (*t, None)));
        let svm_params = params.svm;
        let fit_on = |rows: &[(&str, u32)]| {
            let texts: Vec<&str> = rows.iter().map(|r| r.0).collect();
            let vectorizer = Vectorizer::fit(&texts);
            let xs: Vec<SparseVec> = texts.iter().map(|t| vectorizer.transform(t)).collect();
            let ys: Vec<u32> = rows.iter().map(|r| r.1).collect();
            let (linear, report) = svm::fit(&xs, &ys, vectorizer.len(), labels.len(), &svm_params);
            (vectorizer, linear, report)
        };
        let ((vectorizer, linear, _report), calibration) = rayon::join(
            || fit_on(&all),
            || {
                if valid.iter().all(|v| v.1.is_none()) {
                    return None;
                }
                let (v, l, _) = fit_on(&train);
                let scored: Vec<(Vec<f32>, Option<u32>)> = valid
                    .iter()
                    .map(|(t, y)| (l.scores(&v.transform(t)), *y))
                    .collect();
                Some(scored)
            },
        );
        let (temperature, threshold) = match calibration {
            Some(scored) => {
                let t = fit_temperature(&scored);
                (t, choose_threshold(&scored, t))
            }
            None => (1.0, 0.0),
        };
        Ok(IntentModel {
            vectorizer,
            labels,
            linear,
            temperature,
            threshold,
            params: *params,
        })
    }

    /// The intents it knows, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Classifies one message.
    pub fn classify(&self, text: &str) -> Prediction {
        let x = self.vectorizer.transform(text);
        let p = softmax(&self.linear.scores(&x), self.temperature);
        let mut ranked: Vec<usize> = (0..p.len()).collect();
        ranked.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
        let best = ranked[0];
        let confidence = if x.is_empty() { 0.0 } else { p[best] };
        Prediction {
            intent: if confidence >= self.threshold && !x.is_empty() {
                self.labels[best].clone()
            } else {
                OOS.to_owned()
            },
            top: self.labels[best].clone(),
            confidence,
            alternatives: ranked
                .iter()
                .skip(1)
                .take(2)
                .map(|&m| (self.labels[m].clone(), p[m]))
                .collect(),
        }
    }
}

/// `softmax(s / t)` in f64.
fn softmax(s: &[f32], t: f64) -> Vec<f64> {
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f64> = s
        .iter()
        .map(|&v| ((f64::from(v - max)) / t).exp())
        .collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|v| v / z).collect()
}

/// Mean negative log-likelihood of the in-scope validation labels.
fn nll(scored: &[(Vec<f32>, Option<u32>)], t: f64) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (s, y) in scored {
        if let Some(y) = y {
            sum -= softmax(s, t)[*y as usize].max(1e-300).ln();
            n += 1;
        }
    }
    sum / n.max(1) as f64
}

/// The temperature minimising [`nll`], by golden-section search on `ln T`
/// over `[ln 1e-3, ln 1e2]` (the NLL is unimodal in `T` for fixed scores).
fn fit_temperature(scored: &[(Vec<f32>, Option<u32>)]) -> f64 {
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (1e-3f64.ln(), 1e2f64.ln());
    let f = |lt: f64| nll(scored, lt.exp());
    let mut x1 = hi - phi * (hi - lo);
    let mut x2 = lo + phi * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..60 {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - phi * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + phi * (hi - lo);
            f2 = f(x2);
        }
    }
    ((lo + hi) / 2.0).exp()
}

/// The out-of-scope threshold of the module docs.
fn choose_threshold(scored: &[(Vec<f32>, Option<u32>)], t: f64) -> f64 {
    let mut rows: Vec<(f64, i64)> = scored
        .iter()
        .map(|(s, y)| {
            let p = softmax(s, t);
            let best = (0..p.len())
                .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                .unwrap_or(0);
            let gain = if *y == Some(best as u32) { 1 } else { -1 };
            (p[best], gain)
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut best_gain, mut best_at, mut running) = (0i64, 0usize, 0i64);
    for (n, r) in rows.iter().enumerate() {
        running += r.1;
        if running > best_gain {
            best_gain = running;
            best_at = n + 1;
        }
    }
    match (best_at, rows.get(best_at)) {
        (0, _) => rows.first().map_or(0.0, |r| r.0),
        (n, Some(next)) => (rows[n - 1].0 + next.0) / 2.0,
        (_, None) => 0.0,
    }
}

/// Scores of a classifier on labelled messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentMetrics {
    /// In-scope test messages.
    pub n: usize,
    /// Share of in-scope messages whose most likely intent is right.
    pub accuracy: f64,
    /// Unweighted mean over intents of the F1 of the most likely intent.
    pub macro_f1: f64,
    /// Share of in-scope messages answered (confidence ≥ threshold).
    pub coverage: f64,
    /// Accuracy on the answered in-scope messages.
    pub answered_accuracy: f64,
    /// Expected calibration error over 10 equal-width confidence bins.
    pub ece: f64,
    /// Out-of-scope test messages.
    pub n_oos: usize,
    /// Share of out-of-scope messages sent to `oos`, when there are any.
    pub oos_recall: Option<f64>,
}

/// Classifies every example and scores the answers.
pub fn evaluate(model: &IntentModel, test: &[IntentExample]) -> IntentMetrics {
    use rayon::prelude::*;
    let preds: Vec<Prediction> = test.par_iter().map(|e| model.classify(&e.text)).collect();
    let mut tp: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let (mut n, mut correct, mut answered, mut answered_right) = (0, 0, 0, 0);
    let (mut n_oos, mut oos_caught) = (0, 0);
    let mut bins = [(0usize, 0f64, 0usize); 10];
    for (e, p) in test.iter().zip(&preds) {
        if is_oos(&e.intent) {
            n_oos += 1;
            oos_caught += usize::from(p.intent == OOS);
            continue;
        }
        n += 1;
        let right = p.top == e.intent;
        correct += usize::from(right);
        if p.intent != OOS {
            answered += 1;
            answered_right += usize::from(right);
        }
        let bin = ((p.confidence * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += p.confidence;
        bins[bin].2 += usize::from(right);
        if right {
            tp.entry(&e.intent).or_default().0 += 1;
        } else {
            tp.entry(&e.intent).or_default().2 += 1;
            tp.entry(&p.top).or_default().1 += 1;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let f1s: Vec<f64> = tp
        .values()
        .map(|&(t, fp, fneg)| ratio(2 * t, 2 * t + fp + fneg))
        .collect();
    let ece = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(c, conf, right)| {
            (conf - right as f64).abs() / n.max(1) as f64 * (c > 0) as u8 as f64
        })
        .sum();
    IntentMetrics {
        n,
        accuracy: ratio(correct, n),
        macro_f1: if f1s.is_empty() {
            0.0
        } else {
            f1s.iter().sum::<f64>() / f1s.len() as f64
        },
        coverage: ratio(answered, n),
        answered_accuracy: ratio(answered_right, answered),
        ece,
        n_oos,
        oos_recall: (n_oos > 0).then(|| ratio(oos_caught, n_oos)),
    }
}
