//! Heap buffers of `f32` or `f64` that start on a cache line, for the data
//! the kernels stream through vector loads: packed weights, and the
//! per-thread packing buffers (`gemm::scratch`).
//!
//! `Vec<f32>` starts where the allocator puts it, 16 bytes past a cache
//! line for glibc's large blocks. Then every 64-byte AVX-512 load of a
//! packed panel spans two lines, and a one-row product, which issues one
//! such load per multiply-add, runs at half speed from L1 (BENCHMARKS.md,
//! "Emerald Rapids: the smallest calls and one-sample MLPs").

use std::fmt;
use std::marker::PhantomData;

use crate::float::Float;
use crate::kind::Same;

/// A cache line of bytes: the unit of the buffers here, so that their
/// start is 64-byte aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Line(pub(crate) [u8; 64]);

/// Lines enough for `len` elements of `T`.
pub(crate) fn lines_for<T>(len: usize) -> usize {
    (len * size_of::<T>()).div_ceil(size_of::<Line>())
}

/// `len` elements of `T` from the start of whole, 64-byte aligned lines.
///
/// Made only for `T: Float` (zeroed, or a copy), for which all-zero bytes
/// are a valid value (`0.0`), and written only through
/// [`AlignedVec::as_mut_slice`]: so the first `len` elements' bytes always
/// hold valid `T`s, which is what the casts below rely on.
pub(crate) struct AlignedVec<T> {
    lines: Vec<Line>,
    len: usize,
    elem: PhantomData<T>,
}

impl<T: Float> AlignedVec<T> {
    /// `len` zeros.
    pub(crate) fn zeroed(len: usize) -> Self {
        AlignedVec {
            lines: vec![Line([0; 64]); lines_for::<T>(len)],
            len,
            elem: PhantomData,
        }
    }

    /// A copy of `s`.
    pub(crate) fn from_slice(s: &[T]) -> Self {
        let mut v = Self::zeroed(s.len());
        v.as_mut_slice().copy_from_slice(s);
        v
    }

    /// The same buffer with `T` named `F` (moved, not copied).
    pub(crate) fn retype<F>(self, _: Same<T, F>) -> AlignedVec<F> {
        AlignedVec {
            lines: self.lines,
            len: self.len,
            elem: PhantomData,
        }
    }
}

impl<T> AlignedVec<T> {
    /// The elements.
    pub(crate) fn as_slice(&self) -> &[T] {
        // SAFETY: `lines` holds at least `len · size_of::<T>()` bytes
        // (`lines_for`), aligned to 64 >= `align_of::<T>()` (an `f32` or
        // `f64`), holding valid `T`s (the type's invariant); the slice
        // borrows `self`.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<T>(), self.len) }
    }

    /// The elements, mutably.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, borrowing `self` uniquely (what is
        // written through it is a `T`, which keeps the invariant).
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<T>(), self.len) }
    }
}

impl<T> Clone for AlignedVec<T> {
    fn clone(&self) -> Self {
        AlignedVec {
            lines: self.lines.clone(),
            len: self.len,
            elem: PhantomData,
        }
    }
}

impl<T: PartialEq> PartialEq for AlignedVec<T> {
    /// Element by element, as `[T]` compares (so `NaN != NaN`).
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: fmt::Debug> fmt::Debug for AlignedVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::AlignedVec;
    use crate::kind::Same;
    use crate::{PackedWeights, Weights};

    fn on_a_line<T>(s: &[T]) -> bool {
        (s.as_ptr() as usize).is_multiple_of(64)
    }

    /// Every length, glibc's small and large (`mmap`, 16 bytes past a
    /// page) blocks among them, starts on a line and holds what was put in.
    pub fn buffers_start_on_a_line_and_keep_their_values() {
        for len in (0..=130).chain([1 << 12, (1 << 16) + 3, 1 << 20]) {
            let src: Vec<f64> = (0..len).map(|i| i as f64 - 0.5).collect();
            let v = AlignedVec::from_slice(&src);
            assert!(on_a_line(v.as_slice()), "f64 len {len}");
            assert_eq!(v.as_slice(), &src[..]);
            let c = v.clone();
            assert!(on_a_line(c.as_slice()) && c == v, "clone, len {len}");
            let z = AlignedVec::<f32>::zeroed(len);
            assert!(on_a_line(z.as_slice()), "f32 len {len}");
            assert!(z.as_slice().iter().all(|&e| e == 0.0) && z.as_slice().len() == len);
            let r = v.retype(Same::REFL);
            assert_eq!(r.as_slice(), &src[..]);
        }
    }

    /// Packed weights, and the row-major ones kept as they are, start on a
    /// line whatever their size.
    pub fn packed_weights_start_on_a_line() {
        for (k, n) in [(1, 1), (3, 5), (8, 128), (64, 128), (128, 10), (300, 700)] {
            let w = vec![0.25f32; k * n];
            let p = PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
            assert!(on_a_line(p.data.as_slice()), "{k} x {n}, n_pad {}", p.n_pad);
        }
    }
}
