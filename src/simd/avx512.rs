//! `Vector` on AVX-512F: `__m512` (16 × f32) and `__m512d` (8 × f64).
//!
//! SAFETY (for every `unsafe` block in this file): the intrinsics need
//! AVX-512F. Values of these types are only made by kernels running inside
//! [`Avx512::vectorize`]'s `#[target_feature]` function, which takes a `Avx512`
//! token, which [`Tier::token`] only gives where [`Avx512::detect`] found
//! AVX-512F (with AVX2 and FMA) on this CPU. Memory access: `load`/`store` go through
//! slices bounds-checked to hold `LANES` elements; `load_ptr` and
//! `store_ptr` rely on their callers' contracts (`# Safety` on the trait);
//! masked loads and stores touch only the lanes their mask selects, which
//! lie within the slice they come from.

use super::avx2::Avx2;
use super::x86::{fold_m512, fold_m512d};
use super::{Kernel, Tier, Tile, Vector};
use std::arch::x86_64::*;

/// The AVX-512 tier's token: only made on a CPU with AVX-512F, AVX2 and FMA.
#[derive(Debug, Clone, Copy)]
pub struct Avx512(());

// SAFETY: `detect` checks every feature `vectorize` enables (and those
// rustc turns on with them, such as F16C with AVX-512F), and the vectors below use
// only those.
unsafe impl Tier for Avx512 {
    type F32 = F32x16;
    type F64 = F64x8;
    /// 6 rows by 4 vectors (6 x 64 `f32`, 6 x 32 `f64`), BLIS's shape for
    /// AVX-512 on AMD: 24 accumulators, 4 vectors of W and a broadcast in 32 zmm.
    /// One or two rows take 8 vectors. A direct-path panel of one vector
    /// takes 12 rows: 12 independent FMA chains, more than the 8 that cover
    /// the FMA latency on two pipes, and 12 row pointers, which the 16
    /// general registers still mostly hold (16 rows spill them); of two
    /// vectors, 12 rows (24 accumulators, as the main tile).
    type GemmTile = Tile<6, 4, 8, 12, 12>;
    fn detect() -> bool {
        Avx2::detect() && is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("f16c")
    }
    unsafe fn token() -> Self {
        Avx512(())
    }
    #[inline(always)]
    fn vectorize<K: Kernel>(self, kernel: K) -> K::Output {
        // Never inlined, even into another kernel of this tier: each kernel
        // keeps a function of its own, and with it its own register
        // allocation (see `simd::Tier::vectorize`).
        #[inline(never)]
        #[target_feature(enable = "avx512f,avx2,fma")]
        fn run<K: Kernel>(tier: Avx512, kernel: K) -> K::Output {
            kernel.run(tier)
        }
        // SAFETY: `self` is a token of this tier: the CPU has every feature
        // `run` is compiled with.
        unsafe { run(self, kernel) }
    }
}

/// 16 × `f32` in a `__m512`.
#[derive(Clone, Copy, Debug)]
pub struct F32x16(__m512);

/// 8 × `f64` in a `__m512d`.
#[derive(Clone, Copy, Debug)]
pub struct F64x8(__m512d);

/// Lane `i` from lane `idx[i]` of `a` (16 `i32` indices at `idx`).
///
/// # Safety
/// AVX-512F (module docs); `idx` points to 16 readable `i32`.
#[inline(always)]
unsafe fn permute_f32(a: __m512, idx: *const i32) -> __m512 {
    // SAFETY: the caller's contract.
    unsafe { _mm512_permutexvar_ps(_mm512_loadu_si512(idx.cast()), a) }
}

/// Lane `i` from lane `idx[i]` of `a` (8 `i32` indices at `idx`).
///
/// # Safety
/// AVX-512F (module docs); `idx` points to 8 readable `i32`.
#[inline(always)]
unsafe fn permute_f64(a: __m512d, idx: *const i32) -> __m512d {
    // SAFETY: the caller's contract.
    unsafe { _mm512_permutexvar_pd(_mm512_cvtepi32_epi64(_mm256_loadu_si256(idx.cast())), a) }
}

/// `table[bits(t) mod 16]` lane-wise: one permute from the table in a
/// register.
///
/// # Safety
/// AVX-512F (module docs).
#[inline(always)]
unsafe fn lookup16_f32(table: &[f32; 16], t: __m512) -> __m512 {
    // SAFETY: the caller's contract; `table` is 16 readable `f32`.
    unsafe { _mm512_permutexvar_ps(_mm512_castps_si512(t), _mm512_loadu_ps(table.as_ptr())) }
}

