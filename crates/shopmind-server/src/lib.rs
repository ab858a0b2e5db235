//! shopmind's HTTP API (axum) over the service layer (`shopmind-service`).
//!
//! Handlers only extract, call one service function and map its answer;
//! [`error::ApiError`] is the single place that turns a
//! `shopmind_service::ServiceError` (and axum's rejections) into an HTTP
//! status and an `application/problem+json` document. Each route declares
//! the API-key scope it needs where it is registered ([`routes::scoped`]).
//! Nothing a client sends can make a handler panic.
//!
//! The routes, with their scopes, are listed in [`routes()`] and in
//! `docs/http-api.md`; the OpenAPI document is served at `/openapi.json`
//! with its browser at `/docs`.

pub mod auth;
pub mod error;
pub mod http_guard;
pub mod metrics;
pub mod openapi;
pub mod routes;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use shopmind_service::Service;
use shopmind_store::Store;
use tokio::net::TcpListener;
use utoipa_axum::router::OpenApiRouter;

use error::ApiError;

/// Largest accepted request body (a full batch of 10,000 events fits).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Longest accepted request URI (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Largest accepted request head (all header names and values), in bytes.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Default [`AppState::shutdown_grace`].
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every handler can reach: the service layer and what only HTTP
/// needs (through `Deref`: `state.store`, `state.auth`). Cheap to clone,
/// one reference count, because axum clones it for every extractor and
/// middleware of every request.
#[derive(Clone)]
pub struct AppState {
    parts: Arc<AppParts>,
}

/// The parts of an [`AppState`].
#[derive(Clone)]
pub struct AppParts {
    /// The service every handler calls.
    pub service: Service,
    /// API-key checking; `None` serves without authentication.
    pub auth: Option<auth::Auth>,
    /// Browser origins allowed by CORS (empty: no CORS headers).
    pub cors_origins: Arc<Vec<String>>,
    /// Longest a shutdown waits for in-flight requests before exiting.
    pub shutdown_grace: Duration,
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.parts
    }
}

impl std::ops::Deref for AppParts {
    type Target = Service;

    fn deref(&self) -> &Service {
        &self.service
    }
}

pub use shopmind_service::{REGISTRY_POLL, REQUEST_TIMEOUT};

impl AppState {
    /// State over a service.
    pub fn with_service(service: Service) -> Self {
        AppState {
            parts: Arc::new(AppParts {
                service,
                auth: None,
                cors_origins: Arc::new(Vec::new()),
                shutdown_grace: SHUTDOWN_GRACE,
            }),
        }
    }

    /// State over a store, marked ready, with no model loaded (tests that
    /// do not need models; [`AppState::start`] for a server).
    pub fn new(store: Store) -> Self {
        Self::with_service(Service::new(store))
    }

    /// The same state with its parts changed by `f` (a builder step).
    fn map(self, f: impl FnOnce(AppParts) -> AppParts) -> Self {
        let parts = Arc::try_unwrap(self.parts).unwrap_or_else(|p| (*p).clone());
        AppState {
            parts: Arc::new(f(parts)),
        }
    }

    fn map_service(self, f: impl FnOnce(Service) -> Service) -> Self {
        self.map(|p| AppParts {
            service: f(p.service),
            ..p
        })
    }

    /// The same state with assistant answers written by `llm`.
    pub fn with_llm(self, llm: Option<shopmind_service::llm::LlmConfig>) -> Self {
        self.map_service(|s| s.with_llm(llm))
    }

    /// The same state with a request timeout and CORS origins.
    pub fn with_http_options(self, timeout: Duration, cors_origins: Vec<String>) -> Self {
        self.map_service(|s| s.with_request_timeout(timeout))
            .map(|p| AppParts {
                cors_origins: Arc::new(cors_origins),
                ..p
            })
    }

