//! Smart pricing: price prediction (linear, ridge, SVR, tree, gradient boosting) and profit-optimal price adjustment from estimated price elasticities under business constraints.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Its models
//! will implement [`shopmind_core::model::Fit`] and
//! [`shopmind_core::model::Predict`] so that the registry, the CLI and the
//! server can train, persist and serve them like every other kind.
//!
//! Status: the layout is fixed; the models land with the pricing issue. The synthetic demo store's `ground_truth.json` holds each item's true elasticity for testing the estimator.

pub use shopmind_core::model::{Fit, Predict};
