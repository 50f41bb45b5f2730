//! One tester for the row ops (every op of the family's table,
//! `internals::RowOp`: softmax and log-softmax, plain and masked, out of
//! place and in place), after XNNPACK's microkernel testers and memchr's
//! test `Runner`: [`RowTester`] runs an op on every supported tier over row
//! lengths and row counts derived from every tier's vector width and the
//! library's own thresholds, out of place and in place, at sub-slice
//! offsets, with guard elements around the output, and checks each row
//! three ways (and once more with input and output against unmapped pages,
//! [`super::guard`], for the same bits):
//!
//! - against the op's `f64` reference within its derived bound
//!   ([`check_row`]: [`reference::softmax_row_f64`] within
//!   [`super::softmax_bound`], [`reference::log_softmax_row_f64`] within
//!   [`super::log_softmax_bound`]; the derivations are there), NaN and
//!   `-inf` exactly where the reference gives them;
//! - bit for bit against the same row computed alone (a row's result never
//!   depends on its position in the batch, the batch size, the path its
//!   neighbours take or the thread count);
//! - in place bit for bit equal to out of place, nothing outside the slice
//!   touched.

use nn_kernels::dispatch::{Isa, Supported, supported_isas};
use nn_kernels::internals::{
    self, ROWS_PAR_MIN_ELEMS, RowOp, SMALL_COLS, SOFTMAX_GROUP_MAX, vector_lanes,
};
use nn_kernels::{Float, reference};

use super::guard::check_at_page_edges;
use super::{assert_bits_eq, in_pool, log_softmax_bound, min_positive, softmax_bound, values};

/// Row `xr`'s outputs `got` from `op` against the op's `f64` reference,
/// within the op's derived bound. An exhaustive match: an op added to the
/// table needs its check here.
pub fn check_row<T: Float>(op: RowOp, xr: &[T], got: &[T], masked: bool) -> Result<(), String> {
    let cols = xr.len();
    let min_pos = min_positive::<T>();
    let (want, bound): (Vec<f64>, &dyn Fn(f64) -> f64) = match op {
        RowOp::Softmax => (reference::softmax_row_f64(xr, masked), &|w| {
            softmax_bound::<T>(cols, w, min_pos)
        }),
        RowOp::LogSoftmax => (reference::log_softmax_row_f64(xr, masked), &|w| {
            log_softmax_bound::<T>(cols, w)
        }),
    };
    for (j, (&g, &w)) in got.iter().zip(&want).enumerate() {
        let (g, wt) = (g.to_f64(), T::from_f64(w).to_f64());
        let ok = if !wt.is_finite() {
            // NaN, and the log-softmax's -inf (or a value below T's range).
            g.to_bits() == wt.to_bits() || (g.is_nan() && wt.is_nan())
        } else {
            // A log-probability is never above 0, a probability never below.
            let sign_ok = match op {
                RowOp::Softmax => g >= 0.0,
                RowOp::LogSoftmax => g <= 0.0,
            };
            sign_ok && (g - w).abs() <= bound(w)
        };
        if !ok {
            return Err(format!(
                "col {j}: got {g:e}, want {w:e} (bound {:e})",
                bound(w)
            ));
        }
    }
    Ok(())
}

/// The op's name, for messages.
fn name(op: RowOp, masked: bool) -> &'static str {
    op.name(masked, false)
}

/// `op` out of place on tier `isa`.
fn run_op<T: Float>(op: RowOp, masked: bool, isa: Supported, x: &[T], out: &mut [T], cols: usize) {
    internals::rows(internals::row_call(op, masked, isa), x, out, cols)
        .unwrap_or_else(|e| panic!("{}: {e}", name(op, masked)))
}

/// `op` in place on tier `isa`.
fn run_op_inplace<T: Float>(op: RowOp, masked: bool, isa: Supported, x: &mut [T], cols: usize) {
    internals::rows_inplace(internals::row_call(op, masked, isa), x, cols)
        .unwrap_or_else(|e| panic!("{}: in place: {e}", name(op, masked)))
}

/// Guard elements after the output (more than one vector of any tier, so a
/// whole-vector store past the end shows).
const GUARD: usize = 17;

