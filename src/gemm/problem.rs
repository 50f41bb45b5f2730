//! The data a product is described by: its operands ([`WeightData`],
//! [`Epilogue`]), one block of it as the BLIS paths take it ([`Problem`],
//! [`WSrc`]), and the tile shape and cache blocking ([`Blocks`]).

use crate::activation::Activation;

/// The weights of a product.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WeightData<'a, T> {
    /// Row-major `k x n`.
    RowMajor(&'a [T]),
    /// Packed by `call::pack_weights` for the tier the product runs on:
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

/// The tile shape and cache blocking of one tier for one element type
/// (from the CPU's caches by `gemm::blocks_from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocks {
    /// Rows of `out` per microkernel tile (rows of X per packed panel).
    pub mr: usize,
    /// Columns of `out` per microkernel tile (columns of W per packed panel).
    pub nr: usize,
    /// Bytes of an element.
    pub size: usize,
    /// The packed blocks' budgets, from which `kc`, `mc` and `nc` follow
    /// (`Blocks::kc` and the rest, in `blocks.rs`): a `KC x NR`
    /// micro-panel of W stays near the core while every `MR`-row panel of
    /// X's `MC x KC` block streams past it; W's `KC x NC` block is meant
    /// for L3.
    pub budgets: Budgets,
    /// Products of fewer multiply-adds run on one thread.
    pub par_min_macs: usize,
}

/// The budgets of a product's packed blocks in bytes, from the shares
/// (`tuning::Shares`) and this CPU's caches ([`crate::cache::caches`]);
/// made once per process (`blocks::budgets`), so a call divides nothing to
/// get them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budgets {
    /// W's `KC x NR` micro-panel.
    pub w_panel: usize,
    /// X's packed `MC x KC` block.
    pub x_block: usize,
    /// W's packed `KC x NC` block: a quarter of the L3, at most this core's
    /// share of it ([`crate::cache::Caches::l3_share`]), at least the L2.
    pub w_block: usize,
    /// Row-major weights up to this size (half of L1d) stay in L1 while
    /// all row tiles read them: the direct path, for every `m`.
    pub direct_w: usize,
    /// The L2 of one core.
    pub l2: usize,
}

/// The blocks of `step` (the last one shorter) that cover `0..n`, as
/// `(start, len)`: `(0..n).step_by(step)` and a `min`, without the division
/// `step_by` makes to count its steps (a few of them per call were a
/// measurable part of a small product's fixed cost).
#[derive(Debug, Clone, Copy)]
pub(super) struct Spans {
    at: usize,
    end: usize,
    step: usize,
}

/// [`Spans`] of `step >= 1` over `0..n`.
#[inline(always)]
pub(super) fn spans(n: usize, step: usize) -> Spans {
    debug_assert!(step >= 1);
    Spans {
        at: 0,
        end: n,
        step,
    }
}

impl Iterator for Spans {
    type Item = (usize, usize);
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.at >= self.end {
            return None;
        }
        let start = self.at;
        let len = self.step.min(self.end - start);
        self.at += len;
        Some((start, len))
    }
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::{Blocks, Budgets};

    pub fn k_blocks_are_even_and_never_deeper_than_kc() {
        let bl = Blocks {
            mr: 6,
            nr: 64,
            size: 4,
            budgets: Budgets {
                w_panel: 512 * 64 * 4, // KC 512
                x_block: 1 << 19,
                w_block: 8 << 20,
                direct_w: 24 << 10,
                l2: 1 << 20,
            },
            par_min_macs: 1 << 18,
        };
        assert_eq!(bl.kc(), 512);
        for (n, step) in [(0, 3), (1, 1), (7, 3), (9, 3), (10, 512), (1025, 512)] {
            let got: Vec<_> = super::spans(n, step).collect();
            let want: Vec<_> = (0..n).step_by(step).map(|s| (s, step.min(n - s))).collect();
            assert_eq!(got, want, "{n} by {step}");
        }
        assert_eq!(bl.kc_for(1), 1);
        assert_eq!(bl.kc_for(512), 512);
        assert_eq!(bl.kc_for(513), 257); // 257 + 256, not 512 + 1
        assert_eq!(bl.kc_for(1025), 342); // 342 + 342 + 341
        for k in 1..5000 {
            let kc = bl.kc_for(k);
            let blocks = k.div_ceil(kc);
            assert!(kc <= bl.kc(), "k {k}: kc {kc}");
            assert_eq!(
                blocks,
                k.div_ceil(bl.kc()),
                "k {k}: as few blocks as KC allows"
            );
            // All blocks are `kc` deep but the last, which is shallower by
            // less than the number of blocks.
            let last = k - (blocks - 1) * kc;
            assert!(
                last + blocks > kc && last <= kc,
                "k {k}: kc {kc}, last {last}"
            );
        }
    }
}

/// Where a call's weights come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WSrc<T> {
    /// Row-major `k x n`, row stride `ld`; `ptr` is this block's column 0.
    RowMajor { ptr: *const T, ld: usize },
    /// Packed by `pack::pack_w` for the whole of `k` and `n_pad` columns
    /// (`n` rounded up to `NR`); this block starts at column `col0` (a
    /// multiple of `NR`).
    Packed {
        ptr: *const T,
        n_pad: usize,
        col0: usize,
    },
}

/// A block of one product: `out[..m][..n] = act(x · w + bias)`.
///
/// The pointers address the block's first row and column; `ldx` and `ldc`
/// are the row strides of `x` and `out`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Problem<T> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub x: *const T,
    pub ldx: usize,
    pub w: WSrc<T>,
    /// `n` biases, or none (zero).
    pub bias: Option<*const T>,
    /// The activation after the bias: the rest of the epilogue.
    pub act: Activation,
    pub out: *mut T,
    pub ldc: usize,
}