/// `table[bits(t) mod 16]` lane-wise: one two-register permute.
///
/// # Safety
/// AVX-512F (module docs).
#[inline(always)]
unsafe fn lookup16_f64(table: &[f64; 16], t: __m512d) -> __m512d {
    // SAFETY: the caller's contract; `table` is 16 readable `f64`.
    unsafe {
        let (lo, hi) = (
            _mm512_loadu_pd(table.as_ptr()),
            _mm512_loadu_pd(table[8..].as_ptr()),
        );
        _mm512_permutex2var_pd(lo, _mm512_castpd_si512(t), hi)
    }
}

/// The 4 x 4 transpose of 128-bit blocks: block `l` of `a[q]` to block `q`
/// of result `l`. The last two steps of both transposes below.
///
/// # Safety
/// AVX-512F (module docs).
#[inline(always)]
unsafe fn transpose_blocks(a: [__m512; 4]) -> [__m512; 4] {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        // Blocks 0, 1 (`0x44`) or 2, 3 (`0xEE`) of a pair of rows.
        let v0 = _mm512_shuffle_f32x4::<0x44>(a[0], a[1]);
        let v1 = _mm512_shuffle_f32x4::<0xEE>(a[0], a[1]);
        let v2 = _mm512_shuffle_f32x4::<0x44>(a[2], a[3]);
        let v3 = _mm512_shuffle_f32x4::<0xEE>(a[2], a[3]);
        // The even (`0x88`) or odd (`0xDD`) blocks of two of those.
        [
            _mm512_shuffle_f32x4::<0x88>(v0, v2),
            _mm512_shuffle_f32x4::<0xDD>(v0, v2),
            _mm512_shuffle_f32x4::<0x88>(v1, v3),
            _mm512_shuffle_f32x4::<0xDD>(v1, v3),
        ]
    }
}

