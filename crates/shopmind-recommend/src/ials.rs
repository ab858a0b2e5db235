//! Implicit alternating least squares (Hu, Koren & Volinsky, "Collaborative
//! filtering for implicit feedback datasets", ICDM 2008), solved with a few
//! conjugate-gradient steps per user (Takács, Pilászy & Tikk, "Applications of
//! the conjugate gradient method for implicit feedback collaborative
//! filtering", RecSys 2011) or exactly by Cholesky.
//!
//! With preference pᵤᵢ = 1 for observed cells, confidence cᵤᵢ = 1 + α rᵤᵢ
//! (1 for unobserved cells), user factors xᵤ and item factors yᵢ of size k:
//!
//!   L = Σᵤᵢ cᵤᵢ (pᵤᵢ − xᵤ·yᵢ)² + Σᵤ λᵤ ‖xᵤ‖² + Σᵢ λᵢ ‖yᵢ‖²
//!
//! with frequency-scaled penalties λᵤ = λ ((|Iᵤ| + 1) / (n̄ + 1))^ν, n̄ the
//! mean number of observed cells per user (and likewise for items): a row
//! with more data is regularised more, as in Rendle, Krichene, Zhang and
//! Koren, "Revisiting the performance of iALS on item recommendation
//! benchmarks" (RecSys 2022), who scale by (|Iᵤ| + α₀|I|)^ν; dividing by
//! the mean keeps λ on the scale of the unscaled model, which ν = 0 is.
//!
//! Holding Y fixed, each xᵤ solves
//!   (YᵀY + Σ_{i∈Iᵤ} (cᵤᵢ − 1) yᵢyᵢᵀ + λᵤI) xᵤ = Σ_{i∈Iᵤ} cᵤᵢ yᵢ,
//! and symmetrically for Y. The trick of Hu et al.: YᵀY is shared, so a
//! user costs O(k² + |Iᵤ| k) per CG step instead of O(n k²). CG started
//! from the previous factors never increases the quadratic it solves, so L
//! falls every sweep with either solver.
//!
//! A user unseen at fit time is folded in by solving the same system from
//! their history (one k × k solve), which is how new users get answers
//! without retraining.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use shopmind_core::Rng;
use shopmind_core::record::Fnv1a;
use shopmind_core::sparse::CsrMatrix;

use crate::Recommender;
use crate::dataset::Dataset;
use crate::error::RecommendError;
use crate::validate;

mod kernels;

use kernels::{dot, gram, gram_times};

/// How each least-squares system is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Solver {
    /// `cg_steps` conjugate-gradient steps from the previous factors (fast).
    #[serde(rename = "cg")]
    ConjugateGradient,
    /// Exact Cholesky solve (faer), O(k³) per user.
    #[serde(rename = "cholesky")]
    Cholesky,
}

/// iALS parameters (as text parameters: every field by its name).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IalsParams {
    /// Latent dimension k (default 64).
    pub factors: usize,
    /// Sweeps over users then items (default 15).
    pub iterations: usize,
    /// L2 penalty λ (default 17 with `reg_exponent` 0.5; with exponent 0 the
    /// best was 22, of 0.1–100, on MovieLens 100K with binary feedback; it is
    /// not scaled by the data size, so larger data sets may want more).
    pub regularization: f32,
    /// Exponent ν of the frequency scaling of λ (module docs; default 0.5,
    /// 0 turns it off). On MovieLens 100K, ν = 0.5 with λ = 17 beat ν = 0
    /// with λ = 22 both on a validation split carved from the training
    /// file (NDCG@10 0.2719 against 0.2668) and on the protocol's test
    /// split (0.5000 against 0.4926); ν = 0.25 and 1 were between.
    pub reg_exponent: f32,
    /// Confidence scale α in c = 1 + α r (default 1).
    pub alpha: f32,
    /// Solver (default conjugate gradient).
    pub solver: Solver,
    /// CG steps per system (default 3).
    pub cg_steps: usize,
    /// Seed of the initial factors.
    pub seed: u64,
    /// Compute the loss after every sweep (costs about one extra sweep's
    /// worth of dot products; off by default).
    pub track_loss: bool,
}

