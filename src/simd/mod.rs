//! The tiers: one type per instruction set, each owning its vector types,
//! its CPU check and its one `#[target_feature]` entry point; and the
//! traits kernels are written against, once for every tier.
//!
//! | tier | file | `f32` | `f64` | compiled for |
//! |---|---|---|---|---|
//! | [`portable::Portable`] | `portable.rs` | `wide::f32x8` | `wide::f64x4` | the build's baseline (SSE2 on x86-64, NEON on aarch64, simd128 on wasm) |
//! | [`avx2::Avx2`] | `avx2.rs` | `__m256` | `__m256d` | AVX2 + FMA |
//! | [`avx512::Avx512`] | `avx512.rs` | `__m512` | `__m512d` | AVX-512F (+ AVX2, FMA) |
//!
//! A kernel is a type implementing [`Kernel`]: its `run::<S>` is generic
//! over the tier `S` and uses `T::Vec<S>` ([`crate::float::Float::Vec`]),
//! the tier's vector of `T`, through the [`Vector`] trait. `run` is
//! `#[inline(always)]`, and a tier's [`Tier::vectorize`] calls it from
//! inside a function compiled with `#[target_feature]` for that tier, so
//! the intrinsics behind `Vector`'s methods inline into code that may use
//! them. [`crate::dispatch::vectorize`] is the one place that turns a
//! detected tier into its type.
//!
//! Every operation is lane-wise and the same for body and tail (a tail is
//! loaded padded to a full vector), so an element's result never depends on
//! where it sits in a slice.
//!
//! `pair.rs` is not a tier: `Pair` is two of any tier's vectors as one
//! [`Vector`], each operation issued for both halves back to back, which
//! the exp-based kernels use to keep two independent chains in flight
//! (`crate::io::map_vec_interleaved`).

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub(crate) mod pair;
pub mod portable;

use crate::float::Float;
use std::ops::{Add, Div, Mul, Sub};

/// An instruction-set tier: a zero-sized token that can only be had on a
/// CPU with every feature the tier's code is compiled with.
///
/// # Safety
/// [`Tier::detect`] returns true only if this CPU has every feature that
/// [`Tier::vectorize`]'s `#[target_feature]` function enables, and the
/// tier's vector types use no instruction beyond them.
pub unsafe trait Tier: Copy + Send + Sync + 'static {
    /// The tier's vector of `f32`.
    type F32: Vector<f32>;
    /// The tier's vector of `f64`.
    type F64: Vector<f64>;
    /// The GEMM microkernel's tile shapes on this tier.
    type GemmTile: TileShape;
    /// Whether this CPU has every feature the tier is compiled for.
    fn detect() -> bool;
    /// The token.
    ///
    /// # Safety
    /// [`Tier::detect`] returned true on this CPU.
    unsafe fn token() -> Self;
    /// Runs `kernel` inside this tier's `#[target_feature]` function: one
    /// function per kernel type, never inlined, so a kernel that enters the
    /// tier again for a part of its work (the GEMM's block, once its caller
    /// has chosen the split) gets a function of its own for that part. The
    /// hot loops of a function as large as the whole product lost
    /// registers to the rest of it (BENCHMARKS.md, "Tiers as types").
    fn vectorize<K: Kernel>(self, kernel: K) -> K::Output;
}

/// A kernel written once for every tier (pulp's `WithSimd`).
pub trait Kernel {
    /// What the kernel returns.
    type Output;
    /// The kernel on tier `S`. Implementations are `#[inline(always)]`, so
    /// that they compile into [`Tier::vectorize`]'s `#[target_feature]`
    /// function.
    fn run<S: Tier>(self, tier: S) -> Self::Output;
}

/// The GEMM microkernel's tile shapes of one tier, as constants: `MR` rows
/// by `NV` vectors for the main tile, `NW` vectors for one or two rows, and
/// `MR1` and `MR2` rows for panels of one and two vectors on the direct path
/// (not used when not above `MR`).
#[derive(Debug, Clone, Copy)]
pub struct Tile<
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
>;

