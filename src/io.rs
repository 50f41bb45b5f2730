//! Where a kernel reads and writes: two slices (out of place) or one (in
//! place), behind one trait so each kernel is written once for both.

use std::ops::Range;

use crate::float::Float;
use crate::simd::Vector;
use crate::simd::pair::Pair;

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
    /// [`Io::map_vec`] over a `range` shorter than a vector (not empty),
    /// stored by [`store_tail`]: inside the output before the range's end
    /// where that holds a whole vector, so that the store does not reach
    /// over what follows the range. For rows done a group at a time, the
    /// next row's first load comes right after; a row whose own next pass
    /// comes right after wants [`Io::map_vec`]'s masked store, whose
    /// footprint stays off the row's earlier vectors.
    #[inline(always)]
    fn map_tail<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>) {
        let (end, n) = (range.end, range.len());
        let v = f.map(V::load_padded(&self.input()[range], fill));
        store_tail(v, &mut self.output()[..end], n);
    }
}

/// Stores the low `n` lanes of `v` to the last `n` elements of `upto`
/// (`1 <= n < LANES`): a vector's tail. Where `upto` holds a whole vector,
/// by a store that stays inside it ([`Vector::store_prefix_at_end`]): the
/// store then reaches back over elements done already, not forward over
/// the next row, whose first load would wait for it.
#[inline(always)]
pub(crate) fn store_tail<T: Copy, V: Vector<T>>(v: V, upto: &mut [T], n: usize) {
    let len = upto.len();
    if len >= V::LANES {
        v.store_prefix_at_end(&mut upto[len - V::LANES..], n);
    } else {
        v.store_prefix(&mut upto[len - n..]);
    }
}

/// A lane-wise function for [`Io::map_vec`], which may update its own state
/// (an accumulator). A trait with an `#[inline(always)]` method rather than a
/// closure: a closure is a separate function the compiler may decline to
/// inline into the `#[target_feature]` kernel, and outside it the vector
/// intrinsics cannot inline either.
pub(crate) trait LaneMap<T: Copy, V: Vector<T>> {
    /// Whether the function is pure (no state, lane `i` of the result
    /// depends on lane `i` of the input alone): then a slice's tail may be
    /// done as the whole vector ending at its last element, overlapping
    /// elements already done, which gives them the same values again.
    const PURE: bool = false;
    /// The function, on one vector.
    fn map(&mut self, x: V) -> V;
}

/// Whether [`Io::map_vec`] does a tail of `len` elements (`len` not a
/// multiple of `LANES`) as an overlapping whole vector rather than masked:
/// for pure functions of slices of at least one vector, on tiers whose
/// masked store is slow (AVX2's `vmaskmov` store is microcoded on AMD, and
/// the portable tier copies through an array).
#[inline(always)]
fn overlap_tail<T: Copy, V: Vector<T>, F: LaneMap<T, V>>(_: &F, len: usize) -> bool {
    F::PURE && !V::MASKED_STORE_FAST && len >= V::LANES
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
        let (src, dst) = (&self.src[range.clone()], &mut self.dst[range]);
        let len = src.len();
        let chunks = src.chunks_exact(V::LANES);
        let tail = chunks.remainder();
        let mut dst_chunks = dst.chunks_exact_mut(V::LANES);
        for (s, d) in chunks.zip(&mut dst_chunks) {
            f.map(V::load(s)).store(d);
        }
        if tail.is_empty() {
        } else if overlap_tail::<T, V, _>(f, len) {
            let last = len - V::LANES;
            f.map(V::load(&src[last..])).store(&mut dst[last..]);
        } else {
            f.map(V::load_padded(tail, fill))
                .store_prefix(dst_chunks.into_remainder());
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
        let buf = &mut self.0[range];
        let len = buf.len();
        if !len.is_multiple_of(V::LANES) && overlap_tail::<T, V, _>(f, len) {
            // The last vector is read before anything is written, so its
            // lanes that the loop below also writes get the same values.
            let last = len - V::LANES;
            let end = f.map(V::load(&buf[last..]));
            for c in buf.chunks_exact_mut(V::LANES) {
                f.map(V::load(c)).store(c);
            }
            end.store(&mut buf[last..]);
            return;
        }
        let mut chunks = buf.chunks_exact_mut(V::LANES);
        for c in &mut chunks {
            f.map(V::load(c)).store(c);
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            f.map(V::load_padded(tail, fill)).store_prefix(tail);
        }
    }
}

/// A read-only pass: [`Io::map_vec`] runs the map for its state (a sum) and
/// stores nothing. For the first pass of the two-pass softmax, which must
/// not write the output it has not normalised yet.
pub(crate) struct ReadOnly<'a, T>(pub &'a [T]);

impl<T: Copy> Io<T> for ReadOnly<'_, T> {
    #[inline(always)]
    fn input(&self) -> &[T] {
        self.0
    }
    /// Never called: a read-only pass has nowhere to write.
    fn output(&mut self) -> &mut [T] {
        unreachable!("a read-only pass writes nothing")
    }
    #[inline(always)]
    fn map_tail<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>) {
        f.map(V::load_padded(&self.0[range], fill));
    }
    #[inline(always)]
    fn map_vec<V: Vector<T>>(&mut self, range: Range<usize>, fill: T, f: &mut impl LaneMap<T, V>) {
        let src = &self.0[range];
        let mut chunks = src.chunks_exact(V::LANES);
        for s in &mut chunks {
            f.map(V::load(s));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            f.map(V::load_padded(tail, fill));
        }
    }
}

/// [`Io::map_vec`] two vectors a step, for maps built on the exp: its
/// polynomial is one long chain of dependent operations, and as a pair
/// ([`Pair`]) each operation is issued for both vectors back to back, so
/// two independent chains are in flight, not one. (Calling the map twice a
/// step does not do that: the compiler keeps the two calls' instructions
/// apart.) Whole pairs first, then what is left (less than a pair) one
/// vector at a time, so no lane is computed twice more than `map_vec`'s
/// own tail does. A stateful map sees the pair's low vector before its
/// high one, as `map_vec::<V>` would.
#[inline(always)]
pub(crate) fn map_vec_interleaved<T: Float, V: Vector<T>, F>(
    io: &mut impl Io<T>,
    range: Range<usize>,
    fill: T,
    f: &mut F,
) where
    F: LaneMap<T, V> + LaneMap<T, Pair<T, V>>,
{
    let pairs = range.start + range.len() / Pair::<T, V>::LANES * Pair::<T, V>::LANES;
    if pairs > range.start {
        io.map_vec::<Pair<T, V>>(range.start..pairs, fill, f);
    }
    if pairs < range.end {
        io.map_vec::<V>(pairs..range.end, fill, f);
    }
}
