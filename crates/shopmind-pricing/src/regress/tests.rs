//! Known answers for the regressions: a hand-solved least-squares line,
//! exact recovery of a linear relation, trees on a step and on an
//! interaction, and `auto` choosing accordingly.

use super::*;
use crate::table::Column;

fn table(cols: Vec<(&str, Column)>) -> Table {
    Table::new(cols.into_iter().map(|(n, c)| (n.to_owned(), c)).collect()).unwrap()
}

/// `n` rows of a, b ~ N(0, 1) and a colour, with a seeded RNG.
fn features(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<String>) {
    let mut rng = Rng::seed_from_u64(seed);
    let a: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let c: Vec<String> = (0..n)
        .map(|_| ["red", "blue", "green"][rng.below(3) as usize].to_owned())
        .collect();
    (a, b, c)
}

#[test]
fn least_squares_matches_the_hand_solved_line() {
    // x = 1, 2, 3; y = 2, 4, 7: slope Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² = 5/2, intercept
    // 13/3 − 2·5/2 = −2/3, so x = 4 predicts 9⅓ (to the 10⁻⁹·n jitter of OLS).
    let t = table(vec![("x", Column::Numeric(vec![1.0, 2.0, 3.0]))]);
    let m = RegressionParams::default()
        .fit(&t, &[2.0, 4.0, 7.0])
        .unwrap();
    let p = m
        .predict(&table(vec![("x", Column::Numeric(vec![4.0, 0.0]))]))
        .unwrap();
    assert!((p[0] - 28.0 / 3.0).abs() < 1e-6, "{p:?}");
    assert!((p[1] + 2.0 / 3.0).abs() < 1e-6, "{p:?}");
}

#[test]
fn a_linear_relation_is_recovered_with_categories() {
    let (a, b, c) = features(200, 1);
    let y: Vec<f64> = (0..200)
        .map(|i| 3.0 + 2.0 * a[i] - 0.5 * b[i] + if c[i] == "red" { 1.5 } else { 0.0 })
        .collect();
    let t = table(vec![
        ("a", Column::Numeric(a)),
        ("b", Column::Numeric(b)),
        ("c", Column::Categorical(c)),
    ]);
    let m = RegressionParams::default().fit(&t, &y).unwrap();
    let s = score(&y, &m.predict(&t).unwrap());
    assert!(s.r2 > 1.0 - 1e-9 && s.mae < 1e-6, "{s:?}");
    // A strong ridge pulls every prediction towards the mean.
    let ridge = RegressionParams {
        algorithm: Algorithm::Ridge,
        lambda: 1e9,
        ..RegressionParams::default()
    };
    let p = ridge.fit(&t, &y).unwrap().predict(&t).unwrap();
    let mean = y.iter().sum::<f64>() / 200.0;
    assert!(p.iter().all(|v| (v - mean).abs() < 1e-3), "{:?}", &p[..3]);
}

#[test]
fn noisy_linear_data_scores_high_and_auto_keeps_a_linear_model() {
    let (a, b, c) = features(400, 2);
    let mut rng = Rng::seed_from_u64(3);
    let y: Vec<f64> = (0..400)
        .map(|i| 50.0 + 8.0 * a[i] - 4.0 * b[i] + 0.4 * rng.normal())
        .collect();
    let t = table(vec![
        ("a", Column::Numeric(a)),
        ("b", Column::Numeric(b)),
        ("c", Column::Categorical(c)),
    ]);
    let p = RegressionParams::default();
    let s = cross_validate(&p, &t, &y, 5, 42, &Cancel::never()).unwrap();
    assert!(s.r2 >= 0.95, "{s:?}");
    let (best, all) = select(&p, &t, &y, 5, 42, &Cancel::never()).unwrap();
    assert!(
        matches!(best, Algorithm::Linear | Algorithm::Ridge),
        "{all:?}"
    );
}

