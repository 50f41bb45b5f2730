//! Helpers shared by the integration tests: test sizes derived from the
//! vector width, derived error bounds, and thread-pool runners.
#![allow(dead_code)] // each test binary uses a different subset

pub mod gemm;
pub mod guard;
pub mod ops;
pub mod rows;
pub mod unary;

use nn_kernels::Float;
use nn_kernels::dispatch::Isa;
use nn_kernels::internals::vector_lanes;

/// The distinct lane counts of every tier's vector for `T`, as the library
/// itself uses them (`vector_lanes`), for every tier whether this CPU has it
/// or not, so the lengths derived from them do not depend on the machine.
pub fn lanes<T: Float>() -> Vec<usize> {
    let mut v: Vec<usize> = Isa::ALL.iter().map(|&isa| vector_lanes::<T>(isa)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Lengths that cover every tail case of every tier: for each vector width
/// `l`, 0, 1, l-1, l, l+1, 2l-1, 2l, 2l+1, 4l+3, and primes.
pub fn lengths<T: Float>() -> Vec<usize> {
    let mut v = vec![0, 1, 2, 37, 101, 1031];
    for l in lanes::<T>() {
        v.extend([l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1, 4 * l + 3]);
        // ReLU runs a plain loop below 256 elements: its kernels' tails
        // start past there.
        v.extend([255, 256, 256 + l - 1, 256 + l + 1]);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Start offsets for sub-slices: aligned and odd.
pub const OFFSETS: [usize; 4] = [0, 1, 3, 5];

/// Unit roundoff u = ε/2 of `T`, as `f64`.
pub fn unit_roundoff<T: Float>() -> f64 {
    T::EPSILON.to_f64() / 2.0
}

/// γ_n = n·u / (1 - n·u): the classic bound on the relative error of `n`
/// floating-point operations in a row (Higham, Accuracy and Stability, §3.1).
pub fn gamma(n: usize, u: f64) -> f64 {
    let nu = n as f64 * u;
    assert!(nu < 1.0);
    nu / (1.0 - nu)
}

/// Bound on `|computed - exact|` for one element of `x · w + bias` with inner
/// dimension `k`, given `scale = Σ|x||w| + |bias|` from
/// [`nn_kernels::reference::matmul_f64`].
///
/// The computed value is a sum of `k + 1` terms (products and bias) with at
/// most `k + 1` roundings on any path, so its error is at most
/// `γ_{k+1}(u_T) · scale` whatever the summation order or FMA use. The f64
/// reference itself errs by at most `γ_{k+1}(u_f64) · scale`; both count.
pub fn dense_bound<T: Float>(k: usize, scale: f64) -> f64 {
    (gamma(k + 1, unit_roundoff::<T>()) + gamma(k + 1, f64::EPSILON / 2.0)) * scale
}

/// Roundings on the longest path through the kernels' sum of a row of `n`
/// exponentials: `min(n - 1, 13 + ⌈log2 n⌉)`.
///
/// Any order of adding `n` terms has at most `n - 1` roundings on a path.
/// For long rows the kernels add each lane's terms in blocks of
/// `softmax::SUM_BLOCK_VECS` (16) vectors (the first addition is to zero,
/// exact: 15 roundings, 16 in the last block, which also takes the tail),
/// add the `nb = ⌈n / (16 L)⌉` block sums pairwise (at most `⌈log2 nb⌉ +
/// 1`), then the `L` lanes pairwise (`log2 L`): `16 + ⌈log2 n⌉ - 4 - log2 L
/// + 1 + log2 L = 13 + ⌈log2 n⌉`, whatever the tier's width `L`.
pub fn softmax_sum_roundings(n: usize) -> usize {
    let log2 = n.next_power_of_two().trailing_zeros() as usize;
    (n.saturating_sub(1)).min(13 + log2)
}

/// Bound on `|computed - exact|` for one softmax output `exact` of a row of
/// `n` elements, in units of the unit roundoff `u` of `T`:
///
/// - each `e^(x_i - max)`: at most `EXP_*_MAX_ULPS` = 2 ulp = `4u` from the
///   exp (measured in `tests/accuracy.rs`), plus `u |r| <= 0.35u` from adding
///   the subtraction's rounding error into the reduced argument: `5u`. Rows
///   spanning less than `internals::exact_spread::<T>()` (`S`) skip that correction, and `x - max`
///   (below `S` in magnitude) then rounds by at most half its ulp:
///   `S / 2` more units of `u` (8 for f32, 32 for f64);
/// - the sum of `n` such terms: `h = softmax_sum_roundings(n)` units from
///   the additions (`n - 1` for short rows, `13 + ⌈log2 n⌉` for long ones)
///   plus the terms' own errors (a weighted mean of them): again `5u + S / 2`;
/// - the reciprocal of the sum and the product: `2u`.
///
/// Total `(h + 12 + S) u` relative, to first order. The f64
/// reference is compensated (a few f64 ulps); its error is bounded by the same
/// formula with f64's `u` and added. The exp flushes results below
/// `1.5 · MIN_POSITIVE` to zero, so `2 · MIN_POSITIVE` is allowed in absolute
/// terms.
pub fn softmax_bound<T: Float>(n: usize, exact: f64, min_positive: f64) -> f64 {
    let coef = softmax_sum_roundings(n) as f64
        + 12.0
        + nn_kernels::internals::exact_spread::<T>().to_f64();
    coef * (unit_roundoff::<T>() + f64::EPSILON / 2.0) * exact.abs() + 2.0 * min_positive
}

/// [`softmax_bound`] for a row done in two passes
/// (`nn_kernels::internals::Passes::Two`): the sum's terms are
/// `e^(x - m_p) · e^(m_p - max)` for each part's max `m_p`, one more exp
/// (`5u`: `m_p - max` is subtracted exactly) and one more product (`u`)
/// than the three passes' `e^(x - max)`, so `6u` more; and the partial
/// sums of the parts are added pairwise, at most 2 more roundings on a
/// path (`h = 15 + ⌈log2 n⌉`, see `softmax_sum_roundings_two_pass`).
/// Total `(h + 18 + S) u`.
pub fn softmax_bound_two_pass<T: Float>(n: usize, exact: f64, min_positive: f64) -> f64 {
    let coef = softmax_sum_roundings_two_pass(n) as f64
        + 18.0
        + nn_kernels::internals::exact_spread::<T>().to_f64();
    coef * (unit_roundoff::<T>() + f64::EPSILON / 2.0) * exact.abs() + 2.0 * min_positive
}

/// The additions on the longest path through a two-pass row's sum: a part
/// of `p` elements is summed as a three-pass row is (`13 + ⌈log2 p⌉`),
/// then the parts pairwise (`⌈log2 parts⌉ + 1`): at most `15 + ⌈log2 n⌉`.
pub fn softmax_sum_roundings_two_pass(n: usize) -> usize {
    15 + n.next_power_of_two().trailing_zeros() as usize
}

/// [`softmax_sum_bound`] for a row done in two passes: the outputs'
/// exponentials and the sum's terms are no longer the same rounded values
/// (`e^(x - max)` against `e^(x - m_p) · e^(m_p - max)`), so their
/// relative difference, up to `5u + 11u = 8ε`, no longer cancels:
/// `(h + 3 + 8) ε` with `h = softmax_sum_roundings_two_pass(cols)`.
pub fn softmax_sum_bound_two_pass<T: Float>(cols: usize) -> f64 {
    (softmax_sum_roundings_two_pass(cols) as f64 + 11.0) * T::EPSILON.to_f64()
}

/// Bound on `|computed - exact|` for one log-softmax output `exact` of a
/// row of `n` elements (`nn_kernels::log_softmax_rows`' docs derive it):
/// `(2 |y| + h + 7 + S) u`, plus the `f64` reference's own error (the same
/// formula in `f64` units, which the `u` sum covers).
pub fn log_softmax_bound<T: Float>(n: usize, exact: f64) -> f64 {
    let coef = 2.0 * exact.abs()
        + softmax_sum_roundings(n) as f64
        + 7.0
        + nn_kernels::internals::exact_spread::<T>().to_f64();
    coef * (unit_roundoff::<T>() + f64::EPSILON / 2.0)
}

/// How far a softmax row's sum (taken with [`sum_f64`]) may be from 1:
/// `(h + 3) ε` with `h = softmax_sum_roundings(cols)` (see
/// `nn_kernels::softmax_rows`' docs: the sum's `h` roundings of `ε/2`, the
/// reciprocal's and the product's `ε/2` each; the exp's own error cancels,
/// every output being divided by the sum of the same rounded exponentials;
/// the compensated check sum's own error is a few `f64` ulps).
pub fn softmax_sum_bound<T: Float>(cols: usize) -> f64 {
    (softmax_sum_roundings(cols) as f64 + 3.0) * T::EPSILON.to_f64()
}

/// `reference::sum_f64`: the compensated sum, so a check of a row sum
/// against [`softmax_sum_bound`] measures the kernel, not the check (a
/// plain `f64` sum of `n` outputs errs by up to `(n - 1)` `f64` units, more
/// than the bound for long `f64` rows).
#[allow(unused_imports)] // each test binary uses a different subset
pub use nn_kernels::reference::sum_f64;

/// Smallest positive normal value of `T`, as `f64`.
pub fn min_positive<T: Float>() -> f64 {
    if std::mem::size_of::<T>() == 4 {
        f32::MIN_POSITIVE as f64
    } else {
        f64::MIN_POSITIVE
    }
}

/// Every instruction-set tier this CPU supports, worst first.
pub fn tiers() -> Vec<nn_kernels::dispatch::Supported> {
    nn_kernels::dispatch::supported_isas().collect()
}

/// Runs `f` inside a fresh rayon pool of `threads` threads.
pub fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("build a rayon pool")
        .install(f)
}

/// A deterministic stream of test values: a SplitMix64 sequence mapped into
/// `[-scale, scale)`.
pub fn values<T: Float>(n: usize, seed: u64, scale: f64) -> Vec<T> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let u = (z >> 11) as f64 / (1u64 << 53) as f64;
            T::from_f64((2.0 * u - 1.0) * scale)
        })
        .collect()
}

