//! Every model survives a byte round trip with identical answers, and a
//! damaged artifact is an error, never a panic.

use shopmind_core::model::ModelKind;
use shopmind_core::record::Item;
use shopmind_recommend::algorithms::{self, NAMES, Params};
use shopmind_recommend::model::{Artifact, FORMAT_VERSION};
use shopmind_recommend::{Dataset, MatrixOptions, Model, RecommendError, Recommender};

use crate::planted;

fn with_catalog() -> Dataset {
    let d = planted(3, 5);
    let items: Vec<Item> = (0..d.n_items() as u32)
        .map(|i| {
            let id = d.items.resolve(i).unwrap();
            let n: usize = id[1..].parse().unwrap();
            Item {
                category: Some(format!("Cluster {}", n / 15)),
                title: Some(format!("thing number {n} of cluster {}", n / 15)),
                ..Item::new(id)
            }
        })
        .collect();
    let events: Vec<_> = d
        .interactions
        .iter()
        .map(|i| {
            crate::ev(
                d.users.resolve(i.user).unwrap(),
                d.items.resolve(i.item).unwrap(),
            )
        })
        .collect();
    let opts = MatrixOptions {
        binary: true,
        ..Default::default()
    };
    Dataset::from_events_with_catalog(&events, &items, [], opts).unwrap()
}

fn stored(d: &Dataset, model: Model) -> Artifact {
    Artifact {
        users: d.users.clone(),
        items: d.items.clone(),
        fallback: model.clone(),
        model,
        options: MatrixOptions::default(),
    }
}

#[test]
fn every_algorithm_round_trips_exactly() {
    let d = with_catalog();
    for name in NAMES {
        let model = algorithms::fit(name, &Params::new(), &d).unwrap();
        let bytes = stored(&d, model.clone()).to_bytes().unwrap();
        assert_eq!(bytes[..4], *b"SMAF");
        assert_eq!(bytes[4], ModelKind::Recommend.tag());
        assert_eq!(bytes[5..9], FORMAT_VERSION.to_le_bytes());
        let back = Artifact::from_bytes(&bytes).unwrap().model;
        assert_eq!(back.name(), model.name());
        for u in [0u32, 7, 30] {
            let h = d.history(u);
            let (mut a, mut b) = (vec![0f32; d.n_items()], vec![0f32; d.n_items()]);
            model.score(Some(u), &h, &mut a);
            back.score(Some(u), &h, &mut b);
            assert_eq!(a, b, "{name} user {u}");
        }
    }
}

#[test]
fn damaged_artifacts_are_refused() {
    let d = planted(2, 3);
    let model = algorithms::fit("item-knn", &Params::new(), &d).unwrap();
    let bytes = stored(&d, model).to_bytes().unwrap();
    let artifact_err =
        |b: &[u8]| matches!(Artifact::from_bytes(b), Err(RecommendError::Artifact(_)));
    assert!(artifact_err(&bytes[..5]), "truncated header");
    assert!(artifact_err(&bytes[..bytes.len() / 2]), "truncated body");
    let mut wrong = bytes.clone();
    wrong[0] = b'X';
    assert!(artifact_err(&wrong), "magic");
    let mut newer = bytes.clone();
    newer[5..9].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = Artifact::from_bytes(&newer).unwrap_err().to_string();
    assert!(err.contains("retrain"), "{err}");
    let mut garbage = bytes[..9].to_vec();
    garbage.extend([0xFF; 64]);
    assert!(artifact_err(&garbage), "garbage body");
    let mut pricing = bytes.clone();
    pricing[4] = ModelKind::Pricing.tag();
    let err = Artifact::from_bytes(&pricing).unwrap_err().to_string();
    assert_eq!(
        err,
        "a pricing artifact where a recommend model was expected"
    );
}

#[test]
fn format_2_artifacts_stored_before_the_envelope_still_load() {
    let d = planted(2, 3);
    let model = algorithms::fit("ease", &Params::new(), &d).unwrap();
    let bytes = stored(&d, model.clone()).to_bytes().unwrap();
    // Format 2: magic `SMRA`, version 2, then the same postcard body.
    let mut legacy = b"SMRA".to_vec();
    legacy.extend(2u32.to_le_bytes());
    legacy.extend(&bytes[9..]);
    let back = Artifact::from_bytes(&legacy).unwrap();
    let h = d.history(3);
    let (mut a, mut b) = (vec![0f32; d.n_items()], vec![0f32; d.n_items()]);
    model.score(Some(3), &h, &mut a);
    back.model.score(Some(3), &h, &mut b);
    assert_eq!(a, b);
    legacy[4..8].copy_from_slice(&1u32.to_le_bytes());
    let err = Artifact::from_bytes(&legacy).unwrap_err().to_string();
    assert!(err.contains("retrain"), "{err}");
}