impl Default for IalsParams {
    fn default() -> Self {
        IalsParams {
            factors: 64,
            iterations: 15,
            regularization: 17.0,
            reg_exponent: 0.5,
            alpha: 1.0,
            solver: Solver::ConjugateGradient,
            cg_steps: 3,
            seed: 42,
            track_loss: false,
        }
    }
}

/// A fitted iALS model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ials {
    params: IalsParams,
    n_users: usize,
    n_items: usize,
    /// Row-major n_users × k.
    user_factors: Vec<f32>,
    /// Row-major n_items × k.
    item_factors: Vec<f32>,
    /// Loss after each sweep (for diagnostics and tests).
    losses: Vec<f64>,
    /// YᵀY of the final item factors (k × k), kept for fold-in.
    item_gram: Vec<f32>,
    /// Mean observed cells per user at fit time (n̄ of a folded-in user's λᵤ).
    mean_user_cells: f32,
    /// Fingerprint of every user's training row: when the history a caller
    /// passes differs (new events since the fit), the user is folded in
    /// again instead of answered from stale factors.
    fingerprints: Vec<u64>,
}

/// FNV-1a over a history's (item, weight bits) pairs, sorted first so that
/// the order of the history does not matter.
fn fingerprint(history: &[(u32, f32)]) -> u64 {
    let mut sorted: Vec<(u32, u32)> = history.iter().map(|(i, w)| (*i, w.to_bits())).collect();
    sorted.sort_unstable();
    let mut h = Fnv1a::new();
    for (i, w) in sorted {
        h.write(&i.to_le_bytes());
        h.write(&w.to_le_bytes());
    }
    h.finish()
}

/// One row's CG solve, multiversioned like [`kernels::gram_block`].
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl+fma", "x86_64+avx2+fma"))]
fn cg_row<'a>(
    sweep: &Sweep<'a>,
    idx: &[u32],
    val: &[f32],
    x: &mut [f32],
    steps: usize,
    scratch: &mut Scratch,
) {
    sweep.cg(idx, val, x, steps, scratch);
}

/// Per-thread CG vectors, reused across rows.
struct Scratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
}

impl Scratch {
    fn new(k: usize) -> Scratch {
        Scratch {
            r: vec![0.0; k],
            p: vec![0.0; k],
            ap: vec![0.0; k],
        }
    }
}

/// One side's sweep: solve every row of `target` against `fixed`.
struct Sweep<'a> {
    matrix: &'a CsrMatrix,
    fixed: &'a [f32],
    gram: &'a [f32],
    k: usize,
    alpha: f32,
    reg: f32,
    /// ν of the module docs.
    reg_exponent: f32,
    /// n̄ of the module docs, for this side.
    mean_cells: f32,
}

/// λ ((n + 1) / (n̄ + 1))^ν.
fn scaled_reg(reg: f32, exponent: f32, cells: usize, mean_cells: f32) -> f32 {
    if exponent == 0.0 {
        return reg;
    }
    reg * ((cells as f32 + 1.0) / (mean_cells + 1.0)).powf(exponent)
}

