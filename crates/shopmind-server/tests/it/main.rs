//! The HTTP API over loopback: the real app, a real socket, SQLite in a
//! temporary directory (the store's own tests cover PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod assistant;
mod catalog;
mod fuzz;
mod layers;
mod memory;
mod pricing;
mod privacy;
mod retrain;
mod robustness;
mod serving;
mod supply;

use shopmind_core::record::{Item, Record};
use shopmind_server::AppState;
use shopmind_store::{ImportOptions, Store, StoreOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A running server and its store.
pub struct TestServer {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    /// Its store, for checking what a request changed.
    pub store: Store,
    /// The app state (its active models).
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
    /// The PostgreSQL schema to drop when stopping, if any.
    pg_schema: Option<(String, String)>,
}

/// The PostgreSQL URL of the test run, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("SHOPMIND_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh schema of `SHOPMIND_TEST_POSTGRES_URL`.
    Postgres,
}

/// The backends to test on: SQLite, and PostgreSQL when configured.
pub fn backends() -> Vec<Db> {
    let mut v = vec![Db::Sqlite];
    if postgres_url().is_some() {
        v.push(Db::Postgres);
    }
    v
}

static SCHEMAS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A parsed HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, lower-cased.
    pub content_type: String,
    /// The body as JSON (a JSON string when it is not JSON).
    pub json: serde_json::Value,
    /// The response head, lower-cased (status line and headers).
    pub head: String,
}

impl TestServer {
    /// Starts the app over a fresh SQLite store holding a small catalog.
    pub async fn start() -> TestServer {
        TestServer::start_with(false).await
    }

    /// [`Self::start`], with API keys required when `auth` is set.
    pub async fn start_with(auth: bool) -> TestServer {
        TestServer::start_configured(|s| if auth { s.with_auth() } else { s }).await
    }

    /// [`Self::start`] with the state adjusted by `configure`.
    pub async fn start_configured(configure: impl FnOnce(AppState) -> AppState) -> TestServer {
        TestServer::start_on(Db::Sqlite, configure).await
    }

    /// [`Self::start_configured`] on the given database.
    pub async fn start_on(db: Db, configure: impl FnOnce(AppState) -> AppState) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let (opts, pg_schema) = match db {
            Db::Sqlite => (StoreOptions::sqlite_in(dir.path()), None),
            Db::Postgres => {
                let url = postgres_url().expect("SHOPMIND_TEST_POSTGRES_URL");
                let schema = format!(
                    "shopmind_srv_{}_{}",
                    std::process::id(),
                    SCHEMAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                Store::drop_schema(&url, &schema).await.unwrap();
                (
                    StoreOptions {
                        schema: Some(schema.clone()),
                        ..StoreOptions::url(url.clone())
                    },
                    Some((url, schema)),
                )
            }
        };
        let store = Store::open(&opts).await.unwrap();
        let items = (0..30).map(|i| {
            let category = if i % 3 == 0 {
                "Home > Kitchen"
            } else {
                "Shoes > Boots"
            };
            Ok::<_, std::io::Error>(Record::Item(Item {
                title: Some(format!("Item {i}")),
                category: Some(category.into()),
                price: Some(10.0 + f64::from(i)),
                ..Item::new(format!("SKU-{i:03}"))
            }))
        });
        store
            .import(items, &ImportOptions::default(), |_| {})
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let state = configure(AppState::new(store.clone()));
        let handle = tokio::spawn(shopmind_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            store,
            state,
            stop: Some(tx),
            handle: Some(handle),
            _dir: dir,
            pg_schema,
        }
    }

    /// Sends one request and reads the whole answer.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        call(self.addr, method, path, body).await
    }

    /// Sends raw request head lines (after the request line) and returns the
    /// status and the lower-cased head.
    pub async fn raw(&self, method: &str, path: &str, headers: &str) -> (u16, String) {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{headers}Content-Length: 0\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).to_lowercase();
        let head = text.split("\r\n\r\n").next().unwrap_or("").to_owned();
        let status = head.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
        (status, head)
    }

    /// [`Self::call`] with `Authorization: Bearer <key>`.
    pub async fn call_as(&self, key: &str, method: &str, path: &str, body: Option<&str>) -> Answer {
        request(self.addr, method, path, body, Some(key)).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap().unwrap();
        }
        self.store.close().await;
        if let Some((url, schema)) = self.pg_schema.take() {
            Store::drop_schema(&url, &schema).await.unwrap();
        }
    }
}

/// Posts `body` to `/v1/models/{kind}/train` (expects `202`), then polls
/// the job until it succeeds or fails (at most two minutes) and returns it.
pub async fn train_job(s: &TestServer, kind: &str, body: &str) -> serde_json::Value {
    let a = s
        .call("POST", &format!("/v1/models/{kind}/train"), Some(body))
        .await;
    assert_eq!(a.status, 202, "{a:?}");
    assert_eq!(a.json["kind"], kind);
    wait_job(s, a.json["job_id"].as_str().unwrap()).await
}

/// Polls `GET /v1/jobs/{id}` until the job succeeds or fails (at most two
/// minutes) and returns it.
pub async fn wait_job(s: &TestServer, id: &str) -> serde_json::Value {
    for _ in 0..1200 {
        let j = call(s.addr, "GET", &format!("/v1/jobs/{id}"), None).await;
        if matches!(j.json["state"].as_str(), Some("succeeded" | "failed")) {
            return j.json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish");
}

/// Sends one request to `addr` and reads the whole answer.
pub async fn call(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Answer {
    request(addr, method, path, body, None).await
}

/// [`call`] with an optional bearer key.
pub async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    key: Option<&str>,
) -> Answer {
    let auth = key.map_or_else(String::new, |k| format!("Authorization: Bearer {k}\r\n"));
    request_with(addr, method, path, body, &auth).await
}

/// [`call`] with extra header lines (each ending in `\r\n`).
pub async fn request_with(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    auth: &str,
) -> Answer {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "test")
        .header("content-type", "application/json");
    for line in auth.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').unwrap();
        req = req.header(name.trim(), value.trim());
    }
    let body = Bytes::from(body.unwrap_or("").to_owned());
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let mut head = format!("http/1.1 {status}\r\n");
    for (name, value) in resp.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
    }
    let head = head.to_ascii_lowercase();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8(bytes.to_vec()).unwrap();
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    Answer {
        status,
        content_type,
        json,
        head,
    }
}
