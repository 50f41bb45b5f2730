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

use super::x86::{fold_m256, fold_m256d};
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

/// A full group of 8 rows of `COLS` `f32` (`rows`, `8 · COLS` long) as
/// `COLS` column vectors, in registers: rows of three (the chapter's
/// classes) by five in-lane shuffles of three loads, each holding rows
/// 0-3 and 4-7 in its halves; rows of one or two, the group's `COLS` whole
/// vectors permuted into columns and blended; longer rows, blocks of 4 columns (the last block
/// aligned to the row's end, overlapping the one before), each row's 4
/// elements beside those of the row 4 below in one register, then a 4 x 4
/// transpose within each half. Every load lies inside `rows`.
///
/// # Safety
/// AVX2 (module docs); `rows.len() == 8 · COLS`.
#[inline(always)]
unsafe fn load_transposed_f32<const COLS: usize>(rows: &[f32]) -> [F32x8; COLS] {
    debug_assert_eq!(rows.len(), 8 * COLS);
    let p = rows.as_ptr();
    // SAFETY: every pointer below is `p` plus an offset whose 4 or 8
    // elements end within the group's `8 · COLS` (the caller's contract):
    // 4 elements from 0, 4, .., 20 for rows of three (24 elements),
    // `s * 8 + 8 <= 8 · COLS` for the whole vectors (`s < COLS`), `i · COLS
    // + b0 + 4 <= 7 · COLS + COLS` for the blocks (`b0 <= COLS - 4`).
    unsafe {
        let mut cols = [F32x8(_mm256_setzero_ps()); COLS];
        if COLS == 3 {
            // Rows 0-3 in the low halves, rows 4-7 in the high ones:
            // a = [x0 y0 z0 x1], b = [y1 z1 x2 y2], c = [z2 x3 y3 z3].
            let a = _mm256_loadu2_m128(p.add(12), p);
            let b = _mm256_loadu2_m128(p.add(16), p.add(4));
            let c = _mm256_loadu2_m128(p.add(20), p.add(8));
            let xy = _mm256_shuffle_ps::<0b10_01_11_10>(b, c); // x2 y2 x3 y3
            let yz = _mm256_shuffle_ps::<0b01_00_10_01>(a, b); // y0 z0 y1 z1
            cols[0].0 = _mm256_shuffle_ps::<0b10_00_11_00>(a, xy);
            cols[1].0 = _mm256_shuffle_ps::<0b11_01_10_00>(yz, xy);
            cols[2].0 = _mm256_shuffle_ps::<0b11_00_11_01>(yz, c);
        } else if COLS < 3 {
            let mut src = [_mm256_setzero_ps(); 2];
            for (s, v) in src.iter_mut().enumerate().take(COLS) {
                *v = _mm256_loadu_ps(p.add(8 * s));
            }
            for (c, col) in cols.iter_mut().enumerate() {
                col.0 = ShortRows::<COLS>::output(&ShortRows::<COLS>::TO_COLS, &src, c);
            }
        } else {
            let mut b = 0;
            while b < COLS {
                let b0 = b.min(COLS - 4);
                let mut y = [_mm256_setzero_ps(); 4];
                for (i, y) in y.iter_mut().enumerate() {
                    *y = _mm256_loadu2_m128(p.add((i + 4) * COLS + b0), p.add(i * COLS + b0));
                }
                let t0 = _mm256_castps_pd(_mm256_unpacklo_ps(y[0], y[1]));
                let t1 = _mm256_castps_pd(_mm256_unpackhi_ps(y[0], y[1]));
                let t2 = _mm256_castps_pd(_mm256_unpacklo_ps(y[2], y[3]));
                let t3 = _mm256_castps_pd(_mm256_unpackhi_ps(y[2], y[3]));
                cols[b0].0 = _mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2));
                cols[b0 + 1].0 = _mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2));
                cols[b0 + 2].0 = _mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3));
                cols[b0 + 3].0 = _mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3));
                b += 4;
            }
        }
        cols
    }
}

