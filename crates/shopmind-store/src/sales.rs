//! Reading the sales history (what pricing models train on).

use shopmind_core::record::Sale;
use shopmind_core::time::Date;
use sqlx::{Any, Row};

use crate::{Store, StoreError};

impl Store {
    /// Every sales row, ordered by item, store and date.
    pub async fn all_sales(&self) -> Result<Vec<Sale>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT date, item_id, store_id, units, returned_units, price, promo, cost \
             FROM sales ORDER BY item_id, store_id, date",
        )
        .fetch_all(&self.pool)
        .await?;
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
}
