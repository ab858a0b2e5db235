//! HTTP routes: one module per resource. Each handler extracts (with the
//! extractors here, whose rejections are problem documents), calls one
//! `shopmind_service` function and maps its answer; nothing else.

pub mod chat;
pub mod events;
pub mod health;
pub mod items;
pub mod models;
pub mod pricing;
pub mod recommend;
pub mod supply;
pub mod users;

use axum::extract::{FromRequest, FromRequestParts, Json, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The `{id}` of a route, checked to be an id shopmind could have stored
/// (1–256 bytes, no control characters): anything else is a 422 naming
/// `id` before any look-up, so no backend ever sees it.
#[derive(Debug, Clone)]
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        shopmind_core::record::validate_id("id", &id)
            .map_err(|e| ApiError::from(shopmind_service::ServiceError::record("", &e)))?;
        Ok(PathId(id))
    }
}

/// A query string parsed into `T`; one that does not parse is a 400
/// problem naming what serde found.
#[derive(Debug)]
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(q) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(Q(q))
    }
}

/// A JSON body parsed into `T`; one that does not (too large, not JSON,
/// the wrong shape) is a problem document.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(Body(v))
    }
}

/// A route group whose every route needs `scope`: the layer checks the
/// request's API key before any handler of the group runs. Groups are built
/// in `crate::route_groups`, so a route is registered with its scope.
pub fn scoped(
    scope: shopmind_store::Scope,
    group: utoipa_axum::router::OpenApiRouter<crate::AppState>,
) -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    group.route_layer(axum::middleware::from_fn(move |req, next| {
        crate::auth::require(scope, req, next)
    }))
}
