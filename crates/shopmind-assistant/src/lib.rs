//! Customer-service assistant: intent classification, FAQ retrieval (BM25), entity extraction and grounded answers with order, product and recommendation look-ups.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Its models
//! will implement [`shopmind_core::model::Fit`] and
//! [`shopmind_core::model::Predict`] so that the registry, the CLI and the
//! server can train, persist and serve them like every other kind.
//!
//! Status: the layout is fixed; the models land with the assistant issue. Inputs are [`shopmind_core::record::FaqEntry`] and [`shopmind_core::record::IntentExample`] records.

pub use shopmind_core::model::{Fit, Predict};
