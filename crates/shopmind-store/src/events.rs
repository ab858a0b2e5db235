//! Events arriving one at a time or in small batches from the API.

use std::collections::HashSet;

use shopmind_core::record::{Event, EventType};
use sqlx::{Any, Row};

use crate::rows::{EVENTS_ONCE, event_row, insert_stubs};
use crate::sql::placeholders;
use crate::{Store, StoreError};

impl Store {
    /// Every stored event, oldest first (ties by id): the training snapshot
    /// of the recommenders.
    pub async fn all_events(&self) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT event_id, user_id, item_id, event_type, value, ts FROM events ORDER BY ts, event_id",
        )
        .fetch_all(&self.pool)
        .await?;
        events_from_rows(&rows)
    }

    /// One user's events, oldest first (the `events_user_ts` index).
    pub async fn user_events(&self, user_id: &str) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT event_id, user_id, item_id, event_type, value, ts FROM events WHERE user_id = $1 ORDER BY ts, event_id",
        )
        .bind(user_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        events_from_rows(&rows)
    }

    /// One user's interactions per (item, event type) as (item, type, sum
    /// of values, number of events): what a recommendation request needs, in
    /// as few rows as the database can give (one per item and type instead
    /// of one per event), ordered by the latest event so the most recent
    /// items come last.
    pub async fn user_interactions(
        &self,
        user_id: &str,
    ) -> Result<Vec<(String, EventType, f64, i64)>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT item_id, event_type, SUM(value) AS total, COUNT(*) AS n, MAX(ts) AS last \
             FROM events WHERE user_id = $1 GROUP BY item_id, event_type ORDER BY last, item_id",
        )
        .bind(user_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("event_type")?;
                Ok((
                    r.try_get("item_id")?,
                    kind.parse().map_err(|_| StoreError::Corrupt {
                        table: "events",
                        column: "event_type",
                        message: format!("unknown event type `{kind}`"),
                    })?,
                    r.try_get("total")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    /// Item ids of `ids` that exist in the catalog.
    pub async fn existing_items(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut found = HashSet::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT item_id FROM items WHERE item_id IN ({})",
                placeholders(self.backend, 1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<Any, String>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind((*id).to_owned());
            }
            found.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(found)
    }

    /// Stores events atomically: every event is validated and must name a
    /// catalog item, or nothing is written. Users are created on first sight.
    /// An event whose id is already stored is left as it is (so a retried
    /// request does not double count). Returns the number of new events.
    pub async fn insert_events(&self, events: Vec<Event>) -> Result<u64, StoreError> {
        for e in &events {
            e.validate()?;
        }
        let ids: Vec<&str> = events
            .iter()
            .map(|e| e.item_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let existing = self.existing_items(&ids).await?;
        let unknown: Vec<(usize, String)> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| !existing.contains(&e.item_id))
            .map(|(i, e)| (i, e.item_id.clone()))
            .collect();
        if !unknown.is_empty() {
            return Err(StoreError::UnknownItems(unknown));
        }
        let users: Vec<String> = events
            .iter()
            .map(|e| e.user_id.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut seen = HashSet::new();
        let rows: Vec<_> = events
            .into_iter()
            .filter(|e| seen.insert(e.event_id.clone()))
            .map(event_row)
            .collect();
        let backend = self.backend;
        let mut tx = self.pool.begin().await?;
        insert_stubs(&mut tx, backend, users, Vec::new(), crate::now()).await?;
        let n = EVENTS_ONCE.write(&mut tx, backend, &rows).await?;
        tx.commit().await?;
        Ok(n)
    }
}

fn events_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Event>, StoreError> {
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("event_type")?;
            Ok(Event {
                event_id: r.try_get("event_id")?,
                user_id: r.try_get("user_id")?,
                item_id: r.try_get("item_id")?,
                event_type: kind.parse().map_err(|_| StoreError::Corrupt {
                    table: "events",
                    column: "event_type",
                    message: format!("unknown event type `{kind}`"),
                })?,
                value: r.try_get("value")?,
                timestamp: r.try_get("ts")?,
            })
        })
        .collect()
}
