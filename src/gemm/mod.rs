//! Matrix multiply behind the dense layer: `out = act(x · w + bias)`,
//! row-major, with the bias and ReLU fused into the kernel.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the safe API, shape checks, block sizes, the split across threads, the kernels each tier runs |
//! | `blis.rs` | the algorithm, once, over the tier's vector type and tile (see its table for the files of its paths, packing and microkernel) |
//! | `matrixmultiply.rs` | `matrixmultiply` plus a bias store and an activation pass: the portable tier's product where it measures faster, and a test oracle |
//!
//! A tier's tile shape is its `Tier::GemmTile` (in `src/simd/`). Every
//! output element is one chain of multiply-adds in `k` order from its bias
//! (fused on the x86 tiers: [`crate::reference::dense_fma_chain`] gives the
//! same bits), so the result does not depend on the blocking, the thread
//! count, or whether W was prepacked. Threads split the rows of `out` (or
//! its columns when there are few rows), never `k`.

mod blis;
mod direct;
mod matrixmultiply;
mod microkernel;
mod pack;
mod packed;
mod scratch;

use std::marker::PhantomData;

pub(crate) use blis::Blocks;

use crate::activation::Activation;
use crate::dispatch::{self, Isa, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::simd::{Kernel, Tier, TileKernel, TileShape, Vector};

/// The most a `k` block may be deep: how many multiply-adds each output
/// element takes between a load and a store of its partial sum.
///
/// Within it, the depth is derived from the L2 (an eighth of it for W's
/// micro-panel); deeper blocks amortise the tile's load and store of `out` better, and
/// past 512 they stopped paying off (BENCHMARKS.md, "Block sizes"). The
/// tuning constants of this module are not API: the docs of
/// [`crate::dense`] state what they mean for a call.
#[doc(hidden)]
pub const KC_MAX: usize = 512;

/// The shallowest `k` block the derivation picks, however small the L2.
#[doc(hidden)]
pub const KC_MIN: usize = 128;

/// The smallest product, in multiply-adds (`m · k · n`), that is split
/// across rayon threads, for a tier whose vectors hold `lanes` elements:
/// `PAR_MIN_MACS_PER_LANE · lanes`.
///
/// A split pays once a thread's half of the work takes longer than waking
/// a second thread (a few microseconds); how long that work takes scales
/// with the vector width, so the threshold does too. The constant puts the
/// AVX-512 `f32` threshold (16 lanes) at 2^18 multiply-adds, where a
/// two-way split first won (BENCHMARKS.md, "Threads").
#[doc(hidden)]
pub const PAR_MIN_MACS_PER_LANE: usize = 1 << 14;

/// Rows per rayon task at the least, when splitting by rows; with fewer rows
/// the columns are split instead.
#[doc(hidden)]
pub const PAR_MIN_ROWS: usize = 64;

/// The blocking for a tier's `mr x nr` tile of `lanes`-element vectors and
/// element type `T`, derived
/// from the caches this CPU reports ([`crate::cache::caches`]):
///
/// - `kc`: W's `KC x NR` micro-panel, which every `MR`-row panel of X's
///   block streams past, takes an eighth of the L2 (the packed X block takes
///   half, the rest is for `out`'s tiles and W's next panel), within
///   [`KC_MIN`]`..=`[`KC_MAX`], a multiple of 16. (It does not fit L1d at
///   these widths: the tile's W loads come from L2, which the block sizes
///   in BENCHMARKS.md, "Block sizes", show is fast enough.)
/// - `mc`: X's packed `MC x KC` block takes half of the L2, whole tiles.
/// - `nc`: W's packed `KC x NC` block takes a quarter of the L3, at most
///   this core's share of it ([`crate::cache::Caches::l3_share`]), whole
///   panels.
/// - `direct_w_bytes`, `l2_bytes`: for the choice of path in `blis::gemm`.
/// - `par_min_macs`: see [`PAR_MIN_MACS_PER_LANE`].
fn blocks_from<T>(mr: usize, nr: usize, lanes: usize) -> Blocks {
    let c = crate::cache::caches();
    let size = size_of::<T>();
    let kc = (c.l2 / 8 / (nr * size)).clamp(KC_MIN, KC_MAX) / 16 * 16;
    let nc_bytes = (c.l3 / 4).min(c.l3_share()).max(c.l2);
    Blocks {
        mr,
        nr,
        kc,
        mc: (c.l2 / 2 / (kc * size) / mr).max(1) * mr,
        nc: (nc_bytes / (kc * size) / nr).max(1) * nr,
        direct_w_bytes: c.l1d / 2,
        l2_bytes: c.l2,
        par_min_macs: PAR_MIN_MACS_PER_LANE * lanes,
    }
}

/// A tier's blocking for `T`, from its tile shape and this CPU's caches.
pub(crate) fn blocks<T: Float>(isa: Supported) -> Blocks {
    dispatch::vectorize(isa, BlocksOf::<T>(PhantomData))
}

/// [`blocks`] as a kernel: the tile shape is the tier's `GemmTile`.
struct BlocksOf<T>(PhantomData<T>);

impl<T: Float> Kernel for BlocksOf<T> {
    type Output = Blocks;
    #[inline(always)]
    fn run<S: Tier>(self, _: S) -> Blocks {
        S::GemmTile::with(BlocksOfTile::<T, T::Vec<S>>(PhantomData))
    }
}

struct BlocksOfTile<T, V>(PhantomData<(T, V)>);

impl<T: Float, V: Vector<T>> TileKernel for BlocksOfTile<T, V> {
    type Output = Blocks;
    #[inline(always)]
    fn run<
        const MR: usize,
        const NV: usize,
        const NW: usize,
        const MR1: usize,
        const MR2: usize,
    >(
        self,
    ) -> Blocks {
        blocks_from::<T>(MR, NV * V::LANES, V::LANES)
    }
}

/// A whole product on one tier: the blocking comes from the tier's tile and
/// this CPU's caches, then the product runs as one block, or as blocks split
/// across rayon tasks, each a [`GemmBlock`] that enters the tier again (a
/// function of its own, whose registers are all for the product's loops).
struct GemmCall<'a, T> {
    x: &'a [T],
    w: Weights<'a, T>,
    ep: Epilogue<'a, T>,
    out: OutPtr<T>,
    dims: (usize, usize, usize),
}