/// The 16 x 16 transpose: lane `j` of `r[i]` to lane `i` of result `j`, in
/// 64 shuffles (each 128-bit block `l` holds elements `4l .. 4l + 4`).
///
/// # Safety
/// AVX-512F (module docs).
#[inline(always)]
unsafe fn transpose_f32(r: [__m512; 16]) -> [__m512; 16] {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        // t[2p + h], block l: elements 4l + 2h and 4l + 2h + 1 of rows 2p
        // and 2p + 1, interleaved.
        let mut t = [_mm512_setzero_ps(); 16];
        for p in 0..8 {
            t[2 * p] = _mm512_unpacklo_ps(r[2 * p], r[2 * p + 1]);
            t[2 * p + 1] = _mm512_unpackhi_ps(r[2 * p], r[2 * p + 1]);
        }
        // u[4q + k], block l: element 4l + k of rows 4q .. 4q + 4.
        let mut u = [_mm512_setzero_ps(); 16];
        for q in 0..4 {
            let pairs = [(t[4 * q], t[4 * q + 2]), (t[4 * q + 1], t[4 * q + 3])];
            for (h, (a, b)) in pairs.into_iter().enumerate() {
                let (a, b) = (_mm512_castps_pd(a), _mm512_castps_pd(b));
                u[4 * q + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
                u[4 * q + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
            }
        }
        // Result 4l + k: block l of u[k], u[4 + k], u[8 + k], u[12 + k].
        let mut out = [_mm512_setzero_ps(); 16];
        for k in 0..4 {
            let c = transpose_blocks([u[k], u[4 + k], u[8 + k], u[12 + k]]);
            for (l, c) in c.into_iter().enumerate() {
                out[4 * l + k] = c;
            }
        }
        out
    }
}

/// The 8 x 8 transpose of `f64`: lane `j` of `r[i]` to lane `i` of result
/// `j`, in 24 shuffles (each 128-bit block `l` holds elements `2l, 2l + 1`).
///
/// # Safety
/// AVX-512F (module docs).
#[inline(always)]
unsafe fn transpose_f64(r: [__m512d; 8]) -> [__m512d; 8] {
    // SAFETY: the caller's contract; register operations only.
    unsafe {
        // t[2p + h], block l: element 2l + h of rows 2p and 2p + 1.
        let mut t = [_mm512_setzero_ps(); 8];
        for p in 0..4 {
            t[2 * p] = _mm512_castpd_ps(_mm512_unpacklo_pd(r[2 * p], r[2 * p + 1]));
            t[2 * p + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(r[2 * p], r[2 * p + 1]));
        }
        // Result 2l + h: block l of t[h], t[2 + h], t[4 + h], t[6 + h].
        let mut out = [_mm512_setzero_pd(); 8];
        for h in 0..2 {
            let c = transpose_blocks([t[h], t[2 + h], t[4 + h], t[6 + h]]);
            for (l, c) in c.into_iter().enumerate() {
                out[2 * l + h] = _mm512_castps_pd(c);
            }
        }
        out
    }
}

macro_rules! avx512_vector {
    (
        $v:ident, $t:ident, $n:literal, $mask:ident, permute $permute:ident,
        add $add:ident, sub $sub:ident, mul $mul:ident, div $div:ident,
        set1 $set1:ident, loadu $loadu:ident, storeu $storeu:ident,
        mask_loadu $mask_loadu:ident, mask_storeu $mask_storeu:ident, fmadd $fmadd:ident,
        max $max:ident, min $min:ident, abs $abs:ident, blend $blend:ident, maskz_mov $maskz_mov:ident,
        cmp $cmp:ident, scalef $scalef:ident, lookup16 $lookup16:ident,
        to_int $to_int:ident, from_int $from_int:ident,
        add_int $add_int:ident, shl $shl:ident, mant $mant:literal,
        transpose $transpose:ident, zero $zero:ident, fold $fold:ident
    ) => {
        super::x86_arith_ops!($v, $add, $sub, $mul, $div);

        // SAFETY: values exist only on CPUs with AVX-512F (module docs).
        unsafe impl Vector<$t> for $v {
            const LANES: usize = $n;
            const MASKED_STORE_FAST: bool = true;
            const EXP_TABLE16: bool = $n == 16;
            const TRANSPOSES_IN_REGISTERS: bool = true;
            // Each row of a group is its own masked load here: for rows of
            // 2 (and `f32` rows of 3) the row loop, which rustc vectorises
            // for a constant length, is cheaper.
            const ARGMAX_ACROSS_MIN_COLS: usize = if $n == 16 { 4 } else { 3 };
            super::x86_shared_methods!(
                $v, $t, $n, $set1, $fmadd, $max, $min, $to_int, $from_int, $add_int, $shl, $mant,
                $loadu, $storeu, $permute, $fold
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
                let k: $mask = ((1u32 << s.len()) - 1) as $mask;
                // SAFETY: only the low `s.len()` lanes are read (mask `k`),
                // and `s` holds that many elements; masked-off lanes are not
                // accessed and take `fill`.
                $v(unsafe { $mask_loadu($set1(fill), k, s.as_ptr()) })
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
                let k: $mask = ((1u32 << d.len()) - 1) as $mask;
                // SAFETY: only the low `d.len()` lanes are written (mask
                // `k`), and `d` holds that many elements.
                unsafe { $mask_storeu(d.as_mut_ptr(), k, self.0) }
            }
            #[inline(always)]
            fn store_prefix_at_end(self, d: &mut [$t], n: usize) {
                assert_eq!(d.len(), $n);
                super::check_part(n, $n);
                // Lane `j` from lane `j + n - LANES`: the low `n` lanes to
                // the top.
                let up = self.permute(&super::IOTA[n..n + $n]);
                let k: $mask = !(((1u32 << ($n - n)) - 1) as $mask);
                // SAFETY: only the high `n` lanes are written (mask `k`),
                // and `d` holds all $n.
                unsafe { $mask_storeu(d.as_mut_ptr(), k, up.0) }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $abs(self.0) })
            }
            #[inline(always)]
            fn select_ge_zero(x: Self, a: Self, b: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $blend($cmp::<_CMP_GE_OQ>(x.0, $set1(0.0)), b.0, a.0) })
            }
            #[inline(always)]
            fn gt_zero_and(x: Self, v: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $maskz_mov($cmp::<_CMP_GT_OQ>(x.0, $set1(0.0)), v.0) })
            }
            #[inline(always)]
            fn zero_where_lt(y: Self, x: Self, lo: Self) -> Self {
                // Keep `y` where !(x < lo), NaN included (unordered).
                // SAFETY: see the module docs.
                $v(unsafe { $maskz_mov($cmp::<_CMP_NLT_UQ>(x.0, lo.0), y.0) })
            }
            #[inline(always)]
            fn select_new_max(best: Self, v: Self, a: Self, b: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe {
                    let ordered = $cmp::<_CMP_ORD_Q>(best.0, best.0);
                    let not_le = $cmp::<_CMP_NLE_UQ>(v.0, best.0);
                    $blend(ordered & not_le, b.0, a.0)
                })
            }
            #[inline(always)]
            fn any_nan(self) -> bool {
                // SAFETY: see the module docs.
                unsafe { $cmp::<_CMP_UNORD_Q>(self.0, self.0) != 0 }
            }
            #[inline(always)]
            fn mul_pow2(y: Self, n: Self, _t: Self) -> Self {
                // `vscalef`: `y · 2^floor(n)`, exact while the result is
                // normal (the same bits as the multiply it replaces), NaN
                // kept.
                // SAFETY: see the module docs.
                $v(unsafe { $scalef(y.0, n.0) })
            }
            #[inline(always)]
            fn mul_pow2_normal(y: Self, n: Self, t: Self) -> Self {
                Self::mul_pow2(y, n, t)
            }
            #[inline(always)]
            fn lookup16(table: &[$t; 16], t: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe { $lookup16(table, t.0) })
            }
            /// In registers: each block of up to `LANES` columns is one
            /// masked load per row and one square transpose.
            #[inline(always)]
            fn load_transposed<const COLS: usize>(rows: &[$t], g: usize) -> [Self; COLS] {
                super::check_transposed(rows.len(), g, COLS, $n);
                let mut cols = [Self::splat(0.0); COLS];
                for b in (0..COLS).step_by($n) {
                    let w = COLS.min(b + $n) - b;
                    // (Loops, not `array::from_fn`: a closure would not
                    // inherit the tier's target features, so nor inline
                    // the intrinsics.)
                    // SAFETY: see the module docs.
                    let mut r = [unsafe { $zero() }; $n];
                    for (i, r) in r.iter_mut().enumerate().take(g) {
                        let at = i * COLS + b;
                        *r = Self::load_padded(&rows[at..at + w], 0.0).0;
                    }
                    // SAFETY: see the module docs.
                    let c = unsafe { $transpose(r) };
                    for (j, c) in c.into_iter().enumerate().take(w) {
                        cols[b + j] = $v(c);
                    }
                }
                cols
            }
            /// In registers, as [`Vector::load_transposed`]: one transpose
            /// and one masked store per row.
            #[inline(always)]
            fn store_transposed<const COLS: usize>(cols: &[Self; COLS], out: &mut [$t], g: usize) {
                super::check_transposed(out.len(), g, COLS, $n);
                for b in (0..COLS).step_by($n) {
                    let w = COLS.min(b + $n) - b;
                    // SAFETY: see the module docs.
                    let mut c = [unsafe { $zero() }; $n];
                    for (c, col) in c.iter_mut().zip(&cols[b..b + w]) {
                        *c = col.0;
                    }
                    // SAFETY: see the module docs.
                    let r = unsafe { $transpose(c) };
                    for (i, r) in r.into_iter().enumerate().take(g) {
                        let at = i * COLS + b;
                        $v(r).store_prefix(&mut out[at..at + w]);
                    }
                }
            }
            #[inline(always)]
            fn mul_pow2_floor(y: Self, n: Self) -> Self {
                // `vscalef` takes `floor(n)` itself.
                // SAFETY: see the module docs.
                $v(unsafe { $scalef(y.0, n.0) })
            }
        }
    };
}

