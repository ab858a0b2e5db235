//! Multi-row upserts that run unchanged on SQLite and PostgreSQL.
//!
//! `INSERT INTO t (c…) VALUES ($1…), (…) ON CONFLICT (key…) DO UPDATE SET …`
//! is understood by both (SQLite ≥ 3.24). Rows go in chunks sized to stay
//! under both backends' bound-parameter limits (SQLite 32,766; PostgreSQL
//! 65,535). PostgreSQL refuses to touch one row twice in a statement, so
//! callers deduplicate keys within a batch first.
//!
//! Placeholders are the one textual difference: PostgreSQL needs `$n`;
//! SQLite accepts `$n` too, but resolving a named parameter scans SQLite's
//! list of names (`sqlite3_bind_parameter_name` is linear), which makes a
//! 6,000-parameter statement quadratic: 81% of import time in a profile.
//! Anonymous `?` parameters bind in constant time.
//!
//! Nullable floats never travel as a NULL parameter on PostgreSQL. sqlx's
//! `Any` driver (0.9.0, `any/arguments.rs`) encodes a NULL `f64` as a NULL
//! `f32`, so PostgreSQL prepares that parameter as `real`; the prepared
//! statement is cached per connection by its SQL text, and the next use of
//! the same statement with a non-NULL `f64` then sends 8 bytes for a 4-byte
//! parameter ("incorrect binary data format in bind parameter"). Which
//! statement a connection prepared first decided whether a valid write
//! failed. So an absent float is bound as NaN, always typed `float8`, and
//! the placeholder reads `NULLIF($n, 'NaN'::float8)` (PostgreSQL compares
//! NaN equal to NaN). Stored values never are NaN: every number is checked
//! finite before it reaches the store.

use sqlx::{Any, AssertSqlSafe, Transaction};

use crate::Backend;

/// `n` placeholders numbered from `first` (1-based), comma-separated, in the
/// backend's cheapest style.
pub fn placeholders(backend: Backend, first: usize, n: usize) -> String {
    row_placeholders(backend, first, n, |_| false)
}

/// Like [`placeholders`], with the positions for which `nullable_real` holds
/// written so that a NaN bound there stores NULL on PostgreSQL.
fn row_placeholders(
    backend: Backend,
    first: usize,
    n: usize,
    nullable_real: impl Fn(usize) -> bool,
) -> String {
    let mut s = String::with_capacity(n * 4);
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        match backend {
            Backend::Sqlite => s.push('?'),
            Backend::Postgres if nullable_real(i) => {
                s.push_str("NULLIF($");
                s.push_str(&(first + i).to_string());
                s.push_str(", 'NaN'::float8)");
            }
            Backend::Postgres => {
                s.push('$');
                s.push_str(&(first + i).to_string());
            }
        }
    }
    s
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// Nullable text.
    OptText(Option<String>),
    /// Integer.
    Int(i64),
    /// Float.
    Real(f64),
    /// Nullable float.
    OptReal(Option<f64>),
}

/// What to do with a row whose key exists.
#[derive(Debug, Clone, Copy)]
pub enum OnConflict<'a> {
    /// No conflict clause: a plain append into a table without unique keys
    /// (SQLite's staging tables).
    Append,
    /// Keep the stored row.
    Nothing,
    /// Overwrite these columns.
    Update(&'a [&'a str]),
    /// Overwrite these columns unless the new value is NULL (a missing cell
    /// keeps what is stored).
    Coalesce {
        /// Columns that always take the new value.
        set: &'a [&'a str],
        /// Columns that take the new value only when it is not NULL.
        keep_if_null: &'a [&'a str],
    },
}

const MAX_PARAMS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

/// The `INSERT … ON CONFLICT` for `rows` rows shaped like `shape` (the
/// column kinds of every row: a table's rows share them).
fn statement(
    backend: Backend,
    table: &str,
    cols: &[&str],
    key: &[&str],
    on_conflict: OnConflict<'_>,
    shape: &[Value],
    rows: usize,
) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let nullable_real = |i: usize| matches!(shape.get(i), Some(Value::OptReal(_)));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(&row_placeholders(
            backend,
            r * cols.len() + 1,
            cols.len(),
            nullable_real,
        ));
        sql.push(')');
    }
    sql.push_str(&conflict_clause(table, key, on_conflict));
    sql
}

