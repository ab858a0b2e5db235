//! EASEᴿ, the closed-form linear autoencoder (Steck, "Embarrassingly
//! shallow autoencoders for sparse data", WWW 2019).
//!
//! With X the users × items matrix and λ the L2 penalty:
//!
//!   G = XᵀX + λI,  P = G⁻¹,  Bᵢⱼ = −Pᵢⱼ / Pⱼⱼ (i ≠ j),  Bⱼⱼ = 0,
//!
//! the minimiser of ‖X − XB‖² + λ‖B‖² under diag(B) = 0. A user with history
//! vector x scores items as xB, so new events count at once.
//!
//! Cost: building G is Σᵤ deg(u)²; the inverse (Cholesky of the SPD G, then
//! P = G⁻¹ via faer) is O(n³) time and two dense n × n `f32` matrices of
//! memory, which is why catalogs above [`MAX_ITEMS`] are refused.

use faer::Mat;
use faer::Side;
use faer::linalg::solvers::DenseSolveCore;
use serde::{Deserialize, Serialize};

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

/// Largest catalog EASE accepts (two 30k × 30k f32 matrices are 7.2 GB).
pub const MAX_ITEMS: usize = 30_000;

/// EASE parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EaseParams {
    /// L2 penalty λ (default 500; the best of 100–800 on MovieLens 100K).
    pub lambda: f32,
}

impl Default for EaseParams {
    fn default() -> Self {
        EaseParams { lambda: 500.0 }
    }
}

/// A fitted EASE model: the dense item-item weight matrix B.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ease {
    n: usize,
    /// B in row-major order: b[i * n + j] = Bᵢⱼ.
    b: Vec<f32>,
}

impl EaseParams {
    /// Checks the parameters' ranges.
    pub fn validate(&self) -> Result<(), RecommendError> {
        validate::positive("lambda", self.lambda)
    }

    /// Validates and fits.
    pub fn fit(&self, data: &Dataset) -> Result<Ease, RecommendError> {
        self.validate()?;
        let n = data.n_items();
        if n > MAX_ITEMS {
            return Err(RecommendError::TooManyItems {
                algorithm: "EASE",
                n,
                max: MAX_ITEMS,
            });
        }
        // G = XᵀX + λI, accumulated user by user (upper triangle, then mirrored).
        let mut g = Mat::<f32>::zeros(n, n);
        for u in 0..data.n_users() {
            let (idx, val) = data.matrix.row(u);
            for (a, (&i, &wi)) in idx.iter().zip(val).enumerate() {
                for (&j, &wj) in idx[a..].iter().zip(&val[a..]) {
                    g[(i as usize, j as usize)] += wi * wj;
                }
            }
        }
        for i in 0..n {
            for j in 0..i {
                g[(i, j)] = g[(j, i)];
            }
            g[(i, i)] += self.lambda;
        }
        let llt = g
            .llt(Side::Lower)
            .map_err(|_| RecommendError::NotPositiveDefinite("EASE"))?;
        let p = llt.inverse();
        let mut b = vec![0f32; n * n];
        for i in 0..n {
            // P is symmetric: row i of P is its column i (contiguous).
            for j in 0..n {
                if i != j {
                    b[i * n + j] = -p[(j, i)] / p[(j, j)];
                }
            }
        }
        Ok(Ease { n, b })
    }
}

impl Ease {
    /// Bᵢⱼ.
    pub fn weight(&self, i: usize, j: usize) -> f32 {
        if i < self.n && j < self.n {
            self.b[i * self.n + j]
        } else {
            0.0
        }
    }
}

impl Recommender for Ease {
    fn name(&self) -> &'static str {
        "ease"
    }
    fn n_items(&self) -> usize {
        self.n
    }
    fn score(&self, _user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        out.fill(0.0);
        for &(i, w) in history {
            // An item unknown to the model (added after fitting) contributes nothing.
            let Some(row) = self.b.get(i as usize * self.n..(i as usize + 1) * self.n) else {
                continue;
            };
            for (o, &bij) in out.iter_mut().zip(row) {
                *o += w * bij;
            }
        }
    }
}
