//! The [`Vector`] trait, which every tier's vector types implement and
//! every kernel is written against, with the lane-by-lane defaults of its
//! optional operations and the checks its implementations share.

use std::ops::{Add, Div, Mul, Sub};

use crate::float::Float;

/// The most lanes any tier's vector has (AVX-512 `f32`): the size of the
/// stack arrays kernels stage one vector's worth of values in.
pub const MAX_LANES: usize = 16;

/// A vector of `LANES` values of `T`, with the operations the kernels use.
///
/// # Safety
/// An implementation may use instructions the build's baseline target lacks,
/// provided a value of the type can only exist on a CPU that has them: the
/// x86 implementations are made only inside their tier's
/// [`Tier::vectorize`](super::Tier::vectorize), which is only entered with a token of that tier.
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
    /// Whether full groups of [`Vector::load_transposed`] and
    /// [`Vector::store_transposed`] are shuffles in registers (AVX2,
    /// AVX-512) rather than the element-by-element defaults.
    const TRANSPOSES_IN_REGISTERS: bool = false;
    /// The shortest rows `argmax_rows` runs across rows on this tier
    /// ([`Vector::load_transposed`], then [`Vector::select_new_max`] column
    /// by column) rather than a row at a time; `usize::MAX`, never. Where
    /// the transposes are in registers and the select is one compare pair
    /// and blend, from the length where that was measured to beat the row
    /// loop (BENCHMARKS.md, "argmax").
    const ARGMAX_ACROSS_MIN_COLS: usize = usize::MAX;
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
    /// Stores the low `n` lanes to the last `n` elements of `d` (`d.len()
    /// == LANES`, `1 <= n <= LANES`; panics otherwise): the values
    /// `store_prefix(&mut d[LANES - n..])` stores, but by a store whose
    /// footprint is `d` alone. A masked store's footprint is its whole
    /// vector, and a load that overlaps the footprint waits for the store
    /// to reach the cache (a masked store does not forward to a load);
    /// `store_prefix`'s footprint reaches past the slice, into the next
    /// row of a batch, whose first load then waits. The default stores
    /// through `store_prefix`; tiers whose masked store is fast move the
    /// lanes up and store them there.
    #[inline(always)]
    fn store_prefix_at_end(self, d: &mut [T], n: usize) {
        assert_eq!(d.len(), Self::LANES);
        self.store_prefix(&mut d[Self::LANES - n..]);
    }
    /// `a * b + c`: fused (one rounding) on the x86 tiers, a multiply and an
    /// add on the portable one (on every target, so its results are the
    /// same everywhere).
    fn madd(a: Self, b: Self, c: Self) -> Self;
    /// [`Vector::madd`] of one element, rounded as each lane of it is: the
    /// scalar form of the tier's multiply-add.
    fn madd_one(a: T, b: T, c: T) -> T;
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
    /// `a` where `v` takes over from `best` as a row's first maximum, `b`
    /// elsewhere, lane-wise: where `best` is not NaN and `v` is not `<=
    /// best` (greater, or NaN), the step of `argmax`'s rule (ties keep the
    /// first, the first NaN wins and stays; `reference::argmax`). By default
    /// lane by lane.
    #[inline(always)]
    fn select_new_max(best: Self, v: Self, a: Self, b: Self) -> Self
    where
        T: Float,
    {
        let [mut best_l, mut v_l, mut a_l, mut b_l] = [[T::ZERO; MAX_LANES]; 4];
        for (x, l) in [
            (best, &mut best_l),
            (v, &mut v_l),
            (a, &mut a_l),
            (b, &mut b_l),
        ] {
            x.store(&mut l[..Self::LANES]);
        }
        let lanes = best_l.iter_mut().zip(&v_l).zip(a_l.iter().zip(&b_l));
        for ((best, &v), (&a, &b)) in lanes.take(Self::LANES) {
            #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must count as "not <="
            let take = !best.is_nan() && !(v <= *best);
            *best = if take { a } else { b };
        }
        Self::load(&best_l[..Self::LANES])
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

/// `0, 1, 2, ...`: `IOTA[s..s + LANES]` as [`Vector::permute`]'s indices
/// rotates the lanes down by `s` (lane `i` from lane `i + s mod LANES`).
#[cfg(target_arch = "x86_64")]
pub(crate) static IOTA: [i32; 2 * MAX_LANES] = {
    let mut a = [0; 2 * MAX_LANES];
    let mut i = 0;
    while i < a.len() {
        a[i] = i as i32;
        i += 1;
    }
    a
};

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
