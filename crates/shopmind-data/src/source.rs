//! Streaming CSV input: plain or gzip files, header-name lookup with aliases,
//! line numbers for errors, byte counts for progress bars.
//!
//! Memory stays bounded by one record whatever the file size: rows are read
//! one at a time from a buffered (and, for `.gz`, decompressing) reader by
//! the strict [`RecordReader`](crate::rfc4180::RecordReader). On top of it a
//! [`CsvTable`] enforces what only the header knows: every row has the
//! header's number of fields, text is UTF-8 (or, for layouts known to be
//! Latin-1, decoded as such), and no two columns mean the same thing. Every
//! failure is a row error naming file, line and column.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

use crate::error::{ImportError, RowError};
use crate::rfc4180::{CsvError, RecordReader};

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
pub fn open_file(path: &Path) -> Result<(Box<dyn BufRead + Send>, Progress, u64), ImportError> {
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
    let reader: Box<dyn BufRead + Send> = if gz {
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
/// Latin-1), so no byte is ever lost or replaced. [`CsvTable`] calls it only
/// for [`Encoding::Utf8OrLatin1`] files; others are checked to be UTF-8 when
/// each row is read.
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

/// How a file's bytes become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8; a field that is not is a row error (the canonical formats).
    Utf8,
    /// UTF-8 where valid, else Latin-1 per field (MovieLens' `u.item`).
    Utf8OrLatin1,
}

/// How many fields a row may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldCount {
    /// Exactly as many as the header (or the given names).
    Exact,
    /// At most as many; missing trailing fields read as empty (M4's wide
    /// rows of unequal length).
    AtMost,
}

/// How to read a delimited file.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions<'a> {
    /// Field separator.
    pub delimiter: u8,
    /// Where column names come from.
    pub header: Header<'a>,
    /// Text encoding.
    pub encoding: Encoding,
    /// Field-count rule.
    pub fields: FieldCount,
}

impl<'a> CsvOptions<'a> {
    /// A comma-separated UTF-8 file with a header and exact rows.
    pub fn csv() -> CsvOptions<'static> {
        CsvOptions {
            delimiter: b',',
            header: Header::InFile,
            encoding: Encoding::Utf8,
            fields: FieldCount::Exact,
        }
    }
}

/// A CSV file being read row by row.
pub struct CsvTable {
    file: String,
    reader: RecordReader<Box<dyn BufRead + Send>>,
    encoding: Encoding,
    fields: FieldCount,
    /// Canonical column names, in file order.
    columns: Vec<String>,
    /// Columns as written in the file (for error messages and attributes).
    raw_columns: Vec<String>,
    /// Line of the row read last.
    line: u64,
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
    /// Opens a delimited UTF-8 file with exact rows. With `Header::Names`,
    /// columns are named by position.
    pub fn open(path: &Path, delimiter: u8, header: Header<'_>) -> Result<CsvTable, ImportError> {
        Self::open_with(
            path,
            CsvOptions {
                delimiter,
                header,
                ..CsvOptions::csv()
            },
        )
    }

    /// Opens a delimited file as `opts` say.
    pub fn open_with(path: &Path, opts: CsvOptions<'_>) -> Result<CsvTable, ImportError> {
        let (reader, progress, size) = open_file(path)?;
        let quoting = opts.delimiter != b'\t' && opts.delimiter != b'|';
        let mut table = CsvTable {
            file: display_name(path),
            reader: RecordReader::new(reader, opts.delimiter, quoting),
            encoding: opts.encoding,
            fields: opts.fields,
            columns: Vec::new(),
            raw_columns: Vec::new(),
            line: 0,
            size,
            progress,
        };
        table.raw_columns = match opts.header {
            Header::InFile => {
                if !table.read()? {
                    return Err(ImportError::Layout {
                        file: table.file.clone(),
                        message: "the file is empty: expected a header line naming the columns"
                            .into(),
                    });
                }
                (0..table.reader.len())
                    .map(|i| {
                        decode(table.reader.field(i).unwrap_or(b""))
                            .trim()
                            .to_owned()
                    })
                    .collect()
            }
            Header::Names(names) => names.iter().map(|s| (*s).to_owned()).collect(),
        };
        table.columns = table
            .raw_columns
            .iter()
            .map(|c| canonical_column(c))
            .collect();
        for (i, c) in table.columns.iter().enumerate() {
            if let Some(j) = table.columns[..i].iter().position(|d| d == c)
                && !c.is_empty()
            {
                return Err(ImportError::Layout {
                    file: table.file.clone(),
                    message: format!(
                        "columns `{}` and `{}` both mean `{c}`; keep one",
                        table.raw_columns[j], table.raw_columns[i]
                    ),
                });
            }
        }
        Ok(table)
    }