/// The inverse of [`load_transposed_f32`]: `COLS` column vectors to the 8
/// rows of `out` (`8 · COLS` long), each element written with the value it
/// has in its column (overlapping blocks write the same values twice).
///
/// # Safety
/// AVX2 (module docs); `out.len() == 8 · COLS`.
#[inline(always)]
unsafe fn store_transposed_f32<const COLS: usize>(cols: &[F32x8; COLS], out: &mut [f32]) {
    debug_assert_eq!(out.len(), 8 * COLS);
    let p = out.as_mut_ptr();
    // SAFETY: as in `load_transposed_f32`, every store ends within `out`.
    unsafe {
        if COLS == 3 {
            // The inverse of the load's shuffles: from the columns x, y, z
            // to a = [x0 y0 z0 x1], b = [y1 z1 x2 y2], c = [z2 x3 y3 z3] in
            // each half.
            let (x, y, z) = (cols[0].0, cols[1].0, cols[2].0);
            let xy = _mm256_shuffle_ps::<0b10_00_10_00>(x, y); // x0 x2 y0 y2
            let zx = _mm256_shuffle_ps::<0b11_01_10_00>(z, x); // z0 z2 x1 x3
            let yz = _mm256_shuffle_ps::<0b11_01_11_01>(y, z); // y1 y3 z1 z3
            let a = _mm256_shuffle_ps::<0b10_00_10_00>(xy, zx);
            let b = _mm256_shuffle_ps::<0b11_01_10_00>(yz, xy);
            let c = _mm256_shuffle_ps::<0b11_01_11_01>(zx, yz);
            _mm256_storeu2_m128(p.add(12), p, a);
            _mm256_storeu2_m128(p.add(16), p.add(4), b);
            _mm256_storeu2_m128(p.add(20), p.add(8), c);
        } else if COLS < 3 {
            let mut src = [_mm256_setzero_ps(); 2];
            for (s, c) in src.iter_mut().zip(cols) {
                *s = c.0;
            }
            for s in 0..COLS {
                let v = ShortRows::<COLS>::output(&ShortRows::<COLS>::TO_ROWS, &src, s);
                _mm256_storeu_ps(p.add(8 * s), v);
            }
        } else {
            let mut b = 0;
            while b < COLS {
                let b0 = b.min(COLS - 4);
                let t0 = _mm256_castps_pd(_mm256_unpacklo_ps(cols[b0].0, cols[b0 + 1].0));
                let t1 = _mm256_castps_pd(_mm256_unpackhi_ps(cols[b0].0, cols[b0 + 1].0));
                let t2 = _mm256_castps_pd(_mm256_unpacklo_ps(cols[b0 + 2].0, cols[b0 + 3].0));
                let t3 = _mm256_castps_pd(_mm256_unpackhi_ps(cols[b0 + 2].0, cols[b0 + 3].0));
                // Rows `i` and `i + 4` in the low and high halves.
                let rows = [
                    _mm256_unpacklo_pd(t0, t2),
                    _mm256_unpackhi_pd(t0, t2),
                    _mm256_unpacklo_pd(t1, t3),
                    _mm256_unpackhi_pd(t1, t3),
                ];
                for (i, r) in rows.into_iter().enumerate() {
                    _mm256_storeu2_m128(
                        p.add((i + 4) * COLS + b0),
                        p.add(i * COLS + b0),
                        _mm256_castpd_ps(r),
                    );
                }
                b += 4;
            }
        }
    }
}

/// Lane permutes for a group of 8 rows of `COLS <= 2` `f32` in `COLS`
/// whole vectors: [`ShortRows::TO_COLS`] builds column `c` from the whole
/// vectors, [`ShortRows::TO_ROWS`] whole vector `s` from the columns.
/// Constants of `COLS`, so they are folded into the code.
struct ShortRows<const COLS: usize>;

/// For each output vector `o` and input vector `i` (up to 2 each): the
/// lane of `i` each lane of `o` takes, and which lanes of `o` come from `i`
/// (all ones) and which do not (zero).
type LaneMap = [[([i32; 8], [i32; 8]); 2]; 2];

