//! The avx2 tier: the softmax on `T::Avx2` vectors, compiled for AVX2 and FMA.

use super::portable;
use crate::Float;
use crate::io::Io;

/// [`portable::softmax_rows`] on `T::Avx2`, compiled for AVX2 and FMA. Only called
/// through a `Supported` token for this tier.
#[target_feature(enable = "avx2,fma")]
pub(super) fn softmax_rows<T: Float>(io: impl Io<T>, cols: usize, masked: bool) {
    portable::softmax_rows::<T, T::Avx2>(io, cols, masked);
}

/// [`portable::softmax_rows_online`] on `T::Avx2`, compiled for AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub(super) fn softmax_rows_online<T: Float>(io: impl Io<T>, cols: usize, masked: bool) {
    portable::softmax_rows_online::<T, T::Avx2>(io, cols, masked);
}