impl<'a, T: Float> GemmCall<'a, T> {
    /// # Safety
    /// `x`, `w` and `out` hold the `m x k`, `k x n` and `m x n` elements
    /// `dims` give (checked), `m, n, k >= 1`, the bias (if any) has `n`, a
    /// packed W was packed for the tier the call runs on, and nothing else
    /// accesses `out` during the call.
    unsafe fn new(
        x: &'a [T],
        w: Weights<'a, T>,
        ep: Epilogue<'a, T>,
        out: OutPtr<T>,
        dims: (usize, usize, usize),
    ) -> Self {
        GemmCall {
            x,
            w,
            ep,
            out,
            dims,
        }
    }
}

impl<T: Float> Kernel for GemmCall<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, tier: S) {
        S::GemmTile::with(GemmCallTile { call: self, tier });
    }
}

struct GemmCallTile<'a, T, S> {
    call: GemmCall<'a, T>,
    tier: S,
}

impl<T: Float, S: Tier> TileKernel for GemmCallTile<'_, T, S> {
    type Output = ();
    #[inline(always)]
    fn run<
        const MR: usize,
        const NV: usize,
        const NW: usize,
        const MR1: usize,
        const MR2: usize,
    >(
        self,
    ) {
        let Self { call, tier } = self;
        let lanes = <T::Vec<S> as Vector<T>>::LANES;
        let bl = blocks_from::<T>(MR, NV * lanes, lanes);
        let (m, k, n) = call.dims;
        let call = &call;
        let in_task = |rows, cols| {
            let block = GemmBlock {
                bl,
                call,
                rows,
                cols,
            };
            tier.vectorize(block)
        };
        match split(m, k, n, (bl.mr, bl.nr), bl.par_min_macs) {
            // The whole product as one block, in a function of its own (see
            // `Tier::vectorize`).
            Split::None => in_task((0, m), (0, n)),
            Split::Rows(r) => crate::threads::for_each_index(m.div_ceil(r), |t| {
                in_task((t * r, m.min(t * r + r)), (0, n))
            }),
            Split::Cols(q) => crate::threads::for_each_index(n.div_ceil(q), |t| {
                in_task((0, m), (t * q, n.min(t * q + q)))
            }),
        }
    }
}

