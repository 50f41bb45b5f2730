//! Running any op of the tables on generated buffers, for the suites that
//! iterate over every op (`internals::Op::all()`): concurrency, serial
//! mode, guard pages and offsets.

use nn_kernels::Float;
use nn_kernels::dispatch::Supported;
use nn_kernels::internals::{Buf, Bufs, Op, Shape};

use super::values;

/// An op's buffers for a shape: every slice it checks at its length, the
/// input of an element-wise op as long as its output, values from
/// [`values`] (an in-place op's data in `out`), outputs NaN.
#[derive(Clone, Debug)]
pub struct Buffers<T> {
    pub x: Vec<T>,
    pub w: Vec<T>,
    pub bias: Vec<T>,
    pub out: Vec<T>,
    pub classes: Vec<usize>,
}

impl<T: Float> Buffers<T> {
    pub fn new(op: Op, s: Shape, seed: u64) -> Self {
        let args = op.args(s);
        let len = |buf: Buf| args.iter().find(|a| a.buf == buf).map_or(0, |a| a.len);
        let x_len = if matches!(op, Op::Unary { .. }) {
            s.m * s.n
        } else {
            len(Buf::X)
        };
        Buffers {
            x: values(x_len, seed, 8.0),
            w: values(len(Buf::W), seed + 1, 1.0),
            bias: values(len(Buf::Bias), seed + 2, 1.0),
            out: if op.in_place() {
                values(len(Buf::Out), seed + 3, 8.0)
            } else {
                vec![T::NAN; len(Buf::Out)]
            },
            classes: vec![usize::MAX; len(Buf::Classes)],
        }
    }

    /// The buffers as the op takes them.
    pub fn bufs(&mut self) -> Bufs<'_, T> {
        Bufs {
            x: &self.x,
            w: &self.w,
            bias: &self.bias,
            out: &mut self.out,
            classes: &mut self.classes,
        }
    }
}

/// What a call gives: the float output and the classes, as bits.
pub fn outputs<T: Float>(b: &Buffers<T>) -> Vec<u64> {
    let mut v: Vec<u64> = b.out.iter().map(|o| o.to_bits_u64()).collect();
    v.extend(b.classes.iter().map(|&c| c as u64));
    v
}

/// `op` on fresh buffers for `s`; its outputs.
pub fn run<T: Float>(op: Op, isa: Supported, s: Shape, seed: u64) -> Vec<u64> {
    let mut b = Buffers::<T>::new(op, s, seed);
    op.call(isa, b.bufs(), s)
        .unwrap_or_else(|e| panic!("{op:?} {s:?}: {e}"));
    outputs(&b)
}

/// A shape above the op's family's threshold for splitting across
/// threads: 2^18 elements (element-wise: 2^17; rows: 16 Ki), 1.5 M
/// multiply-adds of 256 rows (the dense family's threshold is 2^18, and
/// 128 rows split by rows).
pub fn shape_to_split(op: Op) -> Shape {
    match op {
        Op::Gemm(..) => Shape {
            m: 256,
            k: 64,
            n: 96,
        },
        _ => Shape {
            m: 256,
            k: 0,
            n: 1024,
        },
    }
}