/// What the rows of a batch hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// Finite rows only, cycling through three kinds: spread far above
    /// `exact_spread` (values in [-30, 30)), spread below it (values in
    /// [-1, 1), which skip the exact subtraction of the max), and far from
    /// zero (1000 + [-30, 30), where `x - max` cancels).
    Finite,
    /// The finite kinds with special rows mixed in, one row in four: a NaN,
    /// a `-NaN`, a `+inf`, one `-inf`, all `-inf`, all `-inf` but one, each
    /// special at a row-dependent position (so it lands in the vector body
    /// and in the tail, and in every lane of the across-rows path).
    WithSpecials,
}

/// Row lengths: every length up to `SMALL_COLS + 1` (the across-rows path
/// and the switch to the within-row path), and for each tier's lane count
/// `l`: l/2 and l/2 + 1 (rows side by side in one vector or not), l - 1,
/// l, l + 1, 2l - 1, 2l, 2l + 1, 4l + 3 (the within-row path's four
/// accumulators and its tail); primes 31, 37, 97, 1031.
pub fn cols<T: Float>() -> Vec<usize> {
    let mut v: Vec<usize> = (1..=SMALL_COLS + 1).collect();
    v.extend([31, 37, 97, 1031]);
    for isa in Isa::ALL {
        let l = vector_lanes::<T>(isa);
        v.extend([l / 2, l / 2 + 1, l - 1, l, l + 1]);
        v.extend([2 * l - 1, 2 * l, 2 * l + 1, 4 * l + 3]);
    }
    v.retain(|&c| c > 0);
    v.sort_unstable();
    v.dedup();
    v
}

