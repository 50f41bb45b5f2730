//! Portable (`wide`) kernels for the element-wise activations. Each one is the
//! lane-wise form of its scalar twin in [`crate::reference`], and gives the
//! same bits.

use crate::Float;
use crate::reference;
use crate::simd::{Lanes, map, map_inplace};

pub(super) fn relu<T: Float>(x: &[T], out: &mut [T]) {
    map::<T, T::Vector>(x, out, T::ZERO, |v| v.relu());
}

pub(super) fn relu_inplace<T: Float>(x: &mut [T]) {
    map_inplace::<T, T::Vector>(x, T::ZERO, |v| v.relu());
}

pub(super) fn step<T: Float>(x: &[T], out: &mut [T]) {
    map::<T, T::Vector>(x, out, T::ZERO, |v| v.step());
}

pub(super) fn step_inplace<T: Float>(x: &mut [T]) {
    map_inplace::<T, T::Vector>(x, T::ZERO, |v| v.step());
}

// Sigmoid is bound by `exp`, which is scalar libm here: the lanes are mapped
// through the reference formula, so both give the same bits.
pub(super) fn sigmoid<T: Float>(x: &[T], out: &mut [T]) {
    map::<T, T::Vector>(x, out, T::ZERO, |v| v.map_lanes(reference::sigmoid));
}

pub(super) fn sigmoid_inplace<T: Float>(x: &mut [T]) {
    map_inplace::<T, T::Vector>(x, T::ZERO, |v| v.map_lanes(reference::sigmoid));
}
