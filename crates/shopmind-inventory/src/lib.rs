//! Inventory replenishment: safety stock, reorder points and order-up-to
//! levels from forecast distributions, EOQ, the newsvendor, (s,S), (R,S) and
//! (r,Q) policies with MOQ and case-pack rounding, Poisson/negative-binomial
//! demand for slow movers, a replenishment plan, and day-by-day simulation
//! to check what a policy achieves.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Forecasts
//! come in as a [`policy::DemandOutlook`] (cumulative mean and standard
//! deviation of demand over the coming days), which the forecast engine's
//! models produce; supply terms come from
//! [`shopmind_core::record::InventoryPosition`]s.
//!
//! - [`classic`]: EOQ, newsvendor, safety stock.
//! - [`policy`]: the policies, their parameters from a target
//!   (cycle-service level or fill rate), and what to order now.
//! - [`plan`]: one line per item and store: order now or not, how much, with
//!   expected fill rate, holding cost and stockout risk.
//! - [`simulate`]: the policy against a demand sequence.
//!
//! ```
//! use shopmind_inventory::classic::newsvendor_normal;
//!
//! // Holding cost 2, stockout cost 18, demand N(120, 10²).
//! let nv = newsvendor_normal(120.0, 10.0, 2.0, 18.0).unwrap();
//! assert!((nv.quantity - 132.82).abs() < 0.01);
//! ```

pub mod classic;
pub mod plan;
pub mod policy;
pub mod simulate;

/// Why an inventory computation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InventoryError {
    /// A parameter is outside its valid range.
    #[error("invalid {name} = {value}: {rule}")]
    Parameter {
        /// Parameter.
        name: &'static str,
        /// Value given.
        value: f64,
        /// What it must satisfy.
        rule: &'static str,
    },
    /// An unknown name (policy, target).
    #[error("unknown {0}")]
    Unknown(String),
}

impl InventoryError {
    pub(crate) fn param(name: &'static str, value: f64, rule: &'static str) -> InventoryError {
        InventoryError::Parameter { name, value, rule }
    }
}
