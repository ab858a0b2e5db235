//! Reading records from the canonical files a batch command names, and
//! writing CSV answers: one reader and one writer for every command.

use std::path::Path;

use anyhow::Context;
use shopmind_core::record::Record;
use shopmind_data::{ImportKind, Source};

/// Every record of `kind` in `path` that `pick` keeps (a MovieLens release
/// holds movies beside ratings; a command takes the ones it needs). A bad
/// row stops the read with an error naming the file, the line and the field.
pub fn read<T>(
    kind: ImportKind,
    path: &Path,
    pick: impl Fn(Record) -> Option<T>,
) -> anyhow::Result<Vec<T>> {
    let source =
        Source::open(kind, path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for r in source {
        if let Some(t) = pick(r.with_context(|| format!("in {}", path.display()))?) {
            out.push(t);
        }
    }
    Ok(out)
}

/// A CSV writer on a new file at `path` (fields quoted as RFC 4180 needs).
pub fn csv_writer(path: &Path) -> anyhow::Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).with_context(|| format!("cannot create {}", path.display()))
}
