//! Integration tests of shopmind-data, one binary (faster linking):
//! importers on fixtures the tests write, and the synthetic demo store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz;
mod importers;
mod malformed;
mod synth;
