//! One tester for the element-wise kernel family (ReLU, step, sigmoid and
//! the exp inside softmax and sigmoid), after XNNPACK's
//! `test/vunary-microkernel-tester.h` and memchr's test `Runner`: each op of
//! the family's table (`internals::UnaryOp`) has a descriptor ([`Case`]:
//! scalar reference, tolerance, input generator; [`case`] matches the table
//! exhaustively, so an op added there must get one here) and
//! [`UnaryTester`] runs any of them over
//! every supported tier, every tail length of every tier's vector width,
//! out of place and in place, at sub-slice offsets, with guard elements on
//! both sides of the output, and with input and output against unmapped
//! pages ([`super::guard`]).

use nn_kernels::Float;
use nn_kernels::dispatch::{Isa, Supported, supported_isas};
use nn_kernels::internals::{self, UnaryOp, vector_lanes};

use super::guard::{InPlaceFn, check_at_page_edges};
use super::{in_pool, min_positive, values};

/// What an output must be, given its input.
#[derive(Clone, Copy)]
pub enum Expect<T> {
    /// The same bits as the scalar reference, NaN payloads included.
    Bitwise(fn(T) -> T),
    /// Within `rel · |exact| + abs` of `exact(x)` (computed in `f64`); NaN
    /// exactly where `exact` gives NaN.
    Relative {
        exact: fn(f64) -> f64,
        rel: f64,
        abs: f64,
    },
    /// Within `ulps` ulps (of `T`, at the reference value) of `exact(x)`
    /// (computed in `f64`) where `x >= flush_below`; exactly `+0.0` where
    /// `x < flush_below`; NaN exactly where `exact` gives NaN.
    Ulps {
        exact: fn(f64) -> f64,
        ulps: f64,
        flush_below: f64,
    },
}

/// What the tester needs to know about an op beyond the table: what its
/// outputs must be, and its inputs.
pub struct Case<T: Float> {
    pub op: UnaryOp,
    pub expect: Expect<T>,
    /// `n` inputs from the op's domain, special values included, for `seed`.
    pub inputs: fn(usize, u64) -> Vec<T>,
}

impl<T: Float> Case<T> {
    /// Whether the op has an in-place public form (the internal exp has
    /// none).
    fn in_place(&self) -> bool {
        UnaryOp::ALL.contains(&self.op)
    }
}

/// The descriptor of each op of the table (and of the internal exp).
pub fn case<T: Float>(op: UnaryOp) -> Case<T> {
    match op {
        UnaryOp::Relu => relu(),
        UnaryOp::Step => step(),
        UnaryOp::Sigmoid => sigmoid(),
        UnaryOp::ExpLe0 => exp_le0(),
    }
}

/// Special values of the whole float line, cycled into every third element
/// of ordinary values in [-10, 10) (the kernels' tails and bodies both see
/// them, at every position modulo the vector width).
pub fn line_with_specials<T: Float>(n: usize, seed: u64) -> Vec<T> {
    let special = [
        T::ZERO,
        -T::ZERO,
        T::NAN,
        -T::NAN,
        T::INFINITY,
        T::NEG_INFINITY,
        T::MAX,
        -T::MAX,
        T::from_f64(1e-310),  // subnormal in f64, 0 in f32
        T::from_f64(-1e-310), // (and its negative)
        T::from_f64(1e-40),   // subnormal in f32
        T::from_f64(-1e-40),
    ];
    mix(&special, &values::<T>(n, seed, 10.0))
}

