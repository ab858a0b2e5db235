//! What hostile clients and unlucky operators found, as regression tests on
//! both backends (issue 14): NULL-then-number writes on PostgreSQL, input a
//! backend cannot store, readiness over a broken schema, size limits
//! answered with problem documents on every route, the OpenAPI document's
//! parameter locations, and computations that stop when their request does.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Db, TestServer, backends};

fn assert_problem(a: &crate::Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{a:?}");
    assert_eq!(a.content_type, "application/problem+json", "{a:?}");
    assert_eq!(a.json["code"], code, "{a:?}");
}

fn field_of(a: &crate::Answer) -> &str {
    a.json["errors"][0]["field"].as_str().unwrap_or("")
}

/// Sends `head` (and the start of a body), ignoring write errors (a server
/// may answer and close before reading everything), and reads the answer:
/// status, lower-cased head, body.
pub async fn exchange(addr: std::net::SocketAddr, bytes: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(bytes).await;
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn problem_code(head: &str, body: &str) -> String {
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}\n{body}"
    );
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v["code"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_number_after_nulls_is_stored_on_every_backend() {
    for db in backends() {
        let s = TestServer::start_on(db, |s| s).await;
        for _ in 0..10 {
            let a = s
                .call("PUT", "/v1/items/RT-1", Some(r#"{"title":"t"}"#))
                .await;
            assert!(a.status == 200 || a.status == 201, "{db:?} {a:?}");
        }
        for body in [
            r#"{"title":"t","price":2.5}"#,
            r#"{"title":"t","cost":1.5}"#,
            r#"{"title":"t","price":3,"cost":null}"#,
        ] {
            for _ in 0..10 {
                let a = s.call("PUT", "/v1/items/RT-1", Some(body)).await;
                assert_eq!(a.status, 200, "{db:?} {body}: {a:?}");
            }
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn input_a_backend_cannot_store_is_a_422_naming_the_field() {
    let big = "x".repeat(1 << 20);
    for db in backends() {
        let s = TestServer::start_on(db, |s| s).await;
        let cases: Vec<(&str, String, Option<String>, &str)> = vec![
            ("GET", "/v1/items/%00".into(), None, "id"),
            ("GET", "/v1/items?category=%00".into(), None, "category"),
            ("GET", "/v1/users/%00".into(), None, "id"),
            ("DELETE", "/v1/users/a%00b".into(), None, "id"),
            ("GET", "/v1/users/%01/recommendations".into(), None, "id"),
            ("GET", "/v1/items/%00/similar".into(), None, "id"),
            (
                "PUT",
                "/v1/items/X".into(),
                Some(r#"{"title":"a\u0000"}"#.into()),
                "title",
            ),
            (
                "PUT",
                "/v1/items/X".into(),
                Some(format!(r#"{{"category":"{big}"}}"#)),
                "category",
            ),
            (
                "PUT",
                "/v1/items/X".into(),
                Some(r#"{"attributes":{"color":"r\u0000d"}}"#.into()),
                "attributes.color",
            ),
            (
                "PUT",
                "/v1/users/u1".into(),
                Some(r#"{"attributes":{"segment":"\u0000"}}"#.into()),
                "attributes.segment",
            ),
            (
                "POST",
                "/v1/events".into(),
                Some(r#"{"user_id":"u\u0000","item_id":"SKU-001"}"#.into()),
                "events[0].user_id",
            ),
        ];
        for (method, path, body, field) in cases {
            let a = s.call(method, &path, body.as_deref()).await;
            assert_problem(&a, 422, "validation_failed");
            assert_eq!(field_of(&a), field, "{db:?} {method} {path}: {a:?}");
        }
        // Nothing was stored by any of them.
        assert_eq!(s.store.get_item("X").await.unwrap(), None);
        s.stop().await;
    }
}

#[tokio::test]
async fn readiness_checks_the_schema() {
    for db in backends() {
        let s = TestServer::start_on(db, |s| s).await;
        assert_eq!(s.call("GET", "/health/ready", None).await.status, 200);
        // The database dropped and re-created empty under the server (on
        // PostgreSQL, the server's schema), or a table lost.
        let sql = match db {
            Db::Sqlite => "DROP TABLE api_keys",
            Db::Postgres => "DROP TABLE api_keys CASCADE",
        };
        sqlx::query::<sqlx::Any>(sql)
            .execute(s.store.pool())
            .await
            .unwrap();
        let a = s.call("GET", "/health/ready", None).await;
        assert_problem(&a, 503, "not_ready");
        assert!(a.head.contains("retry-after"), "{a:?}");
        assert!(
            a.json["detail"].as_str().unwrap().contains("api_keys"),
            "{a:?}"
        );
        s.stop().await;
    }
}

/// Every route that takes a body, from the OpenAPI document.
async fn body_routes(s: &TestServer) -> Vec<(String, String)> {
    let doc = s.call("GET", "/openapi.json", None).await.json;
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op.get("requestBody").is_some() {
                let concrete = path
                    .replace("{id}", "SKU-001")
                    .replace("{kind}", "recommend");
                routes.push((method.to_uppercase(), concrete));
            }
        }
    }
    routes
}

#[tokio::test]
async fn oversized_bodies_get_413_on_every_body_route() {
    let s = TestServer::start().await;
    let routes = body_routes(&s).await;
    assert!(routes.len() >= 10, "{routes:?}");
    for (method, path) in &routes {
        // A declared 50 MB body: refused from the head.
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n{{\"a\":"
        );
        let (status, h, body) = exchange(s.addr, head.as_bytes()).await;
        assert_eq!(status, 413, "{method} {path}: {h}\n{body}");
        assert_eq!(problem_code(&h, &body), "body_too_large", "{method} {path}");
    }
    // A body without a declared length is cut at the limit when read.
    for (method, path) in routes.iter().take(4) {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .into_bytes();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..(shopmind_server::MAX_BODY_BYTES >> 20) + 1 {
            req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            req.extend_from_slice(&chunk);
            req.extend_from_slice(b"\r\n");
        }
        req.extend_from_slice(b"0\r\n\r\n");
        let (status, h, body) = exchange(s.addr, &req).await;
        assert_eq!(status, 413, "{method} {path} chunked: {h}\n{body}");
        assert_eq!(problem_code(&h, &body), "body_too_large");
    }
    s.stop().await;
}

#[tokio::test]
async fn long_uris_and_heads_get_problem_documents() {
    let s = TestServer::start().await;
    for (len, who) in [(20_000, "our limit"), (100_000, "the parser's limit")] {
        let path = format!("/v1/items?category={}", "a".repeat(len));
        let req = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        let (status, h, body) = exchange(s.addr, req.as_bytes()).await;
        assert_eq!(status, 414, "{who}: {h}");
        assert_eq!(problem_code(&h, &body), "uri_too_long", "{who}");
    }
    for (len, who) in [(40_000, "our limit"), (600_000, "the parser's limit")] {
        let req = format!(
            "GET /health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
            "b".repeat(len)
        );
        let (status, h, body) = exchange(s.addr, req.as_bytes()).await;
        assert_eq!(status, 431, "{who}: {h}");
        assert_eq!(problem_code(&h, &body), "headers_too_large", "{who}");
    }
    // Not HTTP at all.
    let (status, h, body) = exchange(s.addr, b"HELLO\r\n\r\n").await;
    assert_eq!(status, 400, "{h}");
    assert_eq!(problem_code(&h, &body), "bad_request");
    // The server still answers.
    assert_eq!(s.call("GET", "/health/live", None).await.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn openapi_parameters_are_where_the_path_says() {
    let s = TestServer::start().await;
    let doc = s.call("GET", "/openapi.json", None).await.json;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                let declared = p["in"].as_str().unwrap();
                if declared == "header" {
                    continue;
                }
                assert_eq!(
                    declared,
                    if in_path { "path" } else { "query" },
                    "{method} {path}: parameter `{name}`"
                );
            }
        }
    }
    s.stop().await;
}

fn predict_body(rows: usize, folds: usize) -> String {
    let train: Vec<serde_json::Value> = (0..rows)
        .map(|i| {
            let x = (i % 97) as f64;
            let z = ((i * 7) % 13) as f64;
            serde_json::json!({"x": x, "z": z, "c": format!("k{}", i % 5), "price": 3.0 + 0.5 * x - 0.2 * z})
        })
        .collect();
    serde_json::json!({"train": train, "folds": folds}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_computation_stops_with_its_request_and_frees_its_slot() {
    // One computation at a time, and a request budget far below what 20-fold
    // `auto` on 4,000 rows needs.
    let s = TestServer::start_configured(|st| {
        st.with_http_options(Duration::from_millis(400), Vec::new())
            .with_compute_limit(1)
    })
    .await;
    // Over the per-request budget of rows × folds: refused up front.
    let a = s
        .call(
            "POST",
            "/v1/pricing/predict",
            Some(&predict_body(10_000, 20)),
        )
        .await;
    assert_problem(&a, 422, "validation_failed");
    assert_eq!(field_of(&a), "folds");
    // Within it, but slower than the time budget: 503, and the work stops.
    let a = s
        .call(
            "POST",
            "/v1/pricing/predict",
            Some(&predict_body(4_000, 20)),
        )
        .await;
    assert_problem(&a, 503, "timeout");
    // The slot is free again once the fold under way ends (without
    // cancellation the abandoned 100 fits would hold it for minutes and
    // every request below would be `busy`).
    let small = predict_body(40, 2);
    let mut answered = None;
    for _ in 0..300 {
        let a = s.call("POST", "/v1/pricing/predict", Some(&small)).await;
        if a.status == 200 {
            answered = Some(a);
            break;
        }
        assert_problem(&a, 503, "busy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let a = answered.expect("the computation slot was never released");
    assert_eq!(a.json["predictions"], serde_json::json!([]));
    s.stop().await;
}
