//! The cache blocking of a tier's product, derived from the tile shape and
//! the caches this CPU reports ([`crate::cache::caches`]).

use std::marker::PhantomData;

use super::problem::Blocks;
use crate::dispatch::{self, Supported};
use crate::simd::{Kernel, SimdFloat, Tier, TileKernel, TileShape, Vector};

/// The most a `k` block may be deep: how many multiply-adds each output
/// element takes between a load and a store of its partial sum.
///
/// Within it, the depth is derived from the L2 (an eighth of it for W's
/// micro-panel); deeper blocks amortise the tile's load and store of `out` better, and
/// past 512 they stopped paying off (BENCHMARKS.md, "Block sizes"). The
/// tuning constants of this module are not API: the docs of
/// [`crate::dense()`] state what they mean for a call.
pub(crate) const KC_MAX: usize = 512;

/// The shallowest `k` block the derivation picks, however small the L2.
pub(crate) const KC_MIN: usize = 128;

/// The smallest product, in multiply-adds (`m · k · n`), that is split
/// across rayon threads, for a tier whose vectors hold `lanes` elements:
/// `PAR_MIN_MACS_PER_LANE · lanes`.
///
/// A split pays once a thread's half of the work takes longer than waking
/// a second thread (a few microseconds); how long that work takes scales
/// with the vector width, so the threshold does too. The constant puts the
/// AVX-512 `f32` threshold (16 lanes) at 2^18 multiply-adds, where a
/// two-way split first won (BENCHMARKS.md, "Threads").
pub(crate) const PAR_MIN_MACS_PER_LANE: usize = 1 << 14;

/// Rows per rayon task at the least, when splitting by rows; with fewer rows
/// the columns are split instead.
pub(crate) const PAR_MIN_ROWS: usize = 64;

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
pub(super) fn blocks_from<T>(mr: usize, nr: usize, lanes: usize) -> Blocks {
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
pub(crate) fn blocks<T: SimdFloat>(isa: Supported) -> Blocks {
    dispatch::vectorize(isa, BlocksOf::<T>(PhantomData))
}

/// [`blocks`] as a kernel: the tile shape is the tier's `GemmTile`.
struct BlocksOf<T>(PhantomData<T>);

impl<T: SimdFloat> Kernel for BlocksOf<T> {
    type Output = Blocks;
    #[inline(always)]
    fn run<S: Tier>(self, _: S) -> Blocks {
        S::GemmTile::with(BlocksOfTile::<T, <T as SimdFloat>::Vec<S>>(PhantomData))
    }
}

struct BlocksOfTile<T, V>(PhantomData<(T, V)>);

impl<T: SimdFloat, V: Vector<T>> TileKernel for BlocksOfTile<T, V> {
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