/// Bitwise equality of two slices, with the first differing index on failure.
pub fn assert_bits_eq<T: Float>(got: &[T], want: &[T], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g.to_bits_u64(),
            w.to_bits_u64(),
            "{what}: index {i}: got {g:?}, want {w:?}"
        );
    }
}

/// Regression guard on the `f32` exp's error, in ulps of the result: the
/// largest error measured, rounded up to the next 0.05 ulp. It is not a
/// promise: users get the documented bound,
/// [`nn_kernels::internals::EXP_F32_MAX_ULPS`] (2 ulp), which the tests check too. This
/// one makes a change that loses accuracy fail even while it stays inside
/// the documented bound.
///
/// Measured on an x86-64 CPU with AVX-512F (every tier present) against
/// `f64` libm, over every `f32` in `[EXP_F32_LO, 0]`
/// (`tests/exhaustive.rs`): portable 0.989, AVX2 1.019, AVX-512 0.988 ulp
/// (its table-driven exp); over every 61st bit pattern
/// (`tests/accuracy.rs`): portable 0.946, AVX2 0.990, AVX-512 0.980 ulp.
/// The max, 1.019, rounds up to 1.05. (With the degree-7 polynomial
/// everywhere before: 1.010 at most.)
pub const EXP_F32_REGRESSION_ULPS: f64 = 1.05;

