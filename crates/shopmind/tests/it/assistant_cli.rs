//! `shopmind assistant train|classify|chat` and `shopmind eval assistant`
//! on a small generated store.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{ok, shopmind};

#[test]
fn train_classify_eval_and_chat_from_files_and_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let demo = p("demo");
    ok(&shopmind(
        &data,
        &[
            "generate", "--out", &demo, "--seed", "4", "--items", "60", "--users", "40", "--days",
            "60",
        ],
    ));
    let intents = format!("{demo}/intents.csv");
    let faq = format!("{demo}/faq.csv");
    let model = p("model");
    let out = ok(&shopmind(
        &data,
        &[
            "assistant",
            "train",
            "--intents",
            &intents,
            "--faq",
            &faq,
            "--out",
            &model,
            "--json",
        ],
    ));
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        summary["intents"].as_array().unwrap().len(),
        20,
        "{summary}"
    );
    assert_eq!(summary["faq_answers"], 40);
    assert!(std::path::Path::new(&model).join("assistant.bin").exists());

    // Classify: quoted text survives, gibberish is out of scope.
    std::fs::write(
        p("texts.csv"),
        "id,text\n1,\"How do I return an item, please?\"\n2,Where is my parcel? I want to track my package\n3,zzqx vvbn\n",
    )
    .unwrap();
    ok(&shopmind(
        &data,
        &[
            "assistant",
            "classify",
            "--model",
            &model,
            "--in",
            &p("texts.csv"),
            "--out",
            &p("pred.csv"),
        ],
    ));
    let mut r = csv::Reader::from_path(p("pred.csv")).unwrap();
    assert_eq!(r.headers().unwrap(), vec!["text", "intent", "confidence"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "How do I return an item, please?");
    assert_eq!(&rows[0][1], "returns");
    assert_eq!(&rows[1][1], "track_package");
    assert_eq!(&rows[2][1], "oos", "{rows:?}");
    for row in &rows {
        let c: f64 = row[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }

    // A file without a text column is refused with its name and columns.
    std::fs::write(p("bad.csv"), "message\nhello\n").unwrap();
    let out = shopmind(
        &data,
        &[
            "assistant",
            "classify",
            "--model",
            &model,
            "--in",
            &p("bad.csv"),
            "--out",
            &p("x.csv"),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("no `text` column"),
        "{err}"
    );
    assert!(
        !std::path::Path::new(&p("x.csv")).exists(),
        "no output on failure"
    );

    // Eval with out-of-scope test rows (BANKING77's column name).
    std::fs::write(
        p("test.csv"),
        "text,category\nCan I send an item back?,returns\nhow long does delivery take,shipping_time\nwhat is the capital of peru,oos\nsing me a song,oos\n",
    )
    .unwrap();
    let out = ok(&shopmind(
        &data,
        &[
            "eval",
            "assistant",
            "--train",
            &intents,
            "--test",
            &p("test.csv"),
            "--json",
        ],
    ));
    let m: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (m["n"].as_u64(), m["n_oos"].as_u64()),
        (Some(2), Some(2)),
        "{m}"
    );
    assert_eq!(m["accuracy"], 1.0, "{m}");
    assert!(m["oos_recall"].as_f64().is_some());

    // Chat over the store: import, train the assistant, talk on stdin.
    for (kind, file) in [
        ("items", "items.csv"),
        ("orders", "orders.csv"),
        ("faq", "faq.csv"),
        ("intents", "intents.csv"),
    ] {
        ok(&shopmind(
            &data,
            &["import", kind, &format!("{demo}/{file}")],
        ));
    }
    ok(&shopmind(&data, &["train", "assistant"]));
    let orders = std::fs::read_to_string(format!("{demo}/orders.csv")).unwrap();
    let first: Vec<&str> = orders.lines().nth(1).unwrap().split(',').collect();
    let (order, owner) = (first[0].to_owned(), first[1].to_owned());
    // Orders are shown only to their owner: chat as them.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopmind"))
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "assistant",
            "chat",
            "--user",
            &owner,
        ])
        .env_remove("SHOPMIND_DATABASE_URL")
        .env_remove("SHOPMIND_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("where is order {order}?\n\u{0}\u{1}\nI need a human\n").as_bytes())
        .unwrap();
    let out = ok(&child.wait_with_output().unwrap());
    assert!(out.contains(&format!("sources: order {order}")), "{out}");
    assert!(out.contains("could not read that"), "{out}");
    assert!(out.contains("handing over to a person"), "{out}");
}
