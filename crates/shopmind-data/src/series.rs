//! Whole time series from a stream of points: the canonical `series` CSV
//! (`series_id,t,value`, t an integer step or a date) or the M4 wide CSV,
//! grouped by series id, checked and gap-filled, one series at a time so
//! memory holds only the series in flight.
//!
//! Rules, each failure naming the file, line and field:
//! - a series' points are contiguous in the file (sorted by `series_id`,
//!   then `t`): an id that comes back after another series is refused;
//! - `t` strictly increases within a series (a repeated or earlier `t` is
//!   refused), and is all integer steps or all dates;
//! - a jump in `t` (a missing step or day) is refused unless a [`GapFill`]
//!   is chosen;
//! - values are finite, and non-negative unless negatives are allowed
//!   (demand and sales cannot be negative).

use std::path::Path;

use shopmind_core::record::{Record, SeriesPoint};

use crate::error::{ImportError, RowError};
use crate::m4::M4Reader;
use crate::source::{CsvTable, Header, display_name};
use crate::{CanonicalKind, CanonicalReader};

/// What to do with missing steps inside a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapFill {
    /// Refuse the file, naming the first gap (the default).
    #[default]
    Reject,
    /// Missing steps are zero (no sales that day).
    Zero,
    /// Missing steps repeat the previous value.
    Previous,
    /// Missing steps are linearly interpolated.
    Linear,
}

impl std::str::FromStr for GapFill {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "reject" => Ok(GapFill::Reject),
            "zero" => Ok(GapFill::Zero),
            "previous" => Ok(GapFill::Previous),
            "linear" => Ok(GapFill::Linear),
            _ => Err(format!(
                "unknown gap fill `{s}` (expected reject, zero, previous or linear)"
            )),
        }
    }
}

/// One complete series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Series id.
    pub id: String,
    /// `t` of the first value (days since 1970-01-01 when `t` was a date).
    pub start: i64,
    /// Values, one per step, gaps filled.
    pub values: Vec<f64>,
    /// Steps that were filled.
    pub filled: usize,
}

enum Inner {
    Canonical(CanonicalReader),
    M4(M4Reader),
}

/// Reads whole series from a series CSV or an M4 file.
pub struct SeriesReader {
    inner: Inner,
    file: String,
    fill: GapFill,
    allow_negative: bool,
    current: Option<(Series, i64)>,
    finished: std::collections::HashSet<String>,
    done: bool,
}

impl SeriesReader {
    /// Opens a canonical series CSV (`m4 = false`) or an M4 wide CSV.
    pub fn open(
        path: &Path,
        m4: bool,
        fill: GapFill,
        allow_negative: bool,
    ) -> Result<Self, ImportError> {
        let inner = if m4 {
            Inner::M4(M4Reader::open(path)?)
        } else {
            Inner::Canonical(CanonicalReader::new(
                CsvTable::open(path, b',', Header::InFile)?,
                CanonicalKind::Series,
            )?)
        };
        Ok(SeriesReader {
            inner,
            file: display_name(path),
            fill,
            allow_negative,
            current: None,
            finished: Default::default(),
            done: false,
        })
    }

    fn next_point(&mut self) -> Option<Result<(SeriesPoint, u64), ImportError>> {
        let (rec, line) = match &mut self.inner {
            Inner::Canonical(r) => {
                let rec = r.next()?;
                (rec, r.table().last_line())
            }
            Inner::M4(r) => {
                let rec = r.next()?;
                (rec, r.last_line())
            }
        };
        Some(rec.and_then(|rec| match rec {
            Record::Series(p) => Ok((p, line)),
            _ => Err(ImportError::Layout {
                file: self.file.clone(),
                message: "not a series file".into(),
            }),
        }))
    }

    fn row_error(&self, line: u64, column: &str, value: String, message: String) -> ImportError {
        ImportError::Row(RowError {
            file: self.file.clone(),
            line,
            column: column.to_owned(),
            value,
            message,
        })
    }

