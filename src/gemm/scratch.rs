//! The per-thread packing buffers of the packed path.

use std::cell::Cell;

use crate::aligned::{Line, lines_for};
use crate::float::Float;

// Per-thread packing buffers, grown to the largest block a thread has seen
// and kept, so calls in steady state allocate nothing. 64-byte units keep
// every packed panel cache-line aligned.

thread_local! {
    static SCRATCH: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
}

/// Takes this thread's packing buffer, grown to at least `len` `T`s (no
/// closure: the kernels using it must stay inside their `#[target_feature]`
/// function for the intrinsics to inline). Hand it back with
/// [`return_scratch`]. A call re-entered on the same thread (nothing does so
/// today) would find the buffer gone and allocate its own.
pub(super) fn take_scratch<T>(len: usize) -> Vec<Line> {
    let mut buf = SCRATCH.with(|cell| cell.take());
    let lines = lines_for::<T>(len);
    if buf.len() < lines {
        buf.resize(lines, Line([0; 64]));
    }
    buf
}

/// Puts a buffer from [`take_scratch`] back for the next call.
pub(super) fn return_scratch(buf: Vec<Line>) {
    SCRATCH.with(|cell| cell.replace(buf));
}

/// The first `len` `T`s of a buffer from [`take_scratch`]`::<T>(len)`.
pub(super) fn scratch_slice<T: Float>(buf: &mut [Line], len: usize) -> &mut [T] {
    assert!(len * size_of::<T>() <= buf.len() * 64);
    // SAFETY: the buffer holds at least `len * size_of::<T>()` initialised
    // bytes (asserted), aligned to 64 (>= align_of::<T>()); any bit pattern
    // is a valid f32/f64, and the result borrows `buf` uniquely.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<T>(), len) }
}
