//! Distribution functions shared by the forecast and inventory engines: the
//! standard normal density, distribution and quantile functions, the normal
//! first-order loss function, and Poisson / negative-binomial probabilities
//! for slow movers.
//!
//! - Φ(x) is computed from the complementary error function, by the
//!   Chebyshev-fitted approximation of Numerical Recipes (2nd ed., §6.2,
//!   `erfcc`; relative error < 1.2·10⁻⁷ everywhere), which is ample for
//!   service levels and interval bounds.
//! - Φ⁻¹(p) is Wichura's algorithm AS 241 (PPND16, Applied Statistics 37,
//!   1988), accurate to about 1e-16.
//! - The standard normal loss function L(z) = E[(Z − z)⁺] = φ(z) − z·(1 − Φ(z))
//!   gives expected units short per cycle: σ·L(z) (Silver, Pyke & Peterson,
//!   *Inventory Management and Production Planning and Scheduling*, 1998, §7).

/// √(2π).
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// Standard normal density φ(x).
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / SQRT_2PI
}

/// Complementary error function erfc(x), |relative error| < 1.2e-7.
///
/// erfc(x) ≈ t·exp(−x² + P(t)) with t = 1/(1 + |x|/2) and P the degree-9
/// polynomial of Numerical Recipes (2nd ed., §6.2, `erfcc`).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal distribution function Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p) (Wichura, AS 241). `p` outside (0, 1)
/// gives ∓∞ at the ends and NaN beyond them.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        let num = ((((((r * 2_509.080_928_730_122_7 + 33_430.575_583_588_13) * r
            + 67_265.770_927_008_7)
            * r
            + 45_921.953_931_549_87)
            * r
            + 13_731.693_765_509_46)
            * r
            + 1_971.590_950_306_551_3)
            * r
            + 133.141_667_891_784_38)
            * r
            + 3.387_132_872_796_366_5;
        let den = ((((((r * 5_226.495_278_852_545 + 28_729.085_735_721_943) * r
            + 39_307.895_800_092_71)
            * r
            + 21_213.794_301_586_597)
            * r
            + 5_394.196_021_424_751)
            * r
            + 687.187_007_492_057_9)
            * r
            + 42.313_330_701_600_91)
            * r
            + 1.0;
        return q * num / den;
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-tail.ln()).sqrt();
    let x = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((r * 7.745_450_142_783_414e-4 + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5;
        let den = ((((((r * 1.050_750_071_644_416_9e-9 + 5.475_938_084_995_345e-4) * r
            + 0.015_198_666_563_616_457)
            * r
            + 0.148_103_976_427_480_08)
            * r
            + 0.689_767_334_985_1)
            * r
            + 1.676_384_830_183_803_8)
            * r
            + 2.053_191_626_637_759)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((r * 2.010_334_399_292_288_1e-7 + 2.711_555_568_743_487_6e-5) * r
            + 1.242_660_947_388_078_4e-3)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103;
        let den = ((((((r * 2.044_263_103_389_939_7e-15 + 1.421_511_758_316_446e-7) * r
            + 1.846_318_317_510_054_8e-5)
            * r
            + 7.868_691_311_456_133e-4)
            * r
            + 0.014_875_361_290_850_615)
            * r
            + 0.136_929_880_922_735_8)
            * r
            + 0.599_832_206_555_888)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 { -x } else { x }
}

/// Standard normal first-order loss L(z) = E[(Z − z)⁺] = φ(z) − z(1 − Φ(z)).
pub fn normal_loss(z: f64) -> f64 {
    normal_pdf(z) - z * (1.0 - normal_cdf(z))
}

/// Inverse of [`normal_loss`]: the z with L(z) = `target` (L is strictly
/// decreasing from +∞ to 0), by bisection on [−10, 10]. `target` ≤ 0 gives
/// 10; a target past L(−10) ≈ 10 gives −10.
pub fn normal_loss_inverse(target: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0_f64, 10.0_f64);
    if target <= 0.0 {
        return hi;
    }
    if target >= normal_loss(lo) {
        return lo;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_loss(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// P(X = k) for X ~ Poisson(λ), computed in log space.
pub fn poisson_pmf(k: u64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    let kf = k as f64;
    (kf * lambda.ln() - lambda - ln_gamma(kf + 1.0)).exp()
}

/// P(X = k) for the negative binomial with mean `mean` and variance
/// `var` > `mean` (r = μ²/(σ² − μ), p = μ/σ²: the number of failures before
/// the r-th success). With `var` ≤ `mean` it is the Poisson(μ).
pub fn neg_binomial_pmf(k: u64, mean: f64, var: f64) -> f64 {
    if var <= mean * (1.0 + 1e-9) || mean <= 0.0 {
        return poisson_pmf(k, mean.max(0.0));
    }
    let p = mean / var;
    let r = mean * mean / (var - mean);
    let kf = k as f64;
    (ln_gamma(kf + r) - ln_gamma(r) - ln_gamma(kf + 1.0) + r * p.ln() + kf * (1.0 - p).ln()).exp()
}

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, n = 9; relative
/// error about 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tables() {
        // Values from any standard normal table (e.g. Abramowitz & Stegun 26.2).
        for (x, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746),
            (1.644_853_627, 0.95),
            (1.959_963_985, 0.975),
            (-2.326_347_874, 0.01),
            (3.0, 0.998_650_102),
        ] {
            assert!(
                (normal_cdf(x) - p).abs() < 2e-7,
                "Φ({x}) = {}",
                normal_cdf(x)
            );
        }
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-12);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((normal_quantile(0.9) - 1.281_551_565_544_600_4).abs() < 1e-12);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-9);
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!(normal_quantile(1.5).is_nan());
        for p in [0.001, 0.02, 0.3, 0.5, 0.77, 0.99, 0.9999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 2e-7);
        }
    }

    #[test]
    fn loss_function_known_values_and_inverse() {
        // Silver, Pyke & Peterson table B.1: G(0) = 0.3989, G(1) = 0.0833, G(2) = 0.0085.
        assert!((normal_loss(0.0) - 0.398_942).abs() < 1e-6);
        assert!((normal_loss(1.0) - 0.083_315).abs() < 1e-5);
        assert!((normal_loss(2.0) - 0.008_491).abs() < 1e-5);
        for z in [-1.5, 0.0, 0.7, 2.2] {
            assert!((normal_loss_inverse(normal_loss(z)) - z).abs() < 1e-6);
        }
    }

    #[test]
    fn discrete_pmfs_sum_to_one_and_match_moments() {
        let pois: Vec<f64> = (0..60).map(|k| poisson_pmf(k, 4.5)).collect();
        assert!((pois.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((poisson_pmf(2, 3.0) - 0.224_041_807_655_388_3).abs() < 1e-12);
        let nb: Vec<f64> = (0..400).map(|k| neg_binomial_pmf(k, 4.0, 10.0)).collect();
        let total: f64 = nb.iter().sum();
        let mean: f64 = nb.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
        let var: f64 = nb
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64 - 4.0).powi(2) * p)
            .sum();
        assert!(
            (total - 1.0).abs() < 1e-9 && (mean - 4.0).abs() < 1e-8 && (var - 10.0).abs() < 1e-6
        );
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
    }
}
