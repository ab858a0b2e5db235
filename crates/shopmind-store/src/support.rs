//! Reading what the assistant is trained and grounded on: orders with their
//! lines, FAQ rows and intent examples.

use shopmind_core::record::{FaqEntry, IntentExample, Order, OrderLine};
use sqlx::{Any, Row};

use crate::{Store, StoreError};

impl Store {
    /// The order with this id (exact match, then case-insensitive), with
    /// its lines in line order.
    pub async fn get_order(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        if !crate::storable(order_id) {
            return Ok(None);
        }
        let row = sqlx::query::<Any>(
            "SELECT order_id, user_id, status, created_at, updated_at FROM orders \
             WHERE order_id = $1 OR upper(order_id) = upper($1) \
             ORDER BY CASE WHEN order_id = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(order_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: String = row.try_get("order_id")?;
        let lines = sqlx::query::<Any>(
            "SELECT item_id, quantity, price FROM order_lines WHERE order_id = $1 ORDER BY line_no",
        )
        .bind(id.clone())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OrderLine {
                item_id: r.try_get("item_id")?,
                quantity: r.try_get("quantity")?,
                price: r.try_get("price")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(Order {
            order_id: id,
            user_id: row.try_get("user_id")?,
            status: row.try_get("status")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            lines,
        }))
    }

    /// Every FAQ row, in id order.
    pub async fn all_faq(&self) -> Result<Vec<FaqEntry>, StoreError> {
        sqlx::query::<Any>("SELECT question, answer, intent FROM faq ORDER BY faq_id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(FaqEntry {
                    question: r.try_get("question")?,
                    answer: r.try_get("answer")?,
                    intent: r.try_get("intent")?,
                })
            })
            .collect()
    }

    /// Every intent example, in id order.
    pub async fn all_intents(&self) -> Result<Vec<IntentExample>, StoreError> {
        sqlx::query::<Any>("SELECT text, intent FROM intents ORDER BY example_id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(IntentExample {
                    text: r.try_get("text")?,
                    intent: r.try_get("intent")?,
                })
            })
            .collect()
    }
}