/// One block (rows `rows.0 .. rows.1`, columns `cols.0 .. cols.1`) of a
/// [`GemmCall`], in a rayon task: disjoint from every other task's block.
struct GemmBlock<'a, 'b, T> {
    bl: Blocks,
    call: &'b GemmCall<'a, T>,
    rows: (usize, usize),
    cols: (usize, usize),
}

impl<T: Float> Kernel for GemmBlock<'_, '_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        S::GemmTile::with(GemmBlockTile::<T, T::Vec<S>> {
            block: self,
            vec: PhantomData,
        });
    }
}

struct GemmBlockTile<'a, 'b, T, V> {
    block: GemmBlock<'a, 'b, T>,
    vec: PhantomData<V>,
}

impl<T: Float, V: Vector<T>> TileKernel for GemmBlockTile<'_, '_, T, V> {
    type Output = ();
    #[inline(always)]
    fn run<
        const MR: usize,
        const NV: usize,
        const NW: usize,
        const MR1: usize,
        const MR2: usize,
    >(
        self,
    ) {
        let GemmBlock {
            bl,
            call,
            rows,
            cols,
        } = self.block;
        // SAFETY: `GemmCall::new`'s contract; the split gives each task a
        // block of its own, inside the product, with a column start that is
        // a multiple of `NR`; `bl` is this tier's blocking (the task runs on
        // the tier that made it).
        unsafe { run_block::<T, V, MR, NV, NW, MR1, MR2>(&bl, call, rows, cols) }
    }
}

/// [`blis::gemm`] on the block of rows `i0 .. i1` and columns `j0 .. j1` of
/// `call`.
///
/// # Safety
/// `call` is as [`GemmCall::new`] requires, the block lies inside the
/// product (`j0` a multiple of `bl.nr`), no other thread accesses its part
/// of `out`, and `bl` is the blocking of the tier this runs on.
#[inline(always)]
unsafe fn run_block<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
>(
    bl: &Blocks,
    call: &GemmCall<'_, T>,
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
) {
    let (_, k, n) = call.dims;
    // SAFETY: the offsets stay inside the checked operands (`i1 <= m`,
    // `j1 <= n`); a packed W covers all `n` columns in `NR` panels and `j0`
    // is a multiple of `NR`.
    let problem = unsafe {
        blis::Problem {
            m: i1 - i0,
            k,
            n: j1 - j0,
            x: call.x.as_ptr().add(i0 * k),
            ldx: k,
            w: match call.w {
                Weights::RowMajor(w) => blis::WSrc::RowMajor {
                    ptr: w.as_ptr().add(j0),
                    ld: n,
                },
                Weights::Packed(w, n_pad) => blis::WSrc::Packed {
                    ptr: w.as_ptr(),
                    n_pad,
                    col0: j0,
                },
            },
            // A match, not `Option::map`: no closure on the product's path
            // (see `microkernel::tile`).
            #[allow(clippy::manual_map)]
            bias: match call.ep.bias {
                Some(b) => Some(b.as_ptr().add(j0)),
                None => None,
            },
            act: call.ep.act,
            out: call.out.get().add(i0 * n + j0),
            ldc: n,
        }
    };
    // SAFETY: the caller's contract; `k >= 1`.
    unsafe { blis::gemm::<T, V, MR, NV, NW, MR1, MR2>(bl, &problem) }
}

/// Packs rows `p0 .. p0 + kc` and all `n` columns of row-major `w` into a
/// tier's micro-panels ([`pack::pack_w`]).
struct PackW<'a, T> {
    dst: &'a mut [T],
    w: &'a [T],
    n: usize,
    rows: (usize, usize),
}

impl<T: Float> Kernel for PackW<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        S::GemmTile::with(PackWTile::<T, T::Vec<S>> {
            pack: self,
            vec: PhantomData,
        });
    }
}

struct PackWTile<'a, T, V> {
    pack: PackW<'a, T>,
    vec: PhantomData<V>,
}

