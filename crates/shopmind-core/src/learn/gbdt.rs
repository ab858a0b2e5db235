//! Gradient-boosted regression trees on histograms of binned features.
//!
//! The model is an additive ensemble F(x) = b + Σₜ η·fₜ(x) of depth-limited
//! regression trees. Each round computes, for the current predictions, the
//! first and second derivatives gᵢ, hᵢ of the loss at every row (see
//! [`super::Objective`]) and grows a tree by Newton boosting (Friedman, "Greedy
//! function approximation", 2001; Chen & Guestrin, "XGBoost", 2016): a node
//! holding rows I with G = Σ gᵢ and H = Σ hᵢ has the optimal leaf value
//! w* = −G / (H + λ), and splitting it into L and R gains
//!
//!   gain = G_L² / (H_L + λ) + G_R² / (H_R + λ) − G² / (H + λ).
//!
//! Features are bucketed once into at most `max_bins` quantile bins
//! (LightGBM's histogram method, Ke et al. 2017), so finding a node's best
//! split costs one pass over its rows per feature plus one pass over the bins.
//! A missing value (NaN) always falls in the lowest bin and goes left.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{LearnError, Objective};
use crate::Rng;

/// Boosting parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtParams {
    /// Boosting rounds (trees).
    pub trees: usize,
    /// Shrinkage η applied to every tree.
    pub learning_rate: f64,
    /// Maximum depth of a tree (1 = stumps).
    pub max_depth: usize,
    /// Fewest rows in a leaf.
    pub min_samples_leaf: usize,
    /// Smallest hessian sum in a leaf.
    pub min_child_weight: f64,
    /// L2 penalty λ on leaf values.
    pub lambda: f64,
    /// Share of rows (or of groups, for ranking) drawn for each tree.
    pub subsample: f64,
    /// Most bins per feature (2..=256).
    pub max_bins: usize,
    /// Seed of the row subsampling.
    pub seed: u64,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            trees: 100,
            learning_rate: 0.1,
            max_depth: 5,
            min_samples_leaf: 20,
            min_child_weight: 1e-3,
            lambda: 1.0,
            subsample: 1.0,
            max_bins: 255,
            seed: 42,
        }
    }
}

/// A dense row-major feature table.
#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    /// `rows × cols` values, row by row.
    pub values: &'a [f32],
    /// Number of features per row.
    pub cols: usize,
}

impl Features<'_> {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.cols).unwrap_or(0)
    }
    fn get(&self, row: usize, col: usize) -> f32 {
        self.values[row * self.cols + col]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Node {
    Leaf(f64),
    Split {
        feature: u32,
        /// Rows with value ≤ threshold (or NaN) go left.
        threshold: f32,
        left: u32,
        right: u32,
    },
}

/// One fitted tree, nodes in creation order with the root first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn predict(&self, row: &[f32]) -> f64 {
        let mut at = 0usize;
        loop {
            match &self.nodes[at] {
                Node::Leaf(v) => return *v,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    let x = row[*feature as usize];
                    at = if x.is_nan() || x <= *threshold {
                        *left as usize
                    } else {
                        *right as usize
                    };
                }
            }
        }
    }
}

/// A fitted boosted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gbdt {
    base: f64,
    trees: Vec<Tree>,
    n_features: usize,
    /// Total split gain per feature over the ensemble (importance).
    gains: Vec<f64>,
}

/// Per-feature bin upper bounds and the binned table (column-major).
struct Binned {
    thresholds: Vec<Vec<f32>>,
    bins: Vec<Vec<u8>>,
}

fn bin_features(x: Features<'_>, max_bins: usize) -> Binned {
    let n = x.rows();
    let (thresholds, bins) = (0..x.cols)
        .into_par_iter()
        .map(|f| {
            let mut vals: Vec<f32> = (0..n)
                .map(|i| x.get(i, f))
                .filter(|v| !v.is_nan())
                .collect();
            vals.sort_by(f32::total_cmp);
            vals.dedup();
            // Upper bounds t_0 < t_1 < … at quantiles of the distinct values;
            // bin(x) = #{t_j < x}, so "bin ≤ b" ⇔ "x ≤ t_b".
            let mut t: Vec<f32> = if vals.len() <= max_bins {
                vals.clone()
            } else {
                (1..max_bins)
                    .map(|q| vals[q * vals.len() / max_bins])
                    .collect()
            };
            t.dedup();
            t.pop(); // the largest value needs no upper bound
            let b: Vec<u8> = (0..n)
                .map(|i| {
                    let v = x.get(i, f);
                    if v.is_nan() {
                        0
                    } else {
                        t.partition_point(|&u| u < v) as u8
                    }
                })
                .collect();
            (t, b)
        })
        .unzip();
    Binned { thresholds, bins }
}

struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
}

