//! Personalized recommendation: popularity, user- and item-based kNN, content- and description-based filtering, implicit matrix factorization (iALS, BPR), EASE^R, explicit rating models, and weighted and learned hybrids.
//!
//! This crate is an engine: pure in-memory computation on
//! [`shopmind_core`] values, with no I/O, no async and no HTTP. Its models
//! will implement [`shopmind_core::model::Fit`] and
//! [`shopmind_core::model::Predict`] so that the registry, the CLI and the
//! server can train, persist and serve them like every other kind.
//!
//! Status: the layout is fixed; the algorithms land with the recommendation issue. Inputs are the users × items [`shopmind_core::sparse::CsrMatrix`] built with per-event-type weights and the splits and ranking metrics of `shopmind-core`.

pub use shopmind_core::model::{Fit, Predict};
