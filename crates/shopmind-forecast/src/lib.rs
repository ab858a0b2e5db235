//! Demand forecasting: naive and seasonal-naive baselines, exponential smoothing (ETS), Theta, Croston/SBA/TSB for intermittent demand and a global gradient-boosted model, with prediction intervals and rolling-origin backtests.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Its models
//! will implement [`shopmind_core::model::Fit`] and
//! [`shopmind_core::model::Predict`] so that the registry, the CLI and the
//! server can train, persist and serve them like every other kind.
//!
//! Status: the layout is fixed; the models land with the forecasting issue. Accuracy is scored with [`shopmind_core::metrics::forecast`] (MASE, sMAPE, WAPE, RMSSE).

pub use shopmind_core::model::{Fit, Predict};
