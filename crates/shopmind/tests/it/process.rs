//! The process as an operator meets it: SIGTERM stops `serve` within its
//! grace period even with a long computation in flight, the request log at
//! `info` names routes, not users, and output into a closed pipe ends
//! quietly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Server, shopmind};

/// Starts `serve` without authentication, its log on a pipe the tests read.
fn serve(data: &Path, extra: &[&str]) -> (Server, String) {
    crate::serve_insecure(data, extra, Stdio::piped())
}

/// Sends a request and returns the status (0 when no answer came).
fn request(addr: &str, method: &str, path: &str, body: &str) -> u16 {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return 0;
    }
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    raw.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn wait_ready(addr: &str) {
    for _ in 0..300 {
        if request(addr, "GET", "/health/ready", "") == 200 {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server never became ready");
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A prediction body whose 20-fold `auto` selection runs for minutes.
fn heavy_predict() -> String {
    let train: Vec<serde_json::Value> = (0..5000)
        .map(|i| {
            let x = f64::from(i % 97);
            serde_json::json!({"x": x, "z": f64::from(i % 13), "price": 3.0 + 0.5 * x})
        })
        .collect();
    serde_json::json!({"train": train, "folds": 20}).to_string()
}

#[test]
fn sigterm_stops_serve_within_its_grace_period_with_work_in_flight() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut server, addr) = serve(
        tmp.path(),
        &[
            "--request-timeout-seconds",
            "600",
            "--shutdown-grace-seconds",
            "3",
        ],
    );
    wait_ready(&addr);
    let body = heavy_predict();
    let a = addr.clone();
    let inflight = std::thread::spawn(move || request(&a, "POST", "/v1/pricing/predict", &body));
    // Let the computation start.
    std::thread::sleep(Duration::from_millis(1500));
    let t0 = Instant::now();
    sigterm(&server.0);
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = t0.elapsed();
    assert!(status.success(), "{status:?}");
    // The grace period (3 s) plus the exit's one-second bound on abandoned
    // work, with room for a slow machine; before, it took minutes.
    assert!(took < Duration::from_secs(20), "stopped after {took:?}");
    // The request in flight got an answer or a closed connection, never a
    // hang: the computation was stopped by the shutdown.
    let answered = inflight.join().unwrap();
    assert!(
        answered == 0 || answered == 503,
        "in-flight request got {answered}"
    );
}

#[test]
fn the_request_log_names_routes_not_users() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut server, addr) = serve(tmp.path(), &[]);
    wait_ready(&addr);
    let secret = "U-SECRET-4242";
    request(
        &addr,
        "PUT",
        &format!("/v1/users/{secret}"),
        r#"{"attributes":{}}"#,
    );
    request(
        &addr,
        "GET",
        &format!("/v1/users/{secret}/recommendations"),
        "",
    );
    request(&addr, "DELETE", &format!("/v1/users/{secret}"), "");
    request(&addr, "GET", &format!("/v1/nope/{secret}"), "");
    sigterm(&server.0);
    let _ = server.0.wait();
    let mut log = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("route=/v1/users/{id}/recommendations"),
        "{log}"
    );
    assert!(log.contains("route=/v1/users/{id}"), "{log}");
    assert!(!log.contains(secret), "a user id reached the log:\n{log}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    crate::ok(&shopmind(tmp.path(), &["stats"]));
    for args in [&["stats"][..], &["stats", "--json"][..], &["--help"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shopmind"))
            .arg("--data-dir")
            .arg(tmp.path())
            .args(args)
            .env_remove("SHOPMIND_DATABASE_URL")
            .env_remove("SHOPMIND_DATA_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command writes (as `| head -0`).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
    }
}
