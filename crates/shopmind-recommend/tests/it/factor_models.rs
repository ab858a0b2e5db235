//! BPR and explicit MF on data with planted structure.

use std::collections::HashSet;

use shopmind_core::Rng;
use shopmind_core::metrics::regression::rmse;
use shopmind_core::record::{Event, EventType};
use shopmind_recommend::Recommender;
use shopmind_recommend::bpr::BprParams;
use shopmind_recommend::mf_explicit::MfParams;
use shopmind_recommend::{Dataset, MatrixOptions};

use crate::ev;

#[test]
fn bpr_reaches_auc_above_0_9_on_held_out_planted_structure() {
    // Three clusters of 20 users × 15 items; each in-cluster pair is a
    // positive with probability 0.9 (so few in-cluster items are negatives:
    // those are indistinguishable from held-out positives and would cap the
    // AUC near 0.9), then a seeded quarter of the positives is held out.
    let mut rng = Rng::seed_from_u64(4);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for u in 0..60 {
        for i in 0..45 {
            if u / 20 == i / 15 && rng.bernoulli(0.9) {
                let e = ev(&format!("u{u}"), &format!("i{i}"));
                if rng.bernoulli(0.25) {
                    test.push(e)
                } else {
                    train.push(e)
                }
            }
        }
    }
    let all_items: Vec<String> = (0..45).map(|i| format!("i{i}")).collect();
    let d = Dataset::from_events(
        &train,
        all_items.iter().map(String::as_str),
        MatrixOptions {
            binary: true,
            ..Default::default()
        },
    )
    .unwrap();
    let m = BprParams {
        factors: 8,
        epochs: 100,
        learning_rate: 0.05,
        ..Default::default()
    }
    .fit(&d)
    .unwrap();
    // AUC over users: P(score of a held-out positive > score of a never-seen item).
    let (mut correct, mut pairs) = (0u64, 0u64);
    let mut scores = vec![0f32; d.n_items()];
    for u in 0..d.n_users() as u32 {
        let uid = d.users.resolve(u).unwrap();
        let pos: HashSet<u32> = test
            .iter()
            .filter(|e| e.user_id == uid)
            .map(|e| d.items.get(&e.item_id).unwrap())
            .collect();
        let seen: HashSet<u32> = d.history(u).iter().map(|(i, _)| *i).collect();
        m.score(Some(u), &d.history(u), &mut scores);
        for &p in &pos {
            for n in 0..d.n_items() as u32 {
                if !pos.contains(&n) && !seen.contains(&n) {
                    pairs += 1;
                    correct += u64::from(scores[p as usize] > scores[n as usize]);
                }
            }
        }
    }
    let auc = correct as f64 / pairs as f64;
    assert!(auc > 0.9, "AUC {auc:.3}");
}

#[test]
fn explicit_mf_beats_the_mean_and_is_deterministic() {
    // Ratings from a rank-2 model plus noise: r = 3 + a_u·b_i + N(0, 0.3²).
    let mut rng = Rng::seed_from_u64(8);
    let a: Vec<[f64; 2]> = (0..80).map(|_| [rng.normal(), rng.normal()]).collect();
    let b: Vec<[f64; 2]> = (0..60).map(|_| [rng.normal(), rng.normal()]).collect();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (u, au) in a.iter().enumerate() {
        for (i, bi) in b.iter().enumerate() {
            if rng.bernoulli(0.4) {
                let r = (3.0 + au[0] * bi[0] + au[1] * bi[1] + 0.3 * rng.normal()).clamp(1.0, 5.0);
                let e = Event {
                    event_id: format!("{u}-{i}"),
                    user_id: format!("u{u}"),
                    item_id: format!("i{i}"),
                    event_type: EventType::Rating,
                    value: r,
                    timestamp: 0,
                };
                if rng.bernoulli(0.2) {
                    test.push(e)
                } else {
                    train.push(e)
                }
            }
        }
    }
    // Small data needs a larger step than the MovieLens defaults.
    let params = MfParams {
        factors: 8,
        epochs: 200,
        learning_rate: 0.03,
        decay: 0.99,
        regularization: 0.05,
        ..Default::default()
    };
    let m = params.fit(&train).unwrap();
    let actual: Vec<f64> = test.iter().map(|e| e.value).collect();
    let pred: Vec<f64> = test
        .iter()
        .map(|e| f64::from(m.predict(&e.user_id, &e.item_id)))
        .collect();
    let mean = train.iter().map(|e| e.value).sum::<f64>() / train.len() as f64;
    let base = rmse(&actual, &vec![mean; actual.len()]).unwrap();
    let got = rmse(&actual, &pred).unwrap();
    assert!(
        got < 0.7 * base,
        "MF RMSE {got:.3} vs mean baseline {base:.3}"
    );
    let again = params.fit(&train).unwrap();
    assert_eq!(again.predict("u3", "i7"), m.predict("u3", "i7"));
    // Unknown ids fall back to the biases that are known, within the range.
    let p = m.predict("nobody", "i7");
    assert!((1.0..=5.0).contains(&p));
    assert!(
        MfParams {
            epochs: 0,
            ..Default::default()
        }
        .fit(&train)
        .is_err()
    );
    assert!(MfParams::default().fit(&[]).is_err());
}
