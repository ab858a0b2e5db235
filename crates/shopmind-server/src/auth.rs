//! API-key authentication and scopes.
//!
//! A request presents its key as `Authorization: Bearer <key>` or
//! `X-Api-Key: <key>`. Each route group declares the scope it needs where it
//! is registered (`crate::routes::scoped`): health probes, `/metrics` and the
//! OpenAPI document are public; the registry and jobs need `admin`; catalog,
//! user and event writes need `write`; answers need `read`. A missing or
//! unknown key is a 401 problem, a key whose scope is too small a 403.
//!
//! Verified keys are cached for [`CACHE_TTL`] so that a request costs no
//! database round trip; a revocation therefore takes effect within that time.
//! The cache is keyed by the SHA-256 of the presented key, and the store
//! compares digests in constant time (`shopmind_store::same_digest`).
//!
//! With a rate limit (`serve --rate-limit R`), each key may make `R`
//! requests per second on average and `2R` (at least 1) in a burst (a token bucket per
//! key and process); past that, a `429` problem with `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shopmind_store::{Scope, hash_key};

use crate::AppState;
use crate::error::ApiError;

/// How long a verification answer is reused.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// Key hash → (its scope, or none for an unknown key; when checked).
type KeyCache = HashMap<String, (Option<Scope>, Instant)>;

/// The key cache of a server with authentication on, and its rate limit.
#[derive(Clone, Default)]
pub struct Auth {
    cache: Arc<Mutex<KeyCache>>,
    /// Requests per second per key (`None`: unlimited).
    rate: Option<f64>,
    /// Key hash → (tokens left, when last refilled).
    buckets: Arc<Mutex<HashMap<String, (f64, Instant)>>>,
}

fn presented_key(req: &Request) -> Option<String> {
    let h = req.headers();
    if let Some(v) = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if let Some(k) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(k.trim().to_owned());
        }
    }
    h.get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.trim().to_owned())
}

fn unauthorized(detail: &str) -> Response {
    let mut r = ApiError::unauthorized(detail).into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

impl Auth {
    /// Authentication with at most `per_second` requests per second per key
    /// (bursts of twice that); `None` or 0: unlimited.
    pub fn with_rate_limit(per_second: Option<f64>) -> Auth {
        Auth {
            rate: per_second.filter(|r| *r > 0.0),
            ..Auth::default()
        }
    }

    /// Takes a token from the key's bucket; `Err(seconds)` to wait when
    /// it is empty.
    fn take(&self, hash: &str) -> Result<(), u32> {
        let Some(rate) = self.rate else {
            return Ok(());
        };
        let burst = (2.0 * rate).max(1.0);
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 10_000 && !buckets.contains_key(hash) {
            // Only verified keys get here, but stay bounded all the same.
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(hash.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u32)
        }
    }

    async fn scope_of(
        &self,
        state: &AppState,
        key: &str,
        hash: &str,
    ) -> Result<Option<Scope>, ApiError> {
        if let Some((scope, at)) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(hash)
            .copied()
            && at.elapsed() < CACHE_TTL
        {
            return Ok(scope);
        }
        let scope = state.store.verify_api_key(key).await?;
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() > 10_000 {
            cache.clear(); // bounded: unknown keys cannot grow it forever
        }
        cache.insert(hash.to_owned(), (scope, Instant::now()));
        Ok(scope)
    }
}

/// The check a scoped route group runs before its handler: `needed` is the
/// group's scope. The state comes from the request's extensions (the router
/// puts it there), so that a group's layer can be built without it.
pub async fn require(needed: Scope, req: Request, next: Next) -> Response {
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        tracing::error!("a scoped route ran without the application state");
        return ApiError::internal("the server is misconfigured; see the server log")
            .into_response();
    };
    let Some(auth) = state.auth.clone() else {
        return next.run(req).await;
    };
    let Some(key) = presented_key(&req) else {
        return unauthorized("an API key is required: send `Authorization: Bearer <key>`");
    };
    let hash = hash_key(&key);
    match auth.scope_of(&state, &key, &hash).await {
        Err(e) => e.into_response(),
        Ok(None) => unauthorized("unknown or revoked API key"),
        Ok(Some(scope)) if scope < needed => {
            ApiError::forbidden(needed.as_str(), scope.as_str()).into_response()
        }
        Ok(Some(_)) => match auth.take(&hash) {
            Ok(()) => next.run(req).await,
            Err(wait) => {
                metrics::counter!("shopmind_rate_limited_total").increment(1);
                let mut e = ApiError::too_many_requests(wait);
                e.set_retry_after(wait);
                e.into_response()
            }
        },
    }
}
