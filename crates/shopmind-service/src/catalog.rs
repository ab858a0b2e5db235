//! The catalog and users: read one item or a page; create or replace one item (`PUT`)
//! or a batch (`POST /v1/items:batch`, one transaction); delete one. A write
//! refreshes this server's catalog masks at once (other replicas within a
//! registry poll): a deleted or deactivated item stops being recommended.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shopmind_core::record::{Attributes, Item, MAX_CATEGORY_LEN, User, validate_line};

use crate::serving::CatalogChange;
use crate::{FieldError, Service, ServiceError};

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
async fn refresh(svc: &Service, changes: &[CatalogChange<'_>], version: i64) {
    let applied =
        crate::serving::apply_catalog_writes(&svc.store, &svc.models, changes, version).await;
    if let Err(e) = applied {
        tracing::warn!(error = %e, "cannot refresh the catalog masks; the watcher will retry");
    }
}

/// Creates (201) or replaces (200) one item whole.
/// Creates (`true`) or replaces (`false`) one item whole.
pub async fn put_item(
    svc: &Service,
    id: String,
    body: ItemBody,
) -> Result<(bool, Item), ServiceError> {
    if body.item_id.as_ref().is_some_and(|b| *b != id) {
        return Err(ServiceError::invalid(
            "the body names another item than the path",
            vec![FieldError {
                field: "item_id".into(),
                message: format!("must be `{id}` (the id in the path) or left out"),
            }],
        ));
    }
    let item = body
        .into_item(id, "")
        .map_err(|errors| ServiceError::invalid("invalid item", errors))?;
    let written = svc.store.put_items(vec![item.clone()]).await?;
    refresh(svc, &[CatalogChange::Put(&item)], written.catalog_version).await;
    Ok((written.created > 0, item))
}

/// Creates or replaces up to 10,000 items in one transaction, all or none.
/// Creates or replaces up to [`MAX_ITEM_BATCH`] items in one transaction, all or none.
pub async fn put_items(svc: &Service, body: &[u8]) -> Result<ItemsAccepted, ServiceError> {
    let raw = unpack_batch(body, "items", false, MAX_ITEM_BATCH)?;
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
        return Err(ServiceError::invalid(
            "some items are invalid; nothing was stored",
            errors,
        ));
    }
    let written = svc.store.put_items(items.clone()).await?;
    let changes: Vec<CatalogChange<'_>> = items.iter().map(CatalogChange::Put).collect();
    refresh(svc, &changes, written.catalog_version).await;
    Ok(ItemsAccepted {
        received,
        created: written.created,
        updated: written.updated,
    })
}

/// Removes an item from the catalog.
///
/// Its past events stay as history; it is no longer recommended, and new
/// events naming it are refused.
/// Removes an item from the catalog. Its past events stay as history; it
/// is no longer recommended, and new events naming it are refused.
pub async fn delete_item(svc: &Service, id: String) -> Result<ItemDeleted, ServiceError> {
    let version = svc.store.delete_item(&id).await?;
    refresh(svc, &[CatalogChange::Delete(&id)], version).await;
    Ok(ItemDeleted {
        item_id: id,
        deleted: true,
    })
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
/// One item.
pub async fn get_item(svc: &Service, id: String) -> Result<Item, ServiceError> {
    svc.store
        .get_item(&id)
        .await?
        .ok_or(ServiceError::NotFound { what: "item", id })
}

/// A page of the catalog, ordered by id, optionally within a category.
pub async fn list_items(svc: &Service, q: &ListQuery) -> Result<ItemList, ServiceError> {
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
        return Err(ServiceError::invalid("invalid paging parameters", errors));
    }
    let category = q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = category {
        validate_line("category", c, MAX_CATEGORY_LEN).map_err(|e| ServiceError::record("", &e))?;
    }
    let page = svc.store.list_items(limit, offset, category).await?;
    Ok(ItemList {
        items: page.items,
        total: page.total,
        limit,
        offset,
    })
}

/// Body of `PUT /v1/users/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[serde(default)]
    attributes: Attributes,
}

/// One user and their attributes.
pub async fn get_user(svc: &Service, id: String) -> Result<User, ServiceError> {
    svc.store
        .get_user(&id)
        .await?
        .ok_or(ServiceError::NotFound { what: "user", id })
}

/// Creates a user or replaces their attributes.
pub async fn put_user(svc: &Service, id: String, body: UserBody) -> Result<User, ServiceError> {
    let user = User {
        user_id: id,
        attributes: body.attributes,
    };
    user.validate().map_err(|e| ServiceError::record("", &e))?;
    svc.store.upsert_user(user.clone()).await?;
    Ok(user)
}

/// Splits a batch body into its records: an array, `{"<key>": [...]}`, or,
/// when `single` allows it, one bare object. Refuses an empty batch (400)
/// and one over `max` records (413); `key` also names the records in errors.
pub fn unpack_batch(
    body: &[u8],
    key: &str,
    single: bool,
    max: usize,
) -> Result<Vec<Value>, ServiceError> {
    let bad = |m: String| ServiceError::BadRequest(m);
    let v: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("body is not valid JSON: {e}")))?;
    let records = match v {
        Value::Array(records) => records,
        Value::Object(mut o) if o.len() == 1 && o.contains_key(key) => match o.remove(key) {
            Some(Value::Array(records)) => records,
            _ => return Err(bad(format!("`{key}` must be an array"))),
        },
        Value::Object(_) if single => vec![v],
        _ => {
            let one = if single { "an object, " } else { "" };
            return Err(bad(format!(
                "expected {one}an array, or {{\"{key}\": [...]}}"
            )));
        }
    };
    if records.is_empty() {
        return Err(bad(format!("no {key} in the request")));
    }
    if records.len() > max {
        return Err(ServiceError::TooLarge(format!(
            "{} {key} in one request; the limit is {max}",
            records.len()
        )));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_unpack_in_three_shapes_within_limits() {
        let n = |body: &[u8], single| unpack_batch(body, "events", single, 3).map(|v| v.len());
        let bad = |r: Result<usize, ServiceError>| matches!(r, Err(ServiceError::BadRequest(_)));
        assert_eq!(n(br#"{"user_id":"u","item_id":"i"}"#, true).ok(), Some(1));
        assert!(n(br#"{"user_id":"u","item_id":"i"}"#, false).is_err());
        assert_eq!(n(br#"[{"a":1},{"b":2}]"#, true).ok(), Some(2));
        assert_eq!(n(br#"{"events":[{"a":1}]}"#, false).ok(), Some(1));
        assert!(bad(n(br#"{"events":{"a":1}}"#, true)));
        assert!(bad(n(b"[]", true)));
        assert!(bad(n(b"not json", true)));
        assert!(bad(n(b"42", true)));
        assert!(matches!(
            n(b"[1,2,3,4]", true),
            Err(ServiceError::TooLarge(_))
        ));
    }
}
