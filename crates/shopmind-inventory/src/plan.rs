//! The replenishment plan: for each item and store, the policy designed from
//! its demand outlook and supply terms, the current inventory position, and
//! what to order now.

use serde::{Deserialize, Serialize};
use shopmind_core::record::InventoryPosition;

use crate::InventoryError;
use crate::policy::{DemandOutlook, Design, PolicyParams, Supply, design, order_now};

/// Supply terms of an inventory row.
pub fn supply_of(p: &InventoryPosition) -> Supply {
    Supply {
        lead_time_days: p.lead_time_days,
        lead_time_sd_days: p.lead_time_std_days,
        unit_cost: p.unit_cost,
        holding_rate: p.holding_cost_rate,
        order_cost: p.order_cost,
        moq: p.moq,
        case_pack: p.case_pack,
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    /// Item.
    pub item_id: String,
    /// Store.
    pub store_id: String,
    /// On hand now.
    pub on_hand: f64,
    /// On order now.
    pub on_order: f64,
    /// On hand plus on order.
    pub position: f64,
    /// Units to order now (0: no order due).
    pub order_qty: f64,
    /// Days of demand the position covers.
    pub days_of_cover: f64,
    /// The policy behind the decision.
    pub design: Design,
}

/// Plans one item and store.
pub fn plan_line(
    position: &InventoryPosition,
    outlook: &DemandOutlook,
    params: &PolicyParams,
) -> Result<PlanLine, InventoryError> {
    let supply = supply_of(position);
    let d = design(outlook, &supply, params)?;
    let pos = position.on_hand + position.on_order;
    let qty = order_now(&d, pos, &supply);
    Ok(PlanLine {
        item_id: position.item_id.clone(),
        store_id: position.store_id.clone(),
        on_hand: position.on_hand,
        on_order: position.on_order,
        position: pos,
        order_qty: qty,
        days_of_cover: if d.daily_demand > 0.0 {
            pos / d.daily_demand
        } else {
            f64::INFINITY
        },
        design: d,
    })
}
