//! The synthetic demo store: determinism, sizes, and the signal it promises.

use std::collections::HashMap;
use std::path::Path;

use shopmind_core::record::{EventType, Record};
use shopmind_data::synth::{self, FILES, GROUND_TRUTH, Lang, SynthParams};
use shopmind_data::{ImportKind, Source};

fn small(seed: u64) -> SynthParams {
    SynthParams {
        seed,
        users: 200,
        items: 80,
        days: 120,
        stores: 2,
        events_per_user: 30.0,
        ..SynthParams::default()
    }
}

fn records(dir: &Path, kind: &str) -> Vec<Record> {
    let file = FILES.iter().find(|(k, _)| *k == kind).unwrap().1;
    Source::open(kind.parse::<ImportKind>().unwrap(), &dir.join(file))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn same_seed_same_files_other_seed_other_files() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    synth::generate(&small(7), a.path()).unwrap();
    synth::generate(&small(7), b.path()).unwrap();
    synth::generate(&small(8), c.path()).unwrap();
    for (_, file) in FILES.iter().chain(&[("truth", GROUND_TRUTH)]) {
        let fa = std::fs::read(a.path().join(file)).unwrap();
        assert_eq!(
            fa,
            std::fs::read(b.path().join(file)).unwrap(),
            "{file} differs for the same seed"
        );
        if *file == "events.csv" || *file == "sales.csv" {
            assert_ne!(
                fa,
                std::fs::read(c.path().join(file)).unwrap(),
                "{file} identical for another seed"
            );
        }
    }
}

#[test]
fn every_file_imports_cleanly_with_the_promised_shape() {
    let dir = tempfile::tempdir().unwrap();
    let summary = synth::generate(&small(1), dir.path()).unwrap();
    assert_eq!(summary.items, 80);
    assert_eq!(summary.users, 200);
    // ~30 events per user, Poisson session counts: within 25%.
    assert!((4_500..=7_500).contains(&summary.events), "{summary:?}");
    for (kind, _) in FILES {
        assert!(!records(dir.path(), kind).is_empty(), "{kind} is empty");
    }
    let events = records(dir.path(), "events");
    let mut types: HashMap<EventType, usize> = HashMap::new();
    for r in &events {
        let Record::Event(e) = r else { panic!() };
        *types.entry(e.event_type).or_default() += 1;
        if e.event_type == EventType::Rating {
            assert!((1.0..=5.0).contains(&e.value));
        }
    }
    for t in [
        EventType::View,
        EventType::Click,
        EventType::Cart,
        EventType::Purchase,
        EventType::Rating,
        EventType::Return,
    ] {
        assert!(
            types.get(&t).copied().unwrap_or(0) > 0,
            "no {t} events: {types:?}"
        );
    }
    let faq = records(dir.path(), "faq");
    assert_eq!(faq.len(), 160);
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(GROUND_TRUTH)).unwrap()).unwrap();
    // 16 FAQ intents and 4 action intents (product search and price,
    // recommendation, greeting).
    assert_eq!(truth["intents"].as_array().unwrap().len(), 20);
    let intents = records(dir.path(), "intents");
    assert_eq!(intents.len(), 480 + 20 * 12 + 24);
    for item in truth["items"].as_array().unwrap() {
        let e = item["elasticity"].as_f64().unwrap();
        assert!((-3.5..=-0.5).contains(&e), "elasticity {e}");
    }
    // Sales never precede an item's launch and prices respect costs.
    for r in records(dir.path(), "sales") {
        let Record::Sale(s) = r else { panic!() };
        assert!(s.units >= 1.0 && s.price >= s.cost.unwrap_or(0.0));
    }
}

#[test]
fn purchases_concentrate_in_favorite_categories() {
    // The collaborative signal: users buy from their favorite categories far
    // more often than the categories' share of the catalog would predict.
    let dir = tempfile::tempdir().unwrap();
    let p = SynthParams {
        users: 300,
        items: 200,
        days: 200,
        ..small(3)
    };
    synth::generate(&p, dir.path()).unwrap();
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(GROUND_TRUTH)).unwrap()).unwrap();
    let favorites: HashMap<String, Vec<String>> = truth["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let favs = u["favorite_categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (u["user_id"].as_str().unwrap().to_owned(), favs)
        })
        .collect();
    let category: HashMap<String, String> = truth["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["item_id"].as_str().unwrap().to_owned(),
                i["category"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let (mut in_fav, mut expected, mut n) = (0.0, 0.0, 0.0);
    for r in records(dir.path(), "events") {
        let Record::Event(e) = r else { panic!() };
        if e.event_type != EventType::Purchase {
            continue;
        }
        let favs = &favorites[&e.user_id];
        n += 1.0;
        if favs.contains(&category[&e.item_id]) {
            in_fav += 1.0;
        }
        // Share of the catalog in the user's favorite categories.
        expected +=
            category.values().filter(|c| favs.contains(c)).count() as f64 / category.len() as f64;
    }
    let (observed, baseline) = (in_fav / n, expected / n);
    assert!(
        observed > 2.0 * baseline,
        "favorite-category share {observed:.3} vs catalog share {baseline:.3}"
    );
}

#[test]
fn chinese_text_and_bad_params() {
    let dir = tempfile::tempdir().unwrap();
    synth::generate(
        &SynthParams {
            lang: Lang::Zh,
            ..small(2)
        },
        dir.path(),
    )
    .unwrap();
    let items = records(dir.path(), "items");
    let Record::Item(i) = &items[0] else { panic!() };
    let desc = i.description.as_deref().unwrap();
    assert!(
        desc.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{desc}"
    );
    assert!(i.category.as_deref().unwrap().contains(" > "));
    let bad = SynthParams {
        items: 1,
        ..small(1)
    };
    assert!(synth::generate(&bad, dir.path()).is_err());
}
