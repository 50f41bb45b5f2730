//! The row ops' kernels, written once over the tier's vector type `V` (see
//! [`crate::simd`]); their definitions are
//! [`crate::reference::softmax_row_f64`] and
//! [`crate::reference::log_softmax_row_f64`].
//!
//! Paths chosen by the row length alone (and, for two passes, the CPU's
//! cache size), so a row's result never depends on where it sits in a
//! batch, the batch size or the thread count:
//!
//! - rows of more than [`SMALL_COLS`] elements (`long.rs`): three passes
//!   over the row, (1) the row max, (2) `e = exp(x - max)` stored and
//!   summed, (3) a scale by `1 / sum`, each pass over a group of rows
//!   that fits in L1 before the next; or, for rows too large for the
//!   cache, two: (1) each part's max and sum, (2) `exp(x - max) / sum`
//!   stored.
//! - shorter rows (`short.rs`): several rows per vector.
//!
//! | file | what |
//! |---|---|
//! | `spread.rs` | the exp pass a row takes, by its spread, as types |
//! | `sum.rs` | the row max, the blocked pairwise sum of `exp(x - max)`, the special values |
//! | `long.rs` | long rows: softmax in three or two passes, log-softmax |
//! | `short.rs` | rows of at most 16: several per vector |

use super::long::{log_softmax_rows, softmax_row_two_pass, softmax_rows_three_pass};
use super::short::{SMALL_COLS, softmax_small_rows};
use crate::exp::ExpFloat;
use crate::io::Io;
use crate::simd::Vector;

/// A row op's kernel: every row of `cols` elements in `io` (whole rows,
/// `cols > 0`).
pub(crate) trait RowKernel {
    /// The op on vectors `V`; rows masked as `masked` says, and long rows
    /// in two passes when `two_pass` (ops with one algorithm ignore it).
    fn rows<T: ExpFloat, V: Vector<T>>(io: impl Io<T>, cols: usize, masked: bool, two_pass: bool);
}

/// The softmax.
pub(crate) struct Softmax;

/// The log-softmax.
pub(crate) struct LogSoftmax;

impl RowKernel for Softmax {
    /// Rows longer than [`SMALL_COLS`] in two passes when `two_pass`.
    #[inline(always)]
    fn rows<T: ExpFloat, V: Vector<T>>(
        mut io: impl Io<T>,
        cols: usize,
        masked: bool,
        two_pass: bool,
    ) {
        macro_rules! small {
            ($($c:literal)*) => {
                match cols {
                    $($c => softmax_small_rows::<T, V, $c>(&mut io, masked),)*
                    _ => unreachable!("cols <= SMALL_COLS"),
                }
            };
        }
        if cols <= SMALL_COLS {
            small!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        } else if two_pass {
            let rows = io.input().len() / cols;
            for r in 0..rows {
                softmax_row_two_pass::<T, V>(&mut io, r * cols..(r + 1) * cols, masked);
            }
        } else {
            softmax_rows_three_pass::<T, V>(&mut io, cols, masked);
        }
    }
}

impl RowKernel for LogSoftmax {
    /// Every row in three passes.
    #[inline(always)]
    fn rows<T: ExpFloat, V: Vector<T>>(io: impl Io<T>, cols: usize, masked: bool, _: bool) {
        log_softmax_rows::<T, V>(io, cols, masked);
    }
}
