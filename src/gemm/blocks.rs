//! The cache blocking of a tier's product, derived from the tile shape,
//! the caches this CPU reports ([`crate::cache::caches`]) and the shares of
//! them its microarchitecture's blocks take (`tuning.rs`).

use std::marker::PhantomData;
use std::sync::OnceLock;

use super::problem::{Blocks, Budgets};
use super::tuning::{self, Shares};
use crate::cache::Caches;
use crate::dispatch::{self, Supported};
use crate::simd::{Kernel, SimdFloat, Tier, TileKernel, TileShape, Vector};

/// The most a `k` block may be deep: how many multiply-adds each output
/// element takes between a load and a store of its partial sum.
///
/// Within it, the depth is derived from W's micro-panel budget (by default
/// an eighth of the L2); deeper blocks amortise the tile's load and store of `out` better, and
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

impl Budgets {
    /// The budgets for `shares` on caches `c`.
    pub(crate) fn new(shares: Shares, c: &Caches) -> Budgets {
        Budgets {
            w_panel: shares.w_panel.bytes(c),
            x_block: shares.x_block.bytes(c),
            w_block: (c.l3 / 4).min(c.l3_share()).max(c.l2),
            direct_w: c.l1d / 2,
            l2: c.l2,
        }
    }
}

/// This process's budgets: its shares ([`tuning::selected`]) of its CPU's
/// caches, computed on the first call. A reference: a product reads them
/// where they were stored long ago rather than copying them into its own
/// structs (a copy of just-written fields in wide loads waits for the
/// stores to commit, see `call::GemmCall`).
pub(crate) fn budgets() -> &'static Budgets {
    static BUDGETS: OnceLock<Budgets> = OnceLock::new();
    BUDGETS.get_or_init(|| Budgets::new(tuning::selected().shares, &crate::cache::caches()))
}

/// The blocking for a tier's `mr x nr` tile of `lanes`-element vectors and
/// element type `T`, on budgets `b`. Only copies: the block sizes that
/// take a division ([`Blocks::kc`], [`Blocks::mc`], [`Blocks::nc`]) are
/// computed where a product packs, so a small product pays none of them.
///
/// - `kc`: W's `KC x NR` micro-panel, which every `MR`-row panel of X's
///   block streams past, takes `b.w_panel` (by default an eighth of the
///   L2: the packed X block takes half, the rest is for `out`'s tiles and
///   W's next panel), within [`KC_MIN`]`..=`[`KC_MAX`], a multiple of 16.
/// - `mc`: X's packed `MC x KC` block takes `b.x_block`, whole tiles.
/// - `nc`: W's packed `KC x NC` block takes `b.w_block`, whole panels.
/// - `par_min_macs`: see [`PAR_MIN_MACS_PER_LANE`].
#[inline(always)]
pub(super) fn blocks_from<T>(mr: usize, nr: usize, lanes: usize, b: Budgets) -> Blocks {
    Blocks {
        mr,
        nr,
        size: size_of::<T>(),
        budgets: b,
        par_min_macs: PAR_MIN_MACS_PER_LANE * lanes,
    }
}

impl Blocks {
    /// The deepest `k` block ([`Blocks::kc_for`] evens the blocks out).
    pub fn kc(&self) -> usize {
        (self.budgets.w_panel / (self.nr * self.size)).clamp(KC_MIN, KC_MAX) / 16 * 16
    }

    /// Rows of X per block, for `k` blocks of depth `kc`.
    pub fn mc(&self, kc: usize) -> usize {
        (self.budgets.x_block / (kc * self.size) / self.mr).max(1) * self.mr
    }

    /// The depth of the `k` blocks for a product of depth `k`: as few
    /// blocks as [`Blocks::kc`] allows, of equal depth (the last one up to
    /// one shallower), so that `k = KC + 1` is two blocks of about `KC / 2`
    /// and not a full one and one of depth 1 whose tiles would do a load and
    /// a store of `out` for a single multiply-add.
    pub fn kc_for(&self, k: usize) -> usize {
        // One block, without the divisions, below the shallowest `KC`.
        if k <= KC_MIN {
            return k.max(1);
        }
        k.div_ceil(k.div_ceil(self.kc()).max(1)).max(1)
    }

    /// Columns of W per block, for `k` blocks of depth `kc`.
    pub fn nc(&self, kc: usize) -> usize {
        (self.budgets.w_block / (kc * self.size) / self.nr).max(1) * self.nr
    }
}

/// A tier's blocking for `T`, from its tile shape and this CPU's caches.
pub(crate) fn blocks<T: SimdFloat>(isa: Supported, b: Budgets) -> Blocks {
    dispatch::vectorize(isa, BlocksOf::<T>(b, PhantomData))
}

/// [`blocks`] as a kernel: the tile shape is the tier's `GemmTile`.
struct BlocksOf<T>(Budgets, PhantomData<T>);

impl<T: SimdFloat> Kernel for BlocksOf<T> {
    type Output = Blocks;
    #[inline(always)]
    fn run<S: Tier>(self, _: S) -> Blocks {
        S::GemmTile::with(BlocksOfTile::<T, <T as SimdFloat>::Vec<S>>(
            self.0,
            PhantomData,
        ))
    }
}

struct BlocksOfTile<T, V>(Budgets, PhantomData<(T, V)>);

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
        blocks_from::<T>(MR, NV * V::LANES, V::LANES, self.0)
    }
}
