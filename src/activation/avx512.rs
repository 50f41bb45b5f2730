//! The avx512 tier: the activations on `T::Avx512` vectors, compiled for AVX-512F, AVX2 and FMA.

use super::{Op, portable};
use crate::Float;
use crate::io::Io;

/// [`portable::apply`] on `T::Avx512`, compiled for AVX-512F, AVX2 and FMA. Only called through a
/// `Supported` token for this tier.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) fn apply<T: Float>(op: Op, io: impl Io<T>) {
    portable::apply::<T, T::Avx512>(op, io);
}
