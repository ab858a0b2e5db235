//! Two `serve` processes on one PostgreSQL database follow an activation
//! made elsewhere within 5 s. Runs when `SHOPMIND_TEST_POSTGRES_URL` is set.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Server;

fn bin(url: &str, schema: &str, data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shopmind"));
    c.arg("--data-dir")
        .arg(data)
        .args(["--database-url", url, "--database-schema", schema])
        .env_remove("SHOPMIND_DATA_DIR")
        .env_remove("SHOPMIND_DATABASE_URL")
        .env_remove("SHOPMIND_DATABASE_SCHEMA");
    c
}

fn run(url: &str, schema: &str, data: &Path, args: &[&str]) -> String {
    let out = bin(url, schema, data).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `serve` on an ephemeral port and returns it with its address.
fn serve(url: &str, schema: &str, data: &Path) -> (Server, String) {
    let mut child = bin(url, schema, data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = crate::serving_addr(&mut child);
    (Server(child), addr)
}

fn get(addr: &str, path: &str, key: &str) -> Option<serde_json::Value> {
    let mut s = TcpStream::connect(addr).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {key}\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    if !head.starts_with("HTTP/1.1 200") {
        return None;
    }
    serde_json::from_str(body).ok()
}

#[test]
fn two_servers_follow_an_activation_within_five_seconds() {
    let Ok(url) = std::env::var("SHOPMIND_TEST_POSTGRES_URL") else {
        eprintln!("SHOPMIND_TEST_POSTGRES_URL unset: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let schema = format!("shopmind_replicas_{}", std::process::id());
    let csv = tmp.path().join("csv");
    run(
        &url,
        &schema,
        &data,
        &[
            "generate",
            "--out",
            csv.to_str().unwrap(),
            "--users",
            "60",
            "--items",
            "30",
            "--days",
            "28",
        ],
    );
    for (kind, file) in [("items", "items.csv"), ("events", "events.csv")] {
        run(
            &url,
            &schema,
            &data,
            &["import", kind, csv.join(file).to_str().unwrap()],
        );
    }
    let first: serde_json::Value = serde_json::from_str(&run(
        &url,
        &schema,
        &data,
        &["train", "recommend", "--algorithm", "item-knn", "--json"],
    ))
    .unwrap();
    let second: serde_json::Value = serde_json::from_str(&run(
        &url,
        &schema,
        &data,
        &["train", "recommend", "--algorithm", "popular", "--json"],
    ))
    .unwrap();
    let key = run(&url, &schema, &data, &["keys", "create", "--scope", "read"]);
    let key = key.trim();
    let (_a, addr_a) = serve(&url, &schema, &data);
    let (_b, addr_b) = serve(&url, &schema, &data);
    let model_of = |addr: &str| {
        get(addr, "/v1/users/U00001/recommendations?n=3", key)
            .map(|v| v["model_id"].as_str().unwrap_or_default().to_owned())
    };
    let wait_for = |addr: &str, want: &str, limit: Duration| {
        let start = Instant::now();
        while start.elapsed() < limit {
            if model_of(addr).as_deref() == Some(want) {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    };
    let (id1, id2) = (
        first["model_id"].as_str().unwrap(),
        second["model_id"].as_str().unwrap(),
    );
    for addr in [&addr_a, &addr_b] {
        assert!(
            wait_for(addr, id1, Duration::from_secs(10)).is_some(),
            "{addr} never served {id1}"
        );
    }
    // Activate through the CLI (a third process): both servers switch.
    run(&url, &schema, &data, &["models", "activate", id2]);
    for addr in [&addr_a, &addr_b] {
        let took = wait_for(addr, id2, Duration::from_secs(5));
        assert!(took.is_some(), "{addr} did not switch to {id2} within 5 s");
    }
    drop((_a, _b));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(shopmind_store::Store::drop_schema(&url, &schema))
        .unwrap();
}
