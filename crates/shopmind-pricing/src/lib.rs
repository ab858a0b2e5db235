//! Smart pricing: price prediction (linear, ridge, tree, gradient boosting;
//! SVR to come) and, with the rest of the pricing issue, profit-optimal
//! price adjustment from estimated price elasticities under business
//! constraints.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP.
//!
//! - [`table`]: named numeric and categorical columns and their encoding
//!   (standardised numbers, one-hot categories).
//! - [`regress`]: the regressions, k-fold cross-validation and the `auto`
//!   choice of model.
//!
//! Still to come (see the pricing issue): SVR, elasticity estimation and
//! price optimisation. The synthetic demo store's `ground_truth.json` holds
//! each item's true elasticity for testing the estimator.

pub mod regress;
pub mod table;

pub use shopmind_core::model::{Fit, Predict};
