//! Macros for the two x86 tiers (`avx2.rs`, `avx512.rs`): the parts of
//! their [`Vector`](super::Vector) implementations that differ only in the
//! intrinsics' names.

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
