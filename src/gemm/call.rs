//! A whole product: the engine, the split across threads, and the entry
//! into the tier for each block; and packing W once for a tier.

use std::marker::PhantomData;

use super::blis;
use super::blocks::{PAR_MIN_MACS_PER_LANE, PAR_MIN_ROWS, blocks, blocks_from, budgets};
use super::engine::{Engine, PORTABLE_HAS_MATRIXMULTIPLY, engine};
use super::matrixmultiply;
use super::microkernel::wide_rows;
use super::pack;
use super::problem::{Blocks, Budgets, Epilogue, Problem, WSrc, WeightData};
use super::tiny::{TINY_MAX_MACS, TINY_MAX_OUTPUTS, Tiny};
use crate::activation::Activation;
use crate::aligned::AlignedVec;
use crate::dispatch::{self, Isa, Supported};
use crate::simd::{Kernel, SimdFloat, Tier, TileKernel, TileShape, Vector};

/// A whole product on one tier: the blocking comes from the tier's tile and
/// the call's budgets, then the product runs as one block, or as blocks split
/// across rayon tasks, each a [`GemmBlock`] that enters the tier again (a
/// function of its own, whose registers are all for the product's loops).
///
/// Scalar fields (`m`, `k`, `n`, the bias and the activation), not the
/// tuple and `Epilogue` the caller has: the caller builds this struct from
/// its registers, where a tuple field would be copied from the caller's
/// stack as one aggregate, a 16-byte load of two 8-byte stores that cannot
/// be forwarded and waits for them to commit (a fifth of a one-row call's
/// time on Golden Cove: `BENCHMARKS.md`, "Emerald Rapids: the smallest
/// calls and one-sample MLPs").
struct GemmCall<'a, T> {
    x: &'a [T],
    w: WeightData<'a, T>,
    bias: Option<&'a [T]>,
    act: Activation,
    out: OutPtr<T>,
    m: usize,
    k: usize,
    n: usize,
    budgets: &'a Budgets,
}

impl<'a, T: SimdFloat> GemmCall<'a, T> {
    /// # Safety
    /// `x`, `w` and `out` hold the `m x k`, `k x n` and `m x n` elements
    /// `dims` give (checked), `m, n, k >= 1`, the bias (if any) has `n`, a
    /// packed W was packed for the tier the call runs on, and nothing else
    /// accesses `out` during the call.
    #[inline(always)]
    unsafe fn new(
        x: &'a [T],
        w: WeightData<'a, T>,
        ep: Epilogue<'a, T>,
        out: OutPtr<T>,
        (m, k, n): (usize, usize, usize),
        budgets: &'a Budgets,
    ) -> Self {
        GemmCall {
            x,
            w,
            bias: ep.bias,
            act: ep.act,
            out,
            m,
            k,
            n,
            budgets,
        }
    }
}

impl<T: SimdFloat> Kernel for GemmCall<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, tier: S) {
        // Borrowed where it arrived, not moved into the tile's struct: a
        // move is a copy of the whole struct in wide loads, which wait on
        // the caller's narrower stores (as above).
        S::GemmTile::with(GemmCallTile { call: &self, tier });
    }
}

struct GemmCallTile<'a, 'b, T, S> {
    call: &'b GemmCall<'a, T>,
    tier: S,
}

