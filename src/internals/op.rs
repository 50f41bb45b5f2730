//! Every public function of the kernel families as one list, built from the
//! families' tables, with the slices each takes and one way to call any of
//! them: what the cross-cutting test suites (shape errors, guard pages,
//! offsets, threads, Miri, recorded bits) iterate over, so an op added to
//! a family's table goes through each of them.

use super::{GemmOp, RowOp, UnaryOp, dense, matmul, pack, row_call, rows, rows_inplace};
use super::{unary, unary_inplace};
use crate::dispatch::Supported;
use crate::{Activation, Float, ShapeError, Weights, argmax_rows};

/// One public function of a kernel family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// An element-wise op, out of place or in place.
    Unary {
        /// The op.
        op: UnaryOp,
        /// The `_inplace` form.
        in_place: bool,
    },
    /// A row op in one of its four forms.
    Rows {
        /// The op.
        op: RowOp,
        /// The `_masked` forms.
        masked: bool,
        /// The `_inplace` forms.
        in_place: bool,
    },
    /// A dense-family op with an activation (only `Identity` for `matmul`).
    Gemm(GemmOp, Activation),
    /// `argmax_rows`.
    Argmax,
}

/// A call's dims, read per family: element-wise ops take `m * n` elements,
/// row ops and argmax `m` rows of `n`, the dense family `m x k` by `k x n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Rows (samples).
    pub m: usize,
    /// Inputs per sample (the dense family only).
    pub k: usize,
    /// Columns (outputs per sample).
    pub n: usize,
}

/// Which buffer of [`Bufs`] an argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buf {
    /// The input (`a` for `matmul`).
    X,
    /// The weights, `k x n` row-major (`b` for `matmul`).
    W,
    /// The bias.
    Bias,
    /// The output; the data of an in-place op.
    Out,
    /// `argmax_rows`' output.
    Classes,
}

/// How a slice's length is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgCheck {
    /// It must be exactly `len` ([`crate::ShapeErrorKind::Length`]).
    Exact,
    /// It must be whole rows of this many elements
    /// ([`crate::ShapeErrorKind::NotMultiple`]).
    Rows(usize),
    /// It must hold at least `len` ([`crate::ShapeErrorKind::TooShort`]).
    AtLeast,
}

/// A slice argument of a public function: its name in errors, which
/// buffer it is, its length for a shape, and how that length is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// The function an error in this argument names (the op's own, or the
    /// constructor that checks it, as for weights).
    pub function: &'static str,
    /// The argument's name in errors.
    pub name: &'static str,
    /// Which buffer.
    pub buf: Buf,
    /// Its length for the shape.
    pub len: usize,
    /// How the length is checked.
    pub check: ArgCheck,
}

/// The buffers of a call. In-place ops work on `out`; each op reads only
/// the buffers its [`Op::args`] name (and `x` for element-wise ops).
pub struct Bufs<'a, T> {
    /// The input.
    pub x: &'a [T],
    /// The weights, `k x n` row-major.
    pub w: &'a [T],
    /// The bias.
    pub bias: &'a [T],
    /// The output, or the in-place data.
    pub out: &'a mut [T],
    /// `argmax_rows`' output.
    pub classes: &'a mut [usize],
}

impl Op {
    /// Every public function of every family, from the families' tables.
    pub fn all() -> Vec<Op> {
        let mut ops = Vec::new();
        for &op in UnaryOp::ALL {
            for in_place in [false, true] {
                ops.push(Op::Unary { op, in_place });
            }
        }
        for &op in RowOp::ALL {
            for masked in [false, true] {
                for in_place in [false, true] {
                    ops.push(Op::Rows {
                        op,
                        masked,
                        in_place,
                    });
                }
            }
        }
        for &op in GemmOp::ALL {
            ops.push(Op::Gemm(op, Activation::Identity));
            if op != GemmOp::Matmul {
                ops.push(Op::Gemm(op, Activation::Relu));
            }
        }
        ops.push(Op::Argmax);
        ops
    }

