//! Training in parts across processes: `serve --no-worker` queues forecast,
//! pricing and item-kNN training split into parts, two `shopmind worker`s
//! run the parts and the jobs' combining phases, and each version's
//! artifact is byte for byte the one `shopmind train` builds in one piece.

use std::process::Stdio;
use std::time::Duration;

use crate::jobs::{finished, http, worker};
use crate::{generated_store, ok, serve_insecure, shopmind};

#[test]
fn versions_trained_in_parts_by_two_workers_equal_those_trained_in_one_piece() {
    let tmp = tempfile::tempdir().unwrap();
    let data = generated_store(
        tmp.path(),
        &[
            "--users", "300", "--items", "90", "--days", "150", "--stores", "2",
        ],
        &["items", "events", "sales"],
    );
    let trainings = [
        ("forecast", r#""algorithm": "ets""#),
        ("pricing", r#""params": {"per_store": true}"#),
        (
            "recommend",
            r#""algorithm": "item-knn", "params": {"neighbors": 20}"#,
        ),
    ];
    // In one piece, in this process.
    for args in [
        &["train", "forecast", "--algorithm", "ets"][..],
        &["train", "pricing", "--param", "per_store=true"],
        &[
            "train",
            "recommend",
            "--algorithm",
            "item-knn",
            "--param",
            "neighbors=20",
        ],
    ] {
        ok(&shopmind(&data, args));
    }

    let (_api, addr) = serve_insecure(&data, &["--no-worker"], Stdio::null());
    let mut ids = Vec::new();
    for (kind, body) in trainings {
        let (status, job) = http(
            &addr,
            "POST",
            &format!("/v1/models/{kind}/train"),
            &format!(r#"{{{body}, "parts": 3}}"#),
        );
        assert_eq!(status, 202, "{job}");
        ids.push(job["job_id"].as_str().unwrap().to_owned());
    }
    let (status, refused) = http(
        &addr,
        "POST",
        "/v1/models/forecast/train",
        r#"{"parts": 0}"#,
    );
    assert_eq!(status, 422, "{refused}");

    let _w1 = worker(&data);
    let _w2 = worker(&data);
    let mut jobs = Vec::new();
    for id in &ids {
        let done = finished(&addr, id, Duration::from_secs(600));
        assert_eq!(done["state"], "succeeded", "{done}");
        jobs.push(done);
    }

    let models: serde_json::Value =
        serde_json::from_str(&ok(&shopmind(&data, &["models", "list", "--json"]))).unwrap();
    let models = models.as_array().unwrap();
    for (job, (kind, _)) in jobs.iter().zip(trainings) {
        let of_kind: Vec<&serde_json::Value> =
            models.iter().filter(|m| m["kind"] == kind).collect();
        assert_eq!(of_kind.len(), 2, "{kind}: one piece and parts");
        let parted = of_kind
            .iter()
            .find(|m| m["model_id"] == job["model_id"])
            .unwrap();
        let whole = of_kind
            .iter()
            .find(|m| m["model_id"] != job["model_id"])
            .unwrap();
        assert_eq!(parted["metrics"]["parts"], 3, "{kind}: {parted}");
        assert_eq!(whole["metrics"]["parts"], 1, "{kind}: {whole}");
        assert_eq!(
            parted["artifact_sha256"], whole["artifact_sha256"],
            "{kind}: the same version whatever the split"
        );
        assert_eq!(parted["data_fingerprint"], whole["data_fingerprint"]);
        if kind == "recommend" {
            assert_eq!(parted["metrics"]["ndcg@10"], whole["metrics"]["ndcg@10"]);
        }
    }
}
