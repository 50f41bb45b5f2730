//! Plain scalar oracles: the definitions every kernel is tested against.
//!
//! These are written for clarity, not speed. The element-wise ones use the
//! kernel's own precision and give the same bits as the kernels; the
//! reductions (softmax, matrix product) accumulate in `f64` and return `f64`,
//! so a kernel's error can be measured against them.
//!
//! Public because they are useful beyond the crate's own tests: to check
//! the kernels on a platform or build the crate was not tested on (the
//! documented bounds are stated against these), to check a user's own
//! kernel or model code against the same definitions, and for the fuzz
//! targets (`fuzz/`), which are a separate crate.

use crate::float::Float;

/// ReLU of one value: `x < 0 ? +0.0 : x` (NumPy's `np.maximum(0, x)`).
///
/// ```
/// use nn_kernels::reference::relu;
/// assert_eq!(relu(-2.0f32), 0.0);
/// assert!(relu(-0.0f64).is_sign_negative()); // -0.0 is not < 0
/// assert!(relu(f32::NAN).is_nan());
/// ```
#[inline(always)]
pub fn relu<T: Float>(x: T) -> T {
    if x < T::ZERO { T::ZERO } else { x }
}

/// The step function of one value: `x > 0 ? 1 : 0`.
///
/// ```
/// use nn_kernels::reference::step;
/// assert_eq!([step(-1.0f32), step(0.0), step(2.0), step(f32::NAN)], [0.0, 0.0, 1.0, 0.0]);
/// ```
#[inline(always)]
pub fn step<T: Float>(x: T) -> T {
    if x > T::ZERO { T::ONE } else { T::ZERO }
}

/// The sigmoid of one value, in `T`'s precision, overflow-free:
/// `1 / (1 + e^-x)` for `x >= 0`, `e^x / (1 + e^x)` otherwise (NaN gives NaN).
///
/// ```
/// use nn_kernels::reference::sigmoid;
/// assert_eq!(sigmoid(0.0f64), 0.5);
/// assert_eq!(sigmoid(-1000.0f64), 0.0); // no overflow in e^1000
/// assert!(sigmoid(f32::NAN).is_nan());
/// ```
#[inline(always)]
pub fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::ZERO {
        T::ONE / (T::ONE + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::ONE + e)
    }
}

/// Softmax of one row in `f64`, by the documented special-value rules:
/// a row with NaN or `+inf` is all NaN; a row of all `-inf` is all NaN, or all
/// zeros when `masked`; otherwise `exp(x - max) / sum`.
///
/// Accurate to a few `f64` ulps even for `f64` input, where a plain
/// `exp(x - max)` would not be: `x - max` is split into its rounded value and
/// its exact rounding error (TwoSum), and `e^(hi + lo)` taken as
/// `e^hi (1 + lo)`; the sum is compensated (Neumaier). Without both, the
/// reference itself would err by `|x - max| · u` (8e-14 at `x - max = -700`)
/// plus `n · u`, more than the kernels it judges.
///
/// ```
/// use nn_kernels::reference::softmax_row_f64;
/// let p = softmax_row_f64(&[0.0f64, 3f64.ln()], false); // e^x = [1, 3]
/// assert!((p[0] - 0.25).abs() < 1e-16 && (p[1] - 0.75).abs() < 1e-16);
/// assert_eq!(softmax_row_f64(&[f32::NEG_INFINITY; 2], true), [0.0, 0.0]);
/// ```
pub fn softmax_row_f64<T: Float>(row: &[T], masked: bool) -> Vec<f64> {
    let (x, max) = match row_and_max(row) {
        Ok(v) => v,
        Err(fill) => {
            return vec![
                if masked && fill == f64::NEG_INFINITY {
                    0.0
                } else {
                    f64::NAN
                };
                row.len()
            ];
        }
    };
    let e: Vec<f64> = x
        .iter()
        .map(|&v| diff_two_sum(v, max).map_or(0.0, |(hi, lo)| hi.exp() * (1.0 + lo)))
        .collect();
    let sum = sum_f64(e.iter().copied());
    e.iter().map(|v| v / sum).collect()
}

/// The row in `f64` and its maximum, or the special case that decides the
/// whole row: `Err(NaN)` when it holds NaN or `+inf`, `Err(-inf)` when every
/// element is `-inf` (or the row is empty).
fn row_and_max<T: Float>(row: &[T]) -> Result<(Vec<f64>, f64), f64> {
    let x: Vec<f64> = row.iter().map(|v| v.to_f64()).collect();
    if x.iter().any(|v| v.is_nan() || *v == f64::INFINITY) {
        return Err(f64::NAN);
    }
    let max = x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    if max == f64::NEG_INFINITY {
        return Err(f64::NEG_INFINITY);
    }
    Ok((x, max))
}

/// `v - max` as `hi + lo` exactly (Knuth's TwoSum: `hi` the rounded
/// difference, `lo` its rounding error), or `None` where the difference is
/// not finite (`v = -inf`, or beyond `f64`'s range), whose exponential is 0.
fn diff_two_sum(v: f64, max: f64) -> Option<(f64, f64)> {
    let hi = v - max;
    if !hi.is_finite() {
        return None;
    }
    let bp = hi - v;
    Some((hi, (v - (hi - bp)) - (max + bp)))
}

