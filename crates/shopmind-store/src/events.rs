//! Events arriving one at a time or in small batches from the API, and the
//! `Idempotency-Key` record that makes a retried batch act once.

use std::collections::HashSet;

use shopmind_core::record::{Event, EventType};
use sqlx::{Any, Row};

use crate::rows::{EVENTS_ONCE, event_row, insert_stubs};
use crate::sql::placeholders;
use crate::{Store, StoreError};

/// How long an idempotency key is remembered (a day, as Stripe's API does).
pub const IDEMPOTENCY_TTL_SECS: i64 = 86_400;

/// A request's `Idempotency-Key` and a hash of its body.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    /// The key as sent (callers prefix it with the route).
    pub key: &'a str,
    /// Hash of the request body: the same key with another body is refused.
    pub request_hash: &'a str,
}

/// The stored answer to a request made with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentAnswer {
    /// Hash of the body of the request that was answered.
    pub request_hash: String,
    /// HTTP status it got.
    pub status: u16,
    /// Body it got (JSON).
    pub body: String,
}

/// What a write of events stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsWritten {
    /// The write's feed number (see `crate::feed`).
    pub seq: i64,
    /// The events that were new (an id already stored is left as it was).
    pub events: Vec<Event>,
}

impl EventsWritten {
    /// Number of new events.
    pub fn stored(&self) -> u64 {
        self.events.len() as u64
    }
}

/// What a keyed write did.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyedWrite {
    /// The write happened, answered with `body`.
    Done {
        /// What was stored.
        written: EventsWritten,
        /// The stored answer.
        body: String,
    },
    /// Another request with the key committed first: its answer.
    Replay(IdempotentAnswer),
}

impl Store {
    /// The unexpired answer stored under an idempotency key.
    pub async fn idempotent_answer(
        &self,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE idem_key = $1 AND created_at >= $2",
        )
        .bind(key.to_owned())
        .bind(crate::now() - IDEMPOTENCY_TTL_SECS)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(IdempotentAnswer {
                request_hash: r.try_get("request_hash")?,
                status: u16::try_from(r.try_get::<i64, _>("status")?).unwrap_or(200),
                body: r.try_get("body")?,
            })
        })
        .transpose()
    }

    /// [`Store::insert_events`] under an idempotency key: the events and the
    /// answer `answer(stored)` commit together, so a retry either finds the
    /// answer (and nothing is written twice) or finds nothing (and nothing was
    /// written). When a concurrent request with the same key wins, this one
    /// writes nothing and returns that request's answer.
    pub async fn insert_events_keyed(
        &self,
        events: Vec<Event>,
        key: Idempotency<'_>,
        answer: impl FnOnce(u64) -> String,
    ) -> Result<KeyedWrite, StoreError> {
        let rows = self.event_rows(events).await?;
        let now = crate::now();
        let mut tx = self.pool.begin().await?;
        let written = self.write_events(&mut tx, rows).await?;
        sqlx::query::<Any>("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(now - IDEMPOTENCY_TTL_SECS)
            .execute(&mut *tx)
            .await?;
        let body = answer(written.stored());
        let claimed = sqlx::query::<Any>(
            "INSERT INTO idempotency_keys (idem_key, request_hash, status, body, created_at) \
             VALUES ($1, $2, 200, $3, $4) ON CONFLICT (idem_key) DO NOTHING",
        )
        .bind(key.key.to_owned())
        .bind(key.request_hash.to_owned())
        .bind(body.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return match self.idempotent_answer(key.key).await? {
                Some(a) => Ok(KeyedWrite::Replay(a)),
                None => Err(StoreError::Conflict(
                    "a request with this idempotency key is in progress; retry".into(),
                )),
            };
        }
        tx.commit().await?;
        Ok(KeyedWrite::Done { written, body })
    }

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
        if !crate::storable(user_id) {
            return Ok(Vec::new());
        }
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
        if !crate::storable(user_id) {
            return Ok(Vec::new());
        }
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
        let ids: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| crate::storable(id))
            .collect();
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
    /// request does not double count). Returns the new events and the
    /// write's feed number.
    pub async fn insert_events(&self, events: Vec<Event>) -> Result<EventsWritten, StoreError> {
        let rows = self.event_rows(events).await?;
        let mut tx = self.pool.begin().await?;
        let written = self.write_events(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Numbers a validated batch (first, so the feed counter's lock orders
    /// the writers), writes it and notifies the feed, inside `tx`.
    async fn write_events(
        &self,
        tx: &mut sqlx::Transaction<'_, Any>,
        rows: EventRows,
    ) -> Result<EventsWritten, StoreError> {
        let seq = crate::feed::next_seq(tx).await?;
        insert_stubs(tx, self.backend, rows.users, Vec::new(), crate::now()).await?;
        let table: Vec<Vec<crate::sql::Value>> = rows
            .events
            .iter()
            .cloned()
            .map(|e| {
                let mut row = event_row(e);
                row.push(crate::sql::Value::Int(seq));
                row
            })
            .collect();
        let stored = EVENTS_ONCE.write(tx, self.backend, &table).await?;
        let events = if stored == rows.events.len() as u64 {
            rows.events
        } else {
            // Some ids were stored before: keep the rows this write made.
            let mine: HashSet<String> =
                sqlx::query_scalar::<Any, String>("SELECT event_id FROM events WHERE seq = $1")
                    .bind(seq)
                    .fetch_all(&mut **tx)
                    .await?
                    .into_iter()
                    .collect();
            rows.events
                .into_iter()
                .filter(|e| mine.contains(&e.event_id))
                .collect()
        };
        self.notify_feed(tx, &seq.to_string()).await?;
        Ok(EventsWritten { seq, events })
    }

    /// Validates events, checks their items exist, and shapes the rows.
    async fn event_rows(&self, events: Vec<Event>) -> Result<EventRows, StoreError> {
        let now = crate::now();
        for e in &events {
            e.validate(now)?;
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
        let events = events
            .into_iter()
            .filter(|e| seen.insert(e.event_id.clone()))
            .collect();
        Ok(EventRows { users, events })
    }
}

/// A validated batch of events (ids distinct) and their users.
struct EventRows {
    users: Vec<String>,
    events: Vec<Event>,
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