#[test]
fn live_histories_are_weighted_as_the_training_matrix() {
    use shopmind_core::record::EventType::{Dislike, Purchase, Rating, View};
    use shopmind_recommend::model::LiveHistory;
    let d = planted(2, 4);
    let model = algorithms::fit("popular", &Params::new(), &d).unwrap();
    let artifact = |binary| shopmind_recommend::model::Artifact {
        users: d.users.clone(),
        items: d.items.clone(),
        model: model.clone(),
        fallback: model.clone(),
        options: MatrixOptions {
            binary,
            ..Default::default()
        },
    };
    let id = |s: &str| d.items.get(s).unwrap();
    // Default weights: view 1, purchase 5 per event (whatever the quantity),
    // rating 1 × its value, dislike 0. Oldest first.
    let events = [
        ("i0", View, 1.0, 3),
        ("i1", Rating, 4.0, 1),
        ("i0", Purchase, 2.0, 1),
        ("i2", Dislike, 1.0, 1),
        ("no-such-item", Purchase, 1.0, 1),
    ];
    let mut weighted: Vec<(u32, f32)> = vec![(id("i0"), 3.0 + 5.0), (id("i1"), 4.0)];
    weighted.sort_unstable_by_key(|w| w.0);
    let mut seen = vec![id("i0"), id("i1"), id("i2")];
    seen.sort_unstable();
    assert_eq!(
        artifact(false).history_counted(events),
        LiveHistory {
            weighted: weighted.clone(),
            seen: seen.clone(),
            recent: vec![id("i1"), id("i0")],
        }
    );
    let binary = artifact(true).history_counted(events);
    assert!(binary.weighted.iter().all(|(_, w)| *w == 1.0));
    assert_eq!(binary.seen, seen);
    // One event at a time gives the same as the summed form.
    let single = artifact(false).history([
        ("i0", View, 1.0),
        ("i1", Rating, 4.0),
        ("i0", View, 1.0),
        ("i0", View, 1.0),
        ("i0", Purchase, 2.0),
    ]);
    assert_eq!(single.weighted, weighted);
}

/// The privacy delete: a user erased from an artifact leaves no id and no
/// per-user values behind, in every algorithm, and the others are answered
/// as before by the models that keep no per-user state.
#[test]
fn a_forgotten_user_leaves_no_trace_in_any_algorithm() {
    use shopmind_recommend::model::Artifact;
    let d = with_catalog();
    // A user id that appears nowhere else in the artifact's bytes.
    let victim = d.users.resolve(7).unwrap().to_owned();
    for name in NAMES {
        let model = algorithms::fit(name, &Params::new(), &d).unwrap();
        let fallback = algorithms::fit("trending", &Params::new(), &d).unwrap();
        let mut artifact = Artifact {
            users: d.users.clone(),
            items: d.items.clone(),
            model,
            fallback,
            options: MatrixOptions {
                binary: true,
                ..Default::default()
            },
        };
        let before_other = {
            let mut s = vec![0f32; d.n_items()];
            artifact.model.score(Some(30), &d.history(30), &mut s);
            s
        };
        assert_eq!(artifact.forget_users(|id| id == victim), 1, "{name}");
        assert_eq!(artifact.users.get(&victim), None, "{name}");
        assert_eq!(
            artifact.users.len(),
            d.n_users(),
            "{name}: rows keep their place"
        );
        let bytes = artifact.to_bytes().unwrap();
        let needle = victim.as_bytes();
        // Every user id is `u<n>`: look for the id as a whole postcard string
        // (length byte, then the bytes) so `u7` does not match inside `u70`.
        let mut whole = vec![needle.len() as u8];
        whole.extend_from_slice(needle);
        assert!(
            !bytes.windows(whole.len()).any(|w| w == whole.as_slice()),
            "{name}: the id is still in the artifact"
        );
        let back = Artifact::from_bytes(&bytes).unwrap();
        assert_eq!(back.users.get(&victim), None);
        // Item-side models answer the others exactly as before.
        if matches!(name, "popular" | "trending" | "item-knn" | "ease") {
            let mut s = vec![0f32; d.n_items()];
            back.model.score(Some(30), &d.history(30), &mut s);
            assert_eq!(s, before_other, "{name}");
        }
        assert_eq!(
            artifact.forget_users(|id| id == victim),
            0,
            "{name}: once is enough"
        );
    }
}

#[test]
fn a_forgotten_user_is_nobodys_neighbour() {
    use shopmind_recommend::model::Artifact;
    // u2 alone bought `rare`; u1 shares `a` with u2 and would be sent `rare`.
    let d = crate::data(&[("u1", "a"), ("u2", "a"), ("u2", "rare"), ("u3", "b")]);
    let model = algorithms::fit("user-knn", &Params::new(), &d).unwrap();
    let fallback = algorithms::fit("popular", &Params::new(), &d).unwrap();
    let mut artifact = Artifact {
        users: d.users.clone(),
        items: d.items.clone(),
        model,
        fallback,
        options: MatrixOptions::default(),
    };
    let rare = d.items.get("rare").unwrap() as usize;
    let u1 = d.users.get("u1").unwrap();
    let score = |a: &Artifact| {
        let mut s = vec![0f32; d.n_items()];
        a.model.score(Some(u1), &d.history(u1), &mut s);
        s[rare]
    };
    assert!(score(&artifact) > 0.0);
    artifact.forget_users(|id| id == "u2");
    assert_eq!(score(&artifact), 0.0);
}
