//! Getting a shop's data into shopmind: the CSV formats, the importers of
//! known public layouts, and the synthetic demo-store generator.
//!
//! Every importer is a streaming iterator of
//! [`Record`](shopmind_core::record::Record)s (or row errors naming file,
//! line, column and value): it holds one row (or, for Online Retail, one
//! day's aggregates) in memory, never the file. What happens to the records
//! (batching, transactions, skipping bad rows) is the caller's business; the
//! CLI streams them into the store in one transaction.
//!
//! ```no_run
//! use shopmind_data::{ImportKind, Source};
//! let source = Source::open(ImportKind::Events, "ratings.csv".as_ref())?;
//! for record in source {
//!     let record = record?; // an error names file, line, column and value
//!     println!("{record:?}");
//! }
//! # Ok::<(), shopmind_data::ImportError>(())
//! ```
//!
//! [`synth`] generates a deterministic demo store (catalog, users, events,
//! sales, inventory, orders, FAQ) with a ground truth for later tests.

pub mod canonical;
pub mod error;
pub mod m4;
pub mod movielens;
pub mod online_retail;
pub mod rfc4180;
pub mod series;
pub mod source;
pub mod synth;

use std::path::Path;
use std::str::FromStr;

use shopmind_core::record::Record;

pub use canonical::{CanonicalKind, CanonicalReader};
pub use error::{ImportError, RowError};
use source::{CsvTable, Header};

/// What `shopmind import <kind>` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Canonical items CSV (also the seed `products.csv`).
    Items,
    /// Canonical users CSV.
    Users,
    /// Canonical events CSV (also the seed `ratings.csv`).
    Events,
    /// Canonical sales CSV.
    Sales,
    /// Canonical inventory CSV.
    Inventory,
    /// Canonical orders CSV (one row per order line).
    Orders,
    /// Canonical FAQ CSV.
    Faq,
    /// Canonical intents CSV.
    Intents,
    /// Canonical series CSV.
    Series,
    /// MovieLens 100K (`u.data` + `u.item`) or `ratings.csv` + `movies.csv`.
    MovieLens,
    /// UCI Online Retail.
    OnlineRetail,
    /// M4 wide CSV.
    M4,
    /// BANKING77 (`text,category`).
    Banking77,
}

impl ImportKind {
    /// Every kind with its command-line name.
    pub const ALL: [(ImportKind, &'static str); 13] = [
        (ImportKind::Items, "items"),
        (ImportKind::Users, "users"),
        (ImportKind::Events, "events"),
        (ImportKind::Sales, "sales"),
        (ImportKind::Inventory, "inventory"),
        (ImportKind::Orders, "orders"),
        (ImportKind::Faq, "faq"),
        (ImportKind::Intents, "intents"),
        (ImportKind::Series, "series"),
        (ImportKind::MovieLens, "movielens"),
        (ImportKind::OnlineRetail, "online-retail"),
        (ImportKind::M4, "m4"),
        (ImportKind::Banking77, "banking77"),
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(k, _)| *k)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, n)| *n).collect();
                format!(
                    "unknown import kind `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// An open importer of any kind.
pub enum Source {
    /// A canonical CSV.
    Canonical(CanonicalReader),
    /// MovieLens.
    MovieLens(MovieLensReader),
    /// UCI Online Retail.
    OnlineRetail(OnlineRetailReader),
    /// M4.
    M4(M4Reader),
}

use m4::M4Reader;
use movielens::MovieLensReader;
use online_retail::OnlineRetailReader;

impl Source {
    /// Opens `path` as `kind`, checking the header before any row is read.
    pub fn open(kind: ImportKind, path: &Path) -> Result<Source, ImportError> {
        let canonical = |k| -> Result<Source, ImportError> {
            Ok(Source::Canonical(CanonicalReader::new(
                CsvTable::open(path, b',', Header::InFile)?,
                k,
            )?))
        };
        match kind {
            ImportKind::Items => canonical(CanonicalKind::Items),
            ImportKind::Users => canonical(CanonicalKind::Users),
            ImportKind::Events => canonical(CanonicalKind::Events),
            ImportKind::Sales => canonical(CanonicalKind::Sales),
            ImportKind::Inventory => canonical(CanonicalKind::Inventory),
            ImportKind::Orders => canonical(CanonicalKind::Orders),
            ImportKind::Faq => canonical(CanonicalKind::Faq),
            ImportKind::Intents | ImportKind::Banking77 => canonical(CanonicalKind::Intents),
            ImportKind::Series => canonical(CanonicalKind::Series),
            ImportKind::MovieLens => Ok(Source::MovieLens(MovieLensReader::open(path)?)),
            ImportKind::OnlineRetail => Ok(Source::OnlineRetail(OnlineRetailReader::open(path)?)),
            ImportKind::M4 => Ok(Source::M4(M4Reader::open(path)?)),
        }
    }

    /// Bytes read so far and total bytes on disk, for a progress bar.
    pub fn progress(&self) -> (u64, u64) {
        match self {
            Source::Canonical(r) => (r.table().progress.bytes(), r.table().size),
            Source::MovieLens(r) => r.progress(),
            Source::OnlineRetail(r) => r.progress(),
            Source::M4(r) => r.progress(),
        }
    }

    /// Layout-specific counters to report after the import (e.g. returns and
    /// anonymous sales for Online Retail).
    pub fn notes(&self) -> Vec<(&'static str, u64)> {
        match self {
            Source::OnlineRetail(r) => {
                let s = r.summary();
                vec![
                    ("lines", s.lines),
                    ("sale lines", s.sale_lines),
                    ("anonymous sale lines", s.anonymous_sale_lines),
                    ("return lines", s.return_lines),
                    ("anonymous return lines", s.anonymous_return_lines),
                    ("adjustment lines skipped", s.adjustment_lines),
                ]
            }
            Source::Canonical(_) | Source::MovieLens(_) | Source::M4(_) => Vec::new(),
        }
    }
}

impl Iterator for Source {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Source::Canonical(r) => r.next(),
            Source::MovieLens(r) => r.next(),
            Source::OnlineRetail(r) => r.next(),
            Source::M4(r) => r.next(),
        }
    }
}