/// ` ON CONFLICT (key…) DO …` for rows written into `table`.
pub(crate) fn conflict_clause(table: &str, key: &[&str], on_conflict: OnConflict<'_>) -> String {
    let mut sql = format!(" ON CONFLICT ({}) DO ", key.join(", "));
    let sets: Vec<String> = match on_conflict {
        OnConflict::Append => return String::new(),
        OnConflict::Nothing => Vec::new(),
        OnConflict::Update(set) => set.iter().map(|c| format!("{c} = excluded.{c}")).collect(),
        OnConflict::Coalesce { set, keep_if_null } => set
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .chain(
                keep_if_null
                    .iter()
                    .map(|c| format!("{c} = COALESCE(excluded.{c}, {table}.{c})")),
            )
            .collect(),
    };
    if sets.is_empty() {
        sql.push_str("NOTHING");
    } else {
        sql.push_str("UPDATE SET ");
        sql.push_str(&sets.join(", "));
    }
    sql
}

/// Upserts `rows` (each `cols.len()` values) into `table` inside `tx`.
pub async fn upsert(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    cols: &[&str],
    key: &[&str],
    on_conflict: OnConflict<'_>,
    rows: &[Vec<Value>],
) -> Result<u64, sqlx::Error> {
    let per_chunk = (MAX_PARAMS / cols.len().max(1)).clamp(1, MAX_ROWS);
    let mut affected = 0;
    let mut full_sql: Option<String> = None;
    let shape = rows.first().map_or(&[][..], Vec::as_slice);
    for chunk in rows.chunks(per_chunk) {
        let sql = if chunk.len() == per_chunk {
            full_sql
                .get_or_insert_with(|| {
                    statement(backend, table, cols, key, on_conflict, shape, per_chunk)
                })
                .clone()
        } else {
            statement(backend, table, cols, key, on_conflict, shape, chunk.len())
        };
        let mut q = sqlx::query::<Any>(AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s.clone()),
                    Value::OptText(s) => q.bind(s.clone()),
                    Value::Int(i) => q.bind(*i),
                    Value::Real(f) => q.bind(*f),
                    Value::OptReal(f) => match backend {
                        Backend::Sqlite => q.bind(*f),
                        Backend::Postgres => q.bind(f.unwrap_or(f64::NAN)),
                    },
                };
            }
        }
        affected += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_shapes() {
        assert_eq!(
            statement(
                Backend::Postgres,
                "t",
                &["a", "b"],
                &["a"],
                OnConflict::Update(&["b"]),
                &[],
                2
            ),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT (a) DO UPDATE SET b = excluded.b"
        );
        assert_eq!(
            statement(
                Backend::Sqlite,
                "t",
                &["a"],
                &["a"],
                OnConflict::Nothing,
                &[],
                2
            ),
            "INSERT INTO t (a) VALUES (?), (?) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            statement(
                Backend::Postgres,
                "t",
                &["a", "b", "c"],
                &["a"],
                OnConflict::Coalesce {
                    set: &["b"],
                    keep_if_null: &["c"]
                },
                &[],
                1
            ),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT (a) DO UPDATE SET b = excluded.b, c = COALESCE(excluded.c, t.c)"
        );
        // A nullable float never binds a typed NULL on PostgreSQL.
        let shape = [Value::Text("a".into()), Value::OptReal(None)];
        assert_eq!(
            statement(
                Backend::Postgres,
                "t",
                &["a", "p"],
                &["a"],
                OnConflict::Nothing,
                &shape,
                2
            ),
            "INSERT INTO t (a, p) VALUES ($1, NULLIF($2, 'NaN'::float8)), ($3, NULLIF($4, 'NaN'::float8)) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            statement(
                Backend::Sqlite,
                "t",
                &["a", "p"],
                &["a"],
                OnConflict::Nothing,
                &shape,
                1
            ),
            "INSERT INTO t (a, p) VALUES (?, ?) ON CONFLICT (a) DO NOTHING"
        );
    }
}
