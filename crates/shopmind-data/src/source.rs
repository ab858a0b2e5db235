//! Streaming CSV input: plain or gzip files, header-name lookup with aliases,
//! line numbers for errors, byte counts for progress bars.
//!
//! Memory stays bounded by one record whatever the file size: rows are read
//! one at a time from a buffered (and, for `.gz`, decompressing) reader.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use csv::ByteRecord;
use flate2::read::MultiGzDecoder;

use crate::error::{ImportError, RowError};

/// Bytes consumed from the file on disk (compressed bytes for `.gz`), shared
/// with whoever draws the progress bar.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<AtomicU64>);

impl Progress {
    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct CountingReader<R> {
    inner: R,
    count: Progress,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file for streaming, decompressing it when its name ends in `.gz`
/// or its first bytes are the gzip magic number.
pub fn open_file(path: &Path) -> Result<(Box<dyn Read + Send>, Progress, u64), ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(io)?;
    let file = File::open(path).map_err(io)?; // reopen: cheaper than seeking a wrapper
    let progress = Progress::default();
    let counting = CountingReader {
        inner: file,
        count: progress.clone(),
    };
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
        || (n == 2 && magic == [0x1f, 0x8b]);
    let reader: Box<dyn Read + Send> = if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(BufReader::new(counting)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, counting))
    };
    Ok((reader, progress, size))
}

/// The display name used in error messages.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Decodes a field: UTF-8 when valid, else Latin-1 (MovieLens' `u.item` is
/// Latin-1), so no byte is ever lost or replaced.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Lower-cases and trims a header name, drops a UTF-8 byte-order mark, and
/// maps common aliases to the canonical names of `docs/formats.md`.
pub fn canonical_column(name: &str) -> String {
    let n = name
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_");
    match n.as_str() {
        "product_id" | "productid" | "sku" | "stockcode" | "stock_code" | "item" | "itemid"
        | "movieid" | "movie_id" => "item_id".into(),
        "customer_id" | "customerid" | "userid" | "user" | "customer" => "user_id".into(),
        "event" | "type" | "action" | "event_name" => "event_type".into(),
        "time" | "ts" | "datetime" | "event_time" => "timestamp".into(),
        "name" | "product_name" => "title".into(),
        "store" | "shop" | "location" | "storeid" => "store_id".into(),
        "qty" | "quantity" | "sales" | "unit_sales" => "units".into(),
        "label" | "category_label" => "intent".into(),
        _ => n,
    }
}

/// A CSV file being read row by row.
pub struct CsvTable {
    file: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// Canonical column names, in file order.
    columns: Vec<String>,
    /// Columns as written in the file (for error messages and attributes).
    raw_columns: Vec<String>,
    record: ByteRecord,
    /// Total size of the file on disk.
    pub size: u64,
    /// Bytes read so far.
    pub progress: Progress,
}

/// One row of a [`CsvTable`], with what it needs to report errors.
pub struct Row<'a> {
    table: &'a CsvTable,
    /// 1-based line number.
    pub line: u64,
}

impl CsvTable {
    /// Opens a delimited file. With `has_header = false`, columns are named
    /// by `names` (and the file must have at least that many fields per row).
    pub fn open(path: &Path, delimiter: u8, header: Header<'_>) -> Result<CsvTable, ImportError> {
        let (reader, progress, size) = open_file(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(matches!(header, Header::InFile))
            .flexible(true)
            .quoting(delimiter != b'\t' && delimiter != b'|')
            .from_reader(reader);
        let file = display_name(path);
        let raw_columns: Vec<String> = match header {
            Header::InFile => reader
                .byte_headers()
                .map_err(|e| csv_error(&file, 1, e))?
                .iter()
                .map(|h| decode(h).trim().to_owned())
                .collect(),
            Header::Names(names) => names.iter().map(|s| (*s).to_owned()).collect(),
        };
        let columns = raw_columns.iter().map(|c| canonical_column(c)).collect();
        Ok(CsvTable {
            file,
            reader,
            columns,
            raw_columns,
            record: ByteRecord::new(),
            size,
            progress,
        })
    }

    /// The file's display name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Position of a canonical column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Position of a required canonical column, or a [`ImportError::MissingColumn`].
    pub fn require(&self, name: &'static str) -> Result<usize, ImportError> {
        self.column(name).ok_or_else(|| ImportError::MissingColumn {
            file: self.file.clone(),
            column: name,
            found: self.raw_columns.join(", "),
        })
    }

    /// 1-based line of the row read last (0 before the first).
    pub fn last_line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// Canonical column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Reads the next row; `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, ImportError>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                Some(Ok(Row { table: self, line }))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    let path = self.file.clone().into();
                    return Some(Err(match e.into_kind() {
                        csv::ErrorKind::Io(source) => ImportError::Io { path, source },
                        _ => ImportError::Layout {
                            file: self.file.clone(),
                            message: "read failed".into(),
                        },
                    }));
                }
                Some(Err(csv_error(&self.file, line, e).into()))
            }
        }
    }
}