impl Sweep<'_> {
    /// A x for the system of row `r` (without materialising A).
    #[inline(always)]
    fn apply(&self, reg: f32, idx: &[u32], val: &[f32], x: &[f32], out: &mut [f32]) {
        let k = self.k;
        for (o, &xv) in out.iter_mut().zip(x) {
            *o = reg * xv;
        }
        gram_times(self.gram, x, out);
        for (&i, &r) in idx.iter().zip(val) {
            let y = &self.fixed[i as usize * k..(i as usize + 1) * k];
            let c1 = self.alpha * r; // c − 1
            let s = c1 * dot(y, x);
            for (o, &yv) in out.iter_mut().zip(y) {
                *o += s * yv;
            }
        }
    }

    fn rhs(&self, idx: &[u32], val: &[f32], b: &mut [f32]) {
        b.fill(0.0);
        let k = self.k;
        for (&i, &r) in idx.iter().zip(val) {
            let c = 1.0 + self.alpha * r;
            let y = &self.fixed[i as usize * k..(i as usize + 1) * k];
            for (bv, &yv) in b.iter_mut().zip(y) {
                *bv += c * yv;
            }
        }
    }

    /// Conjugate gradient from `x` (updated in place).
    #[inline(always)]
    fn cg(&self, idx: &[u32], val: &[f32], x: &mut [f32], steps: usize, scratch: &mut Scratch) {
        let k = self.k;
        let reg = scaled_reg(self.reg, self.reg_exponent, idx.len(), self.mean_cells);
        let Scratch { r, p, ap } = scratch;
        // r = b − A x in one pass over the row: −(YᵀY + λI)x, then
        // + (cᵢ − (cᵢ − 1) yᵢ·x) yᵢ for each observed item.
        for (rv, &xv) in r.iter_mut().zip(x.iter()) {
            *rv = reg * xv;
        }
        gram_times(self.gram, x, r);
        for rv in r.iter_mut() {
            *rv = -*rv;
        }
        for (&i, &v) in idx.iter().zip(val) {
            let y = &self.fixed[i as usize * k..(i as usize + 1) * k];
            let c1 = self.alpha * v;
            let s = 1.0 + c1 - c1 * dot(y, x);
            for (rv, &yv) in r.iter_mut().zip(y) {
                *rv += s * yv;
            }
        }
        p.copy_from_slice(r);
        let mut rs_old = dot(r, r);
        for _ in 0..steps {
            if rs_old < 1e-20 {
                break;
            }
            self.apply(reg, idx, val, p, ap);
            let pap = dot(p, ap);
            if pap <= 0.0 {
                break;
            }
            let step = rs_old / pap;
            for a in 0..k {
                x[a] += step * p[a];
                r[a] -= step * ap[a];
            }
            let rs_new = dot(r, r);
            let beta = rs_new / rs_old;
            for a in 0..k {
                p[a] = r[a] + beta * p[a];
            }
            rs_old = rs_new;
        }
    }

    /// Exact solve by Cholesky.
    fn cholesky(&self, idx: &[u32], val: &[f32], x: &mut [f32]) -> Result<(), RecommendError> {
        let k = self.k;
        let reg = scaled_reg(self.reg, self.reg_exponent, idx.len(), self.mean_cells);
        let mut a = Mat::<f32>::from_fn(k, k, |i, j| {
            self.gram[i * k + j] + if i == j { reg } else { 0.0 }
        });
        for (&i, &r) in idx.iter().zip(val) {
            let y = &self.fixed[i as usize * k..(i as usize + 1) * k];
            let c1 = self.alpha * r;
            for p in 0..k {
                for q in 0..k {
                    a[(p, q)] += c1 * y[p] * y[q];
                }
            }
        }
        let mut b = vec![0f32; k];
        self.rhs(idx, val, &mut b);
        let llt = a
            .llt(Side::Lower)
            .map_err(|_| RecommendError::NotPositiveDefinite("iALS"))?;
        let mut rhs = Mat::<f32>::from_fn(k, 1, |i, _| b[i]);
        llt.solve_in_place(rhs.as_mut());
        for (i, xv) in x.iter_mut().enumerate() {
            *xv = rhs[(i, 0)];
        }
        Ok(())
    }

    fn run(
        &self,
        target: &mut [f32],
        solver: Solver,
        cg_steps: usize,
    ) -> Result<(), RecommendError> {
        let k = self.k;
        target.par_chunks_mut(k).enumerate().try_for_each_init(
            || Scratch::new(k),
            |scratch, (r, x)| {
                let (idx, val) = self.matrix.row(r);
                match solver {
                    Solver::ConjugateGradient => {
                        cg_row(self, idx, val, x, cg_steps, scratch);
                        Ok(())
                    }
                    Solver::Cholesky => self.cholesky(idx, val, x),
                }
            },
        )
    }
}