    /// Reads the next record and checks its text; `false` at the end.
    fn read(&mut self) -> Result<bool, ImportError> {
        let more = self.reader.read_record().map_err(|e| self.csv_error(e))?;
        self.line = self.reader.record_line();
        if more
            && self.encoding == Encoding::Utf8
            && std::str::from_utf8(self.reader.all_bytes()).is_err()
        {
            let bad = (0..self.reader.len())
                .find(|&i| std::str::from_utf8(self.reader.field(i).unwrap_or(b"")).is_err())
                .unwrap_or(0);
            return Err(self
                .row_error(
                    bad,
                    "not UTF-8 text (save the file as UTF-8; invalid bytes shown as \u{fffd})",
                )
                .into());
        }
        Ok(more)
    }

    fn csv_error(&self, e: CsvError) -> ImportError {
        match e.position() {
            None => match e {
                CsvError::Io(source) => ImportError::Io {
                    path: self.file.clone().into(),
                    source,
                },
                other => ImportError::Layout {
                    file: self.file.clone(),
                    message: other.to_string(),
                },
            },
            Some((line, field)) => {
                let row = RowError {
                    file: self.file.clone(),
                    line,
                    column: field.map_or_else(String::new, |f| self.column_name(f)),
                    value: String::new(),
                    message: format!("malformed CSV: {e}"),
                };
                match e {
                    // The reader cannot resynchronise past these.
                    CsvError::UnterminatedQuote { .. } | CsvError::TooLong { .. } => {
                        ImportError::Malformed(row)
                    }
                    _ => ImportError::Row(row),
                }
            }
        }
    }

    fn column_name(&self, idx: usize) -> String {
        self.raw_columns
            .get(idx)
            .cloned()
            .unwrap_or_else(|| format!("#{}", idx + 1))
    }

    fn row_error(&self, idx: usize, message: impl Into<String>) -> RowError {
        RowError {
            file: self.file.clone(),
            line: self.line,
            column: self.column_name(idx),
            value: String::from_utf8_lossy(self.reader.field(idx).unwrap_or(b"")).into_owned(),
            message: message.into(),
        }
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
        self.line
    }

    /// Canonical column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Reads the next row; `None` at the end of the file. A row whose field
    /// count differs from the header's is an error naming its line.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, ImportError>> {
        match self.read() {
            Ok(false) => None,
            Err(e) => Some(Err(e)),
            Ok(true) => {
                let (got, want) = (self.reader.len(), self.raw_columns.len());
                let bad = match self.fields {
                    FieldCount::Exact => got != want,
                    FieldCount::AtMost => got > want,
                };
                if bad {
                    let what = if got > want { "more" } else { "fewer" };
                    let err = RowError {
                        file: self.file.clone(),
                        line: self.line,
                        column: self.column_name(got.min(want)),
                        value: String::new(),
                        message: format!(
                            "{got} fields where the header has {want} ({what} delimiters than columns; quote a field that contains the delimiter)"
                        ),
                    };
                    return Some(Err(err.into()));
                }
                Some(Ok(Row {
                    table: self,
                    line: self.line,
                }))
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

impl Row<'_> {
    /// The text at position `idx` (empty when the row is short).
    pub fn at(&self, idx: usize) -> Cow<'_, str> {
        self.table
            .reader
            .field(idx)
            .map_or(Cow::Borrowed(""), decode)
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
        self.table.reader.len()
    }

    /// True for a row with no fields.
    pub fn is_empty(&self) -> bool {
        self.table.reader.is_empty()
    }

    /// An error about column `idx` of this row.
    pub fn error(&self, idx: usize, message: impl Into<String>) -> RowError {
        self.table.row_error(idx, message)
    }

    /// An error for a record that broke a validation rule, at the column
    /// holding the field at fault: the canonical column named like the field,
    /// else the column an alias in `aliases` (field, column) names, else
    /// `fallback`.
    pub fn record_error(
        &self,
        e: &shopmind_core::record::RecordError,
        aliases: &[(&str, Option<usize>)],
        fallback: usize,
    ) -> RowError {
        let field = e.field();
        let idx = aliases
            .iter()
            .find(|(f, c)| *f == field && c.is_some())
            .and_then(|(_, c)| *c)
            .or_else(|| self.column(field))
            .unwrap_or(fallback);
        self.error(idx, e.to_string())
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
