//! Which code runs a product on the portable tier: the crate's own BLIS
//! loops, or `matrixmultiply` (`matrixmultiply.rs`).

use super::blis::NARROW_MAX_K;
use crate::dispatch::{Isa, Supported};
use crate::float::Float;
use crate::kind::Kind;
use crate::simd::portable::Portable;
use crate::simd::{SimdFloat, Vector};

/// Which code computes a product on the portable tier: the crate's own
/// BLIS loops over `wide`'s vectors, or `matrixmultiply`, whichever
/// measures faster on the target (`cargo bench -p nn-kernels-benches --bench dense_grid --
/// engines`; BENCHMARKS.md, "Dense layer"). On x86-64 `matrixmultiply`
/// picks AVX2 or AVX-512 kernels at run time, which a baseline (SSE2) build
/// of ours cannot match on large products, while its fixed cost per call
/// (packing buffers, allocated each call) loses to ours on small ones. So
/// there the portable tier runs ours below [`portable_blis_max_macs`] and
/// `matrixmultiply` above; on other targets (and under Miri) always ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Blis,
    MatrixMultiply,
}

/// Whether the portable tier's products use `matrixmultiply` for some
/// sizes on this build ([`Engine`]).
pub(crate) const PORTABLE_HAS_MATRIXMULTIPLY: bool = cfg!(target_arch = "x86_64") && !cfg!(miri);

/// The largest product (in multiply-adds) the portable tier runs through
/// its own BLIS loops where [`PORTABLE_HAS_MATRIXMULTIPLY`]: 2^9 for `f32`
/// and 2^7 for `f64`, a power of four below where the two engines' median
/// times crossed over in the grid sweep (2^11 and 2^9), because shapes of
/// 16 rows and 10 to 64 columns already ran up to 1.7x slower on ours
/// there (BENCHMARKS.md, "Dense layer").
fn portable_blis_max_macs<T: Float>() -> usize {
    match T::KIND {
        Kind::F32(_) => 1 << 9,
        Kind::F64(_) => 1 << 7,
    }
}

pub(crate) fn engine<T: SimdFloat>(isa: Supported, (m, k, n): (usize, usize, usize)) -> Engine {
    if isa.isa() != Isa::Portable || !PORTABLE_HAS_MATRIXMULTIPLY {
        return Engine::Blis;
    }
    // Ours where it measured faster: small products, unless the output is
    // narrower than a vector and `k` too deep for the narrow path (then the
    // portable tile's few FMA chains wait on their latency).
    let lanes = <<T as SimdFloat>::Vec<Portable> as Vector<T>>::LANES;
    let small = m.saturating_mul(k).saturating_mul(n) <= portable_blis_max_macs::<T>();
    if small && (n >= lanes || k <= NARROW_MAX_K) {
        Engine::Blis
    } else {
        Engine::MatrixMultiply
    }
}