impl IalsParams {
    /// Checks the parameters' ranges.
    pub fn validate(&self) -> Result<(), RecommendError> {
        validate::count("factors", self.factors, 1, 1024)?;
        validate::count("iterations", self.iterations, 1, usize::MAX)?;
        validate::positive("regularization", self.regularization)?;
        validate::non_negative("reg_exponent", self.reg_exponent)?;
        if self.reg_exponent > 2.0 {
            return Err(RecommendError::BadParam {
                param: "reg_exponent".into(),
                value: self.reg_exponent.to_string(),
                reason: "must be between 0 and 2".into(),
            });
        }
        validate::non_negative("alpha", self.alpha)?;
        validate::count("cg_steps", self.cg_steps, 1, usize::MAX)
    }

    /// Validates and fits.
    pub fn fit(&self, data: &Dataset) -> Result<Ials, RecommendError> {
        self.validate()?;
        let k = self.factors;
        let (nu, ni) = (data.n_users(), data.n_items());
        let mut rng = Rng::seed_from_u64(self.seed);
        let mut init =
            |n: usize| -> Vec<f32> { (0..n * k).map(|_| (rng.uniform() * 0.01) as f32).collect() };
        let mut user_factors = init(nu);
        let mut item_factors = init(ni);
        let x = &data.matrix;
        let xt = x.transpose();
        let mean_user_cells = x.nnz() as f32 / nu.max(1) as f32;
        let mean_item_cells = x.nnz() as f32 / ni.max(1) as f32;
        let mut model = Ials {
            params: self.clone(),
            n_users: nu,
            n_items: ni,
            user_factors: Vec::new(),
            item_factors: Vec::new(),
            losses: Vec::new(),
            item_gram: Vec::new(),
            mean_user_cells,
            fingerprints: (0..nu as u32)
                .map(|u| fingerprint(&data.history(u)))
                .collect(),
        };
        for _ in 0..self.iterations {
            let g = gram(&item_factors, k);
            Sweep {
                matrix: x,
                fixed: &item_factors,
                gram: &g,
                k,
                alpha: self.alpha,
                reg: self.regularization,
                reg_exponent: self.reg_exponent,
                mean_cells: mean_user_cells,
            }
            .run(&mut user_factors, self.solver, self.cg_steps)?;
            let g = gram(&user_factors, k);
            Sweep {
                matrix: &xt,
                fixed: &user_factors,
                gram: &g,
                k,
                alpha: self.alpha,
                reg: self.regularization,
                reg_exponent: self.reg_exponent,
                mean_cells: mean_item_cells,
            }
            .run(&mut item_factors, self.solver, self.cg_steps)?;
            if self.track_loss {
                let l = loss(
                    x,
                    &user_factors,
                    &item_factors,
                    k,
                    self.alpha,
                    (self.regularization, self.reg_exponent),
                );
                model.losses.push(l);
            }
        }
        model.item_gram = gram(&item_factors, k);
        model.user_factors = user_factors;
        model.item_factors = item_factors;
        Ok(model)
    }
}

/// L of the module doc, computed without visiting unobserved cells:
/// Σ_all (x·y)² = Σᵤ xᵤᵀ(YᵀY)xᵤ, plus for observed cells c(1 − s)² − s².
pub fn loss(
    x: &CsrMatrix,
    users: &[f32],
    items: &[f32],
    k: usize,
    alpha: f32,
    (reg, exponent): (f32, f32),
) -> f64 {
    let g = gram(items, k);
    let mut total = 0f64;
    for (u, xu) in users.chunks_exact(k).enumerate() {
        let mut quad = 0f64;
        for a in 0..k {
            quad += f64::from(xu[a]) * f64::from(dot(&g[a * k..(a + 1) * k], xu));
        }
        total += quad;
        let (idx, val) = x.row(u);
        for (&i, &r) in idx.iter().zip(val) {
            let s = f64::from(dot(xu, &items[i as usize * k..(i as usize + 1) * k]));
            let c = 1.0 + f64::from(alpha) * f64::from(r);
            total += c * (1.0 - s).powi(2) - s * s;
        }
    }
    // Σ_rows λ_row ‖row‖², λ_row frequency-scaled as in the sweeps.
    let penalty = |f: &[f32], cells: &[usize]| {
        let mean = cells.iter().sum::<usize>() as f32 / cells.len().max(1) as f32;
        f.chunks(k)
            .zip(cells)
            .map(|(row, &n)| {
                let norm: f64 = row.iter().map(|v| f64::from(*v).powi(2)).sum();
                f64::from(scaled_reg(reg, exponent, n, mean)) * norm
            })
            .sum::<f64>()
    };
    let user_cells: Vec<usize> = (0..x.rows()).map(|u| x.row(u).0.len()).collect();
    let mut item_cells = vec![0usize; items.len() / k.max(1)];
    for u in 0..x.rows() {
        for &i in x.row(u).0 {
            item_cells[i as usize] += 1;
        }
    }
    total + penalty(users, &user_cells) + penalty(items, &item_cells)
}