impl<T: Float, V: Vector<T>> TileKernel for PackWTile<'_, T, V> {
    type Output = ();
    #[inline(always)]
    fn run<
        const MR: usize,
        const NV: usize,
        const NW: usize,
        const MR1: usize,
        const MR2: usize,
    >(
        self,
    ) {
        let PackW { dst, w, n, rows } = self.pack;
        assert!(w.len() >= (rows.0 + rows.1) * n);
        // SAFETY: `w` holds rows `p0 .. p0 + kc` of `n` elements (asserted).
        unsafe { pack::pack_w::<T, V, NV>(dst, w.as_ptr(), n, rows, (0, n)) }
    }
}

/// A tier's blocking for `T` as `[MR, NR, KC, MC, NC]`, and the deepest
/// `k` of the narrow path, for tests that derive their sizes from them
/// (`None` for a tier this CPU lacks).
#[doc(hidden)]
pub fn tile_dims<T: Float>(isa: Isa) -> Option<([usize; 5], usize)> {
    let b = blocks::<T>(isa.supported()?);
    Some(([b.mr, b.nr, b.kc, b.mc, b.nc], blis::NARROW_MAX_K))
}

/// Which code computes a product on the portable tier: the crate's own
/// BLIS loops over `wide`'s vectors, or `matrixmultiply`, whichever
/// measures faster on the target (`cargo bench --bench dense_grid --
/// engines`; BENCHMARKS.md, "Tiers as types"). On x86-64 `matrixmultiply`
/// picks AVX2 or AVX-512 kernels at run time, which a baseline (SSE2) build
/// of ours cannot match on large products, while its fixed cost per call
/// (packing buffers, allocated each call) loses to ours on small ones. So
/// there the portable tier runs ours below [`portable_blis_max_macs`] and
/// `matrixmultiply` above; on other targets (and under Miri) always ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Blis,
    MatrixMultiply,
}

/// Whether the portable tier's products use `matrixmultiply` for some
/// sizes on this build ([`Engine`]).
const PORTABLE_HAS_MATRIXMULTIPLY: bool = cfg!(target_arch = "x86_64") && !cfg!(miri);

/// The largest product (in multiply-adds) the portable tier runs through
/// its own BLIS loops where [`PORTABLE_HAS_MATRIXMULTIPLY`]: 2^9 for `f32`
/// and 2^7 for `f64`, a power of four below where the two engines' median
/// times crossed over in the grid sweep (2^11 and 2^9), because shapes of
/// 16 rows and 10 to 64 columns already ran up to 1.7x slower on ours
/// there (BENCHMARKS.md, "Tiers as types").
fn portable_blis_max_macs<T: Float>() -> usize {
    if T::MANTISSA_DIGITS == f32::MANTISSA_DIGITS {
        1 << 9
    } else {
        1 << 7
    }
}

fn engine<T: Float>(isa: Supported, (m, k, n): (usize, usize, usize)) -> Engine {
    if isa.isa() != Isa::Portable || !PORTABLE_HAS_MATRIXMULTIPLY {
        return Engine::Blis;
    }
    // Ours where it measured faster: small products, unless the output is
    // narrower than a vector and `k` too deep for the narrow path (then the
    // portable tile's few FMA chains wait on their latency).
    let lanes = crate::dispatch::vector_lanes::<T>(Isa::Portable);
    let small = m.saturating_mul(k).saturating_mul(n) <= portable_blis_max_macs::<T>();
    if small && (n >= lanes || k <= blis::NARROW_MAX_K) {
        Engine::Blis
    } else {
        Engine::MatrixMultiply
    }
}

/// [`crate::dense`] through the crate's own BLIS loops on the portable
/// tier, whatever [`Engine`] the portable tier uses for products (for the
/// tests, Miri and the benches that compare the two).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)] // the slice API
pub fn dense_portable_blis<T: Float>(
    x: &[T],
    w: &[T],
    bias: &[T],
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
    act: Activation,
) -> Result<(), ShapeError> {
    check_dims("dense", ["x", "w"], x, w, out, m, k, n)?;
    ShapeError::check_len("dense", "bias", n, bias.len())?;
    let isa = Isa::Portable
        .supported()
        .expect("portable is always supported");
    let ep = Epilogue {
        bias: Some(bias),
        act,
    };
    gemm_on(
        isa,
        Engine::Blis,
        x,
        Weights::RowMajor(w),
        ep,
        out,
        (m, k, n),
    );
    Ok(())
}

