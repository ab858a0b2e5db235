//! Reading and writing catalog items and users.

use std::collections::HashSet;

use serde::Serialize;
use shopmind_core::record::{Attributes, Item, User};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::rows::{ITEMS, ITEMS_REPLACE, USERS_REPLACE, item_row, user_row};
use crate::sql::placeholders;
use crate::{Store, StoreError, now};

/// What a batch of item writes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ItemsWritten {
    /// Items that did not exist before.
    pub created: u64,
    /// Items replaced.
    pub updated: u64,
    /// The catalog version this write made (see [`Store::catalog_version`]).
    pub catalog_version: i64,
}

/// Bumps the catalog counter inside a write transaction, so that every
/// server replica notices (see [`Store::catalog_version`]); returns the new
/// version. Concurrent writers serialize on the counter's row, so each write
/// gets a version of its own.
pub(crate) async fn bump_catalog(tx: &mut Transaction<'_, Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<Any, i64>(
        "UPDATE counters SET value = value + 1 WHERE name = 'catalog' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await
}

/// How long deleted users' id hashes are remembered (a week: longer than
/// any training run).
pub const USER_DELETION_MEMORY_SECS: i64 = 7 * 86_400;

/// What a privacy delete removed from the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UserDeleted {
    /// Events deleted.
    pub events: u64,
    /// Orders whose `user_id` was cleared.
    pub orders_anonymised: u64,
    /// The delete's feed number (see `crate::feed`).
    #[serde(skip)]
    pub seq: i64,
}

/// One page of the catalog.
#[derive(Debug, Clone, Serialize)]
pub struct ItemPage {
    /// Items of this page, ordered by id.
    pub items: Vec<Item>,
    /// Items matching the filter, over all pages.
    pub total: i64,
}

fn json_column<T: serde::de::DeserializeOwned + Default>(
    row: &AnyRow,
    column: &'static str,
    table: &'static str,
) -> Result<T, StoreError> {
    match row.try_get::<Option<String>, _>(column)? {
        None => Ok(T::default()),
        Some(s) => serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
            table,
            column,
            message: e.to_string(),
        }),
    }
}