/// A tile shape handing its constants to a [`TileKernel`] as const
/// generics (which a generic `S::GemmTile` could not do through associated
/// constants on stable Rust).
pub trait TileShape {
    /// Runs `k` with this shape's constants.
    fn with<K: TileKernel>(k: K) -> K::Output;
}

/// Code generic over a tile shape ([`TileShape::with`]).
pub trait TileKernel {
    /// What it returns.
    type Output;
    /// The code, for tile constants `MR, NV, NW, MR1, MR2`.
    fn run<const MR: usize, const NV: usize, const NW: usize, const MR1: usize, const MR2: usize>(
        self,
    ) -> Self::Output;
}

impl<const MR: usize, const NV: usize, const NW: usize, const MR1: usize, const MR2: usize>
    TileShape for Tile<MR, NV, NW, MR1, MR2>
{
    #[inline(always)]
    fn with<K: TileKernel>(k: K) -> K::Output {
        k.run::<MR, NV, NW, MR1, MR2>()
    }
}

/// The most lanes any tier's vector has (AVX-512 `f32`): the size of the
/// stack arrays kernels stage one vector's worth of values in.
pub const MAX_LANES: usize = 16;

/// A vector of `LANES` values of `T`, with the operations the kernels use.
///
/// # Safety
/// An implementation may use instructions the build's baseline target lacks,
/// provided a value of the type can only exist on a CPU that has them: the
/// x86 implementations are made only inside their tier's
/// [`Tier::vectorize`], which is only entered with a token of that tier.
pub unsafe trait Vector<T: Copy>:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// Number of lanes.
    const LANES: usize;
    /// Whether [`Vector::store_prefix`] is one cheap masked store (AVX-512).
    /// Otherwise (AVX2's `vmaskmov` store is slow on AMD; the portable tier
    /// copies) a kernel that can overwrite the lanes past the prefix later
    /// should store the full vector instead.
    const MASKED_STORE_FAST: bool = false;
    /// Whether the `f32` exp takes `2^(k/16)` from a 16-entry table
    /// ([`Vector::lookup16`] one in-register permute, [`Vector::mul_pow2_floor`]
    /// one instruction: AVX-512's 16 `f32` lanes) instead of a longer
    /// polynomial (`src/exp.rs`).
    const EXP_TABLE16: bool = false;
    /// Every lane `v`.
    fn splat(v: T) -> Self;
    /// The first `LANES` elements of `s`. Panics if `s` is shorter.
    fn load(s: &[T]) -> Self;
    /// `LANES` elements from `p`, without a bounds check (the GEMM
    /// microkernel's inner loop).
    ///
    /// # Safety
    /// `p` points to `LANES` readable, initialised elements.
    unsafe fn load_ptr(p: *const T) -> Self;
    /// Stores all lanes to `p`, without a bounds check.
    ///
    /// # Safety
    /// `p` points to `LANES` writable elements.
    unsafe fn store_ptr(self, p: *mut T);
    /// Lane `i` of the result is lane `idx[i] mod LANES` of `self`, as the
    /// x86 permutes read only an index's low bits (`idx.len() == LANES`;
    /// panics otherwise).
    fn permute(self, idx: &[i32]) -> Self;
    /// `s` (1 to `LANES` elements) in the low lanes, `fill` in the rest.
    ///
    /// Panics if `s` is empty or longer than `LANES`. An empty `s` is a
    /// caller's bug: a vector with no lanes to read is work for nothing,
    /// and on x86 a masked load with an all-zero mask from an address that
    /// is not mapped (an empty slice's dangling pointer) takes a microcode
    /// assist of about a hundred nanoseconds.
    fn load_padded(s: &[T], fill: T) -> Self;
    /// Stores all lanes to the first `LANES` elements of `d`. Panics if `d` is
    /// shorter.
    fn store(self, d: &mut [T]);
    /// Stores the low `d.len()` lanes to `d`. Panics unless
    /// `1 <= d.len() <= LANES`, for the reason given at
    /// [`Vector::load_padded`].
    fn store_prefix(self, d: &mut [T]);
    /// `a * b + c`: fused (one rounding) on the x86 tiers, a multiply and an
    /// add on the portable one (on every target, so its results are the
    /// same everywhere).
    fn madd(a: Self, b: Self, c: Self) -> Self;
    /// `b > a ? b : a` lane-wise: x86's `max(b, a)`. NaN in `b` is dropped, NaN
    /// in `a` kept; `max_fast(x, 0)` is ReLU with NumPy's -0.0 and NaN
    /// behaviour.
    fn max_fast(a: Self, b: Self) -> Self;
    /// `|x|` (sign bit cleared).
    fn abs(self) -> Self;
    /// `x >= 0 ? a : b` lane-wise (NaN gives `b`).
    fn select_ge_zero(x: Self, a: Self, b: Self) -> Self;
    /// `x > 0 ? v : 0` lane-wise (NaN gives 0).
    fn gt_zero_and(x: Self, v: Self) -> Self;
    /// `x < lo ? 0 : y` lane-wise (NaN in `x` gives `y`).
    fn zero_where_lt(y: Self, x: Self, lo: Self) -> Self;
    /// `y · 2^n` for `t = n + MAGIC` with `MAGIC = 1.5 · 2^(mantissa bits)`
    /// and `n` a small integer, by adding `n` to `y`'s exponent field (an
    /// integer add, no multiply: `t`'s bits shifted left by the mantissa
    /// width are exactly `n` there, since `MAGIC`'s low bits are zero). Valid
    /// while `y · 2^n` is a normal number.
    fn scale_pow2_magic(y: Self, t: Self) -> Self;
    /// `2^n` itself for `t = n + MAGIC` (as [`Vector::scale_pow2_magic`] of
    /// 1), for `n` in the normal exponent range. Multiplying by it, unlike
    /// adding to the exponent field, keeps a NaN a NaN.
    fn pow2_magic(t: Self) -> Self {
        Self::scale_pow2_magic(Self::one(), t)
    }
    /// `y · 2^n` for an integer-valued `n` in the normal exponent range,
    /// given both as a float `n` and as `t = n + MAGIC` (see
    /// [`Vector::scale_pow2_magic`]); NaN in `y` gives NaN. By default a
    /// multiply by [`Vector::pow2_magic`]; a tier with a scaling instruction
    /// (AVX-512's `vscalef`) uses it instead: one instruction for two.
    #[inline(always)]
    fn mul_pow2(y: Self, n: Self, t: Self) -> Self {
        let _ = n;
        y * Self::pow2_magic(t)
    }
    /// [`Vector::mul_pow2`] where no lane is NaN and `y · 2^n` is a normal
    /// number: by default [`Vector::scale_pow2_magic`] (an integer add to
    /// the exponent field).
    #[inline(always)]
    fn mul_pow2_normal(y: Self, n: Self, t: Self) -> Self {
        let _ = n;
        Self::scale_pow2_magic(y, t)
    }
    /// `table[b mod 16]` lane-wise, `b` the lane's bit pattern in `t`
    /// (its low four bits pick the entry). By default lane by lane: a tier
    /// that sets [`Vector::EXP_TABLE16`] has an instruction for it.
    #[inline(always)]
    fn lookup16(table: &[T; 16], t: Self) -> Self
    where
        T: Float,
    {
        lookup16_lanewise(table, t)
    }
    /// `y · 2^floor(n)` for `floor(n)` in the normal exponent range, exact
    /// while the result is normal; NaN in `y` or `n` gives NaN. By default
    /// lane by lane, as [`Vector::lookup16`].
    #[inline(always)]
    fn mul_pow2_floor(y: Self, n: Self) -> Self
    where
        T: Float,
    {
        mul_pow2_floor_lanewise(y, n)
    }
    /// Rows `0..g` of `COLS` elements each (`rows`, `g · COLS` long,
    /// `1 <= g <= LANES`) transposed into `COLS` vectors: lane `i` of
    /// vector `j` is element `j` of row `i`, and lanes from `g` on are 0
    /// (the across-rows softmax's layout: one row per lane). By default
    /// element by element ([`load_transposed_lanewise`]); a tier with
    /// cheap lane shuffles transposes in registers.
    #[inline(always)]
    fn load_transposed<const COLS: usize>(rows: &[T], g: usize) -> [Self; COLS]
    where
        T: Float,
    {
        load_transposed_lanewise(rows, g)
    }
    /// The inverse of [`Vector::load_transposed`]: lane `i` of `cols[j]`
    /// to `out[i · COLS + j]`, for the `g` rows of `out` (`g · COLS` long,
    /// `1 <= g <= LANES`). Lanes from `g` on are not stored.
    #[inline(always)]
    fn store_transposed<const COLS: usize>(cols: &[Self; COLS], out: &mut [T], g: usize)
    where
        T: Float,
    {
        store_transposed_lanewise(cols, out, g)
    }
    /// Every lane `1.0`.
    fn one() -> Self;
    /// `b < a ? b : a` lane-wise: x86's `min(b, a)` (NaN in `b` dropped).
    fn min_fast(a: Self, b: Self) -> Self;
    /// True if any lane is NaN.
    fn any_nan(self) -> bool;
    /// Sum of the lanes in a fixed pairwise order.
    fn reduce_add(self) -> T;
    /// [`Vector::max_fast`] across the lanes, in a fixed pairwise order.
    fn reduce_max_fast(self) -> T;
}

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
        $loadu:ident, $storeu:ident, $permute:ident
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
            let mut a = [0.0; $n];
            self.store(&mut a);
            $crate::simd::pairwise(a, |x, y| x + y)
        }
        #[inline(always)]
        fn reduce_max_fast(self) -> $t {
            let mut a = [0.0; $n];
            self.store(&mut a);
            $crate::simd::pairwise(a, |x, y| if y > x { y } else { x })
        }
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_shared_methods;

