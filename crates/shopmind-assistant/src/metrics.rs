//! Scoring an intent model on labelled messages: accuracy and macro-F1 of
//! the most likely intent, coverage and accuracy above the out-of-scope
//! threshold, expected calibration error (Naeini et al. 2015; Guo et al.
//! 2017) and out-of-scope recall.

use std::collections::BTreeMap;

use serde::Serialize;
use shopmind_core::record::IntentExample;

use crate::intent::{IntentModel, OOS, Prediction, is_oos};

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
    // ECE = Σ_bins (n_b / n) · |mean confidence_b − accuracy_b|
    //     = Σ_bins |Σ confidence_b − right_b| / n.
    let ece = bins
        .iter()
        .map(|&(_, conf, right)| (conf - right as f64).abs() / n.max(1) as f64)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::IntentParams;
    use crate::intent::tests::{data as train, ex};

    #[test]
    fn metrics_by_hand() {
        let m = IntentModel::fit(&train(), &IntentParams::default()).expect("fit");
        let test = vec![
            ex("where is my parcel please", "track"),
            ex("refund my purchase now", "refund"),
            ex("hello friend", "hello"),
            ex("xqxq zzzz", "oos"),
        ];
        let r = evaluate(&m, &test);
        assert_eq!((r.n, r.n_oos), (3, 1));
        assert_eq!(r.accuracy, 1.0);
        assert_eq!(r.macro_f1, 1.0);
        assert_eq!(r.oos_recall, Some(1.0));
    }

    #[test]
    fn ece_of_a_perfectly_calibrated_bin_is_zero_and_of_overconfidence_is_the_gap() {
        let m = IntentModel::fit(&train(), &IntentParams::default()).expect("fit");
        // A single wrong answer at confidence c: ECE = c.
        let r = evaluate(&m, &[ex("where is my parcel", "refund")]);
        let c = m.classify("where is my parcel").confidence;
        assert!((r.ece - c).abs() < 1e-12, "{} vs {c}", r.ece);
        assert_eq!((r.accuracy, r.macro_f1), (0.0, 0.0));
    }
}
