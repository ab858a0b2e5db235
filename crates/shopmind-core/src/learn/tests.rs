//! Known-answer and property tests of the boosted trees and objectives.

use super::*;

fn params() -> GbdtParams {
    GbdtParams {
        min_samples_leaf: 1,
        lambda: 0.0,
        ..GbdtParams::default()
    }
}

#[test]
fn one_stump_recovers_a_step_exactly() {
    // y = 0, 0, 10, 10 at x = 1..4. F₀ = mean = 5; the best split is x ≤ 2
    // with leaf values −G/H = −(−5·2)/2… i.e. −5 and +5 when λ = 0 and η = 1.
    let x = [1.0f32, 2.0, 3.0, 4.0];
    let y = [0.0, 0.0, 10.0, 10.0];
    let p = GbdtParams {
        trees: 1,
        learning_rate: 1.0,
        max_depth: 1,
        ..params()
    };
    let m = p
        .fit(
            Features {
                values: &x,
                cols: 1,
            },
            &SquaredError(&y),
        )
        .unwrap();
    let pred = m.predict(Features {
        values: &x,
        cols: 1,
    });
    for (p, t) in pred.iter().zip(y) {
        assert!((p - t).abs() < 1e-9, "{pred:?}");
    }
    // the split sits at the upper bound of x = 2
    assert_eq!(m.predict_row(&[2.0]), 0.0);
    assert_eq!(m.predict_row(&[2.5]), 10.0);
    assert_eq!(m.predict_row(&[f32::NAN]), 0.0, "missing goes left");
    assert_eq!(m.importance(), vec![1.0]);
}

#[test]
fn regression_learns_an_interaction() {
    // y = x0·x1 on a grid: needs depth ≥ 2; the fit must beat the mean by far.
    let mut x = Vec::new();
    let mut y = Vec::new();
    for a in 0..20 {
        for b in 0..20 {
            x.extend([a as f32, b as f32, ((a * 7 + b * 3) % 5) as f32]);
            y.push(f64::from(a * b));
        }
    }
    let f = Features {
        values: &x,
        cols: 3,
    };
    let m = GbdtParams {
        trees: 200,
        max_depth: 3,
        ..params()
    }
    .fit(f, &SquaredError(&y))
    .unwrap();
    let pred = m.predict(f);
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sse: f64 = pred.iter().zip(&y).map(|(p, t)| (p - t).powi(2)).sum();
    let sst: f64 = y.iter().map(|t| (t - mean).powi(2)).sum();
    assert!(sse / sst < 0.01, "R² = {}", 1.0 - sse / sst);
    let imp = m.importance();
    assert!(imp[2] < 0.05, "the noise feature matters little: {imp:?}");
}

#[test]
fn logistic_separates_classes_and_calibrates_base() {
    let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let y: Vec<f64> = (0..100).map(|i| f64::from(u8::from(i >= 70))).collect();
    let f = Features {
        values: &x,
        cols: 1,
    };
    // the base score alone is the log-odds of the positive rate 0.3
    assert!((LogLoss(&y).base_score() - (0.3f64 / 0.7).ln()).abs() < 1e-12);
    let m = GbdtParams::default().fit(f, &LogLoss(&y)).unwrap();
    let pred = m.predict(f);
    for (p, t) in pred.iter().zip(&y) {
        assert_eq!(*p > 0.0, *t == 1.0);
    }
    assert!(LogLoss(&[0.0, 2.0]).check(2).is_err(), "labels must be 0/1");
}

fn ndcg(scores: &[f64], rel: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let dcg: f64 = order
        .iter()
        .enumerate()
        .map(|(p, &i)| rel[i] / ((p + 2) as f64).log2())
        .sum();
    let mut ideal = rel.to_vec();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .enumerate()
        .map(|(p, r)| r / ((p + 2) as f64).log2())
        .sum();
    dcg / idcg
}

