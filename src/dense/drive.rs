//! The dense family's drivers: the shape checks of each entry point, then
//! the product in `crate::gemm` (the entry points themselves, compiled per
//! type, are in `table.rs`).

use super::weights::{Layout, PackedRef, PackedWeights, Weights, transpose};
use crate::activation::Activation;
use crate::dispatch::{self, Isa, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::gemm::{self, Engine, Epilogue, WeightData};
use crate::simd::SimdFloat;

pub(super) fn drive_matmul<T: SimdFloat>(
    isa: Option<Supported>,
    a: &[T],
    b: &[T],
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
) -> Result<(), ShapeError> {
    const F: &str = "matmul";
    let mk = ShapeError::checked_mul(F, "m * k", m, k)?;
    let kn = ShapeError::checked_mul(F, "k * n", k, n)?;
    let mn = ShapeError::checked_mul(F, "m * n", m, n)?;
    ShapeError::check_len(F, "a", mk, a.len())?;
    ShapeError::check_len(F, "b", kn, b.len())?;
    ShapeError::check_len(F, "out", mn, out.len())?;
    let ep = Epilogue {
        bias: None,
        act: Activation::Identity,
    };
    let isa = isa.unwrap_or_else(dispatch::selected);
    gemm::gemm(isa, a, WeightData::RowMajor(b), ep, out, (m, k, n));
    Ok(())
}

/// The batch size of `x` (`x_len` elements) for a layer of `k` inputs and
/// `n` outputs: from whichever side has a non-zero row length, so a layer
/// of no inputs takes an empty `x` and its batch size from `out`.
fn batch_rows(
    function: &'static str,
    x_len: usize,
    out_len: usize,
    k: usize,
    n: usize,
) -> Result<usize, ShapeError> {
    if k > 0 {
        ShapeError::rows(function, "x", x_len, k)
    } else {
        ShapeError::check_len(function, "x", 0, x_len)?;
        ShapeError::rows(function, "out", out_len, n)
    }
}

/// Checks a whole-batch call (`x`, then `out`, then `bias`) and returns
/// its batch size.
fn check_batch<T>(
    function: &'static str,
    x: &[T],
    bias: &[T],
    out: &[T],
    (k, n): (usize, usize),
) -> Result<usize, ShapeError> {
    let m = batch_rows(function, x.len(), out.len(), k, n)?;
    let mn = ShapeError::checked_mul(function, "m * n", m, n)?;
    ShapeError::check_len(function, "out", mn, out.len())?;
    ShapeError::check_len(function, "bias", n, bias.len())?;
    Ok(m)
}

/// `w` as `inputs x neurons`, row-major: borrowed, or transposed into
/// `scratch`.
fn row_major<'a, T: Float>(w: Weights<'a, T>, scratch: &'a mut Vec<T>) -> (&'a [T], usize, usize) {
    let (data, layout, k, n) = w.parts();
    match layout {
        Layout::InputsByNeurons => (data, k, n),
        Layout::NeuronsByInputs => {
            *scratch = transpose(data, n, k);
            (scratch, k, n)
        }
    }
}

/// `w` copied as `inputs x neurons`, row-major.
pub(super) fn copy_inputs_by_neurons<T: Float>(w: Weights<'_, T>) -> Vec<T> {
    let (data, layout, k, n) = w.parts();
    match layout {
        Layout::InputsByNeurons => data.to_vec(),
        Layout::NeuronsByInputs => transpose(data, n, k),
    }
}

/// How a `dense` call's product runs: on a tier (`None`: the selected one)
/// with its engine and this CPU's budgets, or as a test or bench forces it.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
enum Run {
    Tier(Option<Supported>),
    /// The crate's own BLIS loops on the portable tier, whatever engine it
    /// would pick.
    PortableBlis,
    /// The blocks sized by these shares rather than this CPU's.
    Shares(Supported, gemm::Shares),
}

/// A `dense` call, checked, its W row-major (transposed into a temporary
/// when given `neurons x inputs`), run as `run` says.
fn dense_run<T: SimdFloat>(
    run: Run,
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    act: Activation,
) -> Result<(), ShapeError> {
    let m = check_batch("dense", x, bias, out, (w.inputs(), w.neurons()))?;
    let mut scratch = Vec::new();
    let (w, k, n) = row_major(w, &mut scratch);
    let (w, dims) = (WeightData::RowMajor(w), (m, k, n));
    let ep = Epilogue {
        bias: Some(bias),
        act,
    };
    match run {
        Run::Tier(isa) => gemm::gemm(isa.unwrap_or_else(dispatch::selected), x, w, ep, out, dims),
        Run::PortableBlis => {
            let isa = Isa::Portable
                .supported()
                .expect("the portable tier runs anywhere");
            gemm::gemm_on(isa, Engine::Blis, gemm::budgets(), x, w, ep, out, dims);
        }
        Run::Shares(isa, shares) => {
            let budgets = gemm::Budgets::new(shares, &crate::cache::caches());
            let engine = gemm::engine_for::<T>(isa, dims);
            gemm::gemm_on(isa, engine, &budgets, x, w, ep, out, dims);
        }
    }
    Ok(())
}