/// Regression guard on the `f64` exp's error, in ulps of the result, as
/// [`EXP_F32_REGRESSION_ULPS`]; users get [`nn_kernels::internals::EXP_F64_MAX_ULPS`]
/// (2 ulp).
///
/// Measured on the same CPU against glibc's `exp` over the 4 million point
/// sweep of `tests/accuracy.rs`: 1.000 ulp on each of portable, AVX2 and
/// AVX-512 (at x = -0.024248302903780033). Against a libm result on the
/// `f64` grid the error is a whole number of ulps (within a binade), so
/// 1.000 is exact and is its own multiple of 0.05.
pub const EXP_F64_REGRESSION_ULPS: f64 = 1.0;

/// Checks the exp's measured worst error `worst` (ulps) on tier `isa`
/// against the documented bound and then against the regression guard.
pub fn assert_exp_ulps(
    what: &str,
    isa: nn_kernels::dispatch::Isa,
    worst: f64,
    documented: f64,
    regression: f64,
) {
    assert!(
        worst <= documented,
        "{what} on {isa}: {worst} ulp exceeds the documented bound {documented}"
    );
    assert!(
        worst <= regression,
        "{what} on {isa}: {worst} ulp exceeds the regression guard {regression} \
         (the measured figure; the documented bound {documented} still holds): \
         accuracy got worse"
    );
}