/// Checks a `permute` call's indices: `LANES` of them (any values: the
/// permutes use each index's low bits only).
#[inline(always)]
pub(crate) fn check_permute(idx: &[i32], lanes: usize) {
    assert_eq!(idx.len(), lanes);
}

/// Checks the length of a partial vector's slice (`load_padded`,
/// `store_prefix`): 1 to `lanes` elements. Always on, not a debug assertion:
/// it is one compare per edge vector, and it makes every test that reaches
/// an edge fail on a kernel that issues a memory operation for no lanes.
#[inline(always)]
pub(crate) fn check_part(len: usize, lanes: usize) {
    assert!(
        len >= 1 && len <= lanes,
        "a partial vector takes 1 to {lanes} elements, not {len}"
    );
}

/// Pairwise reduction of an array in a fixed order (`N` a power of two).
#[inline(always)]
pub(crate) fn pairwise<T: Copy, const N: usize>(mut a: [T; N], f: impl Fn(T, T) -> T) -> T {
    let mut n = N;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            a[i] = f(a[i], a[i + n]);
        }
    }
    a[0]
}

/// [`Vector::lookup16`] lane by lane, the default for tiers without a
/// table permute (their exp does not use it: [`Vector::EXP_TABLE16`]).
#[inline(always)]
pub(crate) fn lookup16_lanewise<T: Float, V: Vector<T>>(table: &[T; 16], t: V) -> V {
    let mut a = [T::ZERO; MAX_LANES];
    t.store(&mut a[..V::LANES]);
    for x in &mut a[..V::LANES] {
        *x = table[(x.to_bits_u64() & 15) as usize];
    }
    V::load(&a[..V::LANES])
}