impl<T: SimdFloat, S: Tier> TileKernel for GemmCallTile<'_, '_, T, S> {
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
        let lanes = <<T as SimdFloat>::Vec<S> as Vector<T>>::LANES;
        let bl = blocks_from::<T>(MR, NV * lanes, lanes, *call.budgets);
        let (m, k, n) = (call.m, call.k, call.n);
        // One or two rows (one sample): every block is that, and takes a
        // function of its own with the wide tiles only (`blis::gemm`).
        let few = wide_rows(m);
        let in_task = |rows, cols| {
            if few {
                enter_block::<T, S, true>(tier, &bl, call, rows, cols)
            } else {
                enter_block::<T, S, false>(tier, &bl, call, rows, cols)
            }
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

/// Runs rows `rows.0 .. rows.1`, columns `cols.0 .. cols.1` of `call` as
/// a [`GemmBlock`] on `tier` (`FEW`: one or two rows, see `blis::gemm`).
#[inline(always)]
fn enter_block<T: SimdFloat, S: Tier, const FEW: bool>(
    tier: S,
    bl: &Blocks,
    call: &GemmCall<'_, T>,
    rows: (usize, usize),
    cols: (usize, usize),
) {
    tier.vectorize(GemmBlock::<T, FEW> {
        bl,
        call,
        rows,
        cols,
    })
}

/// One block (rows `rows.0 .. rows.1`, columns `cols.0 .. cols.1`) of a
/// [`GemmCall`], in a rayon task: disjoint from every other task's block.
/// The blocking by reference, as [`GemmCall`]'s budgets, so that entering
/// the tier copies no just-written struct.
struct GemmBlock<'a, 'b, T, const FEW: bool> {
    bl: &'b Blocks,
    call: &'b GemmCall<'a, T>,
    rows: (usize, usize),
    cols: (usize, usize),
}

impl<T: SimdFloat, const FEW: bool> Kernel for GemmBlock<'_, '_, T, FEW> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        S::GemmTile::with(GemmBlockTile::<T, <T as SimdFloat>::Vec<S>, FEW> {
            block: self,
            vec: PhantomData,
        });
    }
}

struct GemmBlockTile<'a, 'b, T, V, const FEW: bool> {
    block: GemmBlock<'a, 'b, T, FEW>,
    vec: PhantomData<V>,
}

impl<T: SimdFloat, V: Vector<T>, const FEW: bool> TileKernel for GemmBlockTile<'_, '_, T, V, FEW> {
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
        unsafe { run_block::<T, V, MR, NV, NW, MR1, MR2, FEW>(bl, call, rows, cols) }
    }
}

/// [`blis::gemm`] on the block of rows `i0 .. i1` and columns `j0 .. j1` of
/// `call`.
///
/// # Safety
/// `call` is as [`GemmCall::new`] requires, the block lies inside the
/// product (`j0` a multiple of `bl.nr`), no other thread accesses its part
/// of `out`, `bl` is the blocking of the tier this runs on, and with `FEW`
/// the block has one or two rows.
#[inline(always)]
unsafe fn run_block<
    T: SimdFloat,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
    const FEW: bool,
>(
    bl: &Blocks,
    call: &GemmCall<'_, T>,
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
) {
    let (k, n) = (call.k, call.n);
    // SAFETY: the offsets stay inside the checked operands (`i1 <= m`,
    // `j1 <= n`); a packed W covers all `n` columns in `NR` panels and `j0`
    // is a multiple of `NR`.
    let problem = unsafe {
        Problem {
            m: i1 - i0,
            k,
            n: j1 - j0,
            x: call.x.as_ptr().add(i0 * k),
            ldx: k,
            w: match call.w {
                WeightData::RowMajor(w) => WSrc::RowMajor {
                    ptr: w.as_ptr().add(j0),
                    ld: n,
                },
                WeightData::Packed(w, n_pad) => WSrc::Packed {
                    ptr: w.as_ptr(),
                    n_pad,
                    col0: j0,
                },
            },
            // A match, not `Option::map`: no closure on the product's path
            // (see `microkernel::tile`).
            #[allow(clippy::manual_map)]
            bias: match call.bias {
                Some(b) => Some(b.as_ptr().add(j0)),
                None => None,
            },
            act: call.act,
            out: call.out.get().add(i0 * n + j0),
            ldc: n,
        }
    };
    // SAFETY: the caller's contract; `k >= 1`.
    unsafe { blis::gemm::<T, V, MR, NV, NW, MR1, MR2, FEW>(bl, &problem) }
}

/// Packs rows `p0 .. p0 + kc` and all `n` columns of row-major `w` into a
/// tier's micro-panels ([`pack::pack_w`]).
struct PackW<'a, T> {
    dst: &'a mut [T],
    w: &'a [T],
    n: usize,
    rows: (usize, usize),
}

impl<T: SimdFloat> Kernel for PackW<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        S::GemmTile::with(PackWTile::<T, <T as SimdFloat>::Vec<S>> {
            pack: self,
            vec: PhantomData,
        });
    }
}