avx512_vector!(
    F32x16, f32, 16, __mmask16, permute permute_f32,
    add _mm512_add_ps, sub _mm512_sub_ps, mul _mm512_mul_ps, div _mm512_div_ps,
    set1 _mm512_set1_ps, loadu _mm512_loadu_ps, storeu _mm512_storeu_ps,
    mask_loadu _mm512_mask_loadu_ps, mask_storeu _mm512_mask_storeu_ps, fmadd _mm512_fmadd_ps,
    max _mm512_max_ps, min _mm512_min_ps, abs _mm512_abs_ps, blend _mm512_mask_blend_ps, maskz_mov _mm512_maskz_mov_ps,
    cmp _mm512_cmp_ps_mask, scalef _mm512_scalef_ps, lookup16 lookup16_f32,
    to_int _mm512_castps_si512, from_int _mm512_castsi512_ps,
    add_int _mm512_add_epi32, shl _mm512_slli_epi32, mant 23,
    transpose transpose_f32, zero _mm512_setzero_ps, fold fold_m512
);

avx512_vector!(
    F64x8, f64, 8, __mmask8, permute permute_f64,
    add _mm512_add_pd, sub _mm512_sub_pd, mul _mm512_mul_pd, div _mm512_div_pd,
    set1 _mm512_set1_pd, loadu _mm512_loadu_pd, storeu _mm512_storeu_pd,
    mask_loadu _mm512_mask_loadu_pd, mask_storeu _mm512_mask_storeu_pd, fmadd _mm512_fmadd_pd,
    max _mm512_max_pd, min _mm512_min_pd, abs _mm512_abs_pd, blend _mm512_mask_blend_pd, maskz_mov _mm512_maskz_mov_pd,
    cmp _mm512_cmp_pd_mask, scalef _mm512_scalef_pd, lookup16 lookup16_f64,
    to_int _mm512_castpd_si512, from_int _mm512_castsi512_pd,
    add_int _mm512_add_epi64, shl _mm512_slli_epi64, mant 52,
    transpose transpose_f64, zero _mm512_setzero_pd, fold fold_m512d
);
