//! Nullable columns, NULL and not NULL in turn, on one connection: the
//! regression test of the PostgreSQL writes that failed once a statement had
//! been prepared with a NULL float (`incorrect binary data format in bind
//! parameter`). Every write path that stores a nullable column takes part:
//! the API's item replace and upsert, user replace, and imports of items,
//! sales and FAQ entries in batches of one and of many.

use std::collections::BTreeMap;

use shopmind_core::record::{FaqEntry, Item, Record, Sale, User};
use shopmind_core::time::Date;
use shopmind_store::{ImportOptions, Store};

use crate::on_each_backend_with;

fn item(id: &str, price: Option<f64>, cost: Option<f64>, text: bool) -> Item {
    let words = |s: &str| text.then(|| s.to_owned());
    Item {
        title: words("Mug"),
        description: words("A mug"),
        category: words("Home"),
        brand: words("Acme"),
        price,
        cost,
        tags: if text { vec!["blue".into()] } else { vec![] },
        attributes: if text {
            BTreeMap::from([("color".into(), "blue".into())])
        } else {
            BTreeMap::new()
        },
        ..Item::new(id)
    }
}

fn sale(day: u32, cost: Option<f64>) -> Record {
    Record::Sale(Sale {
        date: Date::from_ymd(2024, 3, day).unwrap(),
        item_id: "s".into(),
        store_id: "all".into(),
        units: 2.0,
        returned_units: 0.0,
        price: 5.0,
        promo: false,
        cost,
    })
}

async fn import(store: &Store, records: Vec<Record>, batch_size: usize) {
    store
        .import(
            records.into_iter().map(Ok::<_, std::io::Error>),
            &ImportOptions { batch_size },
            |_| {},
        )
        .await
        .unwrap();
}

/// The NULL / value pattern every path is written with, twice over so that
/// each statement shape is prepared with a NULL before it sees a value and
/// the other way round.
const PATTERN: [bool; 6] = [false, false, true, false, true, true];

#[tokio::test]
async fn nullable_columns_take_null_and_values_in_any_order_on_one_connection() {
    on_each_backend_with(1, |store| async move {
        for (n, &set) in PATTERN.iter().enumerate() {
            let (price, cost) = if set {
                (Some(2.5 + n as f64), Some(1.25))
            } else {
                (None, None)
            };
            // The API's PUT (replace) and the single upsert.
            let put = item("put", price, cost, set);
            store.put_items(vec![put.clone()]).await.unwrap();
            assert_eq!(store.get_item("put").await.unwrap(), Some(put), "put #{n}");
            store
                .upsert_item(item(&format!("up{n}"), price, cost, set))
                .await
                .unwrap();
            assert_eq!(
                store
                    .get_item(&format!("up{n}"))
                    .await
                    .unwrap()
                    .unwrap()
                    .price,
                price
            );
            // A batch mixing both.
            store
                .put_items(vec![
                    item("m1", price, None, set),
                    item("m2", None, cost, !set),
                ])
                .await
                .unwrap();
            store
                .upsert_user(User {
                    user_id: "u".into(),
                    attributes: if set {
                        BTreeMap::from([("segment".into(), "gold".into())])
                    } else {
                        BTreeMap::new()
                    },
                })
                .await
                .unwrap();
            // Imports, one record per batch and all in one batch.
            for batch in [1, 100] {
                let id = format!("imp{n}-{batch}");
                import(
                    &store,
                    vec![
                        Record::Item(item(&id, None, None, false)),
                        Record::Item(item(&id, price, cost, set)),
                        Record::Item(item(&format!("{id}-b"), price, None, set)),
                    ],
                    batch,
                )
                .await;
                let got = store.get_item(&id).await.unwrap().unwrap();
                assert_eq!((got.price, got.cost), (price, cost), "{id}");
                import(
                    &store,
                    vec![sale(1, None), sale(2, cost), sale(3, None), sale(4, price)],
                    batch,
                )
                .await;
                import(
                    &store,
                    vec![
                        Record::Faq(FaqEntry {
                            question: format!("q{n}"),
                            answer: "a".into(),
                            intent: None,
                        }),
                        Record::Faq(FaqEntry {
                            question: format!("r{n}"),
                            answer: "a".into(),
                            intent: set.then(|| "returns".to_owned()),
                        }),
                    ],
                    batch,
                )
                .await;
            }
        }
        let sales = store.all_sales().await.unwrap();
        let costs: Vec<Option<f64>> = sales.iter().map(|s| s.cost).collect();
        // The last import wrote (None, Some(1.25), None, Some(2.5 + 5)).
        assert_eq!(costs, vec![None, Some(1.25), None, Some(7.5)]);
        // An item imported with a price keeps it when a later row leaves it
        // blank (the importer's merge), on both backends alike.
        import(
            &store,
            vec![Record::Item(item("imp5-1", None, None, false))],
            1,
        )
        .await;
        assert_eq!(
            store.get_item("imp5-1").await.unwrap().unwrap().price,
            Some(7.5)
        );
    })
    .await;
}
