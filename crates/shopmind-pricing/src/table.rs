//! Tabular training data for price prediction, and its encoding into a
//! dense numeric matrix.
//!
//! A [`Table`] holds named columns, numeric (`NaN` = missing) or
//! categorical. An [`Encoder`] is learned from the training table and applied
//! unchanged to any later table: numeric columns are standardised with the
//! training mean and standard deviation (a missing value becomes the mean,
//! i.e. 0 after standardising); a categorical column becomes one indicator
//! per level seen in training (one-hot), and a level never seen in training
//! encodes as all zeros, so prediction never fails on it.

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; `NaN` marks a missing value.
    Numeric(Vec<f64>),
    /// Labels; the empty string marks a missing value.
    Categorical(Vec<String>),
}

impl Column {
    /// Rows in the column.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A column from text cells: numeric when every non-empty cell parses as
    /// a finite number, else categorical.
    pub fn infer(cells: Vec<String>) -> Column {
        let numeric = cells.iter().all(|c| {
            let c = c.trim();
            c.is_empty() || c.parse::<f64>().is_ok_and(f64::is_finite)
        }) && cells.iter().any(|c| !c.trim().is_empty());
        if numeric {
            Column::Numeric(
                cells
                    .iter()
                    .map(|c| c.trim().parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
            )
        } else {
            Column::Categorical(cells.into_iter().map(|c| c.trim().to_owned()).collect())
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column names.
    pub names: Vec<String>,
    /// Columns, in the order of `names`.
    pub columns: Vec<Column>,
}

/// Why a table cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// Columns of different lengths.
    #[error("column `{name}` has {len} rows, the first column {first}")]
    Ragged {
        /// Offending column.
        name: String,
        /// Its length.
        len: usize,
        /// The first column's length.
        first: usize,
    },
    /// A column the encoder needs is missing.
    #[error("column `{0}` is missing")]
    Missing(String),
    /// A column changed type between training and use.
    #[error("column `{0}` was numeric in training and is not numeric here")]
    NotNumeric(String),
}

impl Table {
    /// A table from named columns, checking their lengths.
    pub fn new(columns: Vec<(String, Column)>) -> Result<Table, TableError> {
        let first = columns.first().map_or(0, |(_, c)| c.len());
        for (name, c) in &columns {
            if c.len() != first {
                return Err(TableError::Ragged {
                    name: name.clone(),
                    len: c.len(),
                    first,
                });
            }
        }
        let (names, columns) = columns.into_iter().unzip();
        Ok(Table { names, columns })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// The rows at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(idx.iter().map(|&i| v[i]).collect()),
                Column::Categorical(v) => {
                    Column::Categorical(idx.iter().map(|&i| v[i].clone()).collect())
                }
            })
            .collect();
        Table {
            names: self.names.clone(),
            columns,
        }
    }
}

/// How one source column encodes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Spec {
    Numeric { mean: f64, scale: f64 },
    Categorical { levels: Vec<String> },
}

/// Encoding learned from a training table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Encoder {
    names: Vec<String>,
    specs: Vec<Spec>,
}