/// `out = a · b` for row-major `a` (`m x k`), `b` (`k x n`) and `out`
/// (`m x n`).
///
/// `out` is only written, never read, so it may hold anything (NaN, garbage
/// from an earlier call). `k == 0` gives all zeros; `m == 0` or `n == 0` does
/// nothing.
///
/// # Errors
/// [`ShapeError`] if `m · k`, `k · n` or `m · n` overflows `usize`, or a slice
/// length does not match its dims.
///
/// ```
/// // [1 2 3]   [1 0]   [ 4  2]
/// // [4 5 6] · [0 1] = [10  5]
/// //           [1 0]
/// let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let b = [1.0f32, 0.0, 0.0, 1.0, 1.0, 0.0];
/// let mut out = [f32::NAN; 4];
/// nn_kernels::matmul(&a, &b, &mut out, 2, 3, 2)?;
/// assert_eq!(out, [4.0, 2.0, 10.0, 5.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn matmul<T: Float>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    matmul_with_isa(crate::dispatch::selected(), a, b, out, m, k, n)
}

/// [`matmul`] on a given tier (for tests and benches).
#[doc(hidden)]
pub fn matmul_with_isa<T: Float>(
    isa: Supported,
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    check_dims("matmul", ["a", "b"], a, b, out, m, k, n)?;
    let ep = Epilogue {
        bias: None,
        act: Activation::Identity,
    };
    gemm(isa, a, Weights::RowMajor(b), ep, out, (m, k, n));
    Ok(())
}