/// Checks [`Vector::load_transposed`]'s and [`Vector::store_transposed`]'s
/// shapes: `1 <= g <= LANES <= MAX_LANES` and `len == g · cols`.
#[inline(always)]
pub(crate) fn check_transposed(len: usize, g: usize, cols: usize, lanes: usize) {
    assert!(
        (1..=lanes).contains(&g) && lanes <= MAX_LANES && len == g * cols,
        "transposing {len} elements as {g} rows of {cols} into {lanes} lanes"
    );
}

/// [`Vector::load_transposed`] element by element: each column's vector
/// built from its `g` elements (the compiler inserts them into a register).
#[inline(always)]
pub(crate) fn load_transposed_lanewise<T: Float, V: Vector<T>, const COLS: usize>(
    rows: &[T],
    g: usize,
) -> [V; COLS] {
    check_transposed(rows.len(), g, COLS, V::LANES);
    let mut cols = [V::splat(T::ZERO); COLS];
    for (j, c) in cols.iter_mut().enumerate() {
        let mut a = [T::ZERO; MAX_LANES];
        for (i, a) in a.iter_mut().enumerate().take(g) {
            *a = rows[i * COLS + j];
        }
        *c = V::load(&a);
    }
    cols
}

/// [`Vector::store_transposed`] element by element, through a stack array
/// per column.
#[inline(always)]
pub(crate) fn store_transposed_lanewise<T: Float, V: Vector<T>, const COLS: usize>(
    cols: &[V; COLS],
    out: &mut [T],
    g: usize,
) {
    check_transposed(out.len(), g, COLS, V::LANES);
    let mut t = [[T::ZERO; MAX_LANES]; COLS];
    for j in 0..COLS {
        cols[j].store(&mut t[j]);
    }
    for (i, row) in out.chunks_exact_mut(COLS).enumerate() {
        for j in 0..COLS {
            row[j] = t[j][i];
        }
    }
}

