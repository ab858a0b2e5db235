//! Reading the sales history (what pricing models train on).

use shopmind_core::record::Sale;
use shopmind_core::time::Date;
use sqlx::{Any, Row};

use crate::{Store, StoreError};

const SALE_SELECT: &str =
    "SELECT date, item_id, store_id, units, returned_units, price, promo, cost FROM sales";

impl Store {
    /// Every sales row, ordered by item, store and date.
    pub async fn all_sales(&self) -> Result<Vec<Sale>, StoreError> {
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "{SALE_SELECT} ORDER BY item_id, store_id, date"
        )))
        .fetch_all(&self.pool)
        .await?;
        sales_from_rows(&rows)
    }

    /// The sales rows of these items only, ordered by item, store and date.
    pub async fn sales_of_items(&self, items: &[&str]) -> Result<Vec<Sale>, StoreError> {
        let ids: Vec<&str> = items
            .iter()
            .copied()
            .filter(|i| crate::storable(i))
            .collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "{SALE_SELECT} WHERE item_id IN ({}) ORDER BY item_id, store_id, date",
                crate::sql::placeholders(self.backend, 1, chunk.len())
            );
            let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind((*id).to_owned());
            }
            out.extend(sales_from_rows(&q.fetch_all(&self.pool).await?)?);
        }
        Ok(out)
    }

    /// The first and last day of the sales history (`None` without sales).
    pub async fn sales_date_range(&self) -> Result<Option<(Date, Date)>, StoreError> {
        let (lo, hi) = sqlx::query_as::<Any, (Option<String>, Option<String>)>(
            "SELECT MIN(date), MAX(date) FROM sales",
        )
        .fetch_one(&self.pool)
        .await?;
        let parse = |d: String| {
            Date::parse(&d).map_err(|e| StoreError::Corrupt {
                table: "sales",
                column: "date",
                message: e.to_string(),
            })
        };
        match (lo, hi) {
            (Some(lo), Some(hi)) => Ok(Some((parse(lo)?, parse(hi)?))),
            _ => Ok(None),
        }
    }
}

fn sales_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Sale>, StoreError> {
    rows.iter()
        .map(|r| {
            let date: String = r.try_get("date")?;
            Ok(Sale {
                date: Date::parse(&date).map_err(|e| StoreError::Corrupt {
                    table: "sales",
                    column: "date",
                    message: e.to_string(),
                })?,
                item_id: r.try_get("item_id")?,
                store_id: r.try_get("store_id")?,
                units: r.try_get("units")?,
                returned_units: r.try_get("returned_units")?,
                price: r.try_get("price")?,
                promo: r.try_get::<i64, _>("promo")? != 0,
                cost: r.try_get("cost")?,
            })
        })
        .collect()
}
