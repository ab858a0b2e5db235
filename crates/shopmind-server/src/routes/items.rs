//! Catalog reads: one item, or a page of items.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use shopmind_core::record::Item;

use crate::AppState;
use crate::error::{ApiError, FieldError};

/// Largest page size.
pub const MAX_LIMIT: i64 = 1000;

/// Query of `GET /v1/items`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    category: Option<String>,
}

/// A page of items.
#[derive(Debug, Serialize)]
pub struct ItemList {
    items: Vec<Item>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// `GET /v1/items/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Item>, ApiError> {
    state
        .store
        .get_item(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("item", &id))
}

/// `GET /v1/items?limit=&offset=&category=`.
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ItemList>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    let offset = q.offset.unwrap_or(0);
    let mut errors = Vec::new();
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            message: format!("must be between 1 and {MAX_LIMIT}"),
        });
    }
    if offset < 0 {
        errors.push(FieldError {
            field: "offset".into(),
            message: "must be ≥ 0".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("invalid paging parameters", errors));
    }
    let category = q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let page = state.store.list_items(limit, offset, category).await?;
    Ok(Json(ItemList {
        items: page.items,
        total: page.total,
        limit,
        offset,
    }))
}
