//! Smart pricing: price prediction (linear, ridge, SVR, tree, gradient
//! boosting) and profit-optimal price adjustment from estimated price
//! elasticities under business constraints.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP.
//!
//! - [`table`]: named numeric and categorical columns and their encoding
//!   (standardised numbers, one-hot categories).
//! - [`regress`]: the regressions, k-fold cross-validation and the `auto`
//!   choice of model; [`svr`]: ε-insensitive support vector regression by
//!   dual coordinate descent.
//! - [`glm`]: Poisson regression by IRLS, with quasi-Poisson standard errors.
//! - [`elasticity`]: per-item price elasticity from daily sales (log-linear
//!   demand with store, weekday, season, trend and promotion terms) shrunk
//!   towards its category by empirical Bayes; optionally per store.
//! - [`optimize`]: the profit- or revenue-optimal price per item under
//!   margin, change, bound, ending and volume constraints; [`cap`]: a cap on
//!   the average price change per category, met by a Lagrange multiplier.
//! - [`plan`]: a catalog's whole pricing run and price prediction's
//!   fit-and-choose step, shared by the CLI and the server; [`model`]: the
//!   registry's form of a trained pricing model.
//!
//! The synthetic demo store's `ground_truth.json` holds each item's true
//! elasticity for testing the estimator (see `docs/pricing.md`).

pub mod cap;
pub mod elasticity;
pub mod glm;
pub mod model;
pub mod optimize;
pub mod plan;
pub mod regress;
pub mod svr;
pub mod table;
