//! `Vector` on AVX2 + FMA: `__m256` (8 × f32) and `__m256d` (4 × f64).
//!
//! SAFETY (for every `unsafe` block in this file): the intrinsics need
//! AVX, AVX2 or FMA. Values of these types are only made by kernels running inside
//! [`Avx2::vectorize`]'s `#[target_feature]` function, which takes a `Avx2`
//! token, which [`Tier::token`] only gives where [`Avx2::detect`] found
//! AVX2 and FMA on this CPU. Memory access: `load`/`store` go through
//! slices bounds-checked to hold `LANES` elements; `load_ptr` and
//! `store_ptr` rely on their callers' contracts (`# Safety` on the trait);
//! masked loads and stores touch only the lanes their mask selects, which
//! lie within the slice they come from.

use super::{Kernel, Tier, Tile, Vector};
use std::arch::x86_64::*;

/// The AVX2 tier's token: only made on a CPU with AVX2 and FMA.
#[derive(Debug, Clone, Copy)]
pub struct Avx2(());

// SAFETY: `detect` checks every feature `vectorize` enables (and those
// rustc turns on with them), and the vectors below use
// only those.
unsafe impl Tier for Avx2 {
    type F32 = F32x8;
    type F64 = F64x4;
    /// 6 rows by 2 vectors (6 x 16 `f32`, 6 x 8 `f64`), the classic Haswell
    /// shape: 12 accumulators, 2 vectors of W and a broadcast in 16 ymm.
    /// One or two rows take 4 vectors; a direct-path panel of one vector
    /// takes 12 rows (14 of 16 registers); of two vectors, the main tile.
    type GemmTile = Tile<6, 2, 4, 12, 6>;
    fn detect() -> bool {
        is_x86_feature_detected!("avx")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
    }
    unsafe fn token() -> Self {
        Avx2(())
    }
    #[inline(always)]
    fn vectorize<K: Kernel>(self, kernel: K) -> K::Output {
        // Never inlined, even into another kernel of this tier: each kernel
        // keeps a function of its own, and with it its own register
        // allocation (see `simd::Tier::vectorize`).
        #[inline(never)]
        #[target_feature(enable = "avx2,fma")]
        fn run<K: Kernel>(tier: Avx2, kernel: K) -> K::Output {
            kernel.run(tier)
        }
        // SAFETY: `self` is a token of this tier: the CPU has every feature
        // `run` is compiled with.
        unsafe { run(self, kernel) }
    }
}

/// 8 × `f32` in a `__m256`.
#[derive(Clone, Copy, Debug)]
pub struct F32x8(__m256);

/// 4 × `f64` in a `__m256d`.
#[derive(Clone, Copy, Debug)]
pub struct F64x4(__m256d);

/// Lane masks for the masked loads and stores: `N` lanes from `&TABLE[N -
/// len..]` are all ones in the low `len` lanes and zero above.
static MASK_I32: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
/// As [`MASK_I32`], for 4 lanes of 64 bits.
static MASK_I64: [i64; 8] = [-1, -1, -1, -1, 0, 0, 0, 0];

/// Lane `i` from lane `idx[i]` of `a` (8 `i32` indices at `idx`).
///
/// # Safety
/// AVX2 (module docs); `idx` points to 8 readable `i32`.
#[inline(always)]
unsafe fn permute_f32(a: __m256, idx: *const i32) -> __m256 {
    // SAFETY: the caller's contract.
    unsafe { _mm256_permutevar8x32_ps(a, _mm256_loadu_si256(idx.cast())) }
}

/// Lane `i` from lane `idx[i]` of `a` (4 `i32` indices at `idx`): as 8
/// 32-bit lanes, lane pair `i` takes halves `2 idx[i]` and `2 idx[i] + 1`
/// (AVX2 has no variable cross-lane permute of 64-bit lanes).
///
/// # Safety
/// AVX2 (module docs); `idx` points to 4 readable `i32`.
#[inline(always)]
unsafe fn permute_f64(a: __m256d, idx: *const i32) -> __m256d {
    // SAFETY: the caller's contract.
    unsafe {
        // Indices mod 4 first, as the other permutes behave.
        let idx = _mm_and_si128(_mm_loadu_si128(idx.cast()), _mm_set1_epi32(3));
        let lo = _mm256_slli_epi64::<1>(_mm256_cvtepi32_epi64(idx));
        let hi = _mm256_slli_epi64::<32>(_mm256_add_epi64(lo, _mm256_set1_epi64x(1)));
        let pairs = _mm256_or_si256(lo, hi);
        _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), pairs))
    }
}

