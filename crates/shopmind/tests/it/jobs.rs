//! The job queue across processes: `serve --no-worker` queues a training
//! job, a `shopmind worker` claims it and is killed (SIGKILL) mid-training,
//! and a second worker takes the job over when the lease expires and
//! finishes it; the registry holds exactly one new version.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Server, generated_store, ok, serve_insecure, shopmind};

pub(crate) fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or_default())
}

/// The job once it has succeeded or failed (polled; panics after `limit`).
pub(crate) fn finished(addr: &str, id: &str, limit: Duration) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let (_, j) = http(addr, "GET", &format!("/v1/jobs/{id}"), "");
        if j["state"] == "succeeded" || j["state"] == "failed" {
            return j;
        }
        assert!(start.elapsed() < limit, "not finished: {j}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) fn worker(data: &Path) -> Server {
    Server(
        Command::new(env!("CARGO_BIN_EXE_shopmind"))
            .arg("--data-dir")
            .arg(data)
            .args(["--log", "warn", "worker"])
            .env_remove("SHOPMIND_DATABASE_URL")
            .env_remove("SHOPMIND_DATA_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[test]
fn a_job_whose_worker_is_killed_is_finished_by_another_after_the_lease() {
    let tmp = tempfile::tempdir().unwrap();
    let data = generated_store(
        tmp.path(),
        &["--users", "600", "--items", "200", "--days", "30"],
        &["items", "events"],
    );
    let (_api, addr) = serve_insecure(&data, &["--no-worker"], Stdio::null());
    let (status, job) = http(
        &addr,
        "POST",
        "/v1/models/recommend/train",
        r#"{"algorithm": "ials", "params": {"factors": 128, "iterations": 60}, "activate": true}"#,
    );
    assert_eq!(status, 202, "{job}");
    let id = job["job_id"].as_str().unwrap().to_owned();
    let get = || http(&addr, "GET", &format!("/v1/jobs/{id}"), "").1;
    // API only: nothing runs it.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(get()["state"], "queued");

    let mut first = worker(&data);
    let start = Instant::now();
    loop {
        let j = get();
        if j["state"] == "running" && j["attempts"] == 1 {
            break;
        }
        assert_ne!(
            j["state"], "succeeded",
            "the job finished before the kill: {j}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never claimed: {j}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    first.0.kill().unwrap();
    first.0.wait().unwrap();

    let _second = worker(&data);
    let done = finished(&addr, &id, Duration::from_secs(300));
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "taken over once: {done}");
    let models: serde_json::Value =
        serde_json::from_str(&ok(&shopmind(&data, &["models", "list", "--json"]))).unwrap();
    let models = models.as_array().unwrap();
    assert_eq!(models.len(), 1, "exactly one new version: {models:?}");
    assert_eq!(models[0]["model_id"], done["model_id"]);
}
