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

/// The key cache of a server with authentication on.
#[derive(Clone, Default)]
pub struct Auth {
    cache: Arc<Mutex<KeyCache>>,
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
    async fn scope_of(&self, state: &AppState, key: &str) -> Result<Option<Scope>, ApiError> {
        let hash = hash_key(key);
        if let Some((scope, at)) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&hash)
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
        cache.insert(hash, (scope, Instant::now()));
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
    match auth.scope_of(&state, &key).await {
        Err(e) => e.into_response(),
        Ok(None) => unauthorized("unknown or revoked API key"),
        Ok(Some(scope)) if scope < needed => {
            ApiError::forbidden(needed.as_str(), scope.as_str()).into_response()
        }
        Ok(Some(_)) => next.run(req).await,
    }
}