    /// The same state with at most `grace` of waiting for in-flight
    /// requests at shutdown.
    pub fn with_shutdown_grace(self, grace: Duration) -> Self {
        self.map(|p| AppParts {
            shutdown_grace: grace,
            ..p
        })
    }

    /// The same state without a job worker (`serve --no-worker`: the API
    /// only; queued jobs wait for a worker elsewhere).
    pub fn without_worker(self) -> Self {
        self.map_service(Service::without_worker)
    }

    /// The same state with at most `limit` heavy computations at once.
    pub fn with_compute_limit(self, limit: usize) -> Self {
        self.map_service(|s| s.with_compute_limit(limit))
    }

    /// The same state with API keys required.
    pub fn with_auth(self) -> Self {
        self.with_rate_limited_auth(None)
    }

    /// The same state with API keys required and at most `per_second`
    /// requests per second per key (`None`: unlimited).
    pub fn with_rate_limited_auth(self, per_second: Option<f64>) -> Self {
        self.map(|p| AppParts {
            auth: Some(auth::Auth::with_rate_limit(per_second)),
            ..p
        })
    }

    /// State for a server: not ready until the active models are loaded;
    /// then it follows the registry every [`REGISTRY_POLL`].
    pub fn start(store: Store) -> Self {
        Self::with_service(Service::new(store).start())
    }
}

async fn not_found() -> ApiError {
    ApiError::no_route()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// The route template a request matched, carried on its response (by
/// [`metrics::record`]) so that the request log can name the route without
/// the ids in the path.
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub String);

/// Logs one line per request with method, route, status and latency. At
/// `info` the route is its template (`/v1/users/{id}/recommendations`), so
/// the log holds no user or item ids; the concrete path is logged at
/// `debug` only.
async fn log_requests(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let route = resp
        .extensions()
        .get::<RouteTemplate>()
        .map_or("(no route)", |r| r.0.as_str());
    tracing::info!(%method, %route, status = resp.status().as_u16(), latency_ms = format!("{ms:.2}"), "request");
    tracing::debug!(%method, %path, "request path");
    resp
}

/// Refuses, before anything reads them, requests over the size limits:
/// a URI over [`MAX_URI_BYTES`] (414), a head over [`MAX_HEADER_BYTES`]
/// (431), a declared body over [`MAX_BODY_BYTES`] (413). Bodies without a
/// declared length are cut at the same limit when read (413 too). Heads past
/// the HTTP parser's own limits are answered by [`http_guard`].
async fn limits(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let uri_len = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if uri_len > MAX_URI_BYTES {
        return ApiError::uri_too_long(MAX_URI_BYTES).into_response();
    }
    let head: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if head > MAX_HEADER_BYTES {
        return ApiError::headers_too_large(MAX_HEADER_BYTES).into_response();
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return ApiError::body_too_large(MAX_BODY_BYTES).into_response();
    }
    next.run(req).await
}

/// Answers `503 timeout` when a request outlives the configured limit (the
/// work is dropped; nothing half-written stays, as every write is one
/// transaction).
async fn time_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(state.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::request_timeout(state.request_timeout).into_response(),
    }
}

/// CORS for the configured origins (none: no layer). Outermost, so that a
/// browser's preflight `OPTIONS` is answered without an API key.
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-api-key"),
            ]),
    )
}

/// Maps axum's own plain-text rejections (e.g. body too large) to problem documents.
async fn problem_rejections(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let is_problem = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"application/problem+json")
                || v.as_bytes().starts_with(b"application/json")
        });
    let status = resp.status();
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        return ApiError::rejected(status).into_response();
    }
    resp
}

/// The application's routes, and the OpenAPI document collected from their
/// handlers. Every route belongs to a group that declares its scope
/// ([`routes::scoped`]); [`route_scopes`] lists them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut api) = route_groups()
        .into_iter()
        .fold(
            OpenApiRouter::with_openapi(openapi::base()),
            |all, (_, group)| all.merge(group),
        )
        .split_for_parts();
    openapi::add_shared_errors(&mut api);
    (router, api)
}