/// Row counts: 0 to 5, 17, for each tier's lane count `l`: l - 1, l,
/// l + 1, 2l + 1 (the across-rows path takes `l` rows at a time, so the
/// count's remainder picks its tail), and `g - 1`, `g`, `g + 1`, `2g + 1`
/// for the three-pass softmax's largest group `g` (`SOFTMAX_GROUP_MAX`;
/// the long rows here make smaller groups, whose ragged last group the
/// small counts give).
pub fn rows<T: Float>() -> Vec<usize> {
    let g = SOFTMAX_GROUP_MAX;
    let mut v = vec![0, 1, 2, 3, 4, 5, 17, g - 1, g, g + 1, 2 * g + 1];
    for isa in Isa::ALL {
        let l = vector_lanes::<T>(isa);
        v.extend([l - 1, l, l + 1, 2 * l + 1]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// `rows` rows of `cols` elements of the given kind, for `seed`.
pub fn batch<T: Float>(rows: usize, cols: usize, kind: Rows, seed: u64) -> Vec<T> {
    let mut x = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        let s = seed.wrapping_mul(1_000_003).wrapping_add(r as u64);
        let pick = r + seed as usize;
        let mut row: Vec<T> = match pick % 3 {
            0 => values::<T>(cols, s, 30.0),
            1 => values::<T>(cols, s, 1.0),
            _ => values::<f64>(cols, s, 30.0)
                .into_iter()
                .map(|v| T::from_f64(1000.0 + v))
                .collect(),
        };
        if kind == Rows::WithSpecials && pick % 4 == 3 {
            let pos = (r * 5 + seed as usize) % cols;
            let ninf = T::NEG_INFINITY;
            match (pick / 4) % 6 {
                0 => row[pos] = T::NAN,
                1 => row[pos] = -T::NAN,
                2 => row[pos] = T::INFINITY,
                3 => row[pos] = ninf,
                4 => row.fill(ninf),
                _ => {
                    let keep = row[pos];
                    row.fill(ninf);
                    row[pos] = keep;
                }
            }
        }
        x.extend(row);
    }
    x
}

/// Runs a row op; see the module docs.
pub struct RowTester {
    /// Row lengths (default: [`cols`]).
    pub cols: Vec<usize>,
    /// Row counts (default: [`rows`]).
    pub rows: Vec<usize>,
    /// Start offsets of the sub-slices (default: 0, 1, 2, 3).
    pub offsets: Vec<usize>,
    /// Thread counts of the pools the batches above `ROWS_PAR_MIN_ELEMS` run in
    /// (default: 2, 3, 4, whatever the machine).
    pub threads: Vec<usize>,
}

impl RowTester {
    pub fn new<T: Float>() -> Self {
        RowTester {
            cols: cols::<T>(),
            rows: rows::<T>(),
            offsets: (0..4).collect(),
            threads: vec![2, 3, 4],
        }
    }

    /// `op` (its masked form when `masked`) on every supported tier, every
    /// row length, row count and offset, finite rows and rows with
    /// specials; then batches long enough to be split across threads (some
    /// rows more than `ROWS_PAR_MIN_ELEMS` / 2 tasks, ragged last task) in
    /// each pool of [`RowTester::threads`].
    pub fn test<T: Float>(&self, op: RowOp, masked: bool) {
        for isa in supported_isas() {
            for &cols in &self.cols {
                for &rows in &self.rows {
                    for &off in &self.offsets {
                        for kind in [Rows::Finite, Rows::WithSpecials] {
                            self.run::<T>(op, isa, rows, cols, off, masked, kind);
                        }
                    }
                }
            }
            let l = vector_lanes::<T>(isa.isa());
            for cols in [3, SMALL_COLS, SMALL_COLS + 1, 97] {
                let rows = 2 * ROWS_PAR_MIN_ELEMS.div_ceil(cols) + l + 1;
                for &threads in &self.threads {
                    in_pool(threads, || {
                        self.run::<T>(op, isa, rows, cols, 1, masked, Rows::WithSpecials)
                    });
                }
            }
        }
    }

    /// One batch: `rows` rows of `cols` on `isa`, at offset `off`.
    #[allow(clippy::too_many_arguments)] // the case's coordinates
    pub fn run<T: Float>(
        &self,
        op: RowOp,
        isa: Supported,
        rows: usize,
        cols: usize,
        off: usize,
        masked: bool,
        kind: Rows,
    ) {
        let n = rows * cols;
        let ctx = format!(
            "{}<{}> on {} rows={rows} cols={cols} off={off} {kind:?}",
            name(op, masked),
            T::NAME,
            isa.isa()
        );
        // The input: `off` ordinary values before the slice, the batch, and
        // GUARD ordinary values after it.
        let seed = (cols * 131 + rows * 7 + off) as u64;
        let mut buf = values::<T>(off, seed + 1, 1.0);
        buf.extend(batch::<T>(rows, cols, kind, seed));
        buf.extend(values::<T>(GUARD, seed + 2, 1.0));
        let x = &buf[off..off + n];

        // Out of place: `off` sentinels, `n` NaNs (so an element left
        // unwritten shows up), GUARD sentinels.
        let sentinel = T::from_f64(-12345.0);
        let mut out = vec![sentinel; off + n + GUARD];
        out[off..off + n].fill(T::NAN);
        run_op(op, masked, isa, x, &mut out[off..off + n], cols);
        let guards_ok = |v: &[T]| v.iter().all(|g| g.to_bits_u64() == sentinel.to_bits_u64());
        assert!(guards_ok(&out[..off]), "{ctx}: wrote before the slice");
        assert!(guards_ok(&out[off + n..]), "{ctx}: wrote past the end");
        let got = &out[off..off + n];

        for (r, (xr, gr)) in x.chunks(cols).zip(got.chunks(cols)).enumerate() {
            // Against the f64 reference.
            if let Err(why) = check_row(op, xr, gr, masked) {
                panic!("{ctx}: row {r}: {why}; row {xr:?}");
            }
            // The same bits as the row alone.
            if rows > 1 {
                let mut alone = vec![T::NAN; cols];
                run_op(op, masked, isa, xr, &mut alone, cols);
                assert_bits_eq(gr, &alone, &format!("{ctx}: row {r} vs the row alone"));
            }
        }

        // In place: the same bits as out of place, nothing outside touched.
        let mut b = buf.clone();
        run_op_inplace(op, masked, isa, &mut b[off..off + n], cols);
        assert_bits_eq(&b[off..off + n], got, &format!("{ctx}: in place"));
        assert_bits_eq(&b[..off], &buf[..off], &format!("{ctx}: in place, before"));
        assert_bits_eq(
            &b[off + n..],
            &buf[off + n..],
            &format!("{ctx}: in place, after"),
        );

        // Against guard pages (once per shape: the page edge sets the
        // alignment, so the offsets add nothing): the same bits, and no
        // access outside the slice, which would fault.
        if off == 0 {
            check_at_page_edges(
                &ctx,
                x,
                got,
                |x, o| run_op(op, masked, isa, x, o, cols),
                Some(&|b: &mut [T]| run_op_inplace(op, masked, isa, b, cols)),
            );
        }
    }
}
