//! The event feed: what a server replica reads to keep users' histories in
//! memory (see `migrations/*/0008_event_feed.sql`).
//!
//! Every write of API events, and every privacy delete, takes the next
//! number of the `events` counter as the first statement of its transaction
//! and stamps its rows with it. The counter row stays locked until the
//! transaction ends, so writers commit in number order: once a reader sees
//! number `N` (in the counter or on a row), every write numbered below `N`
//! has committed, and "everything numbered in `(after, upto]`" is a complete
//! delta. On PostgreSQL the transaction also sends `NOTIFY` on the store's
//! [`Store::feed_channel`] with the number (delivered at commit, in commit
//! order), so other replicas catch up within milliseconds; a replica that
//! missed notifications (a reconnect) catches up by number just the same.
//!
//! Imports are not numbered: a re-imported event id may overwrite a stored
//! event, which a delta cannot express. Publishing an import bumps the
//! `events_epoch` counter instead, and a replica that sees a new epoch
//! reloads every history.

use futures_util::TryStreamExt;
use shopmind_core::record::EventType;
use sqlx::{Any, Row, Transaction};

use crate::{Backend, Store, StoreError};

/// Where the feed stands: the last committed number and the import epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedPosition {
    /// Highest number taken by a committed write.
    pub seq: i64,
    /// Bumped by every published import.
    pub epoch: i64,
}

/// One stored event as the feed gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// Number of the write that stored it (0: imported or older than the feed).
    pub seq: i64,
    /// User.
    pub user_id: String,
    /// Item.
    pub item_id: String,
    /// Kind of interaction.
    pub event_type: EventType,
    /// Value (rating, quantity, 1 for a click).
    pub value: f64,
    /// Unix seconds.
    pub ts: i64,
}

/// What changed in `(after, upto]`, in number order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedDelta {
    /// New events, by number then time.
    pub events: Vec<FeedEvent>,
    /// Deleted users as (number, SHA-256 hex of the id): the id itself is
    /// never stored.
    pub deletions: Vec<(i64, String)>,
}

/// Takes the next feed number inside `tx`; call it first in the
/// transaction, so that the counter row's lock orders the writers.
pub(crate) async fn next_seq(tx: &mut Transaction<'_, Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<Any, i64>(
        "UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await
}

/// Bumps the import epoch inside `tx` (an import's last transaction).
pub(crate) async fn bump_epoch(tx: &mut Transaction<'_, Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<Any, i64>(
        "UPDATE counters SET value = value + 1 WHERE name = 'events_epoch' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await
}

fn event_type(kind: &str) -> Result<EventType, StoreError> {
    kind.parse().map_err(|_| StoreError::Corrupt {
        table: "events",
        column: "event_type",
        message: format!("unknown event type `{kind}`"),
    })
}

fn feed_event(r: &sqlx::any::AnyRow) -> Result<FeedEvent, StoreError> {
    let kind: String = r.try_get("event_type")?;
    Ok(FeedEvent {
        seq: r.try_get("seq")?,
        user_id: r.try_get("user_id")?,
        item_id: r.try_get("item_id")?,
        event_type: event_type(&kind)?,
        value: r.try_get("value")?,
        ts: r.try_get("ts")?,
    })
}