impl Encoder {
    /// Learns the encoding of every column of `table`.
    pub fn fit(table: &Table) -> Encoder {
        let specs = table
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => {
                    let known: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                    let n = known.len().max(1) as f64;
                    let mean = known.iter().sum::<f64>() / n;
                    let var = known.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
                    let scale = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
                    Spec::Numeric { mean, scale }
                }
                Column::Categorical(v) => {
                    let mut levels: Vec<String> =
                        v.iter().filter(|s| !s.is_empty()).cloned().collect();
                    levels.sort_unstable();
                    levels.dedup();
                    Spec::Categorical { levels }
                }
            })
            .collect();
        Encoder {
            names: table.names.clone(),
            specs,
        }
    }

    /// Names of the encoded features (`col` or `col=level`).
    pub fn feature_names(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.specs)
            .flat_map(|(n, s)| match s {
                Spec::Numeric { .. } => vec![n.clone()],
                Spec::Categorical { levels } => levels.iter().map(|l| format!("{n}={l}")).collect(),
            })
            .collect()
    }

    /// Number of encoded features.
    pub fn width(&self) -> usize {
        self.specs
            .iter()
            .map(|s| match s {
                Spec::Numeric { .. } => 1,
                Spec::Categorical { levels } => levels.len(),
            })
            .sum()
    }

    /// Encodes `table` (which must hold the training columns, by name) into
    /// a row-major matrix of [`Encoder::width`] columns. `keep_missing`
    /// leaves a missing number as `NaN` (trees route it) instead of the mean.
    pub fn encode(&self, table: &Table, keep_missing: bool) -> Result<Vec<f64>, TableError> {
        let rows = table.rows();
        let width = self.width();
        let mut out = vec![0.0; rows * width];
        let mut at = 0;
        for (name, spec) in self.names.iter().zip(&self.specs) {
            let col = table
                .column(name)
                .ok_or_else(|| TableError::Missing(name.clone()))?;
            match (spec, col) {
                (Spec::Numeric { mean, scale }, Column::Numeric(v)) => {
                    for (r, x) in v.iter().enumerate() {
                        out[r * width + at] = if x.is_finite() {
                            (x - mean) / scale
                        } else if keep_missing {
                            f64::NAN
                        } else {
                            0.0
                        };
                    }
                    at += 1;
                }
                (Spec::Numeric { .. }, Column::Categorical(v)) => {
                    // A column of empty cells reads as text: all missing is fine.
                    if v.iter().any(|s| !s.is_empty()) {
                        return Err(TableError::NotNumeric(name.clone()));
                    }
                    let fill = if keep_missing { f64::NAN } else { 0.0 };
                    for r in 0..rows {
                        out[r * width + at] = fill;
                    }
                    at += 1;
                }
                (Spec::Categorical { levels }, col) => {
                    let label = |r: usize| -> String {
                        match col {
                            Column::Categorical(v) => v[r].clone(),
                            Column::Numeric(v) => format_number(v[r]),
                        }
                    };
                    for r in 0..rows {
                        if let Ok(j) = levels.binary_search(&label(r)) {
                            out[r * width + at + j] = 1.0;
                        }
                    }
                    at += levels.len();
                }
            }
        }
        Ok(out)
    }
}

/// A number as a categorical label (`3` rather than `3.0`).
fn format_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn columns_infer_their_type_and_encode_by_hand() {
        let Column::Numeric(v) = Column::infer(s(&["1", " 2.5", ""])) else {
            panic!("numeric expected");
        };
        assert_eq!((v[0], v[1], v[2].is_nan()), (1.0, 2.5, true));
        assert!(matches!(
            Column::infer(s(&["1", "x"])),
            Column::Categorical(_)
        ));
        let t = Table::new(vec![
            ("a".into(), Column::Numeric(vec![1.0, 3.0, f64::NAN])),
            ("c".into(), Column::Categorical(s(&["red", "blue", "red"]))),
        ])
        .unwrap();
        let e = Encoder::fit(&t);
        assert_eq!(e.feature_names(), ["a", "c=blue", "c=red"]);
        // a: mean 2, population sd 1 → −1, +1, missing → 0 (or NaN).
        assert_eq!(
            e.encode(&t, false).unwrap(),
            [-1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        );
        assert!(e.encode(&t, true).unwrap()[6].is_nan());
        // An unseen level encodes as zeros; a missing column is an error.
        let new = Table::new(vec![
            ("c".into(), Column::Categorical(s(&["green"]))),
            ("a".into(), Column::Numeric(vec![2.0])),
        ])
        .unwrap();
        assert_eq!(e.encode(&new, false).unwrap(), [0.0, 0.0, 0.0]);
        let only_a = Table::new(vec![("a".into(), Column::Numeric(vec![2.0]))]).unwrap();
        assert_eq!(
            e.encode(&only_a, false),
            Err(TableError::Missing("c".into()))
        );
        assert!(matches!(
            Table::new(vec![
                ("a".into(), Column::Numeric(vec![1.0])),
                ("b".into(), Column::Numeric(vec![])),
            ]),
            Err(TableError::Ragged { .. })
        ));
    }
}
