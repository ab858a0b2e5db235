//! Hand-computed and independently computed answers.

use shopmind_recommend::Recommender;
use shopmind_recommend::ease::EaseParams;
use shopmind_recommend::item_knn::{ItemKnnParams, Similarity, Weighting};

use crate::{data, planted};

#[test]
fn item_knn_cosine_matches_hand_computation() {
    // Columns: i0 = (1,1,0), i1 = (1,1,1), i2 = (0,1,1) over users u0..u2.
    let d = data(&[
        ("u0", "i0"),
        ("u0", "i1"),
        ("u1", "i0"),
        ("u1", "i1"),
        ("u1", "i2"),
        ("u2", "i1"),
        ("u2", "i2"),
    ]);
    let (i0, i1, i2) = (
        d.items.get("i0").unwrap(),
        d.items.get("i1").unwrap(),
        d.items.get("i2").unwrap(),
    );
    let knn = ItemKnnParams {
        neighbors: 10,
        shrink: 0.0,
        similarity: Similarity::Cosine,
        weighting: Weighting::None,
    }
    .fit(&d)
    .unwrap();
    let sim = |a: u32, b: u32| {
        knn.neighbors(a)
            .iter()
            .find(|(j, _)| *j == b)
            .map_or(0.0, |(_, s)| *s)
    };
    let c01 = 2.0 / (2f32.sqrt() * 3f32.sqrt()); // 0.8165
    assert!((sim(i0, i1) - c01).abs() < 1e-6);
    assert!((sim(i0, i2) - 0.5).abs() < 1e-6);
    assert!((sim(i1, i2) - c01).abs() < 1e-6);
    assert_eq!(sim(i0, i0), 0.0, "an item is not its own neighbour");
    // A history of {i0 with weight 2} scores i1 = 2·0.8165, i2 = 2·0.5.
    let mut out = vec![0.0; 3];
    knn.score(None, &[(i0, 2.0)], &mut out);
    assert!((out[i1 as usize] - 2.0 * c01).abs() < 1e-6 && (out[i2 as usize] - 1.0).abs() < 1e-6);
    // Shrinkage: 2 / (√2·√3 + 1).
    let shrunk = ItemKnnParams {
        neighbors: 10,
        shrink: 1.0,
        similarity: Similarity::Cosine,
        weighting: Weighting::None,
    }
    .fit(&d)
    .unwrap();
    let s = shrunk
        .neighbors(i0)
        .iter()
        .find(|(j, _)| *j == i1)
        .unwrap()
        .1;
    assert!((s - 2.0 / (6f32.sqrt() + 1.0)).abs() < 1e-6);
    // Jaccard: |{u0,u1}| / |{u0,u1,u2}| = 2/3 for (i0, i1).
    let jac = ItemKnnParams {
        neighbors: 10,
        shrink: 0.0,
        similarity: Similarity::Jaccard,
        weighting: Weighting::None,
    }
    .fit(&d)
    .unwrap();
    assert!((jac.neighbors(i0).iter().find(|(j, _)| *j == i1).unwrap().1 - 2.0 / 3.0).abs() < 1e-6);
    // Pruning keeps the best neighbour only.
    let one = ItemKnnParams {
        neighbors: 1,
        shrink: 0.0,
        similarity: Similarity::Cosine,
        weighting: Weighting::None,
    }
    .fit(&d)
    .unwrap();
    assert_eq!(one.neighbors(i0), &[(i1, c01)]);
}