/// Where column names come from.
#[derive(Debug, Clone, Copy)]
pub enum Header<'a> {
    /// The first line of the file.
    InFile,
    /// The file has no header; these are the names by position.
    Names(&'a [&'a str]),
}

fn csv_error(file: &str, line: u64, e: csv::Error) -> RowError {
    RowError {
        file: file.to_owned(),
        line,
        column: String::new(),
        value: String::new(),
        message: format!("malformed CSV: {e}"),
    }
}

impl Row<'_> {
    /// The raw text at position `idx` (empty when the row is short).
    pub fn at(&self, idx: usize) -> Cow<'_, str> {
        self.table.record.get(idx).map_or(Cow::Borrowed(""), decode)
    }

    /// Trimmed text at `idx`, `None` when empty or absent.
    pub fn opt(&self, idx: Option<usize>) -> Option<String> {
        let v = self.at(idx?);
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// Position of a canonical column of the table.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.table.column(name)
    }

    /// Number of fields in this row.
    pub fn len(&self) -> usize {
        self.table.record.len()
    }

    /// True for a row with no fields.
    pub fn is_empty(&self) -> bool {
        self.table.record.is_empty()
    }

    /// An error about column `idx` of this row.
    pub fn error(&self, idx: usize, message: impl Into<String>) -> RowError {
        RowError {
            file: self.table.file.clone(),
            line: self.line,
            column: self
                .table
                .raw_columns
                .get(idx)
                .cloned()
                .unwrap_or_else(|| format!("#{}", idx + 1)),
            value: self.at(idx).into_owned(),
            message: message.into(),
        }
    }

    /// A required non-empty text field.
    pub fn text(&self, idx: usize) -> Result<String, RowError> {
        self.opt(Some(idx))
            .ok_or_else(|| self.error(idx, "required value is empty"))
    }

    /// A required number.
    pub fn number(&self, idx: usize) -> Result<f64, RowError> {
        let raw = self.at(idx);
        let v = raw.trim();
        if v.is_empty() {
            return Err(self.error(idx, "required number is empty"));
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.error(idx, "not a number")),
        }
    }

    /// An optional number (empty → `None`).
    pub fn opt_number(&self, idx: Option<usize>) -> Result<Option<f64>, RowError> {
        match idx {
            Some(i) if !self.at(i).trim().is_empty() => self.number(i).map(Some),
            _ => Ok(None),
        }
    }

    /// An optional boolean: 1/0, true/false, yes/no, y/n.
    pub fn opt_bool(&self, idx: Option<usize>) -> Result<Option<bool>, RowError> {
        let Some(i) = idx else { return Ok(None) };
        match self.at(i).trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "1" | "true" | "yes" | "y" | "t" => Ok(Some(true)),
            "0" | "false" | "no" | "n" | "f" => Ok(Some(false)),
            _ => Err(self.error(i, "expected 1/0, true/false or yes/no")),
        }
    }

    /// The columns not in `used`, as attributes keyed by their header name.
    pub fn attributes(&self, used: &[usize]) -> shopmind_core::record::Attributes {
        (0..self.table.raw_columns.len())
            .filter(|i| !used.contains(i))
            .filter_map(|i| {
                let v = self.at(i);
                let v = v.trim();
                (!v.is_empty()).then(|| (self.table.columns[i].clone(), v.to_owned()))
            })
            .collect()
    }
}
