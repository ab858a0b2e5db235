//! Known answers of the content and description models.

use shopmind_core::record::{Event, EventType, Item};

use super::*;
use crate::dataset::MatrixOptions;
use crate::similar_items;

fn item(id: &str, category: &str, brand: &str) -> Item {
    Item {
        category: Some(category.into()),
        brand: Some(brand.into()),
        ..Item::new(id)
    }
}

fn ev(u: &str, i: &str, t: i64) -> Event {
    Event {
        event_id: format!("{u}-{i}-{t}"),
        user_id: u.into(),
        item_id: i.into(),
        event_type: EventType::Purchase,
        value: 1.0,
        timestamp: t,
    }
}

fn data(events: &[Event], items: &[Item]) -> Dataset {
    let opts = MatrixOptions {
        binary: true,
        ..MatrixOptions::default()
    };
    Dataset::from_events_with_catalog(events, items, [], opts).unwrap()
}

#[test]
fn content_cosines_match_a_hand_computation() {
    let items = [
        item("a", "Shoes > Running", "Nike"),
        item("b", "Shoes > Running", "Adidas"),
        item("c", "Kitchen", "Nike"),
    ];
    let d = data(&[ev("u", "a", 0), ev("v", "b", 0)], &items);
    let m = ContentParams::default()
        .fit(ContentKind::Content, &d)
        .unwrap();
    // idf = ln((N+1)/(df+1)) + 1 with N = 3: df 2 → ln(4/3)+1, df 1 → ln 2 + 1.
    let (i2, i1) = ((4f32 / 3.0).ln() + 1.0, 2f32.ln() + 1.0);
    // a = (i2, i2, i2)/‖·‖ over (shoes, shoes > running, nike)
    // b = (i2, i2, i1)/‖·‖ over (shoes, shoes > running, adidas)
    // c = (i1, i2)/‖·‖ over (kitchen, nike)
    let na = (3.0 * i2 * i2).sqrt();
    let nb = (2.0 * i2 * i2 + i1 * i1).sqrt();
    let nc = (i1 * i1 + i2 * i2).sqrt();
    let ab = 2.0 * i2 * i2 / (na * nb);
    let ac = i2 * i2 / (na * nc);
    let (a, b, c) = (
        d.items.get("a").unwrap(),
        d.items.get("b").unwrap(),
        d.items.get("c").unwrap(),
    );
    let mut s = vec![0f32; 3];
    m.similar(a, &mut s);
    assert!((s[a as usize] - 1.0).abs() < 1e-5);
    assert!((s[b as usize] - ab).abs() < 1e-5, "{s:?} vs {ab}");
    assert!((s[c as usize] - ac).abs() < 1e-5, "{s:?} vs {ac}");
    let top = similar_items(&m, a, 5, &[]);
    assert_eq!(top.iter().map(|t| t.0).collect::<Vec<_>>(), [b, c]);
}

#[test]
fn price_bands_are_quintiles_within_the_top_category() {
    let mut items: Vec<Item> = (0..10)
        .map(|n| Item {
            price: Some(f64::from(n)),
            ..item(&format!("s{n}"), "Shoes > Boots", "x")
        })
        .collect();
    items.push(Item {
        price: Some(1000.0),
        ..item("k", "Kitchen", "x")
    });
    items.push(Item::new("bare"));
    let b = price_bands(&items);
    assert_eq!(
        b[..10],
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4].map(Some),
        "two items per quintile"
    );
    assert_eq!(b[10], Some(0), "alone in its category");
    assert_eq!(b[11], None);
}

fn described(id: &str, title: &str, description: &str) -> Item {
    Item {
        title: Some(title.into()),
        description: Some(description.into()),
        ..Item::new(id)
    }
}

#[test]
fn description_matches_words_and_cjk_bigrams() {
    let items = [
        described("run", "Red running shoes", "Light shoes for road running"),
        described(
            "run2",
            "Blue running shoe",
            "A running shoe with a light sole",
        ),
        described("knife", "Kitchen knife", "Steel knife for the kitchen"),
        described("zh1", "红色跑鞋", "轻便的跑鞋"),
        described("zh2", "蓝色跑鞋", "跑鞋"),
        described("zh3", "厨房刀具", "不锈钢刀具"),
    ];
    let d = data(&[ev("u", "run", 0), ev("v", "knife", 0)], &items);
    for weighting in [
        TermWeighting::Bm25 { k1: 1.2, b: 0.75 },
        TermWeighting::TfIdf,
    ] {
        let p = ContentParams {
            weighting,
            ..ContentParams::default()
        };
        let m = p.fit(ContentKind::Description, &d).unwrap();
        let id = |s: &str| d.items.get(s).unwrap();
        assert_eq!(similar_items(&m, id("run"), 1, &[])[0].0, id("run2"));
        assert_eq!(similar_items(&m, id("zh1"), 1, &[])[0].0, id("zh2"));
        let knife = similar_items(&m, id("knife"), 5, &[]);
        assert!(knife.iter().all(|(i, s)| *i != id("run2") || *s == 0.0));
    }
}

#[test]
fn profile_follows_recency_and_new_events_without_refit() {
    let items = [
        item("shoe1", "Shoes", "n"),
        item("shoe2", "Shoes", "n"),
        item("pan1", "Kitchen", "k"),
        item("pan2", "Kitchen", "k"),
        item("new", "Garden", "g"), // in the catalog, no events: cold item
        item("new2", "Garden", "g"),
    ];
    let day = 86_400;
    // u bought shoes long ago and a pan recently: the kitchen wins.
    let events = [
        ev("u", "shoe1", 0),
        ev("u", "pan1", 200 * day),
        ev("v", "shoe2", 0),
    ];
    let d = data(&events, &items);
    let m = ContentParams::default()
        .fit(ContentKind::Content, &d)
        .unwrap();
    let id = |s: &str| d.items.get(s).unwrap();
    let u = d.users.get("u").unwrap();
    let recs = crate::recommend(&m, Some(u), &d.history(u), 2, &[]);
    assert_eq!(recs[0].0, id("pan2"));
    assert_eq!(recs[1].0, id("shoe2"));
    // Without recency (anonymous, same history) the two tie on score.
    let mut s = vec![0f32; d.n_items()];
    m.score(None, &d.history(u), &mut s);
    assert!((s[id("pan2") as usize] - s[id("shoe2") as usize]).abs() < 1e-6);
    // A new event on a never-trained item changes the next answer at once.
    m.score(Some(u), &d.history(u), &mut s);
    assert_eq!(s[id("new2") as usize], 0.0);
    let mut h = d.history(u);
    h.push((id("new"), 3.0)); // a purchase-weight event
    let recs = crate::recommend(&m, Some(u), &h, 1, &[]);
    assert_eq!(recs[0].0, id("new2"), "new item's neighbour, no refit");
}

#[test]
fn without_metadata_is_a_clear_error() {
    let opts = MatrixOptions::default();
    let d = Dataset::from_events(&[ev("u", "a", 0), ev("v", "b", 0)], [], opts).unwrap();
    for kind in [ContentKind::Content, ContentKind::Description] {
        assert!(matches!(
            ContentParams::default().fit(kind, &d),
            Err(RecommendError::NoCatalog(_))
        ));
    }
    let bare = data(&[ev("u", "a", 0), ev("v", "b", 0)], &[Item::new("a")]);
    assert!(matches!(
        ContentParams::default().fit(ContentKind::Description, &bare),
        Err(RecommendError::NoCatalog(_))
    ));
}
