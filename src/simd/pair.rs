//! Two vectors as one: every operation on both halves, one after the other,
//! so that a long dependency chain (the exp's polynomial) runs as two
//! independent chains interleaved instruction by instruction.

use std::marker::PhantomData;
use std::ops::{Add, Div, Mul, Sub};

use super::{MAX_LANES, Vector, check_part, check_permute, check_transposed};
use crate::float::Float;

/// `V` twice: `2 · V::LANES` lanes, the low half first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pair<T, V>(V, V, PhantomData<T>);

impl<T, V> Pair<T, V> {
    /// `a` in the low lanes, `b` in the high ones.
    #[inline(always)]
    pub(crate) fn new(a: V, b: V) -> Self {
        Pair(a, b, PhantomData)
    }

    /// The low and the high vector.
    #[inline(always)]
    pub(crate) fn halves(self) -> (V, V) {
        (self.0, self.1)
    }
}

macro_rules! pair_op {
    ($($trait:ident $method:ident),*) => {$(
        impl<T: Copy, V: Vector<T>> $trait for Pair<T, V> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, o: Self) -> Self {
                Pair::new(self.0.$method(o.0), self.1.$method(o.1))
            }
        }
    )*};
}
pair_op!(Add add, Sub sub, Mul mul, Div div);

// SAFETY: every operation is `V`'s, on `V` values that exist, so a `Pair`
// uses no instruction a `V` would not.
unsafe impl<T: Float, V: Vector<T>> Vector<T> for Pair<T, V> {
    const LANES: usize = 2 * V::LANES;
    const MASKED_STORE_FAST: bool = V::MASKED_STORE_FAST;
    const EXP_TABLE16: bool = V::EXP_TABLE16;
    const TRANSPOSES_IN_REGISTERS: bool = V::TRANSPOSES_IN_REGISTERS;
    const ARGMAX_ACROSS_MIN_COLS: usize = V::ARGMAX_ACROSS_MIN_COLS;
    #[inline(always)]
    fn splat(v: T) -> Self {
        Pair::new(V::splat(v), V::splat(v))
    }
    #[inline(always)]
    fn load(s: &[T]) -> Self {
        Pair::new(V::load(s), V::load(&s[V::LANES..]))
    }
    #[inline(always)]
    unsafe fn load_ptr(p: *const T) -> Self {
        // SAFETY: the caller guarantees 2 · V::LANES readable elements.
        unsafe { Pair::new(V::load_ptr(p), V::load_ptr(p.add(V::LANES))) }
    }
    #[inline(always)]
    unsafe fn store_ptr(self, p: *mut T) {
        // SAFETY: the caller guarantees 2 · V::LANES writable elements.
        unsafe {
            self.0.store_ptr(p);
            self.1.store_ptr(p.add(V::LANES));
        }
    }
    /// Through memory: no kernel permutes a pair in a hot loop.
    fn permute(self, idx: &[i32]) -> Self {
        check_permute(idx, Self::LANES);
        let mut a = [T::ZERO; 2 * MAX_LANES];
        self.store(&mut a);
        let mut r = [T::ZERO; 2 * MAX_LANES];
        for (r, &i) in r.iter_mut().zip(idx) {
            *r = a[i as usize % Self::LANES];
        }
        Self::load(&r)
    }
    #[inline(always)]
    fn load_padded(s: &[T], fill: T) -> Self {
        check_part(s.len(), Self::LANES);
        if s.len() <= V::LANES {
            Pair::new(V::load_padded(s, fill), V::splat(fill))
        } else {
            Pair::new(V::load(s), V::load_padded(&s[V::LANES..], fill))
        }
    }
    #[inline(always)]
    fn store(self, d: &mut [T]) {
        self.0.store(d);
        self.1.store(&mut d[V::LANES..]);
    }
    #[inline(always)]
    fn store_prefix(self, d: &mut [T]) {
        check_part(d.len(), Self::LANES);
        if d.len() <= V::LANES {
            self.0.store_prefix(d);
        } else {
            self.0.store(d);
            self.1.store_prefix(&mut d[V::LANES..]);
        }
    }
    /// The first `V::LANES` rows into the low half, the rest into the
    /// high one, each by `V`'s transpose.
    #[inline(always)]
    fn load_transposed<const COLS: usize>(rows: &[T], g: usize) -> [Self; COLS] {
        check_transposed(rows.len(), g, COLS, Self::LANES);
        let l = V::LANES;
        let lo = V::load_transposed::<COLS>(&rows[..g.min(l) * COLS], g.min(l));
        let hi = if g > l {
            V::load_transposed::<COLS>(&rows[l * COLS..], g - l)
        } else {
            [V::splat(T::ZERO); COLS]
        };
        let mut cols = [Self::splat(T::ZERO); COLS];
        for ((c, lo), hi) in cols.iter_mut().zip(lo).zip(hi) {
            *c = Pair::new(lo, hi);
        }
        cols
    }
    /// As [`Pair::load_transposed`]: each half's rows by `V`'s transpose.
    #[inline(always)]
    fn store_transposed<const COLS: usize>(cols: &[Self; COLS], out: &mut [T], g: usize) {
        check_transposed(out.len(), g, COLS, Self::LANES);
        let l = V::LANES;
        let (mut lo, mut hi) = ([V::splat(T::ZERO); COLS], [V::splat(T::ZERO); COLS]);
        for ((lo, hi), c) in lo.iter_mut().zip(&mut hi).zip(cols) {
            (*lo, *hi) = c.halves();
        }
        V::store_transposed::<COLS>(&lo, &mut out[..g.min(l) * COLS], g.min(l));
        if g > l {
            V::store_transposed::<COLS>(&hi, &mut out[l * COLS..], g - l);
        }
    }
    #[inline(always)]
    fn madd(a: Self, b: Self, c: Self) -> Self {
        Pair::new(V::madd(a.0, b.0, c.0), V::madd(a.1, b.1, c.1))
    }
    #[inline(always)]
    fn madd_one(a: T, b: T, c: T) -> T {
        V::madd_one(a, b, c)
    }
    #[inline(always)]
    fn max_fast(a: Self, b: Self) -> Self {
        Pair::new(V::max_fast(a.0, b.0), V::max_fast(a.1, b.1))
    }
    #[inline(always)]
    fn min_fast(a: Self, b: Self) -> Self {
        Pair::new(V::min_fast(a.0, b.0), V::min_fast(a.1, b.1))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Pair::new(self.0.abs(), self.1.abs())
    }
    #[inline(always)]
    fn select_ge_zero(x: Self, a: Self, b: Self) -> Self {
        Pair::new(
            V::select_ge_zero(x.0, a.0, b.0),
            V::select_ge_zero(x.1, a.1, b.1),
        )
    }
    #[inline(always)]
    fn select_new_max(best: Self, v: Self, a: Self, b: Self) -> Self
    where
        T: Float,
    {
        Pair::new(
            V::select_new_max(best.0, v.0, a.0, b.0),
            V::select_new_max(best.1, v.1, a.1, b.1),
        )
    }
    #[inline(always)]
    fn gt_zero_and(x: Self, v: Self) -> Self {
        Pair::new(V::gt_zero_and(x.0, v.0), V::gt_zero_and(x.1, v.1))
    }
    #[inline(always)]
    fn zero_where_lt(y: Self, x: Self, lo: Self) -> Self {
        Pair::new(
            V::zero_where_lt(y.0, x.0, lo.0),
            V::zero_where_lt(y.1, x.1, lo.1),
        )
    }
    #[inline(always)]
    fn scale_pow2_magic(y: Self, t: Self) -> Self {
        Pair::new(V::scale_pow2_magic(y.0, t.0), V::scale_pow2_magic(y.1, t.1))
    }
    #[inline(always)]
    fn pow2_magic(t: Self) -> Self {
        Pair::new(V::pow2_magic(t.0), V::pow2_magic(t.1))
    }
    #[inline(always)]
    fn mul_pow2(y: Self, n: Self, t: Self) -> Self {
        Pair::new(V::mul_pow2(y.0, n.0, t.0), V::mul_pow2(y.1, n.1, t.1))
    }
    #[inline(always)]
    fn lookup16(table: &[T; 16], t: Self) -> Self {
        Pair::new(V::lookup16(table, t.0), V::lookup16(table, t.1))
    }
    #[inline(always)]
    fn mul_pow2_floor(y: Self, n: Self) -> Self {
        Pair::new(V::mul_pow2_floor(y.0, n.0), V::mul_pow2_floor(y.1, n.1))
    }
    #[inline(always)]
    fn mul_pow2_normal(y: Self, n: Self, t: Self) -> Self {
        Pair::new(
            V::mul_pow2_normal(y.0, n.0, t.0),
            V::mul_pow2_normal(y.1, n.1, t.1),
        )
    }
    #[inline(always)]
    fn one() -> Self {
        Pair::new(V::one(), V::one())
    }
    #[inline(always)]
    fn any_nan(self) -> bool {
        self.0.any_nan() || self.1.any_nan()
    }
    /// The halves added lane-wise, then `V`'s pairwise order.
    #[inline(always)]
    fn reduce_add(self) -> T {
        (self.0 + self.1).reduce_add()
    }
    /// The halves' lane-wise `max_fast(low, high)`, then `V`'s order.
    #[inline(always)]
    fn reduce_max_fast(self) -> T {
        V::max_fast(self.0, self.1).reduce_max_fast()
    }
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::*;
    use crate::simd::portable::F32x8;