impl GbdtParams {
    fn check(&self) -> Result<(), LearnError> {
        let bad = |name: &'static str, why: &str| {
            Err(LearnError::BadParam {
                name,
                reason: why.into(),
            })
        };
        if self.trees == 0 {
            return bad("trees", "must be at least 1");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return bad("learning_rate", "must lie in (0, 1]");
        }
        if self.max_depth == 0 || self.max_depth > 16 {
            return bad("max_depth", "must lie in 1..=16");
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return bad("subsample", "must lie in (0, 1]");
        }
        if !(2..=256).contains(&self.max_bins) {
            return bad("max_bins", "must lie in 2..=256");
        }
        if self.lambda.is_nan() || self.lambda < 0.0 {
            return bad("lambda", "must be ≥ 0");
        }
        Ok(())
    }

    /// Fits the ensemble to the rows of `x` under `objective`.
    pub fn fit(&self, x: Features<'_>, objective: &dyn Objective) -> Result<Gbdt, LearnError> {
        self.check()?;
        let n = x.rows();
        if n == 0 || x.cols == 0 {
            return Err(LearnError::Empty);
        }
        if x.values.iter().any(|v| v.is_infinite()) {
            return Err(LearnError::NonFinite);
        }
        objective.check(n)?;
        let binned = bin_features(x, self.max_bins);
        let base = objective.base_score();
        let mut pred = vec![base; n];
        let (mut grad, mut hess) = (vec![0.0; n], vec![0.0; n]);
        let mut trees = Vec::with_capacity(self.trees);
        let mut gains = vec![0.0; x.cols];
        let rng = Rng::seed_from_u64(self.seed);
        for round in 0..self.trees {
            objective.gradients(&pred, &mut grad, &mut hess);
            let rows = objective.sample(n, self.subsample, &mut rng.fork(round as u64));
            let tree = self.grow(&binned, &grad, &hess, rows, &mut gains);
            // Every row (sampled or not) moves by its leaf's value.
            let mut row = vec![0f32; x.cols];
            for (i, p) in pred.iter_mut().enumerate() {
                row.copy_from_slice(&x.values[i * x.cols..(i + 1) * x.cols]);
                *p += tree.predict(&row);
            }
            trees.push(tree);
        }
        Ok(Gbdt {
            base,
            trees,
            n_features: x.cols,
            gains,
        })
    }

    fn leaf(&self, g: f64, h: f64) -> Node {
        Node::Leaf(-self.learning_rate * g / (h + self.lambda))
    }

    fn grow(
        &self,
        binned: &Binned,
        grad: &[f64],
        hess: &[f64],
        rows: Vec<u32>,
        gains: &mut [f64],
    ) -> Tree {
        let mut nodes = vec![Node::Leaf(0.0)];
        // (node index, its rows, depth)
        let mut open = vec![(0usize, rows, 0usize)];
        while let Some((at, rows, depth)) = open.pop() {
            let (g, h) = rows.iter().fold((0.0, 0.0), |(g, h), &i| {
                (g + grad[i as usize], h + hess[i as usize])
            });
            let split = if depth < self.max_depth && rows.len() >= 2 * self.min_samples_leaf {
                self.best_split(binned, grad, hess, &rows, g, h)
            } else {
                None
            };
            let Some(split) = split else {
                nodes[at] = self.leaf(g, h);
                continue;
            };
            gains[split.feature] += split.gain;
            let col = &binned.bins[split.feature];
            let (l, r): (Vec<u32>, Vec<u32>) = rows
                .iter()
                .partition(|&&i| usize::from(col[i as usize]) <= split.bin);
            let (li, ri) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::Leaf(0.0));
            nodes.push(Node::Leaf(0.0));
            nodes[at] = Node::Split {
                feature: split.feature as u32,
                threshold: binned.thresholds[split.feature][split.bin],
                left: li as u32,
                right: ri as u32,
            };
            open.push((li, l, depth + 1));
            open.push((ri, r, depth + 1));
        }
        Tree { nodes }
    }

    fn best_split(
        &self,
        binned: &Binned,
        grad: &[f64],
        hess: &[f64],
        rows: &[u32],
        g: f64,
        h: f64,
    ) -> Option<Split> {
        let parent = g * g / (h + self.lambda);
        let min_leaf = self.min_samples_leaf.max(1);
        (0..binned.bins.len())
            .into_par_iter()
            .filter_map(|f| {
                let nb = binned.thresholds[f].len() + 1;
                if nb < 2 {
                    return None;
                }
                let mut hist = vec![(0.0f64, 0.0f64, 0usize); nb];
                let col = &binned.bins[f];
                for &i in rows {
                    let e = &mut hist[usize::from(col[i as usize])];
                    e.0 += grad[i as usize];
                    e.1 += hess[i as usize];
                    e.2 += 1;
                }
                let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
                let mut best: Option<Split> = None;
                for (b, e) in hist.iter().enumerate().take(nb - 1) {
                    gl += e.0;
                    hl += e.1;
                    nl += e.2;
                    let (gr, hr, nr) = (g - gl, h - hl, rows.len() - nl);
                    if nl < min_leaf || nr < min_leaf {
                        continue;
                    }
                    if hl < self.min_child_weight || hr < self.min_child_weight {
                        continue;
                    }
                    let gain = gl * gl / (hl + self.lambda) + gr * gr / (hr + self.lambda) - parent;
                    if gain > best.as_ref().map_or(1e-12, |s| s.gain) {
                        best = Some(Split {
                            feature: f,
                            bin: b,
                            gain,
                        });
                    }
                }
                best
            })
            // Ties broken by the lower feature index: deterministic whatever
            // the thread schedule.
            .reduce_with(|a, b| {
                if b.gain > a.gain || (b.gain == a.gain && b.feature < a.feature) {
                    b
                } else {
                    a
                }
            })
    }
}

impl Gbdt {
    /// The raw score F(x) of one row (a logit for the logistic objective).
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.base + self.trees.iter().map(|t| t.predict(row)).sum::<f64>()
    }

    /// Raw scores of every row.
    pub fn predict(&self, x: Features<'_>) -> Vec<f64> {
        x.values
            .par_chunks(x.cols.max(1))
            .map(|r| self.predict_row(r))
            .collect()
    }

    /// Number of features the model was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// Total split gain of each feature, normalised to sum to 1.
    pub fn importance(&self) -> Vec<f64> {
        let total: f64 = self.gains.iter().sum();
        self.gains
            .iter()
            .map(|g| if total > 0.0 { g / total } else { 0.0 })
            .collect()
    }
}
