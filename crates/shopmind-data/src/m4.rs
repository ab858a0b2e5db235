//! The M4 competition's wide CSV (Makridakis et al., 2020): a header
//! `"V1","V2",…`, then one row per series with its id in the first column and
//! its observations after it, trailing cells empty for shorter series.
//! Each observation becomes a series point with `t` = 1, 2, ….

use std::path::Path;

use shopmind_core::record::{Record, SeriesPoint};

use crate::error::ImportError;
use crate::source::{CsvOptions, CsvTable, FieldCount};

/// Streams M4 series points.
pub struct M4Reader {
    table: CsvTable,
    pending: Vec<SeriesPoint>,
}

impl M4Reader {
    /// Opens an M4 train or test file.
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let table = CsvTable::open_with(
            path,
            CsvOptions {
                fields: FieldCount::AtMost,
                ..CsvOptions::csv()
            },
        )?;
        if table.columns().first().map(String::as_str) != Some("v1") {
            return Err(ImportError::Layout {
                file: table.file().to_owned(),
                message: "not an M4 wide CSV: the first column must be \"V1\" (the series id)"
                    .into(),
            });
        }
        Ok(M4Reader {
            table,
            pending: Vec::new(),
        })
    }

    /// 1-based line of the series row read last.
    pub fn last_line(&self) -> u64 {
        self.table.last_line()
    }

    /// Bytes read and total bytes (for progress).
    pub fn progress(&self) -> (u64, u64) {
        (self.table.progress.bytes(), self.table.size)
    }
}

impl Iterator for M4Reader {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(p) = self.pending.pop() {
                return Some(Ok(Record::Series(p)));
            }
            let row = match self.table.next_row()? {
                Ok(row) => row,
                Err(e) => return Some(Err(e)),
            };
            let id = match row.text(0) {
                Ok(id) => id,
                Err(e) => return Some(Err(e.into())),
            };
            // Observations end at the first empty cell; a value after a gap is malformed.
            let n = (1..row.len())
                .take_while(|&i| !row.at(i).trim().is_empty())
                .count();
            if let Some(gap) = (n + 1..row.len()).find(|&i| !row.at(i).trim().is_empty()) {
                return Some(Err(row.error(gap, "value after an empty cell").into()));
            }
            let mut points = Vec::with_capacity(n);
            for i in 1..=n {
                match row.number(i) {
                    Ok(value) => points.push(SeriesPoint {
                        series_id: id.clone(),
                        t: i as i64,
                        value,
                    }),
                    Err(e) => return Some(Err(e.into())),
                }
            }
            points.reverse();
            self.pending = points;
        }
    }
}
