//! Compressed sparse row (CSR) matrices and the users × items interaction
//! matrix builder.
//!
//! A CSR matrix stores, for each row `r`, the column indices
//! `indices[indptr[r]..indptr[r+1]]` (strictly increasing) and their values in
//! `data` at the same positions. Row access is O(nnz(row)); the transpose
//! (items × users) is built by a counting sort in O(nnz + cols).

use serde::{Deserialize, Serialize};

use crate::record::{EventType, Interaction};

/// A sparse `f32` matrix in CSR layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsrMatrix {
    rows: usize,
    cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
}

/// Why [`CsrMatrix::from_triplets`] refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SparseError {
    /// A triplet points outside the declared shape.
    #[error("entry ({row}, {col}) lies outside a {rows}×{cols} matrix")]
    OutOfBounds {
        /// Row of the entry.
        row: u32,
        /// Column of the entry.
        col: u32,
        /// Declared rows.
        rows: usize,
        /// Declared columns.
        cols: usize,
    },
}

/// How duplicate (row, col) entries combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Aggregate {
    /// Add them (implicit-feedback confidence grows with repeated events).
    #[default]
    Sum,
    /// Keep the largest (the strongest signal counts once).
    Max,
}

impl CsrMatrix {
    /// Removes every stored entry of row `r` (no-op outside the matrix).
    pub fn clear_row(&mut self, r: usize) {
        self.retain(|row, _| row != r);
    }

    /// Removes every stored entry of column `c`.
    pub fn clear_col(&mut self, c: u32) {
        self.retain(|_, col| col != c);
    }

    /// Keeps the entries (row, col) for which `keep` holds; O(nnz).
    fn retain(&mut self, keep: impl Fn(usize, u32) -> bool) {
        let mut indptr = Vec::with_capacity(self.indptr.len());
        indptr.push(0);
        let mut w = 0;
        for r in 0..self.rows {
            for k in self.indptr[r]..self.indptr[r + 1] {
                if keep(r, self.indices[k]) {
                    self.indices[w] = self.indices[k];
                    self.data[w] = self.data[k];
                    w += 1;
                }
            }
            indptr.push(w);
        }
        self.indices.truncate(w);
        self.data.truncate(w);
        self.indptr = indptr;
    }