    /// The public function's name.
    pub fn name(self) -> &'static str {
        match self {
            Op::Unary { op, in_place } if in_place => op.name_inplace(),
            Op::Unary { op, .. } => op.name(),
            Op::Rows {
                op,
                masked,
                in_place,
            } => op.name(masked, in_place),
            Op::Gemm(op, _) => op.name(),
            Op::Argmax => "argmax_rows",
        }
    }

    /// Whether the op writes its result over its input (`out`).
    pub fn in_place(self) -> bool {
        matches!(
            self,
            Op::Unary { in_place: true, .. } | Op::Rows { in_place: true, .. }
        )
    }

    /// The slice arguments whose lengths the function checks, in the order
    /// it checks them, with their lengths for `s`.
    pub fn args(self, s: Shape) -> Vec<Arg> {
        let f = self.name();
        let arg = |name, buf, len, check| Arg {
            function: f,
            name,
            buf,
            len,
            check,
        };
        let (mn, mk, kn) = (s.m * s.n, s.m * s.k, s.k * s.n);
        let weights = Arg {
            function: "Weights::inputs_by_neurons",
            name: "w",
            buf: Buf::W,
            len: kn,
            check: ArgCheck::Exact,
        };
        match self {
            Op::Unary { in_place: true, .. } => vec![],
            Op::Unary { .. } => vec![arg("out", Buf::Out, mn, ArgCheck::Exact)],
            Op::Rows { in_place: true, .. } => vec![arg("x", Buf::Out, mn, ArgCheck::Rows(s.n))],
            Op::Rows { .. } => vec![
                arg("x", Buf::X, mn, ArgCheck::Rows(s.n)),
                arg("out", Buf::Out, mn, ArgCheck::Exact),
            ],
            Op::Gemm(GemmOp::Matmul, _) => vec![
                arg("a", Buf::X, mk, ArgCheck::Exact),
                arg("b", Buf::W, kn, ArgCheck::Exact),
                arg("out", Buf::Out, mn, ArgCheck::Exact),
            ],
            Op::Gemm(GemmOp::Dense | GemmOp::DensePacked, _) => vec![
                weights,
                arg("x", Buf::X, mk, ArgCheck::Rows(s.k)),
                arg("out", Buf::Out, mn, ArgCheck::Exact),
                arg("bias", Buf::Bias, s.n, ArgCheck::Exact),
            ],
            Op::Gemm(GemmOp::DensePackedPrefix, _) => vec![
                weights,
                arg("x", Buf::X, mk, ArgCheck::AtLeast),
                arg("out", Buf::Out, mn, ArgCheck::AtLeast),
                arg("bias", Buf::Bias, s.n, ArgCheck::Exact),
            ],
            Op::Argmax => vec![
                arg("x", Buf::X, mn, ArgCheck::Rows(s.n)),
                arg("out", Buf::Classes, s.m, ArgCheck::Exact),
            ],
        }
    }

    /// Calls the op on tier `isa` with the buffers `b` for the shape `s`
    /// (the packed ops pack `b.w` for the tier first; the prefix op runs
    /// `s.m` rows).
    ///
    /// # Errors
    /// The function's own, for buffers that do not fit `s`.
    pub fn call<T: Float>(
        self,
        isa: Supported,
        b: Bufs<'_, T>,
        s: Shape,
    ) -> Result<(), ShapeError> {
        let weights = || Weights::inputs_by_neurons(b.w, s.k, s.n);
        match self {
            Op::Unary { op, in_place: true } => {
                unary_inplace(op, isa, b.out);
                Ok(())
            }
            Op::Unary { op, .. } => unary(op, isa, b.x, b.out),
            Op::Rows {
                op,
                masked,
                in_place,
            } => {
                let call = row_call(op, masked, isa);
                if in_place {
                    rows_inplace(call, b.out, s.n)
                } else {
                    rows(call, b.x, b.out, s.n)
                }
            }
            Op::Gemm(GemmOp::Matmul, _) => matmul(isa, b.x, b.w, b.out, s.m, s.k, s.n),
            Op::Gemm(GemmOp::Dense, act) => dense(isa, b.x, weights()?, b.bias, b.out, act),
            Op::Gemm(GemmOp::DensePacked, act) => {
                let w = pack(isa, weights()?)?;
                crate::dense_packed(b.x, &w, b.bias, b.out, act)
            }
            Op::Gemm(GemmOp::DensePackedPrefix, act) => {
                let w = pack(isa, weights()?)?;
                crate::dense_packed_prefix(b.x, &w, b.bias, b.out, s.m, act).map(|_| ())
            }
            Op::Argmax => argmax_rows(b.x, b.classes, s.n),
        }
    }
}