/// Log-softmax of one row in `f64`, by the documented special-value rules:
/// a row with NaN or `+inf` is all NaN; a row of all `-inf` is all NaN, or
/// all `-inf` (the log of probability 0) when `masked`; otherwise
/// `x - max - ln Σ exp(x - max)`, with `x - max` split as in
/// [`softmax_row_f64`] (its rounding error added back last) and the sum
/// compensated.
///
/// ```
/// use nn_kernels::reference::log_softmax_row_f64;
/// let y = log_softmax_row_f64(&[0.0f32, 0.0], false);
/// assert!((y[0] + std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn log_softmax_row_f64<T: Float>(row: &[T], masked: bool) -> Vec<f64> {
    let (x, max) = match row_and_max(row) {
        Ok(v) => v,
        Err(fill) => return vec![if masked { fill } else { f64::NAN }; row.len()],
    };
    let sum = sum_f64(
        x.iter()
            .map(|&v| diff_two_sum(v, max).map_or(0.0, |(hi, lo)| hi.exp() * (1.0 + lo))),
    );
    let log_sum = sum.ln();
    x.iter()
        .map(|&v| diff_two_sum(v, max).map_or(f64::NEG_INFINITY, |(hi, lo)| (hi - log_sum) + lo))
        .collect()
}

/// `Σ v` in `f64`, compensated (Neumaier's variant of Kahan summation):
/// within a few ulps of the exact sum whatever the order and length, where
/// a plain sum of `n` terms can err by `n - 1` units. The sum behind
/// [`softmax_row_f64`], and the one to check a row's sum of outputs with.
///
/// ```
/// use nn_kernels::reference::sum_f64;
/// let v = [1e16, 1.0, -1e16];
/// assert_eq!(v.iter().sum::<f64>(), 0.0); // the 1.0 is lost
/// assert_eq!(sum_f64(v), 1.0);
/// ```
pub fn sum_f64(v: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for v in v {
        let t = sum + v;
        comp += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// Index of the row maximum: the first one on ties, and NaN counts as the
/// maximum at its first position (NumPy's `argmax`). `None` for an empty row.
///
/// ```
/// use nn_kernels::reference::argmax;
/// assert_eq!(argmax(&[1.0f32, 3.0, 3.0]), Some(1));
/// assert_eq!(argmax(&[1.0f64, f64::NAN, 9.0]), Some(1));
/// assert_eq!(argmax::<f32>(&[]), None);
/// ```
pub fn argmax<T: Float>(row: &[T]) -> Option<usize> {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v.is_nan() {
            return Some(i);
        }
        if v > row[best] {
            best = i;
        }
    }
    (!row.is_empty()).then_some(best)
}

/// `a (m x k) · b (k x n)` row-major, accumulated in `f64`, plus `bias`
/// (length `n`) per row when given. Returns the product and, per element,
/// `Σ_p |a_ip| |b_pj| + |bias_j|`, the scale that rounding errors of the sum
/// are proportional to.
///
/// # Panics
/// If the slices are shorter than the dims say (this is a test oracle).
///
/// ```
/// use nn_kernels::reference::matmul_f64;
/// // [1 -2] . [[3], [4]] + [1] = -4, scale |3| + |-8| + |1| = 12
/// let (c, scale) = matmul_f64(&[1.0f32, -2.0], &[3.0, 4.0], Some(&[1.0]), 1, 2, 1);
/// assert_eq!((c[0], scale[0]), (-4.0, 12.0));
/// ```
pub fn matmul_f64<T: Float>(
    a: &[T],
    b: &[T],
    bias: Option<&[T]>,
    m: usize,
    k: usize,
    n: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; m * n];
    let mut scale = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut s, mut s_abs) = match bias {
                Some(bias) => (bias[j].to_f64(), bias[j].to_f64().abs()),
                None => (0.0, 0.0),
            };
            for p in 0..k {
                let t = a[i * k + p].to_f64() * b[p * n + j].to_f64();
                s += t;
                s_abs += t.abs();
            }
            out[i * n + j] = s;
            scale[i * n + j] = s_abs;
        }
    }
    (out, scale)
}

/// The dense layer exactly as the AVX2 and AVX-512 tiers compute it, one
/// element at a time: `acc = bias[j]` (zero without a bias), then `acc =
/// fma(x[i][p], w[p][j], acc)` for `p = 0, 1, .., k - 1`, then ReLU if
/// `relu`. Those tiers give these bits for every shape, blocking and thread
/// count; the tests compare them bit for bit.
///
/// ```
/// use nn_kernels::reference::dense_fma_chain;
/// let y = dense_fma_chain(&[1.0f32, -2.0], &[3.0, 4.0], Some(&[1.0]), true, (1, 2, 1));
/// assert_eq!(y, [0.0]); // relu(1 + 3 - 8)
/// ```
pub fn dense_fma_chain<T: Float>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    relu: bool,
    (m, k, n): (usize, usize, usize),
) -> Vec<T> {
    let mut out = vec![T::ZERO; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = bias.map_or(T::ZERO, |b| b[j]);
            for p in 0..k {
                acc = x[i * k + p].mul_add(w[p * n + j], acc);
            }
            out[i * n + j] = if relu { self::relu(acc) } else { acc };
        }
    }
    out
}
