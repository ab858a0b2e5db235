//! The synthetic demo store: a deterministic, realistic retail data set
//! generated from a seed.
//!
//! It exists so that `shopmind demo` has something real to serve and so that
//! every engine can be tested against a known truth:
//!
//! - **Catalog** ([`catalog`]): items in 20 categories with titles and
//!   multi-sentence descriptions built from per-category vocabularies
//!   (English, or Chinese with [`Lang::Zh`]), brand, color, material, price
//!   band, launch date.
//! - **Behaviour** ([`behavior`]): users and items carry latent factor
//!   vectors (category centroids plus noise); a user's sessions pick items
//!   with probability ∝ exp(2.5·⟨u, v⟩ + bᵢ) (bᵢ an item popularity bias), and
//!   the affinity ⟨u, v⟩ drives the funnel view → click → cart → purchase →
//!   rating (rating ≈ 3 + 1.5(⟨u, v⟩ − 0.5) + noise), with dislikes and
//!   returns. Collaborative filtering therefore has real signal.
//! - **Sales** ([`sales`]): daily units per item and store drawn from
//!   Poisson(λ) with
//!   λ = base · store · weekday · (1 + A cos 2π(d − peak)/365.25) · e^{g t} ·
//!   (p / p₀)^ε · γ^promo · noise, a constant price elasticity ε ∈ [−3.5, −0.5]
//!   per item, prices that change every 2–6 weeks, week-long promotions, and
//!   intermittent slow movers. Days without sales are not written.
//! - **Operations** ([`service`]): inventory parameters, orders built from
//!   the purchase events, and an FAQ of 40 answers with paraphrased
//!   questions over 16 intents, plus intent-labelled utterances.
//!
//! Everything the generator decided (elasticities, factors, seasonality)
//! goes to `ground_truth.json` beside the CSVs.

pub mod behavior;
pub mod catalog;
pub mod faq_text;
pub mod sales;
pub mod service;
pub mod vocab;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use shopmind_core::Rng;
use shopmind_core::time::Date;

/// Language of the generated item text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

/// Size and shape of the generated store.
#[derive(Debug, Clone, Serialize)]
pub struct SynthParams {
    /// Seed of every random draw.
    pub seed: u64,
    /// Number of users (default 2,000).
    pub users: usize,
    /// Number of items (default 500).
    pub items: usize,
    /// Days of history (default 730).
    pub days: u32,
    /// Number of physical stores in the sales data (default 3).
    pub stores: usize,
    /// Mean events per user (default 50, so ~100,000 events by default).
    pub events_per_user: f64,
    /// First day of the history (default 2024-01-01).
    pub start: Date,
    /// Language of titles and descriptions.
    pub lang: Lang,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            seed: 42,
            users: 2_000,
            items: 500,
            days: 730,
            stores: 3,
            events_per_user: 50.0,
            start: Date(19_723), // 2024-01-01
            lang: Lang::En,
        }
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A parameter is out of range.
    #[error("invalid generator parameter: {0}")]
    BadParam(String),
    /// Writing an output file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl SynthParams {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), SynthError> {
        let bad = |m: &str| Err(SynthError::BadParam(m.to_owned()));
        if self.users == 0 || self.users > 10_000_000 {
            return bad("users must be between 1 and 10,000,000");
        }
        if self.items < 2 || self.items > 1_000_000 {
            return bad("items must be between 2 and 1,000,000");
        }
        if !(28..=3650).contains(&self.days) {
            return bad("days must be between 28 and 3650");
        }
        if !(1..=50).contains(&self.stores) {
            return bad("stores must be between 1 and 50");
        }
        if !(self.events_per_user > 0.0 && self.events_per_user <= 10_000.0) {
            return bad("events per user must be in (0, 10000]");
        }
        Ok(())
    }

    /// The last day of the history.
    pub fn end(&self) -> Date {
        self.start.add_days(self.days as i32 - 1)
    }
}

/// Row counts of the generated files.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SynthSummary {
    /// Items written.
    pub items: usize,
    /// Users written.
    pub users: usize,
    /// Events written.
    pub events: usize,
    /// Sales rows written.
    pub sales: usize,
    /// Inventory rows written.
    pub inventory: usize,
    /// Orders written (rows are order lines).
    pub orders: usize,
    /// FAQ rows written.
    pub faq: usize,
    /// Intent examples written.
    pub intents: usize,
}