macro_rules! avx2_vector {
    (
        $v:ident, $t:ident, $n:literal, $raw:ident, $int:ident, $table:ident, permute $permute:ident,
        maskload $maskload:ident, maskstore $maskstore:ident, loadsi $loadsi:ident, cast_mask $cast_mask:ident,
        add $add:ident, sub $sub:ident, mul $mul:ident, div $div:ident,
        set1 $set1:ident, loadu $loadu:ident, storeu $storeu:ident, fmadd $fmadd:ident,
        max $max:ident, min $min:ident, movemask $movemask:ident, andnot $andnot:ident, and $and:ident, blendv $blendv:ident, cmp $cmp:ident,
        to_int $to_int:ident, from_int $from_int:ident,
        add_int $add_int:ident, shl $shl:ident, mant $mant:literal
    ) => {
        super::x86_arith_ops!($v, $add, $sub, $mul, $div);

        // SAFETY: values exist only on CPUs with AVX2 and FMA (module docs).
        unsafe impl Vector<$t> for $v {
            const LANES: usize = $n;
            super::x86_shared_methods!(
                $v, $t, $n, $set1, $fmadd, $max, $min, $to_int, $from_int, $add_int, $shl, $mant,
                $loadu, $storeu, $permute
            );
            #[inline(always)]
            fn load(s: &[$t]) -> Self {
                let s = &s[..$n];
                // SAFETY: `s` holds $n readable elements; unaligned load.
                $v(unsafe { $loadu(s.as_ptr()) })
            }
            #[inline(always)]
            fn load_padded(s: &[$t], fill: $t) -> Self {
                super::check_part(s.len(), $n);
                let mask = &$table[$n - s.len()..];
                // SAFETY: a masked load reads only the lanes whose mask bit is
                // set, the low `s.len()` (at most $n), which `s` holds; the
                // others read as zero and take `fill` in the blend.
                $v(unsafe {
                    let m = $loadsi(mask.as_ptr().cast());
                    $blendv($set1(fill), $maskload(s.as_ptr(), m), $cast_mask(m))
                })
            }
            #[inline(always)]
            fn store(self, d: &mut [$t]) {
                let d = &mut d[..$n];
                // SAFETY: `d` holds $n writable elements; unaligned store.
                unsafe { $storeu(d.as_mut_ptr(), self.0) }
            }
            #[inline(always)]
            fn store_prefix(self, d: &mut [$t]) {
                super::check_part(d.len(), $n);
                let mask = &$table[$n - d.len()..];
                // SAFETY: a masked store writes only the lanes whose mask bit
                // is set, the low `d.len()` (at most $n), which `d` holds.
                unsafe { $maskstore(d.as_mut_ptr(), $loadsi(mask.as_ptr().cast()), self.0) }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $andnot($set1(-0.0), self.0) })
            }
            #[inline(always)]
            fn select_ge_zero(x: Self, a: Self, b: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $blendv(b.0, a.0, $cmp::<_CMP_GE_OQ>(x.0, $set1(0.0))) })
            }
            #[inline(always)]
            fn gt_zero_and(x: Self, v: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $and($cmp::<_CMP_GT_OQ>(x.0, $set1(0.0)), v.0) })
            }
            #[inline(always)]
            fn zero_where_lt(y: Self, x: Self, lo: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $andnot($cmp::<_CMP_LT_OQ>(x.0, lo.0), y.0) })
            }
            #[inline(always)]
            fn any_nan(self) -> bool {
                // SAFETY: see the module docs.
                unsafe { $movemask($cmp::<_CMP_UNORD_Q>(self.0, self.0)) != 0 }
            }
        }
    };
}

avx2_vector!(
    F32x8, f32, 8, __m256, __m256i, MASK_I32, permute permute_f32,
    maskload _mm256_maskload_ps, maskstore _mm256_maskstore_ps, loadsi _mm256_loadu_si256, cast_mask _mm256_castsi256_ps,
    add _mm256_add_ps, sub _mm256_sub_ps, mul _mm256_mul_ps, div _mm256_div_ps,
    set1 _mm256_set1_ps, loadu _mm256_loadu_ps, storeu _mm256_storeu_ps, fmadd _mm256_fmadd_ps,
    max _mm256_max_ps, min _mm256_min_ps, movemask _mm256_movemask_ps, andnot _mm256_andnot_ps, and _mm256_and_ps, blendv _mm256_blendv_ps,
    cmp _mm256_cmp_ps,
    to_int _mm256_castps_si256, from_int _mm256_castsi256_ps,
    add_int _mm256_add_epi32, shl _mm256_slli_epi32, mant 23
);

avx2_vector!(
    F64x4, f64, 4, __m256d, __m256i, MASK_I64, permute permute_f64,
    maskload _mm256_maskload_pd, maskstore _mm256_maskstore_pd, loadsi _mm256_loadu_si256, cast_mask _mm256_castsi256_pd,
    add _mm256_add_pd, sub _mm256_sub_pd, mul _mm256_mul_pd, div _mm256_div_pd,
    set1 _mm256_set1_pd, loadu _mm256_loadu_pd, storeu _mm256_storeu_pd, fmadd _mm256_fmadd_pd,
    max _mm256_max_pd, min _mm256_min_pd, movemask _mm256_movemask_pd, andnot _mm256_andnot_pd, and _mm256_and_pd, blendv _mm256_blendv_pd,
    cmp _mm256_cmp_pd,
    to_int _mm256_castpd_si256, from_int _mm256_castsi256_pd,
    add_int _mm256_add_epi64, shl _mm256_slli_epi64, mant 52
);