/// The exp's domain, `x <= 0`: its special values (both zeros, `-inf`, NaN,
/// the flush threshold `lo` and its neighbours, `-MAX`, tiny and subnormal
/// negatives) cycled into every third element of ordinary values in
/// `[1.05 lo, 0]`.
pub fn non_positive_with_specials<T: Float>(n: usize, seed: u64) -> Vec<T> {
    let lo = exp_lo::<T>();
    let special = [
        T::ZERO,
        -T::ZERO,
        T::NAN,
        -T::NAN,
        T::NEG_INFINITY,
        -T::MAX,
        T::from_f64(lo),
        // The neighbours of lo, one ulp of T either side (lo's ulp is
        // lo · ε at most, so 0.5 · ε · |lo| moves to the next value or
        // rounds back; ε · |lo| always moves).
        T::from_f64(lo * (1.0 + T::EPSILON.to_f64())),
        T::from_f64(lo * (1.0 - T::EPSILON.to_f64())),
        -T::EPSILON,
        T::from_f64(-1e-40),  // subnormal in f32
        T::from_f64(-1e-310), // subnormal in f64
    ];
    let ordinary: Vec<T> = values::<f64>(n, seed, 1.0)
        .into_iter()
        .map(|u| T::from_f64(1.05 * lo * (u + 1.0) / 2.0))
        .collect();
    mix(&special, &ordinary)
}

fn mix<T: Float>(special: &[T], ordinary: &[T]) -> Vec<T> {
    (0..ordinary.len())
        .map(|i| {
            if i % 3 == 0 {
                special[(i / 3) % special.len()]
            } else {
                ordinary[i]
            }
        })
        .collect()
}

fn is_f32<T: Float>() -> bool {
    std::mem::size_of::<T>() == 4
}

fn exp_lo<T: Float>() -> f64 {
    if is_f32::<T>() {
        internals::EXP_F32_LO as f64
    } else {
        internals::EXP_F64_LO
    }
}

/// The spacing of `T` at `v` (the ulp of `|v|` rounded to `T`).
pub fn ulp<T: Float>(v: f64) -> f64 {
    if is_f32::<T>() {
        let v = v.abs() as f32;
        (f32::from_bits(v.to_bits() + 1) - v) as f64
    } else {
        let v = v.abs();
        f64::from_bits(v.to_bits() + 1) - v
    }
}

/// ReLU: bit for bit `reference::relu` (NumPy's `np.maximum(0, x)`).
fn relu<T: Float>() -> Case<T> {
    Case {
        op: UnaryOp::Relu,
        expect: Expect::Bitwise(nn_kernels::reference::relu::<T>),
        inputs: line_with_specials::<T>,
    }
}

/// Step: bit for bit `reference::step`.
fn step<T: Float>() -> Case<T> {
    Case {
        op: UnaryOp::Step,
        expect: Expect::Bitwise(nn_kernels::reference::step::<T>),
        inputs: line_with_specials::<T>,
    }
}

/// Sigmoid against the `f64` reference.
///
/// Tolerance: `nn_kernels::sigmoid` documents a relative error of at most
/// `4 ε_T` against the exact sigmoid. The reference is
/// `reference::sigmoid` in `f64` (glibc `exp`, under 1 ulp ≤ `ε_64`
/// relative, passed on once by the division, plus one rounding each, `ε_64 /
/// 2`, for the sum and the quotient): within `2 ε_64` of the exact value.
/// So `|got - ref| <= (4 ε_T + 2 ε_64) |ref|`. Results below `1.5 ·
/// MIN_POSITIVE` may be flushed to zero (the exp's range; the reference's own
/// subnormal results are off by a few `2^-1074` at most): `2 · MIN_POSITIVE`
/// absolute.
fn sigmoid<T: Float>() -> Case<T> {
    Case {
        op: UnaryOp::Sigmoid,
        expect: Expect::Relative {
            exact: nn_kernels::reference::sigmoid::<f64>,
            rel: 4.0 * T::EPSILON.to_f64() + 2.0 * f64::EPSILON,
            abs: 2.0 * min_positive::<T>(),
        },
        inputs: line_with_specials::<T>,
    }
}