    /// Adds a point to the series in flight; Some(series) when it completes one.
    fn push(&mut self, p: SeriesPoint, line: u64) -> Result<Option<Series>, ImportError> {
        if !p.value.is_finite() {
            return Err(self.row_error(
                line,
                "value",
                p.value.to_string(),
                "not a finite number".into(),
            ));
        }
        if p.value < 0.0 && !self.allow_negative {
            return Err(self.row_error(
                line,
                "value",
                p.value.to_string(),
                format!("negative value in series {:?}: demand cannot be negative (pass --allow-negative for other series)", p.series_id),
            ));
        }
        let same = self
            .current
            .as_ref()
            .is_some_and(|(s, _)| s.id == p.series_id);
        let mut completed = None;
        if !same {
            if self.finished.contains(&p.series_id) {
                return Err(self.row_error(
                    line,
                    "series_id",
                    p.series_id.clone(),
                    "this series appeared earlier in the file with other series in between: sort the file by series_id, then t".into(),
                ));
            }
            if let Some((done, _)) = self.current.take() {
                self.finished.insert(done.id.clone());
                completed = Some(done);
            }
            self.current = Some((
                Series {
                    id: p.series_id,
                    start: p.t,
                    values: vec![p.value],
                    filled: 0,
                },
                p.t,
            ));
            return Ok(completed);
        }
        let Some((series, last_t)) = self.current.as_mut() else {
            return Ok(None);
        };
        let last_t = *last_t;
        if p.t <= last_t {
            let id = series.id.clone();
            return Err(self.row_error(
                line,
                "t",
                p.t.to_string(),
                format!("series {id:?}: t must increase (previous t was {last_t}); sort the file by series_id, then t"),
            ));
        }
        let gap = p.t - last_t - 1;
        if gap > 0 {
            let prev = series.values.last().copied().unwrap_or(0.0);
            match self.fill {
                GapFill::Reject => {
                    let id = series.id.clone();
                    return Err(self.row_error(
                        line,
                        "t",
                        p.t.to_string(),
                        format!("series {id:?}: {gap} missing step(s) after t = {last_t}; fill them in the file or pass --fill zero|previous|linear"),
                    ));
                }
                GapFill::Zero => series.values.extend(std::iter::repeat_n(0.0, gap as usize)),
                GapFill::Previous => series
                    .values
                    .extend(std::iter::repeat_n(prev, gap as usize)),
                GapFill::Linear => {
                    let step = (p.value - prev) / (gap + 1) as f64;
                    series
                        .values
                        .extend((1..=gap).map(|k| prev + step * k as f64));
                }
            }
            series.filled += gap as usize;
        }
        series.values.push(p.value);
        if let Some((_, t)) = self.current.as_mut() {
            *t = p.t;
        }
        Ok(None)
    }
}

impl Iterator for SeriesReader {
    type Item = Result<Series, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.next_point() {
                None => {
                    self.done = true;
                    return self.current.take().map(|(s, _)| Ok(s));
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Some(Ok((p, line))) => match self.push(p, line) {
                    Ok(Some(series)) => return Some(Ok(series)),
                    Ok(None) => {}
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, fill: GapFill, neg: bool) -> Result<Vec<Series>, ImportError> {
        let dir = tempfile::tempdir().map_err(|source| ImportError::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = dir.path().join("series.csv");
        std::fs::write(&path, text).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        SeriesReader::open(&path, false, fill, neg)?.collect()
    }

    #[test]
    fn groups_and_fills() {
        let text = "series_id,t,value\na,1,1\na,2,2\na,5,5\nb,2024-01-01,3\nb,2024-01-03,4\n";
        let lin = read(text, GapFill::Linear, false).unwrap_or_default();
        assert_eq!(lin.len(), 2);
        assert_eq!(lin[0].values, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((lin[0].filled, lin[1].filled), (2, 1));
        assert_eq!(lin[1].values, vec![3.0, 3.5, 4.0]);
        let zero = read(text, GapFill::Zero, false).unwrap_or_default();
        assert_eq!(zero[0].values, vec![1.0, 2.0, 0.0, 0.0, 5.0]);
        let prev = read(text, GapFill::Previous, false).unwrap_or_default();
        assert_eq!(prev[1].values, vec![3.0, 3.0, 4.0]);
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let gap = read("series_id,t,value\na,1,1\na,3,2\n", GapFill::Reject, false);
        let msg = gap.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("line 3") && msg.contains("`t`") && msg.contains("missing"),
            "{msg}"
        );
        let neg = read("series_id,t,value\na,1,1\na,2,-4\n", GapFill::Reject, false);
        let msg = neg.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("line 3") && msg.contains("negative"), "{msg}");
        assert!(read("series_id,t,value\na,1,1\na,2,-4\n", GapFill::Reject, true).is_ok());
        let text = read("series_id,t,value\na,1,1\na,2,x\n", GapFill::Reject, false);
        let msg = text.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("line 3") && msg.contains("value"), "{msg}");
        let back = read("series_id,t,value\na,1,1\na,1,2\n", GapFill::Reject, false);
        assert!(
            back.err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("must increase")
        );
        let split = read(
            "series_id,t,value\na,1,1\nb,1,2\na,2,3\n",
            GapFill::Reject,
            false,
        );
        assert!(
            split
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("line 4")
        );
    }
}