#[test]
fn lambdarank_orders_groups_by_the_relevant_feature() {
    // 50 groups of 20 rows; relevant rows have feature 1 above 0.8, feature 0
    // is noise. Ranked by the fitted scores, every group is perfect.
    let mut rng = Rng::seed_from_u64(3);
    let (mut x, mut rel, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for g in 0..50 {
        for _ in 0..20 {
            let (noise, signal) = (rng.uniform() as f32, rng.uniform() as f32);
            x.extend([noise, signal]);
            rel.push(f64::from(u8::from(signal > 0.8)));
        }
        groups.push(g * 20..(g + 1) * 20);
    }
    let f = Features {
        values: &x,
        cols: 2,
    };
    let obj = LambdaRank {
        relevance: &rel,
        groups: &groups,
    };
    let m = GbdtParams {
        trees: 30,
        min_samples_leaf: 5,
        subsample: 0.8,
        ..GbdtParams::default()
    }
    .fit(f, &obj)
    .unwrap();
    let pred = m.predict(f);
    for g in &groups {
        if rel[g.clone()].iter().any(|r| *r > 0.0) {
            let v = ndcg(&pred[g.clone()], &rel[g.clone()]);
            assert!(v > 0.999, "group {g:?}: NDCG {v}");
        }
    }
    assert!(m.importance()[1] > 0.9);
}

#[test]
fn lambda_gradients_push_the_relevant_row_up() {
    // Two rows, equal scores, the second relevant: ρ = ½, |ΔNDCG| = 1 − 1/log₂3
    // divided by IDCG = 1.
    let (g, h) = lambda_group(&[0.0, 0.0], &[0.0, 1.0]);
    let delta = 1.0 - 1.0 / 3f64.log2();
    assert!((g[1] + 0.5 * delta).abs() < 1e-12 && (g[0] - 0.5 * delta).abs() < 1e-12);
    assert!((h[0] - 0.25 * delta).abs() < 1e-12 && h[0] == h[1]);
}

#[test]
fn same_seed_same_model() {
    let x: Vec<f32> = (0..500).map(|i| ((i * 37) % 101) as f32).collect();
    let y: Vec<f64> = x.iter().map(|v| f64::from(*v).sin()).collect();
    let f = Features {
        values: &x,
        cols: 1,
    };
    let p = GbdtParams {
        subsample: 0.5,
        seed: 9,
        ..GbdtParams::default()
    };
    let a = p.fit(f, &SquaredError(&y)).unwrap();
    assert_eq!(a, p.fit(f, &SquaredError(&y)).unwrap());
    let other = GbdtParams { seed: 10, ..p };
    assert_ne!(a, other.fit(f, &SquaredError(&y)).unwrap());
}

#[test]
fn bad_input_is_an_error() {
    let f = Features {
        values: &[],
        cols: 2,
    };
    assert_eq!(
        GbdtParams::default().fit(f, &SquaredError(&[])),
        Err(LearnError::Empty)
    );
    let f = Features {
        values: &[1.0, f32::INFINITY],
        cols: 1,
    };
    assert_eq!(
        GbdtParams::default().fit(f, &SquaredError(&[1.0, 2.0])),
        Err(LearnError::NonFinite)
    );
    let f = Features {
        values: &[1.0, 2.0],
        cols: 1,
    };
    assert!(matches!(
        GbdtParams::default().fit(f, &SquaredError(&[1.0])),
        Err(LearnError::Shape(_))
    ));
    let p = GbdtParams {
        learning_rate: 0.0,
        ..GbdtParams::default()
    };
    assert!(matches!(
        p.fit(f, &SquaredError(&[1.0, 2.0])),
        Err(LearnError::BadParam {
            name: "learning_rate",
            ..
        })
    ));
    let groups = vec![std::ops::Range { start: 0, end: 1 }];
    let obj = LambdaRank {
        relevance: &[1.0, 0.0],
        groups: &groups,
    };
    assert!(matches!(
        GbdtParams::default().fit(f, &obj),
        Err(LearnError::Shape(_))
    ));
}
