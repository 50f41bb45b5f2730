//! Macros for the two x86 tiers (`avx2.rs`, `avx512.rs`): the parts of
//! their [`Vector`](super::Vector) implementations that differ only in the
//! intrinsics' names, and the horizontal folds both use.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// `Add`, `Sub`, `Mul` and `Div` for an x86 vector newtype `$v(raw)`, each
/// one intrinsic. The caller's module documents why calling them is sound
/// (values of `$v` only exist on CPUs with the intrinsics' features).
#[cfg(target_arch = "x86_64")]
macro_rules! x86_arith_ops {
    ($v:ident, $add:ident, $sub:ident, $mul:ident, $div:ident) => {
        $crate::simd::x86_arith_ops!(@op $v, Add, add, $add);
        $crate::simd::x86_arith_ops!(@op $v, Sub, sub, $sub);
        $crate::simd::x86_arith_ops!(@op $v, Mul, mul, $mul);
        $crate::simd::x86_arith_ops!(@op $v, Div, div, $div);
    };
    (@op $v:ident, $trait:ident, $method:ident, $intrinsic:ident) => {
        impl std::ops::$trait for $v {
            type Output = Self;
            #[inline(always)]
            fn $method(self, o: Self) -> Self {
                // SAFETY: see the module docs: a `$v` exists only on a CPU
                // with the features this intrinsic needs.
                $v(unsafe { $intrinsic(self.0, o.0) })
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_arith_ops;

/// The `Vector` methods whose bodies are the same on AVX2 and AVX-512 but
/// for the intrinsics' names, expanded inside each `impl Vector`. The
/// caller's module documents why calling the intrinsics is sound.
#[cfg(target_arch = "x86_64")]
macro_rules! x86_shared_methods {
    (
        $v:ident, $t:ident, $n:literal, $set1:ident, $fmadd:ident, $max:ident, $min:ident,
        $to_int:ident, $from_int:ident, $add_int:ident, $shl:ident, $mant:literal,
        $loadu:ident, $storeu:ident, $permute:ident, $fold:ident
    ) => {
        #[inline(always)]
        unsafe fn load_ptr(p: *const $t) -> Self {
            // SAFETY: the caller guarantees $n readable elements at `p`;
            // unaligned load.
            $v(unsafe { $loadu(p) })
        }
        #[inline(always)]
        unsafe fn store_ptr(self, p: *mut $t) {
            // SAFETY: the caller guarantees $n writable elements at `p`;
            // unaligned store.
            unsafe { $storeu(p, self.0) }
        }
        #[inline(always)]
        fn permute(self, idx: &[i32]) -> Self {
            $crate::simd::check_permute(idx, $n);
            // SAFETY: `idx` holds $n indices (checked); the permute reads
            // only each index's low bits, so any value selects a lane.
            $v(unsafe { $permute(self.0, idx.as_ptr()) })
        }
        #[inline(always)]
        fn splat(v: $t) -> Self {
            // SAFETY: see the module docs.
            $v(unsafe { $set1(v) })
        }
        #[inline(always)]
        fn madd(a: Self, b: Self, c: Self) -> Self {
            // SAFETY: see the module docs.
            $v(unsafe { $fmadd(a.0, b.0, c.0) })
        }
        #[inline(always)]
        fn madd_one(a: $t, b: $t, c: $t) -> $t {
            // One rounding, as the lanes of `madd`: inside the tier's
            // `#[target_feature]` function (FMA enabled) one `vfmadd`.
            a.mul_add(b, c)
        }
        #[inline(always)]
        fn max_fast(a: Self, b: Self) -> Self {
            // max(b, a) returns its second operand unless b > a.
            // SAFETY: see the module docs.
            $v(unsafe { $max(b.0, a.0) })
        }
        #[inline(always)]
        fn min_fast(a: Self, b: Self) -> Self {
            // min(b, a) returns its second operand unless b < a.
            // SAFETY: see the module docs.
            $v(unsafe { $min(b.0, a.0) })
        }
        #[inline(always)]
        fn scale_pow2_magic(y: Self, t: Self) -> Self {
            // SAFETY: see the module docs.
            $v(unsafe { $from_int($add_int($to_int(y.0), $shl::<$mant>($to_int(t.0)))) })
        }
        #[inline(always)]
        fn one() -> Self {
            Self::splat(1.0)
        }
        #[inline(always)]
        fn reduce_add(self) -> $t {
            // SAFETY: see the module docs.
            unsafe { $fold(self.0, |a, b| ($v(a) + $v(b)).0) }
        }
        #[inline(always)]
        fn reduce_max_fast(self) -> $t {
            // SAFETY: see the module docs.
            unsafe { $fold(self.0, |a, b| Self::max_fast($v(a), $v(b)).0) }
        }
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_shared_methods;

/// `a[0]` after `a[i] = f(a[i], a[i + h])` for `h` = 4, 2, 1: the fixed
/// pairwise order of [`Vector::reduce_add`](super::Vector::reduce_add)
/// (`simd::pairwise`), in three shuffles, each moving the upper half of
/// what is left onto the lower.
///
/// # Safety
/// AVX2 (the caller's module docs).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn fold_m256(a: __m256, f: impl Fn(__m256, __m256) -> __m256) -> f32 {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        // The upper half as a 128-bit value: its upper lanes are left
        // undefined, and no later step reads them.
        let a = f(a, _mm256_castps128_ps256(_mm256_extractf128_ps::<1>(a)));
        let a = f(a, _mm256_shuffle_ps::<0b11_10_11_10>(a, a));
        _mm256_cvtss_f32(f(a, _mm256_movehdup_ps(a)))
    }
}

/// [`fold_m256`] for 4 lanes of `f64`: `h` = 2, 1.
///
/// # Safety
/// AVX2 (the caller's module docs).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn fold_m256d(a: __m256d, f: impl Fn(__m256d, __m256d) -> __m256d) -> f64 {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        let a = f(a, _mm256_castpd128_pd256(_mm256_extractf128_pd::<1>(a)));
        _mm256_cvtsd_f64(f(a, _mm256_unpackhi_pd(a, a)))
    }
}

/// `a[0]` after `a[i] = f(a[i], a[i + h])` for `h` = 8, 4, 2, 1: the
/// fixed pairwise order of [`Vector::reduce_add`](super::Vector::reduce_add)
/// (`simd::pairwise`), in four shuffles, each moving the upper half of
/// what is left onto the lower.
///
/// # Safety
/// AVX-512F (the caller's module docs).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn fold_m512(a: __m512, f: impl Fn(__m512, __m512) -> __m512) -> f32 {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        // The upper half as a 256-bit value: its upper lanes are left
        // undefined, and no later step reads them.
        let hi = _mm512_extractf64x4_pd::<1>(_mm512_castps_pd(a));
        let a = f(a, _mm512_castpd_ps(_mm512_castpd256_pd512(hi)));
        let a = f(a, _mm512_shuffle_f32x4::<0b01_01_01_01>(a, a));
        let a = f(a, _mm512_shuffle_ps::<0b11_10_11_10>(a, a));
        _mm512_cvtss_f32(f(a, _mm512_movehdup_ps(a)))
    }
}

/// [`fold_m512`] for 8 lanes of `f64`: `h` = 4, 2, 1.
///
/// # Safety
/// AVX-512F (the caller's module docs).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn fold_m512d(a: __m512d, f: impl Fn(__m512d, __m512d) -> __m512d) -> f64 {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        let a = f(a, _mm512_castpd256_pd512(_mm512_extractf64x4_pd::<1>(a)));
        let a = f(a, _mm512_shuffle_f64x2::<0b01_01_01_01>(a, a));
        _mm512_cvtsd_f64(f(a, _mm512_unpackhi_pd(a, a)))
    }
}
