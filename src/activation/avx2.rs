//! The avx2 tier: the activations on `T::Avx2` vectors, compiled for AVX2 and FMA.

use super::{Op, portable};
use crate::Float;
use crate::io::Io;

/// [`portable::apply`] on `T::Avx2`, compiled for AVX2 and FMA. Only called through a
/// `Supported` token for this tier.
#[target_feature(enable = "avx2,fma")]
pub(super) fn apply<T: Float>(op: Op, io: impl Io<T>) {
    portable::apply::<T, T::Avx2>(op, io);
}