pub(super) fn drive_dense<T: SimdFloat>(
    isa: Option<Supported>,
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    act: Activation,
) -> Result<(), ShapeError> {
    dense_run(Run::Tier(isa), x, w, bias, out, act)
}

/// [`drive_dense`] through the crate's own BLIS loops on the portable tier,
/// whatever engine the portable tier uses for products (for the tests, Miri
/// and the benches that compare the two).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub(super) fn drive_portable_blis<T: SimdFloat>(
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    act: Activation,
) -> Result<(), ShapeError> {
    dense_run(Run::PortableBlis, x, w, bias, out, act)
}

/// [`drive_dense`] on tier `isa` with the blocks' budgets from `shares`
/// rather than this CPU's (for the calibration bench), no activation.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub(super) fn drive_dense_shares<T: SimdFloat>(
    isa: Supported,
    shares: gemm::Shares,
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    dense_run(
        Run::Shares(isa, shares),
        x,
        w,
        bias,
        out,
        Activation::Identity,
    )
}

pub(super) fn drive_packed<'o, T: SimdFloat>(
    x: &[T],
    w: &PackedRef<'_, T>,
    bias: &[T],
    out: &'o mut [T],
    rows: Option<usize>,
    act: Activation,
) -> Result<&'o mut [T], ShapeError> {
    let (k, n) = (w.inputs, w.neurons);
    let (x, out, m) = match rows {
        None => {
            let m = check_batch("dense_packed", x, bias, out, (k, n))?;
            (x, out, m)
        }
        Some(m) => {
            const F: &str = "dense_packed_prefix";
            let mk = ShapeError::checked_mul(F, "rows * k", m, k)?;
            let mn = ShapeError::checked_mul(F, "rows * n", m, n)?;
            ShapeError::check_at_least(F, "x", mk, x.len())?;
            ShapeError::check_at_least(F, "out", mn, out.len())?;
            ShapeError::check_len(F, "bias", n, bias.len())?;
            (&x[..mk], &mut out[..mn], m)
        }
    };
    let ep = Epilogue {
        bias: Some(bias),
        act,
    };
    let weights = match w.n_pad {
        0 => WeightData::RowMajor(w.data),
        n_pad => WeightData::Packed(w.data, n_pad),
    };
    gemm::gemm(w.isa, x, weights, ep, out, (m, k, n));
    Ok(out)
}

pub(super) fn drive_pack<T: SimdFloat>(
    isa: Option<Supported>,
    w: Weights<'_, T>,
) -> Result<PackedWeights<T>, ShapeError> {
    // The packed copy is at most `k` rows padded to a multiple of 64
    // columns (wider than any tier's panel).
    let (k, n) = (w.inputs(), w.neurons());
    let bytes = n
        .next_multiple_of(64)
        .checked_mul(k)
        .and_then(|e| e.checked_mul(size_of::<T>()))
        .filter(|&b| b <= isize::MAX as usize);
    if bytes.is_none() {
        let bytes = n.saturating_mul(k).saturating_mul(size_of::<T>());
        let kind = crate::ShapeErrorKind::Allocation { bytes };
        return Err(ShapeError::new("PackedWeights::new", "w", kind));
    }
    let isa = isa.unwrap_or_else(dispatch::selected);
    let mut scratch = Vec::new();
    let (w, k, n) = row_major(w, &mut scratch);
    let p = gemm::pack_weights(isa, w, k, n);
    Ok(PackedWeights {
        isa,
        inputs: k,
        neurons: n,
        n_pad: p.n_pad,
        kc: p.kc,
        nr: p.nr,
        data: p.data,
    })
}

#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub(super) fn drive_tile_dims<T: SimdFloat>(
    isa: Supported,
    shares: Option<gemm::Shares>,
) -> ([usize; 5], usize) {
    let budgets = match shares {
        Some(s) => gemm::Budgets::new(s, &crate::cache::caches()),
        None => *gemm::budgets(),
    };
    let b = gemm::blocks::<T>(isa, budgets);
    let kc = b.kc();
    ([b.mr, b.nr, kc, b.mc(kc), b.nc(kc)], gemm::NARROW_MAX_K)
}