/// [`Vector::mul_pow2_floor`] lane by lane, as [`lookup16_lanewise`].
#[inline(always)]
pub(crate) fn mul_pow2_floor_lanewise<T: Float, V: Vector<T>>(y: V, n: V) -> V {
    let (mut a, mut b) = ([T::ZERO; MAX_LANES], [T::ZERO; MAX_LANES]);
    y.store(&mut a[..V::LANES]);
    n.store(&mut b[..V::LANES]);
    for (a, b) in a[..V::LANES].iter_mut().zip(&b[..V::LANES]) {
        // Exact: a power of two within f64's normal range times a value of T.
        let n = b.to_f64().floor().clamp(-2000.0, 2000.0);
        *a =
            T::from_f64(a.to_f64() * 2f64.powi(n as i32) * if b.is_nan() { f64::NAN } else { 1.0 });
    }
    V::load(&a[..V::LANES])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{self, supported_isas};

    /// [`Vector::lookup16`] and [`Vector::mul_pow2_floor`] against their
    /// definitions, for one vector type.
    fn check<T: Float, V: Vector<T>>(tier: &str) {
        let table: [T; 16] = std::array::from_fn(|i| T::from_f64(i as f64 * 0.25 - 1.0));
        let magic = T::from_f64(1.5 * 2f64.powi(T::MANTISSA_DIGITS as i32 - 1));
        for start in [-40i32, -17, -1, 0, 5, 250] {
            // t = kn + magic holds kn in its low bits, as the exp makes it.
            let kn: Vec<T> = (0..V::LANES)
                .map(|i| T::from_f64((start + i as i32 * 3) as f64))
                .collect();
            let t: Vec<T> = kn.iter().map(|&k| k + magic).collect();
            let mut got = vec![T::NAN; V::LANES];
            V::lookup16(&table, V::load(&t)).store(&mut got);
            for (i, (&g, &k)) in got.iter().zip(&kn).enumerate() {
                let want = table[(k.to_f64() as i64).rem_euclid(16) as usize];
                assert_eq!(
                    g.to_bits_u64(),
                    want.to_bits_u64(),
                    "{tier} lookup16 lane {i} kn {k}"
                );
            }
            let y: Vec<T> = (0..V::LANES)
                .map(|i| T::from_f64(1.0 + i as f64 / 8.0))
                .collect();
            let n: Vec<T> = kn.iter().map(|&k| k * T::from_f64(1.0 / 16.0)).collect();
            V::mul_pow2_floor(V::load(&y), V::load(&n)).store(&mut got);
            for i in 0..V::LANES {
                let want = T::from_f64(y[i].to_f64() * 2f64.powi(n[i].to_f64().floor() as i32));
                assert_eq!(
                    got[i].to_bits_u64(),
                    want.to_bits_u64(),
                    "{tier} mul_pow2_floor lane {i}"
                );
            }
        }
        let mut got = vec![T::ZERO; V::LANES];
        V::mul_pow2_floor(V::splat(T::NAN), V::splat(T::ONE)).store(&mut got);
        assert!(got.iter().all(|g| g.is_nan()), "{tier}: NaN in y");
        V::mul_pow2_floor(V::splat(T::ONE), V::splat(T::NAN)).store(&mut got);
        assert!(got.iter().all(|g| g.is_nan()), "{tier}: NaN in n");
    }

    /// [`Vector::load_transposed`] and [`Vector::store_transposed`] of every
    /// group size `g` against their definitions, for rows of `COLS`.
    fn check_transposes<T: Float, V: Vector<T>, const COLS: usize>(tier: &str) {
        for g in 1..=V::LANES {
            // Distinct values, so a misplaced element cannot go unnoticed.
            let rows: Vec<T> = (0..g * COLS).map(|k| T::from_f64(k as f64 + 0.5)).collect();
            let cols = V::load_transposed::<COLS>(&rows, g);
            let mut lanes = vec![T::NAN; V::LANES];
            for (j, c) in cols.iter().enumerate() {
                c.store(&mut lanes);
                for (i, &got) in lanes.iter().enumerate() {
                    let want = if i < g { rows[i * COLS + j] } else { T::ZERO };
                    assert_eq!(
                        got.to_bits_u64(),
                        want.to_bits_u64(),
                        "{tier}: load_transposed, {g} rows of {COLS}, column {j} lane {i}"
                    );
                }
            }
            // Back, into NaN: every element must be written, once, in place.
            let mut out = vec![T::NAN; g * COLS];
            V::store_transposed(&cols, &mut out, g);
            let same = out
                .iter()
                .zip(&rows)
                .all(|(o, r)| o.to_bits_u64() == r.to_bits_u64());
            assert!(same, "{tier}: store_transposed, {g} rows of {COLS}");
        }
    }

    /// The transposes for the row lengths the across-rows softmax uses:
    /// 1 to 16, which covers under, at and over each tier's lane count.
    fn check_all_transposes<T: Float, V: Vector<T>>(tier: &str) {
        macro_rules! cols {
            ($($c:literal)*) => { $(check_transposes::<T, V, $c>(tier);)* };
        }
        cols!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
    }

    struct Check;

    impl Kernel for Check {
        type Output = ();
        fn run<S: Tier>(self, _: S) {
            let name = std::any::type_name::<S>();
            check::<f32, S::F32>(name);
            check::<f64, S::F64>(name);
            check::<f32, pair::Pair<f32, S::F32>>(name);
            check_all_transposes::<f32, S::F32>(name);
            check_all_transposes::<f64, S::F64>(name);
        }
    }

    #[test]
    fn trait_defaults_and_overrides_on_every_tier() {
        for isa in supported_isas() {
            dispatch::vectorize(isa, Check);
        }
    }
}
