//! The catalog: read one item or a page; create or replace one item (`PUT`)
//! or a batch (`POST /v1/items:batch`, one transaction); delete one. A write
//! refreshes this server's catalog masks at once (other replicas within a
//! registry poll): a deleted or deactivated item stops being recommended.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shopmind_core::record::{Attributes, Item, MAX_CATEGORY_LEN, validate_line};

use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::routes::PathId;
use crate::serving::CatalogChange;

/// Most items in one `POST /v1/items:batch`.
pub const MAX_ITEM_BATCH: usize = 10_000;

/// An item as sent: every field but the id optional; `PUT` replaces the
/// whole item, so a field left out is cleared.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    item_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    category: Option<String>,
    brand: Option<String>,
    price: Option<f64>,
    cost: Option<f64>,
    #[serde(default)]
    tags: Vec<String>,
    active: Option<bool>,
    #[serde(default)]
    attributes: Attributes,
}

impl ItemBody {
    /// The item, or the fields that are wrong (named under `prefix`): the
    /// record rules of `shopmind_core::record` (ids, texts a backend can
    /// store, finite non-negative numbers), the importers' rules too.
    fn into_item(self, id: String, prefix: &str) -> Result<Item, Vec<FieldError>> {
        // Both numbers are reported at once; the other rules stop at the first.
        let numbers: Vec<FieldError> = [("price", self.price), ("cost", self.cost)]
            .into_iter()
            .filter(|(_, v)| v.is_some_and(|v| !v.is_finite() || v < 0.0))
            .map(|(name, _)| FieldError {
                field: format!("{prefix}{name}"),
                message: "must be a finite number ≥ 0".into(),
            })
            .collect();
        if !numbers.is_empty() {
            return Err(numbers);
        }
        let item = Item {
            item_id: id,
            title: self.title,
            description: self.description,
            category: self.category,
            brand: self.brand,
            price: self.price,
            cost: self.cost,
            tags: self.tags,
            active: self.active.unwrap_or(true),
            attributes: self.attributes,
        };
        match item.validate() {
            Ok(()) => Ok(item),
            Err(e) => Err(vec![FieldError::record(prefix, &e)]),
        }
    }
}

/// Answer of `POST /v1/items:batch`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemsAccepted {
    /// Items in the request.
    received: usize,
    /// Items that did not exist before.
    created: u64,
    /// Items replaced.
    updated: u64,
}

/// Answer of `DELETE /v1/items/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemDeleted {
    item_id: String,
    deleted: bool,
}

/// Updates this server's catalog masks after its own write (best effort:
/// the watcher catches up within a poll).
async fn refresh(state: &AppState, changes: &[CatalogChange<'_>], version: i64) {
    let applied =
        crate::serving::apply_catalog_writes(&state.store, &state.models, changes, version).await;
    if let Err(e) = applied {
        tracing::warn!(error = %e, "cannot refresh the catalog masks; the watcher will retry");
    }
}

/// Creates (201) or replaces (200) one item whole.
#[utoipa::path(put, path = "/v1/items/{id}", tag = "catalog", params(("id" = String, Path, description = "Item id")), request_body = ItemBody,
    responses((status = 201, description = "Created", body = Item), (status = 200, description = "Replaced whole", body = Item)))]
pub async fn put(
    State(state): State<AppState>,
    PathId(id): PathId,
    body: Result<Json<ItemBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    let Json(body) = body.map_err(ApiError::from)?;
    if body.item_id.as_ref().is_some_and(|b| *b != id) {
        return Err(ApiError::invalid(
            "the body names another item than the path",
            vec![FieldError {
                field: "item_id".into(),
                message: format!("must be `{id}` (the id in the path) or left out"),
            }],
        ));
    }
    let item = body
        .into_item(id, "")
        .map_err(|errors| ApiError::invalid("invalid item", errors))?;
    let written = state.store.put_items(vec![item.clone()]).await?;
    refresh(
        &state,
        &[CatalogChange::Put(&item)],
        written.catalog_version,
    )
    .await;
    let status = if written.created > 0 {
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
    let raw = super::unpack_batch(&body, "items", false, MAX_ITEM_BATCH)?;
    let received = raw.len();
    let (mut items, mut errors) = (Vec::with_capacity(received), Vec::new());
    for (i, r) in raw.into_iter().enumerate() {
        let prefix = format!("items[{i}].");
        let body: ItemBody = match serde_json::from_value(r) {
            Ok(b) => b,
            Err(e) => {
                errors.push(FieldError {
                    field: format!("items[{i}]"),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let Some(id) = body.item_id.clone() else {
            errors.push(FieldError {
                field: format!("{prefix}item_id"),
                message: "required".into(),
            });
            continue;
        };
        match body.into_item(id, &prefix) {
            Ok(item) => items.push(item),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(
            "some items are invalid; nothing was stored",
            errors,
        ));
    }
    let written = state.store.put_items(items.clone()).await?;
    let changes: Vec<CatalogChange<'_>> = items.iter().map(CatalogChange::Put).collect();
    refresh(&state, &changes, written.catalog_version).await;
    Ok(Json(ItemsAccepted {
        received,
        created: written.created,
        updated: written.updated,
    }))
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
    let version = state.store.delete_item(&id).await?;
    refresh(&state, &[CatalogChange::Delete(&id)], version).await;
    Ok(Json(ItemDeleted {
        item_id: id,
        deleted: true,
    }))
}

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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemList {
    items: Vec<Item>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// One catalog item.
#[utoipa::path(get, path = "/v1/items/{id}", tag = "catalog", params(("id" = String, Path, description = "Item id")),
    responses((status = 200, description = "The item", body = Item),
        (status = 404, description = "No such item", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId,
) -> Result<Json<Item>, ApiError> {
    state
        .store
        .get_item(&id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("item", &id))
}

/// A page of the catalog, ordered by id, optionally within a category.
#[utoipa::path(get, path = "/v1/items", tag = "catalog",
    params(("limit" = Option<i64>, Query, description = "Page size, 1–1000 (50)"),
        ("offset" = Option<i64>, Query, description = "Items to skip (0)"),
        ("category" = Option<String>, Query, description = "A category path; matches it and every path below it")),
    responses((status = 200, description = "A page of items, ordered by id", body = ItemList)))]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ItemList>, ApiError> {
    let Query(q) = query.map_err(ApiError::from)?;
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
    if let Some(c) = category {
        validate_line("category", c, MAX_CATEGORY_LEN).map_err(|e| ApiError::record("", &e))?;
    }
    let page = state.store.list_items(limit, offset, category).await?;
    Ok(Json(ItemList {
        items: page.items,
        total: page.total,
        limit,
        offset,
    }))
}
