//! Inventory replenishment: safety stock, reorder points and order-up-to levels from forecast distributions, EOQ, newsvendor, (s,S), (R,S) and (r,Q) policies, checked by simulation.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Its models
//! will implement [`shopmind_core::model::Fit`] and
//! [`shopmind_core::model::Predict`] so that the registry, the CLI and the
//! server can train, persist and serve them like every other kind.
//!
//! Status: the layout is fixed; the policies land with the inventory issue. Inputs are [`shopmind_core::record::InventoryPosition`]s and forecasts.

pub use shopmind_core::model::{Fit, Predict};