/// The environment variable holding the runner cargo runs this target's
/// binaries with, for the targets CI runs under an emulator.
#[cfg(all(target_arch = "aarch64", target_os = "linux"))]
const RUNNER_VAR: Option<&str> = Some("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER");
#[cfg(not(all(target_arch = "aarch64", target_os = "linux")))]
const RUNNER_VAR: Option<&str> = None;

/// A command that runs this test binary again, as cargo ran it: through
/// the target's runner when one is set (CI's aarch64 job runs the tests
/// under `qemu-aarch64`, which cannot start an aarch64 binary by itself).
pub fn rerun_self() -> std::process::Command {
    let exe = std::env::current_exe().expect("the test binary's path");
    let runner = RUNNER_VAR.and_then(|v| std::env::var(v).ok());
    let mut words = runner.iter().flat_map(|r| r.split_whitespace());
    match words.next() {
        Some(program) => {
            let mut c = std::process::Command::new(program);
            c.args(words).arg(exe);
            c
        }
        None => std::process::Command::new(exe),
    }
}

/// The exp inside softmax and sigmoid on tier `isa` (the element-wise
/// table's internal op `ExpLe0`).
pub fn exp_le0<T: Float>(
    isa: nn_kernels::dispatch::Supported,
    x: &[T],
    out: &mut [T],
) -> Result<(), nn_kernels::ShapeError> {
    use nn_kernels::internals::{UnaryOp, unary};
    unary(UnaryOp::ExpLe0, isa, x, out)
}

/// The softmax (masked when `masked`) on tier `isa` with the long rows'
/// algorithm `passes`.
pub fn softmax_on<T: Float>(
    isa: nn_kernels::dispatch::Supported,
    passes: nn_kernels::internals::Passes,
    x: &[T],
    out: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), nn_kernels::ShapeError> {
    use nn_kernels::internals::{RowCall, RowOp, rows};
    let call = RowCall {
        op: RowOp::Softmax,
        masked,
        isa: Some(isa),
        passes,
    };
    rows(call, x, out, cols)
}

/// [`softmax_on`] in place.
pub fn softmax_inplace_on<T: Float>(
    isa: nn_kernels::dispatch::Supported,
    passes: nn_kernels::internals::Passes,
    x: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), nn_kernels::ShapeError> {
    use nn_kernels::internals::{RowCall, RowOp, rows_inplace};
    let call = RowCall {
        op: RowOp::Softmax,
        masked,
        isa: Some(isa),
        passes,
    };
    rows_inplace(call, x, cols)
}