struct PackWTile<'a, T, V> {
    pack: PackW<'a, T>,
    vec: PhantomData<V>,
}

impl<T: SimdFloat, V: Vector<T>> TileKernel for PackWTile<'_, T, V> {
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

/// W (`k x n`, row-major) packed for tier `isa`: blocks of
/// `Blocks::kc_for(k)` rows, each in `NR`-column micro-panels, zero-padded
/// to `n_pad` columns (the layout `pack::pack_w` gives each block). Returns
/// the data, or W itself with `n_pad == 0` where every product reads W
/// row-major: where the tier's products run `matrixmultiply`, and for
/// weights that `blis::always_direct` leaves in place (half of L1d at
/// most, or one panel of columns in half of L2).
pub(crate) fn pack_weights<T: SimdFloat>(isa: Supported, w: &[T], k: usize, n: usize) -> Packed<T> {
    assert_eq!(w.len(), k * n);
    let row_major = || Packed {
        data: AlignedVec::from_slice(w),
        n_pad: 0,
        kc: 0,
        nr: 0,
    };
    // Where some products of the tier run `matrixmultiply`, which reads W
    // row-major, W stays row-major for all (the own loops read it in place).
    if isa.isa() == Isa::Portable && PORTABLE_HAS_MATRIXMULTIPLY {
        return row_major();
    }
    let bl = blocks::<T>(isa, *budgets());
    if blis::always_direct::<T>(&bl, k, n) {
        return row_major();
    }
    let n_pad = n.next_multiple_of(bl.nr);
    let mut data = AlignedVec::zeroed(k * n_pad);
    let kc = bl.kc_for(k);
    for pc in (0..k).step_by(kc) {
        let (dst, rows) = (&mut data.as_mut_slice()[pc * n_pad..], (pc, kc.min(k - pc)));
        dispatch::vectorize(isa, PackW { dst, w, n, rows });
    }
    Packed {
        data,
        n_pad,
        kc,
        nr: bl.nr,
    }
}

/// W packed by [`pack_weights`].
pub(crate) struct Packed<T> {
    /// The packed data, or W row-major when `n_pad == 0`.
    pub data: AlignedVec<T>,
    /// The padded width (a multiple of `nr`), or 0.
    pub n_pad: usize,
    /// The depth of the `k` blocks.
    pub kc: usize,
    /// The width of a panel.
    pub nr: usize,
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
#[inline(always)]
pub(crate) fn gemm<T: SimdFloat>(
    isa: Supported,
    x: &[T],
    w: WeightData<'_, T>,
    ep: Epilogue<'_, T>,
    out: &mut [T],
    dims: (usize, usize, usize),
) {
    gemm_on(isa, engine::<T>(isa, dims), budgets(), x, w, ep, out, dims);
}

/// [`gemm`] with the engine chosen and the blocks' budgets given.
#[allow(clippy::too_many_arguments)] // gemm's and the two choices
#[inline(always)]
pub(crate) fn gemm_on<T: SimdFloat>(
    isa: Supported,
    engine: Engine,
    budgets: &Budgets,
    x: &[T],
    w: WeightData<'_, T>,
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
        let (WeightData::RowMajor(w) | WeightData::Packed(w, _)) = w;
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
    if m.saturating_mul(n) <= TINY_MAX_OUTPUTS
        && m.saturating_mul(k).saturating_mul(n) <= TINY_MAX_MACS
        && let WeightData::RowMajor(w) = w
    {
        return dispatch::vectorize(
            isa,
            Tiny {
                x,
                w,
                bias: ep.bias,
                act: ep.act,
                out,
                m,
                k,
                n,
            },
        );
    }
    let out = OutPtr(out.as_mut_ptr());
    // SAFETY: the dims were checked by the caller (`check_dims`), `m`, `n`
    // and `k` are at least 1 here, a packed W came from `pack_weights` for
    // `isa`, and `out` is borrowed mutably for the call.
    let call = unsafe { GemmCall::new(x, w, ep, out, (m, k, n), budgets) };
    dispatch::vectorize(isa, call);
}