    /// An all-zero matrix.
    pub fn zeros(rows: usize, cols: usize) -> CsrMatrix {
        CsrMatrix {
            rows,
            cols,
            indptr: vec![0; rows + 1],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Builds from `(row, col, value)` triplets, combining duplicates with `agg`.
    /// Explicit zeros that result are kept out.
    pub fn from_triplets(
        rows: usize,
        cols: usize,
        triplets: &[(u32, u32, f32)],
        agg: Aggregate,
    ) -> Result<CsrMatrix, SparseError> {
        let mut counts = vec![0usize; rows + 1];
        for &(r, c, _) in triplets {
            if r as usize >= rows || c as usize >= cols {
                return Err(SparseError::OutOfBounds {
                    row: r,
                    col: c,
                    rows,
                    cols,
                });
            }
            counts[r as usize + 1] += 1;
        }
        for i in 0..rows {
            counts[i + 1] += counts[i];
        }
        // Bucket by row (counting sort), then sort and merge each row.
        let mut next = counts.clone();
        let mut cols_buf = vec![0u32; triplets.len()];
        let mut vals_buf = vec![0f32; triplets.len()];
        for &(r, c, v) in triplets {
            let pos = next[r as usize];
            cols_buf[pos] = c;
            vals_buf[pos] = v;
            next[r as usize] += 1;
        }
        let mut indptr = Vec::with_capacity(rows + 1);
        let mut indices = Vec::with_capacity(triplets.len());
        let mut data = Vec::with_capacity(triplets.len());
        indptr.push(0);
        let mut row: Vec<(u32, f32)> = Vec::new();
        for r in 0..rows {
            row.clear();
            row.extend((counts[r]..counts[r + 1]).map(|p| (cols_buf[p], vals_buf[p])));
            row.sort_by_key(|&(c, _)| c);
            let mut i = 0;
            while i < row.len() {
                let (c, mut v) = row[i];
                let mut j = i + 1;
                while j < row.len() && row[j].0 == c {
                    v = match agg {
                        Aggregate::Sum => v + row[j].1,
                        Aggregate::Max => v.max(row[j].1),
                    };
                    j += 1;
                }
                if v != 0.0 {
                    indices.push(c);
                    data.push(v);
                }
                i = j;
            }
            indptr.push(indices.len());
        }
        Ok(CsrMatrix {
            rows,
            cols,
            indptr,
            indices,
            data,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Column indices and values of row `r` (empty past the last row).
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        if r >= self.rows {
            return (&[], &[]);
        }
        let span = self.indptr[r]..self.indptr[r + 1];
        (&self.indices[span.clone()], &self.data[span])
    }

    /// Number of stored entries in row `r`.
    pub fn row_nnz(&self, r: usize) -> usize {
        self.row(r).0.len()
    }

    /// The value at (r, c), zero when not stored. O(log nnz(row)).
    pub fn get(&self, r: usize, c: usize) -> f32 {
        let (idx, val) = self.row(r);
        match u32::try_from(c) {
            Ok(c) => idx.binary_search(&c).map_or(0.0, |p| val[p]),
            Err(_) => 0.0,
        }
    }

    /// The row pointer array (`rows + 1` offsets).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// All column indices, row after row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// All values, row after row.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The transpose, in CSR (so the CSC view of this matrix). Column indices
    /// of the result come out sorted because rows are visited in order.
    pub fn transpose(&self) -> CsrMatrix {
        let mut counts = vec![0usize; self.cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.cols {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut indices = vec![0u32; self.nnz()];
        let mut data = vec![0f32; self.nnz()];
        for r in 0..self.rows {
            let (idx, val) = self.row(r);
            for (&c, &v) in idx.iter().zip(val) {
                let pos = next[c as usize];
                indices[pos] = r as u32;
                data[pos] = v;
                next[c as usize] += 1;
            }
        }
        CsrMatrix {
            rows: self.cols,
            cols: self.rows,
            indptr: counts,
            indices,
            data,
        }
    }
}

/// The weight each event type contributes to a user-item cell.
///
/// Ratings contribute `rating × value`; purchases and returns contribute
/// their weight once per event (quantities are not multiplied in, so one bulk
/// order does not drown a loyal shopper's history).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EventWeights {
    /// Weight of a view.
    pub view: f32,
    /// Weight of a click.
    pub click: f32,
    /// Weight of an add-to-cart.
    pub cart: f32,
    /// Weight of a purchase.
    pub purchase: f32,
    /// Multiplier of a rating's value.
    pub rating: f32,
    /// Weight of a dislike (usually negative or zero).
    pub dislike: f32,
    /// Weight of a return (usually negative or zero).
    pub return_: f32,
}

impl Default for EventWeights {
    /// view 1, click 2, cart 3, purchase 5, rating × value, dislike and return 0
    /// (negative feedback is kept out of the confidence matrix and used by
    /// business rules instead).
    fn default() -> Self {
        EventWeights {
            view: 1.0,
            click: 2.0,
            cart: 3.0,
            purchase: 5.0,
            rating: 1.0,
            dislike: 0.0,
            return_: 0.0,
        }
    }
}

impl EventWeights {
    /// The contribution of one event.
    pub fn weight(&self, kind: EventType, value: f32) -> f32 {
        match kind {
            EventType::View => self.view,
            EventType::Click => self.click,
            EventType::Cart => self.cart,
            EventType::Purchase => self.purchase,
            EventType::Rating => self.rating * value,
            EventType::Dislike => self.dislike,
            EventType::Return => self.return_,
        }
    }
}

/// Builds the users × items matrix from interactions.
#[derive(Debug, Clone)]
pub struct InteractionMatrixBuilder {
    users: usize,
    items: usize,
    weights: EventWeights,
    aggregate: Aggregate,
}

impl InteractionMatrixBuilder {
    /// A builder for a `users × items` matrix summing weighted events.
    pub fn new(users: usize, items: usize, weights: EventWeights) -> Self {
        InteractionMatrixBuilder {
            users,
            items,
            weights,
            aggregate: Aggregate::Sum,
        }
    }

    /// How repeated events on the same cell combine.
    pub fn aggregate(mut self, aggregate: Aggregate) -> Self {
        self.aggregate = aggregate;
        self
    }

    /// The matrix. Interactions whose user or item index lies outside the
    /// declared shape are skipped (a snapshot may race with new ids); the
    /// count of skipped ones is returned with it by [`Self::build_counted`].
    pub fn build(&self, interactions: &[Interaction]) -> CsrMatrix {
        self.build_counted(interactions).0
    }

    /// The matrix and the number of out-of-shape interactions skipped.
    pub fn build_counted(&self, interactions: &[Interaction]) -> (CsrMatrix, usize) {
        let mut skipped = 0;
        let triplets: Vec<(u32, u32, f32)> = interactions
            .iter()
            .filter(|i| {
                let ok = (i.user as usize) < self.users && (i.item as usize) < self.items;
                skipped += usize::from(!ok);
                ok
            })
            .map(|i| (i.user, i.item, self.weights.weight(i.kind, i.value)))
            .filter(|t| t.2 != 0.0)
            .collect();
        let m = CsrMatrix::from_triplets(self.users, self.items, &triplets, self.aggregate)
            .unwrap_or_else(|_| CsrMatrix::zeros(self.users, self.items));
        (m, skipped)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn clearing_a_row_or_a_column_removes_exactly_its_entries() {
        let t = [
            (0, 0, 1.0),
            (0, 2, 2.0),
            (1, 1, 3.0),
            (2, 0, 4.0),
            (2, 2, 5.0),
        ];
        let m = CsrMatrix::from_triplets(3, 3, &t, Aggregate::Sum).unwrap();
        let mut r = m.clone();
        r.clear_row(0);
        assert_eq!(
            (r.nnz(), r.get(0, 0), r.get(0, 2), r.get(2, 2)),
            (3, 0.0, 0.0, 5.0)
        );
        assert_eq!(r.row(0).0.len(), 0);
        let mut c = m.clone();
        c.clear_col(0);
        assert_eq!(
            (c.nnz(), c.get(0, 0), c.get(2, 0), c.get(0, 2)),
            (3, 0.0, 0.0, 2.0)
        );
        // Clearing a column of the transpose is clearing the row of the original.
        let mut tt = m.transpose();
        tt.clear_col(0);
        assert_eq!(tt.transpose(), r);
        r.clear_row(99);
        assert_eq!(r.nnz(), 3);
    }
    use super::*;

    fn ev(user: u32, item: u32, kind: EventType, value: f32) -> Interaction {
        Interaction {
            user,
            item,
            kind,
            value,
            timestamp: 0,
        }
    }

    #[test]
    fn builds_hand_computed_matrix_with_weights_and_duplicates() {
        let w = EventWeights::default();
        let events = [
            ev(0, 2, EventType::View, 1.0),
            ev(0, 2, EventType::Purchase, 1.0),
            ev(0, 0, EventType::Rating, 4.0),
            ev(2, 1, EventType::Cart, 1.0),
            ev(2, 1, EventType::Dislike, 1.0), // weight 0: not stored
            ev(1, 3, EventType::Dislike, 1.0),
        ];
        let m = InteractionMatrixBuilder::new(3, 4, w).build(&events);
        assert_eq!(m.indptr(), &[0, 2, 2, 3]);
        assert_eq!(m.indices(), &[0, 2, 1]);
        assert_eq!(m.data(), &[4.0, 6.0, 3.0]);
        assert_eq!(m.get(0, 2), 6.0);
        assert_eq!(m.get(1, 3), 0.0);
        let max = InteractionMatrixBuilder::new(3, 4, w)
            .aggregate(Aggregate::Max)
            .build(&events);
        assert_eq!(max.get(0, 2), 5.0);
    }

    #[test]
    fn transpose_is_an_involution_and_swaps_entries() {
        let t = [
            (0, 1, 1.0),
            (0, 3, 2.0),
            (2, 0, 3.0),
            (2, 3, 4.0),
            (1, 1, 5.0),
        ];
        let m = CsrMatrix::from_triplets(3, 4, &t, Aggregate::Sum).unwrap();
        let mt = m.transpose();
        assert_eq!((mt.rows(), mt.cols()), (4, 3));
        for &(r, c, v) in &t {
            assert_eq!(mt.get(c as usize, r as usize), v);
        }
        assert_eq!(mt.row(1), (&[0u32, 1][..], &[1.0f32, 5.0][..]));
        assert_eq!(mt.transpose(), m);
    }

    #[test]
    fn out_of_bounds_is_an_error_not_a_panic() {
        let err = CsrMatrix::from_triplets(2, 2, &[(2, 0, 1.0)], Aggregate::Sum).unwrap_err();
        assert!(matches!(err, SparseError::OutOfBounds { row: 2, .. }));
        let (m, skipped) = InteractionMatrixBuilder::new(1, 1, EventWeights::default())
            .build_counted(&[
                ev(0, 0, EventType::View, 1.0),
                ev(5, 0, EventType::View, 1.0),
            ]);
        assert_eq!((m.nnz(), skipped), (1, 1));
        assert_eq!(m.row(9), (&[][..], &[][..]));
    }
}