    type P = Pair<f32, F32x8>;

    fn lanes() -> [f32; 16] {
        std::array::from_fn(|i| i as f32 * 1.5 - 7.0)
    }

    pub fn loads_and_stores_keep_lane_order() {
        let x = lanes();
        let mut out = [f32::NAN; 16];
        P::load(&x).store(&mut out);
        assert_eq!(out, x);
        for n in 1..=16 {
            let v = P::load_padded(&x[..n], -1.0);
            let mut all = [f32::NAN; 16];
            v.store(&mut all);
            for (i, &a) in all.iter().enumerate() {
                assert_eq!(a, if i < n { x[i] } else { -1.0 }, "n {n} lane {i}");
            }
            let mut part = [f32::NAN; 17];
            v.store_prefix(&mut part[..n]);
            assert_eq!(part[..n], x[..n], "n {n}");
            assert!(
                part[n..].iter().all(|p| p.is_nan()),
                "n {n}: wrote past the prefix"
            );
        }
    }

    pub fn permute_and_reductions_span_both_halves() {
        let x = lanes();
        let idx: [i32; 16] = std::array::from_fn(|i| (i as i32 * 7 + 3) + 16);
        let mut out = [f32::NAN; 16];
        P::load(&x).permute(&idx).store(&mut out);
        for (i, &o) in out.iter().enumerate() {
            assert_eq!(o, x[(i * 7 + 3) % 16], "lane {i}");
        }
        // Every lane a multiple of 1/2 and small: the sum is exact in any
        // order, so it must equal the plain sum.
        assert_eq!(P::load(&x).reduce_add(), x.iter().sum::<f32>());
        let mut y = x;
        y[13] = 100.0;
        assert_eq!(P::load(&y).reduce_max_fast(), 100.0);
        y[13] = -100.0;
        y[2] = 50.0;
        assert_eq!(P::load(&y).reduce_max_fast(), 50.0);
    }
}
