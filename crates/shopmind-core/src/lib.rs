//! The shared vocabulary of shopmind: ids, records, sparse matrices, splits,
//! metrics, model kinds and the artifact envelope.
//!
//! Every other crate of the workspace depends on this one and on nothing
//! heavier: the engines (`shopmind-recommend`, `-pricing`, `-forecast`,
//! `-inventory`, `-assistant`) take the values defined here and return models;
//! the store persists them; the importers produce them.
//!
//! - [`id::Interner`] maps external string ids (`"SKU-001"`) to dense `u32`
//!   indices so that matrices and vectors can be indexed directly.
//! - [`record`] holds the retail records: items, users, typed events, sales,
//!   inventory positions, orders, FAQ entries, intent examples, series points.
//! - [`sparse::CsrMatrix`] is the users × items interaction matrix, built by
//!   [`sparse::InteractionMatrixBuilder`] with per-event-type weights.
//! - [`split`] carves train/test sets out of interactions, deterministically
//!   from a seed.
//! - [`metrics`] scores rankings, rating predictions and forecasts.
//! - [`rng::Rng`] is the one seeded random generator everything uses.
//! - [`stats`] holds the normal, Poisson and negative-binomial functions
//!   that forecasts and inventory policies share.
//! - [`text`] turns product and FAQ text into terms (English and CJK).
//! - [`model::ModelKind`] is the one list of model kinds; [`artifact`] the
//!   envelope every stored model is written in.
//! - [`cancel::Cancel`] lets a caller stop a long computation that checks it.
//! - [`learn`] holds the supervised learners several engines share
//!   (gradient-boosted trees with regression, classification and ranking
//!   objectives).
//!
//! ```
//! use shopmind_core::sparse::{InteractionMatrixBuilder, EventWeights};
//! use shopmind_core::record::{EventType, Interaction};
//!
//! let events = [
//!     Interaction { user: 0, item: 1, kind: EventType::Purchase, value: 1.0, timestamp: 10 },
//!     Interaction { user: 1, item: 0, kind: EventType::View, value: 1.0, timestamp: 11 },
//! ];
//! let m = InteractionMatrixBuilder::new(2, 2, EventWeights::default()).build(&events);
//! assert_eq!(m.get(0, 1), EventWeights::default().purchase);
//! assert_eq!(m.transpose().get(1, 0), m.get(0, 1));
//! ```

pub mod artifact;
pub mod cancel;
pub mod id;
pub mod learn;
pub mod metrics;
pub mod model;
pub mod record;
pub mod rng;
pub mod sparse;
pub mod split;
pub mod stats;
pub mod text;
pub mod time;

pub use id::Interner;
pub use rng::Rng;
