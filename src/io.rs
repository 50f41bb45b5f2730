//! Where a kernel reads and writes: two slices (out of place) or one (in
//! place), behind one trait so each kernel is written once for both.

use std::ops::Range;

use crate::simd::Vector;

/// A kernel's input and output of equal length. In place, both are the same
/// buffer: a kernel reads a vector through [`Io::input`] before it writes
/// that vector's place through [`Io::output`], and never reads a place it
/// has written.
pub(crate) trait Io<T: Copy> {
    /// The values to read.
    fn input(&self) -> &[T];
    /// Where to write.
    fn output(&mut self) -> &mut [T];
    /// `output[i] = f(input[i])` over `range`, one vector at a time; the tail
    /// is loaded padded with `fill` and only its real lanes are stored.
    fn map_vec<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>);
}

/// A lane-wise function for [`Io::map_vec`], which may update its own state
/// (an accumulator). A trait with an `#[inline(always)]` method rather than a
/// closure: a closure is a separate function the compiler may decline to
/// inline into the `#[target_feature]` kernel, and outside it the vector
/// intrinsics cannot inline either.
pub(crate) trait LaneMap<T: Copy, V: Vector<T>> {
    /// The function, on one vector.
    fn map(&mut self, x: V) -> V;
}

/// Out of place: read `src`, write `dst` (equal lengths).
pub(crate) struct Split<'a, T> {
    pub src: &'a [T],
    pub dst: &'a mut [T],
}

impl<T: Copy> Io<T> for Split<'_, T> {
    #[inline(always)]
    fn input(&self) -> &[T] {
        self.src
    }
    #[inline(always)]
    fn output(&mut self) -> &mut [T] {
        self.dst
    }
    #[inline(always)]
    fn map_vec<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>) {
        let src = self.src[range.clone()].chunks_exact(V::LANES);
        let mut dst = self.dst[range].chunks_exact_mut(V::LANES);
        let tail = src.remainder();
        for (s, d) in src.zip(&mut dst) {
            f.map(V::load(s)).store(d);
        }
        if !tail.is_empty() {
            f.map(V::load_padded(tail, fill))
                .store_prefix(dst.into_remainder());
        }
    }
}

/// In place: read and write the same buffer.
pub(crate) struct InPlace<'a, T>(pub &'a mut [T]);

impl<T: Copy> Io<T> for InPlace<'_, T> {
    #[inline(always)]
    fn input(&self) -> &[T] {
        self.0
    }
    #[inline(always)]
    fn output(&mut self) -> &mut [T] {
        self.0
    }
    #[inline(always)]
    fn map_vec<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>) {
        let mut chunks = self.0[range].chunks_exact_mut(V::LANES);
        for c in &mut chunks {
            f.map(V::load(c)).store(c);
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            f.map(V::load_padded(tail, fill)).store_prefix(tail);
        }
    }
}