/// The [`LaneMap`] of a group of rows of `cols`: from the whole vectors to
/// the columns (`to_cols`) or back.
const fn lane_map(cols: usize, to_cols: bool) -> LaneMap {
    let mut m = [[([0i32; 8], [0i32; 8]); 2]; 2];
    // Longer rows take shuffles of their own; their (unused) map is empty.
    if cols > 2 {
        return m;
    }
    let mut o = 0;
    while o < cols {
        let mut j = 0;
        while j < 8 {
            // Lane `j` of column `o` is element `j · cols + o`; lane `j` of
            // whole vector `o` is element `8 o + j`.
            let (i, lane) = if to_cols {
                let e = j * cols + o;
                (e / 8, e % 8)
            } else {
                let e = 8 * o + j;
                (e % cols, e / cols)
            };
            m[o][i].0[j] = lane as i32;
            m[o][i].1[j] = -1;
            j += 1;
        }
        o += 1;
    }
    m
}

impl<const COLS: usize> ShortRows<COLS> {
    const TO_COLS: LaneMap = lane_map(COLS, true);
    const TO_ROWS: LaneMap = lane_map(COLS, false);

    /// Output `o` of `map` from the `COLS` vectors `inputs`: one permute
    /// and one blend per input that feeds it.
    ///
    /// # Safety
    /// AVX2 (module docs).
    #[inline(always)]
    unsafe fn output(map: &LaneMap, inputs: &[__m256; 2], o: usize) -> __m256 {
        // SAFETY: AVX2 (the caller's contract); each index and mask array
        // is 8 readable `i32`.
        unsafe {
            let mut v = _mm256_setzero_ps();
            for (i, &x) in inputs.iter().enumerate().take(COLS) {
                let (idx, mask) = &map[o][i];
                let lanes = _mm256_permutevar8x32_ps(x, _mm256_loadu_si256(idx.as_ptr().cast()));
                let mask = _mm256_castsi256_ps(_mm256_loadu_si256(mask.as_ptr().cast()));
                v = _mm256_blendv_ps(v, lanes, mask);
            }
            v
        }
    }
}

/// A full group of 4 rows of `COLS` `f64` (`rows`, `4 · COLS` long) as
/// `COLS` column vectors: rows of one element are a plain load; longer
/// ones, blocks of 2 columns (the last aligned to the row's end), each
/// row's 2 elements beside those of the row 2 below in one register, then
/// one unpack per column. Every load lies inside `rows`.
///
/// # Safety
/// AVX2 (module docs); `rows.len() == 4 · COLS`.
#[inline(always)]
unsafe fn load_transposed_f64<const COLS: usize>(rows: &[f64]) -> [F64x4; COLS] {
    debug_assert_eq!(rows.len(), 4 * COLS);
    let p = rows.as_ptr();
    // SAFETY: `i · COLS + b0 + 2 <= 3 · COLS + COLS` (`b0 <= COLS - 2`), and
    // for one column the whole vector is the group (the caller's contract).
    unsafe {
        let mut cols = [F64x4(_mm256_setzero_pd()); COLS];
        if COLS == 1 {
            cols[0].0 = _mm256_loadu_pd(p);
        } else {
            let mut b = 0;
            while b < COLS {
                let b0 = b.min(COLS - 2);
                let y0 = _mm256_loadu2_m128d(p.add(2 * COLS + b0), p.add(b0));
                let y1 = _mm256_loadu2_m128d(p.add(3 * COLS + b0), p.add(COLS + b0));
                cols[b0].0 = _mm256_unpacklo_pd(y0, y1);
                cols[b0 + 1].0 = _mm256_unpackhi_pd(y0, y1);
                b += 2;
            }
        }
        cols
    }
}

