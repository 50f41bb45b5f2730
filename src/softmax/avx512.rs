//! The avx512 tier: the softmax on `T::Avx512` vectors, compiled for AVX-512F, AVX2 and FMA.

use super::portable;
use crate::Float;
use crate::io::Io;

/// [`portable::softmax_rows`] on `T::Avx512`, compiled for AVX-512F, AVX2 and FMA. Only called
/// through a `Supported` token for this tier.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) fn softmax_rows<T: Float>(io: impl Io<T>, cols: usize, masked: bool) {
    portable::softmax_rows::<T, T::Avx512>(io, cols, masked);
}

/// [`portable::softmax_rows_online`] on `T::Avx512`, compiled for AVX-512F, AVX2 and FMA.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) fn softmax_rows_online<T: Float>(io: impl Io<T>, cols: usize, masked: bool) {
    portable::softmax_rows_online::<T, T::Avx512>(io, cols, masked);
}
