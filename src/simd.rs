//! The portable vector type behind the kernels: a thin trait over `wide`'s
//! `f32x8` and `f64x4`, so that each kernel is written once for both
//! precisions.
//!
//! Tails shorter than a vector go through the same vector code: they are
//! loaded into a vector padded with a fill value and only the real lanes are
//! stored back, so an element's result never depends on whether it sat in
//! the body or in the tail of a slice.

use std::ops::{Add, Mul, Sub};

use wide::{f32x8, f64x4};

/// Lane-wise operations the kernels need. Implemented for `f32x8` and `f64x4`.
pub trait Lanes<T>: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// Elements per vector.
    const LANES: usize;
    /// Every lane set to `v`.
    fn splat(v: T) -> Self;
    /// Loads the first `LANES` elements of `s` (`s.len() >= LANES`).
    fn load(s: &[T]) -> Self;
    /// Loads `s` (`s.len() <= LANES`) and fills the other lanes with `fill`.
    fn load_padded(s: &[T], fill: T) -> Self;
    /// Stores the first `d.len().min(LANES)` lanes into `d`.
    fn store(self, d: &mut [T]);
    /// `x < 0 ? +0.0 : x`, lane-wise: NaN, -0.0 and +inf pass through.
    fn relu(self) -> Self;
    /// `x > 0 ? 1 : 0`, lane-wise (NaN gives 0).
    fn step(self) -> Self;
    /// Lane-wise maximum that ignores NaN lanes; NaN is tracked separately by
    /// the callers (see `softmax`).
    fn max(self, other: Self) -> Self;
    /// Sum of the lanes, in a fixed order.
    fn reduce_add(self) -> T;
    /// Maximum of the lanes (ignoring NaN lanes, as [`Lanes::max`]).
    fn reduce_max(self) -> T;
    /// Applies a scalar function to every lane.
    fn map_lanes(self, f: impl Fn(T) -> T) -> Self;
}

macro_rules! impl_lanes {
    ($v:ident, $t:ident, $n:literal) => {
        impl Lanes<$t> for $v {
            const LANES: usize = $n;

            #[inline(always)]
            fn splat(v: $t) -> Self {
                $v::splat(v)
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                let a: [$t; $n] = s[..$n].try_into().expect("slice of LANES elements");
                $v::new(a)
            }
            #[inline(always)]
            fn load_padded(s: &[$t], fill: $t) -> Self {
                let mut a = [fill; $n];
                a[..s.len()].copy_from_slice(s);
                $v::new(a)
            }
            #[inline(always)]
            fn store(self, d: &mut [$t]) {
                let len = d.len().min($n);
                d[..len].copy_from_slice(&self.to_array()[..len]);
            }
            #[inline(always)]
            fn relu(self) -> Self {
                // Selecting on `x < 0` (not `max(0, x)`) is what passes NaN
                // and -0.0 through unchanged, bit for bit, as NumPy does.
                self.simd_lt($v::ZERO).select($v::ZERO, self)
            }
            #[inline(always)]
            fn step(self) -> Self {
                self.simd_gt($v::ZERO).select($v::ONE, $v::ZERO)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                $v::max(self, other)
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                // Fixed left-to-right order so the result is reproducible.
                self.to_array().iter().fold(0.0, |s, &v| s + v)
            }
            #[inline(always)]
            fn reduce_max(self) -> $t {
                self.to_array()
                    .iter()
                    .fold($t::NEG_INFINITY, |m, &v| m.max(v))
            }
            #[inline(always)]
            fn map_lanes(self, f: impl Fn($t) -> $t) -> Self {
                $v::new(self.to_array().map(f))
            }
        }
    };
}

impl_lanes!(f32x8, f32, 8);
impl_lanes!(f64x4, f64, 4);

/// `dst[i] = f(src[i])` over whole vectors, tail included, for equal-length
/// slices. `fill` pads the tail's unused lanes (their results are dropped).
#[inline(always)]
pub(crate) fn map<T, V: Lanes<T>>(src: &[T], dst: &mut [T], fill: T, mut f: impl FnMut(V) -> V) {
    debug_assert_eq!(src.len(), dst.len());
    let mut s = src.chunks_exact(V::LANES);
    let mut d = dst.chunks_exact_mut(V::LANES);
    for (s, d) in (&mut s).zip(&mut d) {
        f(V::load(s)).store(d);
    }
    let (s, d) = (s.remainder(), d.into_remainder());
    if !s.is_empty() {
        f(V::load_padded(s, fill)).store(d);
    }
}

/// `buf[i] = f(buf[i])`, the in-place twin of [`map`].
#[inline(always)]
pub(crate) fn map_inplace<T: Copy, V: Lanes<T>>(buf: &mut [T], fill: T, mut f: impl FnMut(V) -> V) {
    let mut d = buf.chunks_exact_mut(V::LANES);
    for d in &mut d {
        f(V::load(d)).store(d);
    }
    let d = d.into_remainder();
    if !d.is_empty() {
        f(V::load_padded(d, fill)).store(d);
    }
}