impl Ials {
    /// Loss after each sweep (empty unless `track_loss` was set).
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// The factors of user `u`.
    pub fn user_factors(&self, u: u32) -> Option<&[f32]> {
        let k = self.params.factors;
        self.user_factors.get(u as usize * k..(u as usize + 1) * k)
    }

    /// Solves a user's factors from a history (fold-in), exactly.
    pub fn fold_in(&self, history: &[(u32, f32)]) -> Vec<f32> {
        let k = self.params.factors;
        let g = &self.item_gram;
        let (idx, val): (Vec<u32>, Vec<f32>) = history
            .iter()
            .filter(|(i, _)| (*i as usize) < self.n_items)
            .copied()
            .unzip();
        let sweep = Sweep {
            matrix: &CsrMatrix::zeros(0, 0),
            fixed: &self.item_factors,
            gram: g,
            k,
            alpha: self.params.alpha,
            reg: self.params.regularization,
            reg_exponent: self.params.reg_exponent,
            mean_cells: self.mean_user_cells,
        };
        let mut x = vec![0f32; k];
        // k CG steps solve a k × k SPD system exactly (up to rounding).
        sweep.cg(&idx, &val, &mut x, k, &mut Scratch::new(k));
        x
    }
}

impl Recommender for Ials {
    fn name(&self) -> &'static str {
        "ials"
    }
    fn n_items(&self) -> usize {
        self.n_items
    }
    fn score(&self, user: Option<u32>, history: &[(u32, f32)], out: &mut [f32]) {
        let k = self.params.factors;
        let folded;
        // A known user whose history is what the model was fitted on keeps
        // their trained factors; a new user, or one with events since the
        // fit, is folded in from the current history (one k × k solve).
        let x = match user
            .filter(|&u| (u as usize) < self.n_users)
            .filter(|&u| self.fingerprints.get(u as usize) == Some(&fingerprint(history)))
            .and_then(|u| self.user_factors(u))
        {
            Some(x) => x,
            None => {
                folded = self.fold_in(history);
                &folded
            }
        };
        for (o, y) in out.iter_mut().zip(self.item_factors.chunks_exact(k)) {
            *o = dot(x, y);
        }
    }
}

impl Ials {
    /// Zeroes training user `u`'s factors and forgets their history's
    /// fingerprint (a request for them would fold them in afresh).
    pub(crate) fn forget_user(&mut self, u: usize) {
        let k = self.params.factors;
        if let Some(row) = self.user_factors.get_mut(u * k..(u + 1) * k) {
            row.fill(0.0);
        }
        if let Some(f) = self.fingerprints.get_mut(u) {
            *f = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scaled_reg;

    #[test]
    fn frequency_scaled_penalty_by_hand() {
        // λ ((n + 1) / (n̄ + 1))^ν: 10 · (8 / 2)^0.5 = 20; ν = 0 leaves λ.
        assert_eq!(scaled_reg(10.0, 0.5, 7, 1.0), 20.0);
        assert_eq!(scaled_reg(10.0, 0.0, 7, 1.0), 10.0);
        assert_eq!(scaled_reg(10.0, 1.0, 1, 3.0), 5.0);
    }
}
