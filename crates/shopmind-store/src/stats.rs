//! Row counts and date ranges for `shopmind stats`.

use serde::Serialize;
use sqlx::{Any, Row};

use crate::{Backend, Store, StoreError};

/// Every table the stats report counts, in display order.
pub const TABLES: [&str; 12] = [
    "items",
    "users",
    "events",
    "sales",
    "inventory",
    "orders",
    "order_lines",
    "faq",
    "intents",
    "series",
    "models",
    "model_artifacts",
];

/// What is in the store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Rows per table.
    pub rows: Vec<(String, i64)>,
    /// Distinct users with at least one event.
    pub event_users: i64,
    /// Distinct items with at least one event.
    pub event_items: i64,
    /// Earliest and latest event (Unix seconds).
    pub events_range: Option<(i64, i64)>,
    /// First and last sales date.
    pub sales_range: Option<(String, String)>,
}

impl Stats {
    /// Rows of one table (0 when unknown).
    pub fn count(&self, table: &str) -> i64 {
        self.rows
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }
}

impl Store {
    /// Counts rows and reads ranges.
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let mut rows = Vec::new();
        for t in TABLES {
            let n: i64 = sqlx::query_scalar::<Any, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {t}"
            )))
            .fetch_one(&self.pool)
            .await?;
            rows.push((t.to_owned(), n));
        }
        let r = sqlx::query::<Any>(
            "SELECT COUNT(DISTINCT user_id) AS u, COUNT(DISTINCT item_id) AS i, MIN(ts) AS lo, MAX(ts) AS hi FROM events",
        )
        .fetch_one(&self.pool)
        .await?;
        let (lo, hi): (Option<i64>, Option<i64>) = (r.try_get("lo")?, r.try_get("hi")?);
        let s = sqlx::query::<Any>("SELECT MIN(date) AS lo, MAX(date) AS hi FROM sales")
            .fetch_one(&self.pool)
            .await?;
        let (slo, shi): (Option<String>, Option<String>) = (s.try_get("lo")?, s.try_get("hi")?);
        Ok(Stats {
            backend: match self.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            },
            rows,
            event_users: r.try_get("u")?,
            event_items: r.try_get("i")?,
            events_range: lo.zip(hi),
            sales_range: slo.zip(shi),
        })
    }
}