/// Checks the three operands of an `m x k` by `k x n` product; `names` are
/// the caller's names for the two inputs, for the error.
#[allow(clippy::too_many_arguments)] // the operands, their dims and their names
pub(crate) fn check_dims<T>(
    function: &'static str,
    names: [&'static str; 2],
    a: &[T],
    b: &[T],
    out: &[T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    let mk = ShapeError::checked_mul(function, "m * k", m, k)?;
    let kn = ShapeError::checked_mul(function, "k * n", k, n)?;
    let mn = ShapeError::checked_mul(function, "m * n", m, n)?;
    ShapeError::check_len(function, names[0], mk, a.len())?;
    ShapeError::check_len(function, names[1], kn, b.len())?;
    ShapeError::check_len(function, "out", mn, out.len())
}

/// The weights of a product.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Weights<'a, T> {
    /// Row-major `k x n`.
    RowMajor(&'a [T]),
    /// Packed by [`pack_weights`] for the tier the product runs on:
    /// the packed data and its padded width `n_pad`.
    Packed(&'a [T], usize),
}

/// What a product does to each output after its chain of multiply-adds:
/// the bias it starts from, and the activation applied before the store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Epilogue<'a, T> {
    /// `n` biases, or none (zero).
    pub bias: Option<&'a [T]>,
    /// The activation.
    pub act: Activation,
}

/// W (`k x n`, row-major) packed for tier `isa`: blocks of
/// `Blocks::kc_for(k)` rows, each in `NR`-column micro-panels, zero-padded
/// to `n_pad` columns (the layout `pack::pack_w` gives each block). Returns
/// the data and `n_pad`, or W itself and 0 where every product reads W
/// row-major: where the tier's products run `matrixmultiply`, and for
/// weights that `blis::always_direct` leaves in place (half of L1d at
/// most, or one panel of columns in half of L2).
pub(crate) fn pack_weights<T: Float>(
    isa: Supported,
    w: &[T],
    k: usize,
    n: usize,
) -> (Vec<T>, usize) {
    assert_eq!(w.len(), k * n);
    // Where some products of the tier run `matrixmultiply`, which reads W
    // row-major, W stays row-major for all (the own loops read it in place).
    if isa.isa() == Isa::Portable && PORTABLE_HAS_MATRIXMULTIPLY {
        return (w.to_vec(), 0);
    }
    let bl = blocks::<T>(isa);
    if blis::always_direct::<T>(&bl, k, n) {
        return (w.to_vec(), 0);
    }
    let n_pad = n.next_multiple_of(bl.nr);
    let mut data = vec![T::ZERO; k * n_pad];
    let kc = bl.kc_for(k);
    for pc in (0..k).step_by(kc) {
        let (dst, rows) = (&mut data[pc * n_pad..], (pc, kc.min(k - pc)));
        dispatch::vectorize(isa, PackW { dst, w, n, rows });
    }
    (data, n_pad)
}

/// A raw pointer to `out` that rayon tasks may share: each task writes a
/// disjoint block of it.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
impl<T> OutPtr<T> {
    /// The pointer (a method, so closures capture the whole `OutPtr`).
    fn get(self) -> *mut T {
        self.0
    }
}

// SAFETY: the tasks that share an `OutPtr` write disjoint rows or column
// ranges of `out` (see `gemm`), and `T` (f32/f64) is `Send`. The narrow
// path's full-vector stores, which write lanes past a row, only happen with
// whole rows (`ldc == n`, a row split or no split) and stay inside the task's
// own rows.
unsafe impl<T: Send> Send for OutPtr<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for OutPtr<T> {}

/// How a product is split across threads.
enum Split {
    /// One task.
    None,
    /// Tasks of this many rows (a multiple of `MR`).
    Rows(usize),
    /// Tasks of this many columns (a multiple of `NR`).
    Cols(usize),
}

/// Splits of at least `min_macs` multiply-adds when the pool has more
/// than one thread: by rows while every task gets [`PAR_MIN_ROWS`], by
/// column panels otherwise.
fn split(m: usize, k: usize, n: usize, (mr, nr): (usize, usize), min_macs: usize) -> Split {
    // Small products never touch rayon (not even to ask its thread count).
    if m.saturating_mul(k).saturating_mul(n) < min_macs {
        return Split::None;
    }
    let threads = crate::threads::pool_threads();
    if threads <= 1 {
        Split::None
    } else if m >= 2 * PAR_MIN_ROWS {
        Split::Rows(m.div_ceil(threads).max(PAR_MIN_ROWS).next_multiple_of(mr))
    } else if n >= 2 * nr {
        Split::Cols(n.div_ceil(threads).next_multiple_of(nr))
    } else {
        Split::None
    }
}

/// `out = act(x · w + bias)` (`bias` zero when `None`) on tier `isa`,
/// dims already checked. `out` is only written.
pub(crate) fn gemm<T: Float>(
    isa: Supported,
    x: &[T],
    w: Weights<'_, T>,
    ep: Epilogue<'_, T>,
    out: &mut [T],
    dims: (usize, usize, usize),
) {
    gemm_on(isa, engine::<T>(isa, dims), x, w, ep, out, dims);
}

/// [`gemm`] with the engine chosen.
fn gemm_on<T: Float>(
    isa: Supported,
    engine: Engine,
    x: &[T],
    w: Weights<'_, T>,
    ep: Epilogue<'_, T>,
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for row in out.chunks_exact_mut(n) {
            match ep.bias {
                Some(bias) => row.copy_from_slice(bias),
                None => row.fill(T::ZERO),
            }
            row.iter_mut().for_each(|v| *v = ep.act.scalar(*v));
        }
        return;
    }
    if engine == Engine::MatrixMultiply {
        let (Weights::RowMajor(w) | Weights::Packed(w, _)) = w;
        // matrixmultiply takes whole rows, any count: no tile to round to,
        // and a "panel" as wide as `n` rules out a column split.
        // Its vectors: 32 bytes (as the portable tier's elsewhere).
        let min_macs = PAR_MIN_MACS_PER_LANE * (32 / size_of::<T>());
        return match split(m, k, n, (1, n), min_macs) {
            Split::Rows(rows) => {
                crate::threads::for_each_chunk_pair(x, rows * k, out, rows * n, |x, out| {
                    matrixmultiply::gemm(x, w, ep, out, (x.len() / k, k, n))
                })
            }
            _ => matrixmultiply::gemm(x, w, ep, out, (m, k, n)),
        };
    }
    let out = OutPtr(out.as_mut_ptr());
    // SAFETY: the dims were checked by the caller (`check_dims`), `m`, `n`
    // and `k` are at least 1 here, a packed W came from `pack_weights` for
    // `isa`, and `out` is borrowed mutably for the call.
    let call = unsafe { GemmCall::new(x, w, ep, out, (m, k, n)) };
    dispatch::vectorize(isa, call);
}