/// Every route (method, path template) with the scope it needs (`None`:
/// public), as its group declares it.
pub fn route_scopes() -> Vec<(String, String, Option<shopmind_store::Scope>)> {
    let mut out = Vec::new();
    for (scope, group) in route_groups() {
        for (path, item) in group.into_openapi().paths.paths {
            for (method, op) in [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                if op.is_some() {
                    out.push((method.to_owned(), path.clone(), scope));
                }
            }
        }
    }
    out.sort();
    out
}

/// The route groups, each with the scope its layer enforces.
fn route_groups() -> Vec<(Option<shopmind_store::Scope>, OpenApiRouter<AppState>)> {
    use routes::{chat, events, health, items, models, pricing, recommend, supply, users};
    use shopmind_store::Scope;
    use utoipa_axum::routes;
    let public = OpenApiRouter::new()
        .routes(routes!(metrics::render))
        .routes(routes!(health::live))
        .routes(routes!(health::ready));
    let read = OpenApiRouter::new()
        .routes(routes!(items::list))
        .routes(routes!(items::get))
        .routes(routes!(users::get))
        .routes(routes!(recommend::for_user))
        .routes(routes!(recommend::for_session))
        .routes(routes!(recommend::similar))
        .routes(routes!(pricing::price_response))
        .routes(routes!(pricing::optimize))
        .routes(routes!(pricing::predict))
        .routes(routes!(supply::item_forecast))
        .routes(routes!(supply::plan))
        .routes(routes!(supply::simulate))
        .routes(routes!(chat::chat));
    let write = OpenApiRouter::new()
        .routes(routes!(items::batch))
        .routes(routes!(items::put, items::delete))
        .routes(routes!(events::post))
        .routes(routes!(users::put, users::delete));
    let admin = OpenApiRouter::new()
        .routes(routes!(models::list))
        .routes(routes!(models::activate))
        .routes(routes!(models::rollback))
        .routes(routes!(models::train))
        .routes(routes!(models::job));
    vec![
        (None, public),
        (Some(Scope::Read), routes::scoped(Scope::Read, read)),
        (Some(Scope::Write), routes::scoped(Scope::Write, write)),
        (Some(Scope::Admin), routes::scoped(Scope::Admin, admin)),
    ]
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    metrics::init();
    let (api_routes, api) = routes();
    let docs = utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", api);
    api_routes
        .route_layer(middleware::from_fn(metrics::record))
        .merge(docs)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(problem_rejections))
        .layer(middleware::from_fn(limits))
        .layer(middleware::from_fn(log_requests))
        .layer(tower::util::option_layer(cors(&state.cors_origins)))
        // The scoped groups' layers read the state from here.
        .layer(axum::Extension(state.clone()))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves. Then it stops accepting,
/// raises [`AppState::shutdown`] (computations and jobs that check it stop),
/// lets in-flight requests finish for at most [`AppState::shutdown_grace`],
/// and returns. Work still on the blocking pool is abandoned: every write is
/// one transaction, so nothing half-done is stored.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (grace, stop) = (state.shutdown_grace, state.shutdown.clone());
    // This process runs queued jobs too unless it is API-only (`--no-worker`).
    if state.worker {
        shopmind_service::jobs::spawn_worker(state.service.clone(), true);
    }
    let (begun_tx, begun_rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(state);
    let signal = async move {
        shutdown.await;
        stop.cancel();
        let _ = begun_tx.send(());
    };
    let server = axum::serve(
        http_guard::GuardedListener(listener),
        app.into_make_service(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        if begun_rx.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        r = server.into_future() => r,
        () = deadline => {
            tracing::warn!(grace_s = grace.as_secs_f64(), "shutdown grace period over: stopping with requests still in flight");
            Ok(())
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
    // Give load balancers a moment to notice; bounded so shutdown never hangs.
    tokio::time::sleep(Duration::from_millis(50)).await;
}