#[test]
fn non_linear_models_beat_linear_on_an_interaction_and_auto_sees_it() {
    let (a, b, _) = features(600, 4);
    let y: Vec<f64> = (0..600)
        .map(|i| 10.0 * a[i] * b[i] + if a[i] > 0.5 { 5.0 } else { 0.0 })
        .collect();
    let t = table(vec![("a", Column::Numeric(a)), ("b", Column::Numeric(b))]);
    let p = RegressionParams::default();
    let (best, all) = select(&p, &t, &y, 5, 42, &Cancel::never()).unwrap();
    let r2 = |alg| all.iter().find(|(a, _)| *a == alg).unwrap().1.r2;
    assert!(r2(Algorithm::Tree) > r2(Algorithm::Linear) + 0.2, "{all:?}");
    assert!(r2(Algorithm::Gbdt) > r2(Algorithm::Linear) + 0.2, "{all:?}");
    assert!(r2(Algorithm::Svr) > r2(Algorithm::Linear) + 0.2, "{all:?}");
    assert!(
        matches!(best, Algorithm::Svr | Algorithm::Tree | Algorithm::Gbdt),
        "{all:?}"
    );
}

#[test]
fn one_tree_reproduces_a_step_and_fits_are_deterministic() {
    let x: Vec<f64> = (0..100).map(|i| f64::from(i) / 10.0).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|v| if *v > 4.0 { 10.0 } else { 2.0 })
        .collect();
    let t = table(vec![("x", Column::Numeric(x))]);
    let tree = RegressionParams::default().with(Algorithm::Tree);
    let p = tree.fit(&t, &y).unwrap().predict(&t).unwrap();
    assert!(p.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-9), "{p:?}");
    let gbdt = RegressionParams::default().with(Algorithm::Gbdt);
    let once = gbdt.fit(&t, &y).unwrap().predict(&t).unwrap();
    let twice = gbdt.fit(&t, &y).unwrap().predict(&t).unwrap();
    assert_eq!(once, twice);
}

#[test]
fn bad_input_gives_errors() {
    let t = table(vec![("x", Column::Numeric(vec![1.0]))]);
    let p = RegressionParams::default();
    assert!(matches!(p.fit(&t, &[1.0]), Err(RegressError::TooFew(_))));
    let t2 = table(vec![("x", Column::Numeric(vec![1.0, 2.0]))]);
    assert_eq!(
        p.fit(&t2, &[1.0, f64::NAN]).unwrap_err(),
        RegressError::BadTarget(1)
    );
    assert!(matches!(p.fit(&t2, &[1.0]), Err(RegressError::TooFew(_))));
    assert!(matches!(
        cross_validate(&p, &t2, &[1.0, 2.0], 1, 0, &Cancel::never()),
        Err(RegressError::BadParam { name: "folds", .. })
    ));
    let bad = RegressionParams {
        algorithm: Algorithm::Ridge,
        lambda: -1.0,
        ..RegressionParams::default()
    };
    assert!(matches!(
        bad.fit(&t2, &[1.0, 2.0]),
        Err(RegressError::BadParam { name: "lambda", .. })
    ));
    // Prediction on a table without the training column.
    let m = p.fit(&t2, &[1.0, 2.0]).unwrap();
    let other = table(vec![("y", Column::Numeric(vec![1.0]))]);
    assert!(matches!(m.predict(&other), Err(RegressError::Table(_))));
    assert_eq!(Algorithm::parse("gbdt"), Some(Algorithm::Gbdt));
    assert_eq!(Algorithm::parse("svr"), Some(Algorithm::Svr));
    assert_eq!(Algorithm::parse("svm"), None);
}

#[test]
fn a_cancelled_selection_stops_with_an_error() {
    let (a, b, _) = features(200, 5);
    let y: Vec<f64> = (0..200).map(|i| a[i] + b[i]).collect();
    let t = table(vec![("a", Column::Numeric(a)), ("b", Column::Numeric(b))]);
    let cancel = Cancel::new();
    cancel.cancel();
    let p = RegressionParams::default();
    assert!(matches!(
        select(&p, &t, &y, 5, 42, &cancel),
        Err(RegressError::Cancelled(_))
    ));
    let late = Cancel::new().with_deadline(std::time::Instant::now());
    assert!(matches!(
        cross_validate(&p, &t, &y, 5, 42, &late),
        Err(RegressError::Cancelled(
            shopmind_core::cancel::Cancelled::OutOfTime
        ))
    ));
}