/// The exp for `x <= 0` (the internal op `ExpLe0`, no public form).
///
/// Tolerance: the documented bound `EXP_F32_MAX_ULPS` / `EXP_F64_MAX_ULPS`
/// (2 ulp), which `src/exp.rs` states against libm's `exp` (for `f32`, `f64`
/// libm: exact to 2^-29 ulp of `f32`), so it applies as is against
/// `f64::exp`. Inputs below `EXP_*_LO` are documented to give `+0.0`.
fn exp_le0<T: Float>() -> Case<T> {
    Case {
        op: UnaryOp::ExpLe0,
        expect: Expect::Ulps {
            exact: f64::exp,
            ulps: if is_f32::<T>() {
                internals::EXP_F32_MAX_ULPS
            } else {
                internals::EXP_F64_MAX_ULPS
            },
            flush_below: exp_lo::<T>(),
        },
        inputs: non_positive_with_specials::<T>,
    }
}

/// Lengths covering every tail case of every tier's vector for `T` (from
/// the library's own widths, `vector_lanes`, for every tier whether this
/// CPU has it or not): for each width `l`, 0, 1, l-1, l, l+1, 2l-1, 2l,
/// 2l+1, 3l, 4l, 4l+3, 8l; the exp-based maps run whole pairs of vectors
/// (`2l` lanes) and then single vectors, so also 4l-1, 4l+1, 5l, 5l+1,
/// 6l-1 for what follows the pairs (nothing, less than a vector, one
/// vector, more than one); 255, 256, 257 and 256±l±1 (ReLU runs a plain loop below 256,
/// so its kernels' tails start there); primes.
pub fn lengths<T: Float>() -> Vec<usize> {
    let mut v = vec![0, 1, 2, 3, 5, 7, 13, 31, 37, 61, 101, 1031, 255, 256, 257];
    for isa in Isa::ALL {
        let l = vector_lanes::<T>(isa);
        v.extend([l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1]);
        v.extend([3 * l, 4 * l, 4 * l + 3, 8 * l]);
        v.extend([4 * l - 1, 4 * l + 1, 5 * l, 5 * l + 1, 6 * l - 1]);
        v.extend([256 - l - 1, 256 - l + 1, 256 + l - 1, 256 + l + 1]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs [`Case`]s; see the module docs.
pub struct UnaryTester {
    /// Lengths to run (default: [`lengths`]).
    pub lengths: Vec<usize>,
    /// Start offsets of the sub-slices (default: 0, 1, 2, 3).
    pub offsets: Vec<usize>,
}

impl UnaryTester {
    pub fn new<T: Float>() -> Self {
        UnaryTester {
            lengths: lengths::<T>(),
            offsets: (0..4).collect(),
        }
    }

    /// `op` on every supported tier, every length and offset, out of place
    /// and in place; then once on a slice long enough to be split across
    /// threads (in a pool of 4, whatever the machine).
    pub fn test<T: Float>(&self, op: &Case<T>) {
        for isa in supported_isas() {
            for &n in &self.lengths {
                for &off in &self.offsets {
                    self.run(op, isa, n, off);
                }
            }
            let long = internals::UNARY_PAR_MIN_ELEMS + 2 * vector_lanes::<T>(isa.isa()) + 1;
            in_pool(4, || self.run(op, isa, long, 1));
        }
    }

    fn run<T: Float>(&self, op: &Case<T>, isa: Supported, n: usize, off: usize) {
        let ctx = format!(
            "{}<{}> on {} n={n} off={off}",
            op.op.name(),
            T::NAME,
            isa.isa()
        );
        let out_of_place = |x: &[T], out: &mut [T]| internals::unary(op.op, isa, x, out);
        // The input: `off` elements before the slice, `n` in it, and one
        // after it that is an ordinary value, so a kernel reading past the
        // end computes a result unlike the output's sentinel.
        let mut buf = (op.inputs)(off + n, (n * 7 + off) as u64);
        buf.push(T::from_f64(-1.0));
        let x = &buf[off..off + n];

        // Out of place: `off` sentinels, `n` NaNs (so an element left
        // unwritten shows up), one sentinel past the end.
        let sentinel = T::from_f64(-12345.0);
        let mut out = vec![sentinel; off + n + 1];
        out[off..off + n].fill(T::NAN);
        out_of_place(x, &mut out[off..off + n]).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let guards_ok = |v: &[T]| v.iter().all(|g| g.to_bits_u64() == sentinel.to_bits_u64());
        assert!(guards_ok(&out[..off]), "{ctx}: wrote before the slice");
        assert!(guards_ok(&out[off + n..]), "{ctx}: wrote past the end");
        for (i, (&xi, &o)) in x.iter().zip(&out[off..off + n]).enumerate() {
            if let Err(why) = check(op.expect, xi, o) {
                panic!("{ctx}: x[{i}] = {xi:?} gave {o:?}: {why}");
            }
        }

        // In place: the same bits as out of place (a tail done as an
        // overlapping whole vector must read its inputs before it writes),
        // and nothing outside the slice touched.
        if op.in_place() {
            let mut b = buf.clone();
            internals::unary_inplace(op.op, isa, &mut b[off..off + n]);
            super::assert_bits_eq(
                &b[off..off + n],
                &out[off..off + n],
                &format!("{ctx}: in place"),
            );
            super::assert_bits_eq(&b[..off], &buf[..off], &format!("{ctx}: in place, before"));
            super::assert_bits_eq(
                &b[off + n..],
                &buf[off + n..],
                &format!("{ctx}: in place, after"),
            );
        }

        // Against guard pages (once per length: the page edge sets the
        // alignment, so the offsets add nothing): the same bits, and no
        // access outside the slice, which would fault.
        if off == 0 {
            let in_place = |b: &mut [T]| internals::unary_inplace(op.op, isa, b);
            check_at_page_edges(
                &ctx,
                x,
                &out[off..off + n],
                |x, o| out_of_place(x, o).unwrap_or_else(|e| panic!("{ctx}: {e}")),
                op.in_place().then_some(&in_place as &InPlaceFn<'_, T>),
            );
        }
    }
}

/// `Ok` when `got` is what `expect` allows for `x`.
pub fn check<T: Float>(expect: Expect<T>, x: T, got: T) -> Result<(), String> {
    match expect {
        Expect::Bitwise(reference) => {
            let want = reference(x);
            if got.to_bits_u64() == want.to_bits_u64() {
                Ok(())
            } else {
                Err(format!("want {want:?} bit for bit"))
            }
        }
        Expect::Relative { exact, rel, abs } => {
            let want = exact(x.to_f64());
            match (want.is_nan(), got.is_nan()) {
                (true, true) => Ok(()),
                (true, false) | (false, true) => Err(format!("want {want:e}")),
                _ => {
                    let bound = rel * want.abs() + abs;
                    let err = (got.to_f64() - want).abs();
                    (err <= bound)
                        .then_some(())
                        .ok_or_else(|| format!("want {want:e}, error {err:e} > bound {bound:e}"))
                }
            }
        }
        Expect::Ulps {
            exact,
            ulps,
            flush_below,
        } => {
            let xf = x.to_f64();
            if xf < flush_below {
                return (got.to_bits_u64() == 0)
                    .then_some(())
                    .ok_or_else(|| format!("below {flush_below:e}: want +0.0"));
            }
            let want = exact(xf);
            match (want.is_nan(), got.is_nan()) {
                (true, true) => Ok(()),
                (true, false) | (false, true) => Err(format!("want {want:e}")),
                _ => {
                    let err = (got.to_f64() - want).abs() / ulp::<T>(want);
                    (err <= ulps)
                        .then_some(())
                        .ok_or_else(|| format!("want {want:e}, error {err} ulp > {ulps}"))
                }
            }
        }
    }
}
