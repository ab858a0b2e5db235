//! Reading inventory positions (what replenishment plans start from).

use shopmind_core::record::InventoryPosition;
use sqlx::{Any, Row};

use crate::{Store, StoreError};

impl Store {
    /// Every inventory row, ordered by item and store.
    pub async fn inventory_positions(&self) -> Result<Vec<InventoryPosition>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT item_id, store_id, on_hand, on_order, lead_time_days, lead_time_std_days, \
             unit_cost, holding_cost_rate, order_cost, moq, case_pack \
             FROM inventory ORDER BY item_id, store_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InventoryPosition {
                    item_id: r.try_get("item_id")?,
                    store_id: r.try_get("store_id")?,
                    on_hand: r.try_get("on_hand")?,
                    on_order: r.try_get("on_order")?,
                    lead_time_days: r.try_get("lead_time_days")?,
                    lead_time_std_days: r.try_get("lead_time_std_days")?,
                    unit_cost: r.try_get("unit_cost")?,
                    holding_cost_rate: r.try_get("holding_cost_rate")?,
                    order_cost: r.try_get("order_cost")?,
                    moq: r.try_get("moq")?,
                    case_pack: r.try_get("case_pack")?,
                })
            })
            .collect()
    }
}
