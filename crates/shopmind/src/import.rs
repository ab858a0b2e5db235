//! Streaming a file into the store: the importer's records, minus skipped
//! bad rows when asked, go to the store in one transaction.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use indicatif::ProgressBar;
use serde::Serialize;
use shopmind_core::record::Record;
use shopmind_data::{ImportError, ImportKind, Source};
use shopmind_store::{ImportCounts, ImportFailure, ImportOptions, Store};

use crate::progress::bytes_bar;

/// How many skipped rows are described in the report.
const REASONS_KEPT: usize = 5;

/// The outcome of one import.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    /// Import kind.
    pub kind: &'static str,
    /// File imported.
    pub path: String,
    /// Rows written per table.
    pub counts: ImportCounts,
    /// Rows skipped with `--skip-invalid`.
    pub skipped: u64,
    /// The first few skipped rows' errors.
    pub skipped_reasons: Vec<String>,
    /// Layout-specific counters.
    pub notes: Vec<(&'static str, u64)>,
    /// Wall time.
    pub seconds: f64,
}

/// Yields the source's records; with `skip`, row errors are counted instead.
struct Filtered<'a> {
    source: &'a mut Source,
    skip: bool,
    skipped: u64,
    reasons: Vec<String>,
    bar: &'a ProgressBar,
    seen: u64,
}

impl Iterator for Filtered<'_> {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let item = self.source.next()?;
            self.seen += 1;
            if self.seen.is_multiple_of(4096) {
                self.bar.set_position(self.source.progress().0);
            }
            match item {
                Err(e) if self.skip && e.as_row().is_some() => {
                    self.skipped += 1;
                    if self.reasons.len() < REASONS_KEPT {
                        self.reasons.push(e.to_string());
                    }
                }
                other => return Some(other),
            }
        }
    }
}

/// Imports one file. Nothing is stored unless every (non-skipped) row is.
pub async fn import_file(
    store: &Store,
    kind: ImportKind,
    path: &Path,
    skip_invalid: bool,
    batch_size: usize,
) -> anyhow::Result<ImportReport> {
    let start = Instant::now();
    let mut source = Source::open(kind, path)
        .with_context(|| format!("cannot open {} as {}", path.display(), kind.name()))?;
    let bar = bytes_bar(source.progress().1, &format!("import {}", kind.name()));
    let mut filtered = Filtered {
        source: &mut source,
        skip: skip_invalid,
        skipped: 0,
        reasons: Vec::new(),
        bar: &bar,
        seen: 0,
    };
    let opts = ImportOptions { batch_size };
    let result = store
        .import(&mut filtered, &opts, |c| {
            tracing::debug!(records = c.records, "batch committed to the transaction")
        })
        .await;
    bar.finish_and_clear();
    let (skipped, reasons) = (filtered.skipped, filtered.reasons);
    let counts = match result {
        Ok(c) => c,
        Err(ImportFailure::Source(e)) => {
            return Err(anyhow::Error::new(e).context(format!(
                "import of {} failed; nothing was stored (use --skip-invalid to skip bad rows)",
                path.display()
            )));
        }
        Err(ImportFailure::Store(e)) => {
            return Err(anyhow::Error::new(e).context(format!(
                "import of {} failed; nothing was stored",
                path.display()
            )));
        }
    };
    Ok(ImportReport {
        kind: kind.name(),
        path: path.display().to_string(),
        counts,
        skipped,
        skipped_reasons: reasons,
        notes: source.notes(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Prints a report for people.
pub fn print_report(r: &ImportReport) {
    let c = &r.counts;
    outln!(
        "imported {} ({}) in {:.2} s: {} records",
        r.path,
        r.kind,
        r.seconds,
        c.records
    );
    for (name, n) in [
        ("items", c.items),
        ("users", c.users),
        ("events", c.events),
        ("sales", c.sales),
        ("inventory", c.inventory),
        ("orders", c.orders),
        ("faq", c.faq),
        ("intents", c.intents),
        ("series", c.series),
    ] {
        if n > 0 {
            outln!("  {name:<12} {n:>10}");
        }
    }
    for (name, n) in &r.notes {
        outln!("  {name:<26} {n:>10}");
    }
    if r.skipped > 0 {
        outln!("  skipped {} invalid rows; first reasons:", r.skipped);
        for reason in &r.skipped_reasons {
            outln!("    {reason}");
        }
    }
}
