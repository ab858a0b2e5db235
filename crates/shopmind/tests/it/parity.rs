//! The CLI and the HTTP API stand on one service layer: the same training
//! request gives the same model (the same artifact digest) from either, for
//! every kind, and the same bad request is refused by both with the same
//! fields and messages.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::{Server, ok, shopmind};

/// Starts `serve` without authentication; its request log is dropped.
fn serve(data: &Path) -> (Server, String) {
    crate::serve_insecure(data, &[], Stdio::null())
}

/// One request; the status and the JSON body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}

fn wait_ready(addr: &str) {
    for _ in 0..300 {
        if TcpStream::connect(addr).is_ok() && http(addr, "GET", "/health/ready", "").0 == 200 {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server never became ready");
}

/// A generated store with every kind's data imported; the demo directory.
fn store(tmp: &Path) -> (std::path::PathBuf, String) {
    let data = tmp.join("data");
    let demo = tmp.join("demo").to_str().unwrap().to_owned();
    ok(&shopmind(
        &data,
        &[
            "generate", "--out", &demo, "--seed", "5", "--items", "24", "--users", "60", "--days",
            "150", "--stores", "2",
        ],
    ));
    for (kind, file) in [
        ("items", "items.csv"),
        ("events", "events.csv"),
        ("sales", "sales.csv"),
        ("inventory", "inventory.csv"),
        ("faq", "faq.csv"),
        ("intents", "intents.csv"),
    ] {
        ok(&shopmind(
            &data,
            &["import", kind, &format!("{demo}/{file}")],
        ));
    }
    (data, demo)
}

/// A training request: kind, algorithm, parameters.
type Request = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// One request of every kind.
const REQUESTS: &[Request] = &[
    (
        "recommend",
        "ials",
        &[("factors", "8"), ("iterations", "4")],
    ),
    ("pricing", "elasticity", &[("per_store", "true")]),
    ("forecast", "ets", &[]),
    ("assistant", "lexical", &[]),
];

#[test]
fn every_kind_trains_to_the_same_model_from_the_cli_and_the_api() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = store(tmp.path());
    let mut from_cli = Vec::new();
    for (kind, algorithm, params) in REQUESTS {
        let mut args = vec!["train", kind, "--algorithm", algorithm, "--json"];
        let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for p in &pairs {
            args.extend(["--param", p]);
        }
        let v: serde_json::Value = serde_json::from_str(&ok(&shopmind(&data, &args))).unwrap();
        assert_eq!(v["kind"], *kind);
        let digest = v["artifact_sha256"].as_str().unwrap().to_owned();
        assert_eq!(digest.len(), 64, "{v}");
        from_cli.push(digest);
    }
    let (_server, addr) = serve(&data);
    wait_ready(&addr);
    for ((kind, algorithm, params), cli_digest) in REQUESTS.iter().zip(&from_cli) {
        let params: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        let body = serde_json::json!({ "algorithm": algorithm, "params": params }).to_string();
        let (status, job) = http(&addr, "POST", &format!("/v1/models/{kind}/train"), &body);
        assert_eq!(status, 202, "{job}");
        let id = job["job_id"].as_str().unwrap().to_owned();
        let model_id = loop {
            let (_, j) = http(&addr, "GET", &format!("/v1/jobs/{id}"), "");
            match j["state"].as_str() {
                Some("succeeded") => break j["model_id"].as_str().unwrap().to_owned(),
                Some("failed") => panic!("{kind}: {j}"),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        let (_, list) = http(&addr, "GET", &format!("/v1/models?kind={kind}"), "");
        let record = list["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model_id"] == model_id.as_str())
            .unwrap();
        assert_eq!(
            record["artifact_sha256"].as_str(),
            Some(cli_digest.as_str()),
            "{kind}: the API's model differs from the CLI's"
        );
    }
}

/// The (field, message) pairs of a 422 problem document.
fn fields(problem: &serde_json::Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors in {problem}"))
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_owned();
            (s("field"), s("message"))
        })
        .collect()
}

#[test]
fn the_cli_and_the_api_refuse_the_same_requests_with_the_same_words() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, demo) = store(tmp.path());
    let ids = tmp.path().join("ids.csv");
    std::fs::write(
        &ids,
        "price,Item_ID,ID\n1,a,1\n2,b,2\n3,c,3\n4,d,4\n5,e,5\n",
    )
    .unwrap();
    let ids = ids.to_str().unwrap();
    let (sales, items) = (format!("{demo}/sales.csv"), format!("{demo}/items.csv"));
    let out = tmp.path().join("out.csv");
    let out = out.to_str().unwrap();
    let id_rows: Vec<String> = (1..=5)
        .map(|i| format!(r#"{{"price": {i}, "Item_ID": "x{i}", "ID": {i}}}"#))
        .collect();
    let id_body = format!(r#"{{"train": [{}]}}"#, id_rows.join(","));
    // (what drifted before, CLI arguments, method, path, body)
    let cases: Vec<(&str, Vec<&str>, &str, String, String)> = vec![
        (
            "inventory policy",
            vec!["inventory", "plan", "--review-days", "400", "--out", out],
            "GET",
            "/v1/inventory/plan?review_days=400".into(),
            String::new(),
        ),
        (
            "price constraints",
            vec![
                "price",
                "optimize",
                "--sales",
                &sales,
                "--items",
                &items,
                "--min-margin",
                "1.5",
                "--max-change=-0.1",
                "--out",
                out,
            ],
            "POST",
            "/v1/pricing/optimize".into(),
            r#"{"min_margin": 1.5, "max_change": -0.1}"#.into(),
        ),
        (
            "champion metric and margin",
            vec![
                "train",
                "recommend",
                "--activate=if_better",
                "--champion-metric",
                "ndcg@5",
                "--min-gain",
                "2",
            ],
            "POST",
            "/v1/models/recommend/train".into(),
            r#"{"activate": "if_better", "champion_metric": "ndcg@5", "min_gain": 2}"#.into(),
        ),
        (
            "id columns",
            vec!["price", "predict", "--train", ids, "--target", "price"],
            "POST",
            "/v1/pricing/predict".into(),
            id_body,
        ),
        (
            "unknown parameter",
            vec![
                "train",
                "recommend",
                "--algorithm",
                "ials",
                "--param",
                "factor=8",
            ],
            "POST",
            "/v1/models/recommend/train".into(),
            r#"{"algorithm": "ials", "params": {"factor": 8}}"#.into(),
        ),
        (
            "unknown parameter of pricing",
            vec!["train", "pricing", "--param", "per_shop=true"],
            "POST",
            "/v1/models/pricing/train".into(),
            r#"{"params": {"per_shop": true}}"#.into(),
        ),
    ];
    let mut cli = Vec::new();
    for (what, args, ..) in &cases {
        let o = shopmind(&data, args);
        assert_eq!(o.status.code(), Some(1), "{what}: {o:?}");
        cli.push(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    let (_server, addr) = serve(&data);
    wait_ready(&addr);
    for ((what, _, method, path, body), stderr) in cases.iter().zip(&cli) {
        let (status, problem) = http(&addr, method, path, body);
        assert_eq!(status, 422, "{what}: {problem}");
        let pairs = fields(&problem);
        assert!(!pairs.is_empty(), "{what}");
        for (field, message) in pairs {
            let line = format!("  {field}: {message}");
            assert!(
                stderr.contains(&line),
                "{what}: the CLI did not say `{line}`:\n{stderr}"
            );
        }
    }
}