/// The files [`generate`] writes, in the order they should be imported.
pub const FILES: [(&str, &str); 8] = [
    ("items", "items.csv"),
    ("users", "users.csv"),
    ("events", "events.csv"),
    ("sales", "sales.csv"),
    ("inventory", "inventory.csv"),
    ("orders", "orders.csv"),
    ("faq", "faq.csv"),
    ("intents", "intents.csv"),
];

/// Name of the ground-truth file.
pub const GROUND_TRUTH: &str = "ground_truth.json";

/// Dimension of the latent user and item factors.
pub const FACTORS: usize = 8;

/// Generates the demo store into `dir` (created if missing).
pub fn generate(params: &SynthParams, dir: &Path) -> Result<SynthSummary, SynthError> {
    params.validate()?;
    std::fs::create_dir_all(dir).map_err(|source| SynthError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let root = Rng::seed_from_u64(params.seed);
    let catalog = catalog::Catalog::generate(params, &mut root.fork(1));
    let mut summary = SynthSummary {
        items: catalog.items.len(),
        users: catalog.users.len(),
        ..Default::default()
    };

    let mut out = Output::create(dir, "items.csv")?;
    catalog.write_items(&mut out.csv, params)?;
    out.finish()?;
    let mut out = Output::create(dir, "users.csv")?;
    catalog.write_users(&mut out.csv)?;
    out.finish()?;

    let events = behavior::simulate(params, &catalog, &mut root.fork(2));
    summary.events = events.len();
    let mut out = Output::create(dir, "events.csv")?;
    behavior::write_events(&events, &catalog, &mut out.csv)?;
    out.finish()?;

    let mut out = Output::create(dir, "sales.csv")?;
    let truth = sales::simulate(params, &catalog, &mut root.fork(3), &mut out.csv)?;
    summary.sales = truth.rows;
    out.finish()?;

    let mut out = Output::create(dir, "inventory.csv")?;
    summary.inventory =
        service::write_inventory(params, &catalog, &truth, &mut root.fork(4), &mut out.csv)?;
    out.finish()?;
    let mut out = Output::create(dir, "orders.csv")?;
    summary.orders =
        service::write_orders(params, &catalog, &events, &mut root.fork(5), &mut out.csv)?;
    out.finish()?;
    let mut out = Output::create(dir, "faq.csv")?;
    summary.faq = service::write_faq(&mut out.csv)?;
    out.finish()?;
    let mut out = Output::create(dir, "intents.csv")?;
    summary.intents = service::write_intents(&mut out.csv)?;
    out.finish()?;

    let ground_truth = GroundTruth {
        params,
        summary: &summary,
        sales: &truth,
        items: catalog.items.iter().map(catalog::ItemTruth::from).collect(),
        users: catalog.users.iter().map(catalog::UserTruth::from).collect(),
        intents: service::intents(),
    };
    let path = dir.join(GROUND_TRUTH);
    let file = File::create(&path).map_err(|source| SynthError::Io {
        path: path.clone(),
        source,
    })?;
    let mut w = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, &ground_truth).map_err(|e| SynthError::Io {
        path: path.clone(),
        source: e.into(),
    })?;
    w.flush()
        .map_err(|source| SynthError::Io { path, source })?;
    Ok(summary)
}

#[derive(Serialize)]
struct GroundTruth<'a> {
    params: &'a SynthParams,
    summary: &'a SynthSummary,
    sales: &'a sales::SalesTruth,
    items: Vec<catalog::ItemTruth>,
    users: Vec<catalog::UserTruth>,
    intents: Vec<&'static str>,
}

/// A CSV file being written, with its path for error messages.
pub struct Output {
    path: PathBuf,
    /// The CSV writer.
    pub csv: CsvOut,
}

/// The CSV writer type every generator writes to.
pub type CsvOut = csv::Writer<BufWriter<File>>;

impl Output {
    fn create(dir: &Path, name: &str) -> Result<Output, SynthError> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|source| SynthError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Output {
            csv: csv::Writer::from_writer(BufWriter::new(file)),
            path,
        })
    }

    fn finish(mut self) -> Result<(), SynthError> {
        self.csv.flush().map_err(|source| SynthError::Io {
            path: self.path,
            source,
        })
    }
}

/// Converts a CSV write error into a [`SynthError`] (the path is reported by
/// [`Output::finish`]; mid-file errors name the kind of file).
pub(crate) fn write_err(what: &str) -> impl Fn(csv::Error) -> SynthError + '_ {
    move |e| SynthError::Io {
        path: PathBuf::from(what),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Logistic function.
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
