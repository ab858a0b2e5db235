//! `recommend similar`, catalog-aware evaluation, cold-start batches and the
//! kNN-baseline rating model through the binary.

use std::path::Path;

use crate::shopmind;

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn similar_items_from_descriptions_and_from_events() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let items = tmp.path().join("items.csv");
    std::fs::write(
        &items,
        "item_id,title,description,category,brand\n\
         run1,Red running shoes,Light road running shoes,Shoes > Running,Fleet\n\
         run2,Blue running shoes,Running shoes for trails,Shoes > Running,Fleet\n\
         pan,Steel frying pan,A pan for the kitchen,Kitchen > Pans,Chef\n\
         zh1,红色跑鞋,轻便跑鞋,Shoes > Running,Fleet\n\
         zh2,蓝色跑鞋,跑鞋,Shoes > Running,Fleet\n",
    )
    .unwrap();
    let out_csv = tmp.path().join("similar.csv");
    ok(&shopmind(
        &data,
        &[
            "recommend",
            "similar",
            "--items",
            s(&items),
            "--k",
            "1",
            "--out",
            s(&out_csv),
        ],
    ));
    let text = std::fs::read_to_string(&out_csv).unwrap();
    assert!(text.starts_with("item_id,similar_item_id,rank,score\n"));
    assert!(text.contains("\nrun1,run2,1,"), "{text}");
    assert!(text.contains("\nzh1,zh2,1,"), "{text}");
    // Collaborative similarity needs events.
    let out = shopmind(
        &data,
        &[
            "recommend",
            "similar",
            "--items",
            s(&items),
            "--algorithm",
            "item-knn",
            "--out",
            s(&out_csv),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--train"));
    let events = tmp.path().join("events.csv");
    std::fs::write(
        &events,
        "user_id,item_id\na,run1\na,pan\nb,run1\nb,pan\nc,run2\n",
    )
    .unwrap();
    ok(&shopmind(
        &data,
        &[
            "recommend",
            "similar",
            "--items",
            s(&items),
            "--train",
            s(&events),
            "--algorithm",
            "item-knn",
            "--k",
            "1",
            "--out",
            s(&out_csv),
        ],
    ));
    let text = std::fs::read_to_string(&out_csv).unwrap();
    assert!(text.contains("\nrun1,pan,1,"), "bought together: {text}");

    // Catalog-aware batch: a listed user without history gets trending items.
    let users = tmp.path().join("users.txt");
    std::fs::write(&users, "a\nnewcomer\n").unwrap();
    let recs = tmp.path().join("recs.csv");
    ok(&shopmind(
        &data,
        &[
            "recommend",
            "batch",
            "--train",
            s(&events),
            "--items",
            s(&items),
            "--algorithm",
            "content",
            "--users",
            s(&users),
            "--k",
            "2",
            "--out",
            s(&recs),
        ],
    ));
    let text = std::fs::read_to_string(&recs).unwrap();
    // a bought run1 and pan: run2 (same category and brand) comes first.
    assert!(
        text.contains("\na,run2,1,") || text.contains("\na,zh1,1,"),
        "{text}"
    );
    // trending over the training events: run1 and pan have two users each.
    assert!(text.contains("\nnewcomer,"), "{text}");
}

#[test]
fn eval_with_a_catalog_tuning_and_the_knn_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("csv");
    let data = tmp.path().join("data");
    ok(&shopmind(
        &data,
        &[
            "generate",
            "--out",
            s(&csv),
            "--users",
            "80",
            "--items",
            "40",
            "--days",
            "30",
        ],
    ));
    let split = tmp.path().join("split");
    ok(&shopmind(
        &data,
        &[
            "split",
            "--input",
            s(&csv.join("events.csv")),
            "--out",
            s(&split),
        ],
    ));
    let out = shopmind(
        &data,
        &[
            "eval",
            "recommend",
            "--train",
            s(&split.join("train.csv")),
            "--test",
            s(&split.join("test.csv")),
            "--items",
            s(&csv.join("items.csv")),
            "--algorithms",
            "content,description,item-knn",
            "--tune",
            "--trials",
            "3",
            "--json",
        ],
    );
    ok(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        assert_eq!(r["tuning"].as_array().unwrap().len(), 3, "{r}");
    }
    // content without a catalog: a clear error naming --items.
    let out = shopmind(
        &data,
        &[
            "eval",
            "recommend",
            "--train",
            s(&split.join("train.csv")),
            "--test",
            s(&split.join("test.csv")),
            "--algorithms",
            "content",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--items"));

    let ratings = tmp.path().join("ratings.csv");
    let mut text = String::from("user_id,item_id,rating\n");
    for u in 0..30 {
        for i in 0..20 {
            if (u * 7 + i * 3) % 4 != 0 {
                text.push_str(&format!("u{u},i{i},{}\n", 1 + (u + i) % 5));
            }
        }
    }
    std::fs::write(&ratings, &text).unwrap();
    for model in ["knn-baseline", "mf-explicit"] {
        let out = shopmind(
            &data,
            &[
                "eval",
                "rating",
                "--train",
                s(&ratings),
                "--test",
                s(&ratings),
                "--model",
                model,
                "--json",
            ],
        );
        ok(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["rmse"].as_f64().unwrap() < 1.5, "{v}");
    }
    let out = shopmind(
        &data,
        &[
            "eval",
            "rating",
            "--train",
            s(&ratings),
            "--test",
            s(&ratings),
            "--model",
            "svd++",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn train_registers_versions_that_activate_and_roll_back() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Training an empty store is a clear error.
    let out = shopmind(&data, &["train", "recommend"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no events"));
    let csv = tmp.path().join("csv");
    ok(&shopmind(
        &data,
        &[
            "generate",
            "--out",
            s(&csv),
            "--users",
            "60",
            "--items",
            "30",
            "--days",
            "28",
        ],
    ));
    ok(&shopmind(
        &data,
        &["import", "items", s(&csv.join("items.csv"))],
    ));
    ok(&shopmind(
        &data,
        &["import", "events", s(&csv.join("events.csv"))],
    ));
    let train = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["train", "recommend", "--json"];
        all.extend(args);
        let out = shopmind(&data, &all);
        ok(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The first version is activated even without --activate.
    let first = train(&["--algorithm", "item-knn"]);
    assert_eq!(first["status"], "active");
    assert_eq!(first["kind"], "recommend");
    let ndcg = first["metrics"]["ndcg@10"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&ndcg));
    assert!(first["artifact_size"].as_i64().unwrap() > 0);
    let second = train(&["--algorithm", "popular"]);
    assert_eq!(second["status"], "inactive");
    assert_eq!(
        second["data_fingerprint"], first["data_fingerprint"],
        "same events, same fingerprint"
    );
    let (a, b) = (
        first["model_id"].as_str().unwrap(),
        second["model_id"].as_str().unwrap(),
    );
    let active = || -> String {
        let out = shopmind(&data, &["models", "list", "--json"]);
        ok(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|m| m["status"] == "active")
            .unwrap()["model_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    ok(&shopmind(&data, &["models", "activate", b]));
    assert_eq!(active(), b);
    ok(&shopmind(&data, &["models", "rollback", "recommend"]));
    assert_eq!(active(), a);
    // The active version cannot be deleted; the other can.
    assert_eq!(
        shopmind(&data, &["models", "delete", a]).status.code(),
        Some(1)
    );
    ok(&shopmind(&data, &["models", "delete", b]));
    assert_eq!(
        shopmind(&data, &["models", "activate", "no-such-id"])
            .status
            .code(),
        Some(1)
    );
    let out = shopmind(&data, &["train", "recommend", "--algorithm", "magic"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn keys_are_created_listed_revoked_and_serve_requires_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // No key yet: serve refuses to start (before binding the port).
    let out = shopmind(&data, &["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--insecure-no-auth"));
    let out = shopmind(
        &data,
        &["keys", "create", "--scope", "write", "--label", "etl"],
    );
    ok(&out);
    let key = String::from_utf8(out.stdout).unwrap();
    let key = key.trim();
    assert!(
        key.starts_with("sm_") && !key.contains(' '),
        "alone on stdout: {key}"
    );
    let out = shopmind(&data, &["keys", "list", "--json"]);
    ok(&out);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["scope"], "write");
    assert_eq!(list[0]["label"], "etl");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&key[12..]),
        "no secret listed"
    );
    let id = list[0]["key_id"].as_str().unwrap();
    let revoked = shopmind(&data, &["keys", "revoke", id]);
    ok(&revoked);
    // The revocation reaches servers within their key cache's 5 s: said.
    let said = String::from_utf8_lossy(&revoked.stdout);
    assert!(said.contains("5 s"), "{said}");
    assert_eq!(
        shopmind(&data, &["keys", "revoke", id]).status.code(),
        Some(1)
    );
    assert_eq!(
        shopmind(&data, &["keys", "create", "--scope", "root"])
            .status
            .code(),
        Some(1)
    );
}
