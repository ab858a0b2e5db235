//! The `shopmind` binary end to end: generate, import (all or nothing, or
//! skipping bad rows), stats, and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assistant_cli;
mod forecast_cli;
mod jobs;
mod parity;
mod parts;
mod price_cli;
mod process;
mod recommend_cli;
mod replicas;

use std::path::Path;
use std::process::{Command, Output};

/// Reads the `shopmind is serving at http://ADDR` line a `serve` child
/// prints first, and returns ADDR.
/// A child process killed (and reaped) when dropped: a `serve` under test.
pub(crate) struct Server(pub(crate) std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on `data` without authentication on an ephemeral port,
/// with `extra` arguments and its log going to `stderr`.
pub(crate) fn serve_insecure(
    data: &Path,
    extra: &[&str],
    stderr: std::process::Stdio,
) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopmind"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--insecure-no-auth", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env_remove("SHOPMIND_DATABASE_URL")
        .env_remove("SHOPMIND_DATA_DIR")
        .env_remove("SHOPMIND_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let addr = serving_addr(&mut child);
    (Server(child), addr)
}

pub(crate) fn serving_addr(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim()
        .to_owned()
}

pub(crate) fn shopmind(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopmind"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("SHOPMIND_DATABASE_URL")
        .env_remove("SHOPMIND_DATA_DIR")
        .output()
        .unwrap()
}

/// A store in `dir/data` holding a generated shop (`generate` with `args`,
/// into `dir/csv`) of which the files of `kinds` are imported; returns the
/// data directory.
pub(crate) fn generated_store(dir: &Path, args: &[&str], kinds: &[&str]) -> std::path::PathBuf {
    let data = dir.join("data");
    let csv = dir.join("csv");
    let mut generate = vec!["generate", "--out", csv.to_str().unwrap()];
    generate.extend(args);
    ok(&shopmind(&data, &generate));
    for kind in kinds {
        let file = csv.join(format!("{kind}.csv"));
        ok(&shopmind(&data, &["import", kind, file.to_str().unwrap()]));
    }
    data
}

/// Asserts the command succeeded (showing its output if not); returns its
/// standard output.
pub(crate) fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stats(data_dir: &Path) -> serde_json::Value {
    let out = shopmind(data_dir, &["stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count(stats: &serde_json::Value, table: &str) -> i64 {
    stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == table)
        .unwrap()[1]
        .as_i64()
        .unwrap()
}

#[test]
fn generate_then_import_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("csv");
    let data = tmp.path().join("data");
    let out = shopmind(
        &data,
        &[
            "generate",
            "--out",
            csv.to_str().unwrap(),
            "--users",
            "60",
            "--items",
            "40",
            "--days",
            "60",
            "--seed",
            "5",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for kind in [
        "items",
        "users",
        "events",
        "sales",
        "inventory",
        "orders",
        "faq",
        "intents",
    ] {
        let file = csv.join(format!("{kind}.csv"));
        let out = shopmind(&data, &["import", kind, file.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            report["counts"]["records"].as_u64().unwrap() > 0,
            "{kind}: {report}"
        );
    }
    let s = stats(&data);
    assert_eq!(count(&s, "items"), 40);
    assert_eq!(count(&s, "users"), 60);
    assert_eq!(count(&s, "faq"), 160);
    let events_in_file = std::fs::read_to_string(csv.join("events.csv"))
        .unwrap()
        .lines()
        .count() as i64
        - 1;
    assert_eq!(count(&s, "events"), events_in_file);
}

#[test]
fn a_bad_row_fails_the_whole_import_unless_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("events.csv");
    std::fs::write(
        &file,
        "user_id,item_id,event_type,timestamp\nu1,i1,view,2024-01-01\nu2,i2,wink,2024-01-02\nu3,i3,cart,2024-01-03\n",
    )
    .unwrap();
    let out = shopmind(&data, &["import", "events", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("event_type") && err.contains("wink"),
        "{err}"
    );
    assert!(err.contains("nothing was stored"), "{err}");
    assert_eq!(count(&stats(&data), "events"), 0);

    let out = shopmind(
        &data,
        &["import", "events", file.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("skipped 1 invalid rows") && text.contains("line 3"),
        "{text}"
    );
    assert_eq!(count(&stats(&data), "events"), 2);
}

#[test]
fn usage_errors_exit_with_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = shopmind(tmp.path(), &["import", "spreadsheets", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown import kind"));
    let out = shopmind(
        tmp.path(),
        &["import", "events", "/definitely/not/here.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here.csv"));
}

#[test]
fn split_eval_and_batch_recommend_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("csv");
    let data = tmp.path().join("data");
    let out = shopmind(
        &data,
        &[
            "generate",
            "--out",
            csv.to_str().unwrap(),
            "--users",
            "80",
            "--items",
            "40",
            "--days",
            "60",
        ],
    );
    assert!(out.status.success());
    let split = tmp.path().join("split");
    let out = shopmind(
        &data,
        &[
            "split",
            "--input",
            csv.join("events.csv").to_str().unwrap(),
            "--out",
            split.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (train, test) = (split.join("train.csv"), split.join("test.csv"));
    let out = shopmind(
        &data,
        &[
            "eval",
            "recommend",
            "--train",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--algorithms",
            "popular,item-knn,ease",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    for r in rows.as_array().unwrap() {
        let ndcg = r["ndcg"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&ndcg), "{r}");
    }
    let recs = tmp.path().join("recs.csv");
    let out = shopmind(
        &data,
        &[
            "recommend",
            "batch",
            "--train",
            train.to_str().unwrap(),
            "--algorithm",
            "item-knn",
            "--k",
            "3",
            "--out",
            recs.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&recs).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("user_id,item_id,rank,score"));
    let train_text = std::fs::read_to_string(&train).unwrap();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert!(["1", "2", "3"].contains(&f[2]), "{line}");
        // Never an item the user has in the training file.
        assert!(
            !train_text
                .lines()
                .any(|t| t.contains(&format!(",{},{},", f[0], f[1]))),
            "{line}"
        );
    }
    // Bad input: unknown algorithm, unknown parameter, k = 0.
    for args in [
        vec!["--algorithm", "magic"],
        vec!["--algorithm", "ials", "--param", "factor=8"],
        vec!["--k", "0"],
    ] {
        let mut all = vec![
            "recommend",
            "batch",
            "--train",
            train.to_str().unwrap(),
            "--out",
            recs.to_str().unwrap(),
        ];
        all.extend(args.iter());
        let out = shopmind(&data, &all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}