/// The inverse of [`load_transposed_f64`].
///
/// # Safety
/// AVX2 (module docs); `out.len() == 4 · COLS`.
#[inline(always)]
unsafe fn store_transposed_f64<const COLS: usize>(cols: &[F64x4; COLS], out: &mut [f64]) {
    debug_assert_eq!(out.len(), 4 * COLS);
    let p = out.as_mut_ptr();
    // SAFETY: as in `load_transposed_f64`, every store ends within `out`.
    unsafe {
        if COLS == 1 {
            _mm256_storeu_pd(p, cols[0].0);
        } else {
            let mut b = 0;
            while b < COLS {
                let b0 = b.min(COLS - 2);
                let (c0, c1) = (cols[b0].0, cols[b0 + 1].0);
                _mm256_storeu2_m128d(p.add(2 * COLS + b0), p.add(b0), _mm256_unpacklo_pd(c0, c1));
                _mm256_storeu2_m128d(
                    p.add(3 * COLS + b0),
                    p.add(COLS + b0),
                    _mm256_unpackhi_pd(c0, c1),
                );
                b += 2;
            }
        }
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
        add_int $add_int:ident, shl $shl:ident, mant $mant:literal,
        transposes $load_t:ident $store_t:ident, fold $fold:ident
    ) => {
        super::x86_arith_ops!($v, $add, $sub, $mul, $div);

        // SAFETY: values exist only on CPUs with AVX2 and FMA (module docs).
        unsafe impl Vector<$t> for $v {
            const LANES: usize = $n;
            const TRANSPOSES_IN_REGISTERS: bool = true;
            const ARGMAX_ACROSS_MIN_COLS: usize = 2;
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
            fn select_new_max(best: Self, v: Self, a: Self, b: Self) -> Self {
                // SAFETY: see the module docs.
                $v(unsafe {
                    let ordered = $cmp::<_CMP_ORD_Q>(best.0, best.0);
                    let not_le = $cmp::<_CMP_NLE_UQ>(v.0, best.0);
                    $blendv(b.0, a.0, $and(ordered, not_le))
                })
            }
            #[inline(always)]
            fn any_nan(self) -> bool {
                // SAFETY: see the module docs.
                unsafe { $movemask($cmp::<_CMP_UNORD_Q>(self.0, self.0)) != 0 }
            }
            /// In registers for a full group (`g == LANES`, every row
            /// inside the slice); element by element for the partial group
            /// at the end of a batch.
            #[inline(always)]
            fn load_transposed<const COLS: usize>(rows: &[$t], g: usize) -> [Self; COLS] {
                super::check_transposed(rows.len(), g, COLS, $n);
                if g < $n {
                    return super::load_transposed_lanewise(rows, g);
                }
                // SAFETY: AVX2 (module docs); `rows.len() == $n · COLS`
                // (checked above with `g == $n`).
                unsafe { $load_t::<COLS>(rows) }
            }
            /// As [`Vector::load_transposed`] here.
            #[inline(always)]
            fn store_transposed<const COLS: usize>(cols: &[Self; COLS], out: &mut [$t], g: usize) {
                super::check_transposed(out.len(), g, COLS, $n);
                if g < $n {
                    return super::store_transposed_lanewise(cols, out, g);
                }
                // SAFETY: AVX2 (module docs); `out.len() == $n · COLS`
                // (checked above with `g == $n`).
                unsafe { $store_t::<COLS>(cols, out) }
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
    add_int _mm256_add_epi32, shl _mm256_slli_epi32, mant 23,
    transposes load_transposed_f32 store_transposed_f32, fold fold_m256
);

avx2_vector!(
    F64x4, f64, 4, __m256d, __m256i, MASK_I64, permute permute_f64,
    maskload _mm256_maskload_pd, maskstore _mm256_maskstore_pd, loadsi _mm256_loadu_si256, cast_mask _mm256_castsi256_pd,
    add _mm256_add_pd, sub _mm256_sub_pd, mul _mm256_mul_pd, div _mm256_div_pd,
    set1 _mm256_set1_pd, loadu _mm256_loadu_pd, storeu _mm256_storeu_pd, fmadd _mm256_fmadd_pd,
    max _mm256_max_pd, min _mm256_min_pd, movemask _mm256_movemask_pd, andnot _mm256_andnot_pd, and _mm256_and_pd, blendv _mm256_blendv_pd,
    cmp _mm256_cmp_pd,
    to_int _mm256_castpd_si256, from_int _mm256_castsi256_pd,
    add_int _mm256_add_epi64, shl _mm256_slli_epi64, mant 52,
    transposes load_transposed_f64 store_transposed_f64, fold fold_m256d
);