#[test]
fn user_knn_cosine_matches_hand_computation() {
    use shopmind_recommend::user_knn::{UserKnnParams, UserSimilarity};
    let d = data(&[
        ("u0", "i0"),
        ("u0", "i1"),
        ("u1", "i0"),
        ("u1", "i1"),
        ("u1", "i2"),
        ("u2", "i1"),
        ("u2", "i2"),
    ]);
    let (i0, i1, i2) = (
        d.items.get("i0").unwrap(),
        d.items.get("i1").unwrap(),
        d.items.get("i2").unwrap(),
    );
    let m = UserKnnParams {
        neighbors: 10,
        shrink: 0.0,
        similarity: UserSimilarity::Cosine,
    }
    .fit(&d)
    .unwrap();
    // A new user who bought i0: cos with u0 = 1/√2, with u1 = 1/√3, u2 shares nothing.
    let n = m.neighbors(None, &[(i0, 1.0)]);
    let (s0, s1) = (1.0 / 2f32.sqrt(), 1.0 / 3f32.sqrt());
    assert_eq!(n.len(), 2);
    assert!((n[0].1 - s0).abs() < 1e-6 && (n[1].1 - s1).abs() < 1e-6);
    let mut out = vec![0.0; 3];
    m.score(None, &[(i0, 1.0)], &mut out);
    assert!((out[i1 as usize] - (s0 + s1)).abs() < 1e-6);
    assert!((out[i2 as usize] - s1).abs() < 1e-6);
    // A known user is not their own neighbour.
    let u0 = d.users.get("u0").unwrap();
    assert!(
        m.neighbors(Some(u0), &d.history(u0))
            .iter()
            .all(|(v, _)| *v != u0)
    );
}

#[test]
fn trending_halves_every_half_life() {
    use shopmind_core::record::{Event, EventType};
    use shopmind_recommend::popularity::TrendingParams;
    use shopmind_recommend::{Dataset, MatrixOptions};
    let day = 86_400;
    let e = |u: &str, i: &str, t: i64, kind| Event {
        event_id: format!("{u}{i}{t}"),
        user_id: u.into(),
        item_id: i.into(),
        event_type: kind,
        value: 1.0,
        timestamp: t,
    };
    let t0 = 1_700_000_000;
    let events = [
        e("u1", "a", t0, EventType::Purchase),
        e("u2", "a", t0 - 7 * day, EventType::View),
        e("u1", "b", t0 - 14 * day, EventType::Purchase),
        e("u2", "c", t0, EventType::Dislike), // weight 0: not a vote
    ];
    let d = Dataset::from_events(&events, [], MatrixOptions::default()).unwrap();
    let m = TrendingParams {
        half_life_days: 7.0,
    }
    .fit(&d)
    .unwrap();
    let score = |id: &str| m.scores()[d.items.get(id).unwrap() as usize];
    assert!((score("a") - 1.5).abs() < 1e-6, "{}", score("a"));
    assert!((score("b") - 0.25).abs() < 1e-6);
    assert_eq!(score("c"), 0.0);
    assert!(
        TrendingParams {
            half_life_days: 0.0
        }
        .fit(&d)
        .is_err()
    );
}

/// Inverse by Gauss–Jordan elimination with partial pivoting (the test's
/// independent oracle, in f64).
fn inverse(mut a: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap();
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..n {
            if r != c {
                let f = a[r][c];
                for j in 0..n {
                    a[r][j] -= f * a[c][j];
                    inv[r][j] -= f * inv[c][j];
                }
            }
        }
    }
    inv
}

#[test]
fn ease_matches_a_direct_inverse() {
    let d = planted(2, 11);
    let lambda = 3.0;
    let model = EaseParams { lambda }.fit(&d).unwrap();
    let n = d.n_items();
    let mut g = vec![vec![0f64; n]; n];
    for u in 0..d.n_users() {
        let (idx, _) = d.matrix.row(u);
        for &i in idx {
            for &j in idx {
                g[i as usize][j as usize] += 1.0;
            }
        }
    }
    for (i, row) in g.iter_mut().enumerate() {
        row[i] += f64::from(lambda);
    }
    let p = inverse(g);
    for i in 0..n {
        for j in 0..n {
            let expect = if i == j { 0.0 } else { -p[i][j] / p[j][j] };
            let got = f64::from(model.weight(i, j));
            assert!(
                (got - expect).abs() < 1e-4,
                "B[{i}][{j}] = {got}, expected {expect}"
            );
        }
    }
}
