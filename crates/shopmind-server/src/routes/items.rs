//! The catalog over HTTP: read one item or a page; create or replace one
//! item (`PUT`) or a batch (`POST /v1/items:batch`, one transaction);
//! delete one (`shopmind_service::catalog` does the work).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use shopmind_core::record::Item;
use shopmind_service::catalog::{self, ItemBody, ItemDeleted, ItemList, ItemsAccepted, ListQuery};

use crate::AppState;
use crate::error::ApiError;
use crate::routes::{Body, PathId, Q};

/// Creates (201) or replaces (200) one item whole.
#[utoipa::path(put, path = "/v1/items/{id}", tag = "catalog", params(("id" = String, Path, description = "Item id")), request_body = ItemBody,
    responses((status = 201, description = "Created", body = Item), (status = 200, description = "Replaced whole", body = Item)))]
pub async fn put(
    State(state): State<AppState>,
    PathId(id): PathId,
    Body(body): Body<ItemBody>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    let (created, item) = catalog::put_item(&state, id, body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(item)))
}

/// Creates or replaces up to 10,000 items in one transaction, all or none.
#[utoipa::path(post, path = "/v1/items:batch", tag = "catalog",
    request_body(content = Vec<ItemBody>, description = "An array of items (each with `item_id`), or `{\"items\": [...]}`; at most 10,000"),
    responses((status = 200, description = "Every item created or replaced, in one transaction", body = ItemsAccepted),
        (status = 413, description = "More than 10,000 items", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn batch(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<ItemsAccepted>, ApiError> {
    Ok(Json(catalog::put_items(&state, &body).await?))
}

/// Removes an item from the catalog.
///
/// Its past events stay as history; it is no longer recommended, and new
/// events naming it are refused.
#[utoipa::path(delete, path = "/v1/items/{id}", tag = "catalog", params(("id" = String, Path, description = "Item id")),
    responses((status = 200, description = "Removed from the catalog (its events stay)", body = ItemDeleted),
        (status = 404, description = "No such item", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<ItemDeleted>, ApiError> {
    Ok(Json(catalog::delete_item(&state, id).await?))
}

/// One catalog item.
#[utoipa::path(get, path = "/v1/items/{id}", tag = "catalog", params(("id" = String, Path, description = "Item id")),
    responses((status = 200, description = "The item", body = Item),
        (status = 404, description = "No such item", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Item>, ApiError> {
    Ok(Json(catalog::get_item(&state, id).await?))
}

/// A page of the catalog, ordered by id, optionally within a category.
#[utoipa::path(get, path = "/v1/items", tag = "catalog",
    params(("limit" = Option<i64>, Query, description = "Page size, 1–1000 (50)"),
        ("offset" = Option<i64>, Query, description = "Items to skip (0)"),
        ("category" = Option<String>, Query, description = "A category path; matches it and every path below it")),
    responses((status = 200, description = "A page of items, ordered by id", body = ItemList)))]
pub async fn list(
    State(state): State<AppState>,
    Q(q): Q<ListQuery>,
) -> Result<Json<ItemList>, ApiError> {
    Ok(Json(catalog::list_items(&state, &q).await?))
}
