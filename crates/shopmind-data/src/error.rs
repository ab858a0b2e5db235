//! Import errors that say where: file, line, column and the offending value.

use std::path::PathBuf;

/// A row that could not be turned into a record. With `--skip-invalid` such
/// rows are counted and skipped; otherwise the first one stops the import.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}, line {line}, column `{column}`: {message} (value: {value:?})")]
pub struct RowError {
    /// File the row came from.
    pub file: String,
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// Column name as written in the header (or a positional name).
    pub column: String,
    /// The offending value, verbatim.
    pub value: String,
    /// What is wrong and, where possible, what would be right.
    pub message: String,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("{file}: missing required column `{column}` (header has: {found})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The canonical column name.
        column: &'static str,
        /// The columns present, comma-separated.
        found: String,
    },
    /// The file's layout is not what the importer expects.
    #[error("{file}: {message}")]
    Layout {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A malformed row.
    #[error(transparent)]
    Row(#[from] RowError),
    /// The file's structure breaks at this row so that the rows after it
    /// cannot be told apart (an unterminated quote, a record over the size
    /// limit): not skippable, since skipping it would drop the rest of the
    /// file with it.
    #[error("{0} (the rest of the file cannot be read past this point; fix the file)")]
    Malformed(RowError),
}

impl ImportError {
    /// The row-level error, if this is one (these may be skipped).
    pub fn as_row(&self) -> Option<&RowError> {
        match self {
            ImportError::Row(r) => Some(r),
            ImportError::Io { .. }
            | ImportError::MissingColumn { .. }
            | ImportError::Layout { .. }
            | ImportError::Malformed(_) => None,
        }
    }
}
