//! Portable (`wide`) softmax of one row, in three passes: max, exp-store-sum,
//! scale. Its scalar definition is [`crate::reference::softmax_row_f64`].

use crate::Float;
use crate::simd::{Lanes, map, map_inplace};

/// Maximum of the row, ignoring NaN (NaN is caught later: it turns the sum
/// into NaN). `-inf` for a row of only `-inf` and NaN.
#[inline(always)]
fn row_max<T: Float>(row: &[T]) -> T {
    let mut acc = T::Vector::splat(T::NEG_INFINITY);
    let mut chunks = row.chunks_exact(T::Vector::LANES);
    for c in &mut chunks {
        acc = acc.max(T::Vector::load(c));
    }
    acc = acc.max(T::Vector::load_padded(chunks.remainder(), T::NEG_INFINITY));
    acc.reduce_max()
}

/// The value that fills a row whose max is not finite, by the documented
/// rules: `+inf` gives NaN; only `-inf` and NaN gives NaN, or zeros when
/// `masked` and there is no NaN.
#[cold]
fn special_fill<T: Float>(row: &[T], max: T, masked: bool) -> T {
    let all_neg_inf = max == T::NEG_INFINITY && !row.iter().any(|v| v.is_nan());
    if masked && all_neg_inf {
        T::ZERO
    } else {
        T::NAN
    }
}

#[inline(always)]
fn is_finite<T: Float>(v: T) -> bool {
    v > T::NEG_INFINITY && v < T::INFINITY
}

/// Softmax of `src` into `dst` (equal, non-zero lengths).
pub(super) fn softmax_row<T: Float>(src: &[T], dst: &mut [T], masked: bool) {
    let max = row_max(src);
    if !is_finite(max) {
        dst.fill(special_fill(src, max, masked));
        return;
    }
    let m = T::Vector::splat(max);
    let mut sum = T::Vector::splat(T::ZERO);
    // Padding lanes hold -inf, so they add exp(-inf) = 0 to the sum.
    map::<T, T::Vector>(src, dst, T::NEG_INFINITY, |x| {
        let e = (x - m).map_lanes(T::exp);
        sum = sum + e;
        e
    });
    let inv = T::Vector::splat(T::ONE / sum.reduce_add());
    map_inplace::<T, T::Vector>(dst, T::ZERO, |e| e * inv);
}

/// Softmax of `row` in place (non-empty).
pub(super) fn softmax_row_inplace<T: Float>(row: &mut [T], masked: bool) {
    let max = row_max(row);
    if !is_finite(max) {
        let fill = special_fill(row, max, masked);
        row.fill(fill);
        return;
    }
    let m = T::Vector::splat(max);
    let mut sum = T::Vector::splat(T::ZERO);
    map_inplace::<T, T::Vector>(row, T::NEG_INFINITY, |x| {
        let e = (x - m).map_lanes(T::exp);
        sum = sum + e;
        e
    });
    let inv = T::Vector::splat(T::ONE / sum.reduce_add());
    map_inplace::<T, T::Vector>(row, T::ZERO, |e| e * inv);
}
