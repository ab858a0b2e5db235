//! Property test of every route that takes a JSON body, and of the path ids
//! of every route that names one (seeded, bounded), on SQLite and, when
//! configured, PostgreSQL: random JSON (with the routes' own field names,
//! hostile strings and numbers) and valid bodies with one field replaced
//! never get a 5xx, and the server keeps answering. Every model kind is
//! trained first, so requests reach the engines instead of stopping at
//! "no active model".

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Value, json};

use crate::assistant::import_demo_with;
use crate::robustness::exchange;
use crate::{TestServer, backends, train_job};

/// Field names the routes read (so random objects reach real validation).
const KEYS: [&str; 40] = [
    "item_id",
    "user_id",
    "event_id",
    "event_type",
    "value",
    "timestamp",
    "title",
    "description",
    "category",
    "brand",
    "price",
    "cost",
    "tags",
    "active",
    "attributes",
    "items",
    "events",
    "n",
    "exclude",
    "explain",
    "objective",
    "max_change",
    "min_margin",
    "ending",
    "min_price",
    "max_price",
    "min_units",
    "category_cap",
    "target",
    "features",
    "model",
    "folds",
    "train",
    "predict",
    "days",
    "replan_every",
    "service_level",
    "session_id",
    "message",
    "algorithm",
];

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _-]{0,12}",
        Just(String::new()),
        Just("\u{0}".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("\u{1}\u{7f}\u{1b}[0m".to_owned()),
        Just("SKU-001".to_owned()),
        Just("U1".to_owned()),
        Just("x".repeat(3000)),
        Just("é中😀\u{200b}".to_owned()),
        Just("1e309".to_owned()),
        Just("2099-01-01T00:00:00Z".to_owned()),
        Just("NaN".to_owned()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|v| json!(v)),
        prop_oneof![
            Just(0.0f64),
            Just(-1.0),
            Just(1e300),
            Just(-1e-300),
            Just(0.5),
            Just(1e15)
        ]
        .prop_map(|v| json!(v)),
        (0u64..20).prop_map(|v| json!(v)),
        hostile_string().prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        3 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        1 => hostile_string(),
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A valid body per route (method, path), the base of the mutations.
fn valid_bodies() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "PUT",
            "/v1/items/SKU-001",
            json!({"title": "Mug", "price": 3.5, "tags": ["a"]}),
        ),
        (
            "POST",
            "/v1/items:batch",
            json!([{"item_id": "F-1", "title": "x"}]),
        ),
        (
            "PUT",
            "/v1/users/U-F",
            json!({"attributes": {"segment": "gold"}}),
        ),
        (
            "POST",
            "/v1/events",
            json!({"user_id": "U-F", "item_id": "SKU-00001", "event_type": "view"}),
        ),
        (
            "POST",
            "/v1/recommendations",
            json!({"items": ["SKU-00001"], "n": 3}),
        ),
        (
            "POST",
            "/v1/pricing/optimize",
            json!({"max_change": 0.1, "items": ["SKU-00001"]}),
        ),
        (
            "POST",
            "/v1/pricing/predict",
            json!({"train": [{"x": 1, "price": 2}, {"x": 2, "price": 3}, {"x": 3, "price": 4}, {"x": 4, "price": 5}], "folds": 2}),
        ),
        (
            "POST",
            "/v1/inventory/simulate",
            json!({"items": ["SKU-00001"], "days": 14}),
        ),
        (
            "POST",
            "/v1/assistant/chat",
            json!({"session_id": "f", "message": "hi"}),
        ),
        (
            "POST",
            "/v1/models/recommend/train",
            json!({"algorithm": "popular"}),
        ),
    ]
}

/// Routes with an `{id}` in their path, for random ids.
const ID_ROUTES: [(&str, &str); 9] = [
    ("GET", "/v1/items/{}"),
    ("GET", "/v1/items/{}/similar"),
    ("GET", "/v1/items/{}/forecast"),
    ("GET", "/v1/items/{}/price-response"),
    ("GET", "/v1/users/{}"),
    ("GET", "/v1/users/{}/recommendations"),
    ("DELETE", "/v1/items/{}"),
    ("POST", "/v1/models/{}/activate"),
    ("GET", "/v1/jobs/{}"),
];

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn send(s: &TestServer, method: &str, path: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, head, answer) = exchange(s.addr, req.as_bytes()).await;
    (status, format!("{head}\n{answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bodies_and_ids_never_get_a_5xx_on_any_backend() {
    for db in backends() {
        let s = TestServer::start_on(db, |st| st).await;
        let dir = tempfile::tempdir().unwrap();
        import_demo_with(&s, dir.path(), true).await;
        for (kind, body) in [
            ("recommend", r#"{"algorithm":"item-knn","activate":true}"#),
            ("pricing", r#"{"activate":true}"#),
            ("forecast", r#"{"algorithm":"naive","activate":true}"#),
            ("assistant", r#"{"activate":true}"#),
        ] {
            assert_eq!(
                train_job(&s, kind, body).await["state"],
                "succeeded",
                "{kind}"
            );
        }
        let mut runner = TestRunner::new(Config {
            cases: 1,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(14),
            ..Config::default()
        });
        let bodies = valid_bodies();
        let mut cases: Vec<(String, String, String)> = Vec::new();
        // Random JSON of every shape, and each valid body with one field
        // replaced by a random value, for every route.
        for (method, path, valid) in &bodies {
            for _ in 0..30 {
                let v = json_value().new_tree(&mut runner).unwrap().current();
                cases.push((method.to_string(), path.to_string(), v.to_string()));
            }
            if let Value::Object(fields) = valid {
                for key in fields.keys() {
                    for _ in 0..6 {
                        let mut m = fields.clone();
                        m.insert(
                            key.clone(),
                            json_value().new_tree(&mut runner).unwrap().current(),
                        );
                        cases.push((
                            method.to_string(),
                            path.to_string(),
                            Value::Object(m).to_string(),
                        ));
                    }
                }
            }
            // Not JSON at all.
            cases.push((method.to_string(), path.to_string(), "{\"a\":".into()));
            cases.push((method.to_string(), path.to_string(), "\u{0}".into()));
        }
        for (method, template) in ID_ROUTES {
            for _ in 0..16 {
                let id = hostile_string().new_tree(&mut runner).unwrap().current();
                let path = template.replace("{}", &percent_encode(&id));
                cases.push((method.to_owned(), path, String::new()));
            }
        }
        for (method, path, body) in &cases {
            let (status, answer) = send(&s, method, path, body).await;
            assert!(
                (200..500).contains(&status),
                "{db:?} {method} {path} {body:.300} → {status}\n{answer:.600}"
            );
        }
        assert_eq!(s.call("GET", "/health/ready", None).await.status, 200);
        eprintln!("{db:?}: {} fuzzed requests, none answered 5xx", cases.len());
        s.stop().await;
    }
}