impl Store {
    /// The channel this store's writes notify on (PostgreSQL only; one per
    /// schema, since channels are per database).
    pub fn feed_channel(&self) -> Option<String> {
        match self.backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(match &self.schema {
                Some(s) => format!("shopmind_feed_{s}"),
                None => "shopmind_feed".to_owned(),
            }),
        }
    }

    /// The channel the job queue notifies on when a job becomes runnable
    /// (PostgreSQL only; one per schema): idle workers of other processes
    /// wake at once instead of at their next poll.
    pub fn jobs_channel(&self) -> Option<String> {
        self.feed_channel()
            .map(|c| c.replacen("shopmind_feed", "shopmind_jobs", 1))
    }

    /// The database URL (for a `LISTEN` connection of the caller's own).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends the feed notification for `seq` inside `tx` (PostgreSQL; a
    /// no-op on SQLite, whose replicas are one process and poll).
    pub(crate) async fn notify_feed(
        &self,
        tx: &mut Transaction<'_, Any>,
        payload: &str,
    ) -> Result<(), sqlx::Error> {
        if let Some(channel) = self.feed_channel() {
            sqlx::query::<Any>("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload.to_owned())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The feed's current position.
    pub async fn feed_position(&self) -> Result<FeedPosition, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT name, value FROM counters WHERE name IN ('events', 'events_epoch')",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut pos = FeedPosition::default();
        for r in rows {
            let name: String = r.try_get("name")?;
            let value: i64 = r.try_get("value")?;
            match name.as_str() {
                "events" => pos.seq = value,
                _ => pos.epoch = value,
            }
        }
        Ok(pos)
    }

    /// Every event numbered at most `upto` (imported ones included), in no
    /// particular order, streamed to `f` (a full load of the histories; the
    /// rows are never all in memory at once).
    pub async fn for_each_event(
        &self,
        upto: i64,
        mut f: impl FnMut(FeedEvent),
    ) -> Result<u64, StoreError> {
        let mut rows = sqlx::query::<Any>(
            "SELECT seq, user_id, item_id, event_type, value, ts FROM events WHERE seq <= $1",
        )
        .bind(upto)
        .fetch(&self.pool);
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            f(feed_event(&r)?);
            n += 1;
        }
        Ok(n)
    }

    /// What was written with a number in `(after, upto]`.
    pub async fn feed_delta(&self, after: i64, upto: i64) -> Result<FeedDelta, StoreError> {
        if upto <= after {
            return Ok(FeedDelta::default());
        }
        let rows = sqlx::query::<Any>(
            "SELECT seq, user_id, item_id, event_type, value, ts FROM events \
             WHERE seq > $1 AND seq <= $2 ORDER BY seq, ts, event_id",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&self.pool)
        .await?;
        let events = rows.iter().map(feed_event).collect::<Result<_, _>>()?;
        let rows = sqlx::query::<Any>(
            "SELECT seq, id_hash FROM user_deletions WHERE seq > $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&self.pool)
        .await?;
        let deletions = rows
            .iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("id_hash")?)))
            .collect::<Result<_, StoreError>>()?;
        Ok(FeedDelta { events, deletions })
    }
}

/// A `LISTEN` connection on the feed's channel (PostgreSQL).
pub struct FeedListener {
    inner: sqlx::postgres::PgListener,
}

impl Store {
    /// Listens on [`Store::feed_channel`]; `None` on SQLite, whose writers
    /// share one process or are polled.
    pub async fn feed_listener(&self) -> Result<Option<FeedListener>, StoreError> {
        self.listener(self.feed_channel()).await
    }

    /// Listens on [`Store::jobs_channel`]; `None` on SQLite.
    pub async fn jobs_listener(&self) -> Result<Option<FeedListener>, StoreError> {
        self.listener(self.jobs_channel()).await
    }

    async fn listener(&self, channel: Option<String>) -> Result<Option<FeedListener>, StoreError> {
        let Some(channel) = channel else {
            return Ok(None);
        };
        let mut inner = sqlx::postgres::PgListener::connect(&self.url)
            .await
            .map_err(|source| StoreError::Connect {
                url: crate::redact(&self.url),
                source,
            })?;
        inner.listen(&channel).await?;
        Ok(Some(FeedListener { inner }))
    }
}

impl FeedListener {
    /// The next notification's payload; `Ok(None)` when the connection
    /// was lost (it reconnects on the next call; notifications sent
    /// meanwhile are lost, so catch up by number).
    pub async fn next(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self.inner.try_recv().await?.map(|n| n.payload().to_owned()))
    }
}