fn item_from_row(row: &AnyRow) -> Result<Item, StoreError> {
    Ok(Item {
        item_id: row.try_get("item_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        brand: row.try_get("brand")?,
        price: row.try_get("price")?,
        cost: row.try_get("cost")?,
        tags: json_column::<Vec<String>>(row, "tags", "items")?,
        active: row.try_get::<i64, _>("active")? != 0,
        attributes: json_column::<Attributes>(row, "attributes", "items")?,
    })
}

const ITEM_SELECT: &str = "SELECT item_id, title, description, category, brand, price, cost, tags, active, attributes FROM items";

impl Store {
    /// The item with this id.
    pub async fn get_item(&self, item_id: &str) -> Result<Option<Item>, StoreError> {
        if !crate::storable(item_id) {
            return Ok(None);
        }
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} WHERE item_id = $1"
        )))
        .bind(item_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    /// A page of items ordered by id, optionally within a category (the
    /// category itself or any path below it: `Home` matches `Home > Kitchen`).
    pub async fn list_items(
        &self,
        limit: i64,
        offset: i64,
        category: Option<&str>,
    ) -> Result<ItemPage, StoreError> {
        if category.is_some_and(|c| {
            shopmind_core::record::validate_line(
                "category",
                c,
                shopmind_core::record::MAX_CATEGORY_LEN,
            )
            .is_err()
        }) {
            // No stored item can have such a category.
            return Ok(ItemPage {
                items: Vec::new(),
                total: 0,
            });
        }
        let filter =
            "WHERE ($1 = '' OR category = $1 OR substr(category, 1, length($1) + 3) = $1 || ' > ')";
        let cat = category.unwrap_or("").to_owned();
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} {filter} ORDER BY item_id LIMIT $2 OFFSET $3"
        )))
        .bind(cat.clone())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar::<Any, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM items {filter}"
        )))
        .bind(cat)
        .fetch_one(&self.pool)
        .await?;
        let items = rows.iter().map(item_from_row).collect::<Result<_, _>>()?;
        Ok(ItemPage { items, total })
    }

    /// Every catalog item, ordered by id.
    pub async fn all_items(&self) -> Result<Vec<Item>, StoreError> {
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} ORDER BY item_id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Creates or updates one item (empty fields keep the stored value).
    pub async fn upsert_item(&self, item: Item) -> Result<(), StoreError> {
        item.validate()?;
        let backend = self.backend;
        let mut tx = self.pool.begin().await?;
        ITEMS
            .write(&mut tx, backend, &[item_row(item, now())])
            .await?;
        bump_catalog(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates or replaces items whole (a field left out is cleared), in
    /// one transaction: every item is validated first and nothing is written
    /// if one is invalid. A later item with the same id wins.
    pub async fn put_items(&self, items: Vec<Item>) -> Result<ItemsWritten, StoreError> {
        for item in &items {
            item.validate()?;
        }
        let mut last = std::collections::HashMap::new();
        for (i, item) in items.iter().enumerate() {
            last.insert(item.item_id.as_str(), i);
        }
        let mut keep: Vec<usize> = last.into_values().collect();
        keep.sort_unstable();
        let backend = self.backend;
        let ts = now();
        let mut tx = self.pool.begin().await?;
        // Write first: a SQLite transaction that reads and then writes fails
        // at once (busy, its snapshot stale) when another writer committed
        // in between; one that starts by writing waits its turn instead.
        let catalog_version = bump_catalog(&mut tx).await?;
        let mut existing = 0u64;
        for chunk in keep.chunks(500) {
            let sql = format!(
                "SELECT COUNT(*) FROM items WHERE item_id IN ({})",
                placeholders(backend, 1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<Any, i64>(sqlx::AssertSqlSafe(sql));
            for &i in chunk {
                q = q.bind(items[i].item_id.clone());
            }
            existing += q.fetch_one(&mut *tx).await?.max(0) as u64;
        }
        let rows: Vec<_> = keep
            .iter()
            .map(|&i| item_row(items[i].clone(), ts))
            .collect();
        ITEMS_REPLACE.write(&mut tx, backend, &rows).await?;
        tx.commit().await?;
        Ok(ItemsWritten {
            created: keep.len() as u64 - existing,
            updated: existing,
            catalog_version,
        })
    }

    /// Removes an item from the catalog: it is no longer recommended, and
    /// new events naming it are refused. Its past events stay (they are the
    /// users' history and still teach co-occurrence); `put_items` restores it.
    /// Returns the catalog version the delete made.
    pub async fn delete_item(&self, item_id: &str) -> Result<i64, StoreError> {
        if !crate::storable(item_id) {
            return Err(StoreError::NotFound {
                what: "item",
                id: item_id.to_owned(),
            });
        }
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query::<Any>("DELETE FROM items WHERE item_id = $1")
            .bind(item_id.to_owned())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "item",
                id: item_id.to_owned(),
            });
        }
        let version = bump_catalog(&mut tx).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// A number that changes whenever the catalog does (it counts writes).
    pub async fn catalog_version(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar::<Any, i64>("SELECT value FROM counters WHERE name = 'catalog'")
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// The user with this id.
    pub async fn get_user(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        if !crate::storable(user_id) {
            return Ok(None);
        }
        let row = sqlx::query::<Any>("SELECT user_id, attributes FROM users WHERE user_id = $1")
            .bind(user_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(User {
                user_id: r.try_get("user_id")?,
                attributes: json_column(&r, "attributes", "users")?,
            })
        })
        .transpose()
    }

    /// Deletes a user, their attributes and every one of their events, and
    /// anonymises their orders, in one transaction (the privacy request).
    /// Orders stay, with an empty `user_id` that no request can name: they
    /// are the shop's sales records (bookkeeping, demand history), but they
    /// no longer lead to the person. `NotFound` when nothing is stored for
    /// the user. Model artifacts are the caller's part (see
    /// [`Store::record_user_deletion`]).
    pub async fn delete_user(&self, user_id: &str) -> Result<UserDeleted, StoreError> {
        if !crate::storable(user_id) {
            return Err(StoreError::NotFound {
                what: "user",
                id: user_id.to_owned(),
            });
        }
        let mut tx = self.pool.begin().await?;
        let seq = crate::feed::next_seq(&mut tx).await?;
        let mut counts = [0u64; 3];
        for (n, sql) in [
            "DELETE FROM events WHERE user_id = $1",
            "UPDATE orders SET user_id = '' WHERE user_id = $1",
            "DELETE FROM users WHERE user_id = $1",
        ]
        .into_iter()
        .enumerate()
        {
            counts[n] = sqlx::query::<Any>(sql)
                .bind(user_id.to_owned())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if counts == [0, 0, 0] {
            return Err(StoreError::NotFound {
                what: "user",
                id: user_id.to_owned(),
            });
        }
        // The feed's record of the delete, so that every replica drops the
        // user's history from memory.
        sqlx::query::<Any>(
            "INSERT INTO user_deletions (id_hash, deleted_at, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (id_hash) DO UPDATE SET seq = excluded.seq",
        )
        .bind(crate::sha256_hex(user_id.as_bytes()))
        .bind(now())
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        self.notify_feed(&mut tx, &seq.to_string()).await?;
        tx.commit().await?;
        Ok(UserDeleted {
            events: counts[0],
            orders_anonymised: counts[1],
            seq,
        })
    }

    /// Notes that `user_id` is being deleted, as a SHA-256 of the id, so
    /// that a model trained from a snapshot taken before the delete can be
    /// scrubbed of the user when it registers ([`Store::recent_user_deletions`]).
    /// Call it before erasing the user from artifacts and rows.
    pub async fn record_user_deletion(&self, user_id: &str) -> Result<(), StoreError> {
        let at = now();
        sqlx::query::<Any>(
            "INSERT INTO user_deletions (id_hash, deleted_at) VALUES ($1, $2) \
             ON CONFLICT (id_hash) DO UPDATE SET deleted_at = excluded.deleted_at",
        )
        .bind(crate::sha256_hex(user_id.as_bytes()))
        .bind(at)
        .execute(&self.pool)
        .await?;
        sqlx::query::<Any>("DELETE FROM user_deletions WHERE deleted_at < $1")
            .bind(at - USER_DELETION_MEMORY_SECS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SHA-256 hex digests of the ids of users deleted in the last
    /// [`USER_DELETION_MEMORY_SECS`].
    pub async fn recent_user_deletions(&self) -> Result<HashSet<String>, StoreError> {
        Ok(sqlx::query_scalar::<Any, String>(
            "SELECT id_hash FROM user_deletions WHERE deleted_at >= $1",
        )
        .bind(now() - USER_DELETION_MEMORY_SECS)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .collect())
    }

    /// Creates or replaces one user's attributes.
    pub async fn upsert_user(&self, user: User) -> Result<(), StoreError> {
        user.validate()?;
        let backend = self.backend;
        let mut tx = self.pool.begin().await?;
        USERS_REPLACE
            .write(&mut tx, backend, &[user_row(user, now())])
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
