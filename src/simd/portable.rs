//! The portable tier: `wide`'s `f32x8` and `f64x4`, compiled for the build's
//! baseline target (SSE2 on default x86-64, NEON on aarch64, simd128 on
//! wasm32 with that feature, plain arrays elsewhere). Needs no CPU check.
//!
//! Every operation has the same result on every target: `max_fast` and
//! `min_fast` are x86's `max`/`min` with their operand rule, one SSE
//! instruction on x86 and spelled out as a compare and select elsewhere
//! (NEON's `max` returns NaN for a NaN in either operand, wasm's `pmax`
//! takes its operands the other way round), and `madd` is a multiply then
//! an add, never fused.

use std::ops::{Add, Div, Mul, Sub};

use wide::{f32x8, f64x4};

use super::{Kernel, Tier, Tile, Vector, check_part, pairwise};

/// The portable tier's token (any CPU).
#[derive(Debug, Clone, Copy)]
pub struct Portable;

// SAFETY: nothing beyond the baseline target is used, so every CPU the
// build runs on has it.
unsafe impl Tier for Portable {
    type F32 = F32x8;
    type F64 = F64x4;
    /// 4 rows by one vector: 8 accumulators of two 128-bit registers each on
    /// SSE2 and NEON, with W's vector and a broadcast, within 16 registers.
    type GemmTile = Tile<4, 1, 2, 4, 4>;
    fn detect() -> bool {
        true
    }
    unsafe fn token() -> Self {
        Portable
    }
    #[inline(always)]
    fn vectorize<K: Kernel>(self, kernel: K) -> K::Output {
        // A function of its own per kernel, as on the other tiers.
        #[inline(never)]
        fn run<K: Kernel>(tier: Portable, kernel: K) -> K::Output {
            kernel.run(tier)
        }
        run(self, kernel)
    }
}

/// 8 × `f32` (`wide::f32x8`).
#[derive(Clone, Copy, Debug)]
pub struct F32x8(f32x8);

/// 4 × `f64` (`wide::f64x4`).
#[derive(Clone, Copy, Debug)]
pub struct F64x4(f64x4);

macro_rules! portable_vector {
    ($v:ident, $w:ident, $t:ident, $n:literal, $mant:literal) => {
        impl Add for $v {
            type Output = Self;
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                $v(self.0 + o.0)
            }
        }
        impl Sub for $v {
            type Output = Self;
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                $v(self.0 - o.0)
            }
        }
        impl Mul for $v {
            type Output = Self;
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                $v(self.0 * o.0)
            }
        }
        impl Div for $v {
            type Output = Self;
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                $v(self.0 / o.0)
            }
        }

        // SAFETY: `wide` compiled for the baseline target: no instruction
        // beyond it.
        unsafe impl Vector<$t> for $v {
            const LANES: usize = $n;
            #[inline(always)]
            fn splat(v: $t) -> Self {
                $v($w::splat(v))
            }
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                $v($w::new(s[..$n].try_into().expect("LANES elements")))
            }
            #[inline(always)]
            unsafe fn load_ptr(p: *const $t) -> Self {
                // SAFETY: the caller guarantees $n readable elements at `p`.
                $v($w::new(unsafe { p.cast::<[$t; $n]>().read_unaligned() }))
            }
            #[inline(always)]
            unsafe fn store_ptr(self, p: *mut $t) {
                // SAFETY: the caller guarantees $n writable elements at `p`.
                unsafe { p.cast::<[$t; $n]>().write_unaligned(self.0.to_array()) }
            }
            #[inline(always)]
            fn permute(self, idx: &[i32]) -> Self {
                assert_eq!(idx.len(), $n);
                let a = self.0.to_array();
                let mut r = [0.0; $n];
                for (r, &i) in r.iter_mut().zip(idx) {
                    *r = a[i as usize % $n];
                }
                $v($w::new(r))
            }
            #[inline(always)]
            fn load_padded(s: &[$t], fill: $t) -> Self {
                check_part(s.len(), $n);
                // Lane by lane over the fixed width, which unrolls to
                // compares and moves: a copy of `s.len()` elements would
                // be a call to `memcpy`, which for a few elements costs
                // more than the kernel's arithmetic.
                let mut a = [fill; $n];
                for (i, a) in a.iter_mut().enumerate() {
                    if i < s.len() {
                        *a = s[i];
                    }
                }
                $v($w::new(a))
            }
            #[inline(always)]
            fn store(self, d: &mut [$t]) {
                d[..$n].copy_from_slice(&self.0.to_array());
            }
            #[inline(always)]
            fn store_prefix(self, d: &mut [$t]) {
                check_part(d.len(), $n);
                // Lane by lane, as in `load_padded`.
                let a = self.0.to_array();
                for (i, &a) in a.iter().enumerate() {
                    if i < d.len() {
                        d[i] = a;
                    }
                }
            }
            #[inline(always)]
            fn madd(a: Self, b: Self, c: Self) -> Self {
                a * b + c
            }
            #[inline(always)]
            fn madd_one(a: $t, b: $t, c: $t) -> $t {
                a * b + c
            }
            #[inline(always)]
            fn max_fast(a: Self, b: Self) -> Self {
                // SSE's `maxps b, a` is `b > a ? b : a`, this rule, in one
                // instruction (the compare and select below take four).
                #[cfg(target_feature = "sse2")]
                return $v(b.0.fast_max(a.0));
                #[cfg(not(target_feature = "sse2"))]
                $v(b.0.simd_gt(a.0).select(b.0, a.0))
            }
            #[inline(always)]
            fn min_fast(a: Self, b: Self) -> Self {
                // SSE's `minps b, a` is `b < a ? b : a`, as for `max_fast`.
                #[cfg(target_feature = "sse2")]
                return $v(b.0.fast_min(a.0));
                #[cfg(not(target_feature = "sse2"))]
                $v(b.0.simd_lt(a.0).select(b.0, a.0))
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $v(self.0.abs())
            }
            #[inline(always)]
            fn select_ge_zero(x: Self, a: Self, b: Self) -> Self {
                $v(x.0.simd_ge($w::ZERO).select(a.0, b.0))
            }
            #[inline(always)]
            fn gt_zero_and(x: Self, v: Self) -> Self {
                $v(x.0.simd_gt($w::ZERO).select(v.0, $w::ZERO))
            }
            #[inline(always)]
            fn zero_where_lt(y: Self, x: Self, lo: Self) -> Self {
                $v(x.0.simd_lt(lo.0).select($w::ZERO, y.0))
            }
            #[inline(always)]
            fn scale_pow2_magic(y: Self, t: Self) -> Self {
                $v($w::from_bits(y.0.to_bits() + (t.0.to_bits() << $mant)))
            }
            #[inline(always)]
            fn one() -> Self {
                $v($w::ONE)
            }
            #[inline(always)]
            fn any_nan(self) -> bool {
                self.0.is_nan().any()
            }
            #[inline(always)]
            fn reduce_add(self) -> $t {
                pairwise(self.0.to_array(), |a, b| a + b)
            }
            #[inline(always)]
            fn reduce_max_fast(self) -> $t {
                pairwise(self.0.to_array(), |a, b| if b > a { b } else { a })
            }
        }
    };
}

portable_vector!(F32x8, f32x8, f32, 8, 23u32);
portable_vector!(F64x4, f64x4, f64, 4, 52u64);
