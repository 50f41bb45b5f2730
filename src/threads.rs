//! Thread control: whether a kernel call may split its work across rayon's
//! threads, and the one place the crate touches rayon.

use std::cell::Cell;

/// How a kernel call may use threads. Set for a scope with
/// [`with_parallelism`]; the default is [`Parallelism::Rayon`].
///
/// Results are bitwise the same under either: every kernel computes each
/// row (or output) with the same code whatever the split.
///
/// # When rayon's global pool is created
/// The kernels split a call across threads only above a size threshold
/// (`activation::PAR_MIN_ELEMS` elements, `softmax::PAR_MIN_ELEMS`
/// elements, and a number of multiply-adds for `matmul` and the dense
/// layers). Below it they never call rayon. Above it, under
/// [`Parallelism::Rayon`] (the default), they ask rayon for the current
/// pool's thread count: inside a pool (`ThreadPool::install`, or a rayon
/// task) that is the pool's, and outside any pool it is the global pool's,
/// which rayon creates on that first call. So the global pool is created
/// by the first call above a threshold made outside every pool, and never
/// under [`Parallelism::Serial`] or in a build without the `rayon` feature.
///
/// # Without the `rayon` feature
/// (`default-features = false`): rayon is not compiled, every call runs on
/// the calling thread, and [`Parallelism`] is accepted and has no effect.
///
/// ```
/// use nn_kernels::{Parallelism, with_parallelism};
/// let x = vec![0.5f32; 1 << 16];
/// let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
/// nn_kernels::sigmoid(&x, &mut a)?; // may split across rayon's threads
/// with_parallelism(Parallelism::Serial, || nn_kernels::sigmoid(&x, &mut b))?;
/// assert_eq!(a, b); // the same bits either way
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parallelism {
    /// On the calling thread only, with no rayon call at all (no pool is
    /// created or entered): for callers that run many small calls, or
    /// their own threads.
    Serial,
    /// Large calls are split across the current rayon pool: the pool of
    /// the enclosing `ThreadPool::install` (to cap the thread count at `n`,
    /// install a pool of `n` threads once around the work), else rayon's
    /// global pool.
    Rayon,
}

thread_local! {
    static PARALLELISM: Cell<Parallelism> = const { Cell::new(Parallelism::Rayon) };
}

/// Runs `f` with kernel calls made on this thread under `p`, then restores
/// the setting it replaced (also when `f` panics). Costs two thread-local
/// accesses: no pool, no install.
///
/// ```
/// use nn_kernels::{Parallelism, with_parallelism};
/// let x = vec![1.0f32; 1 << 20];
/// let mut p = vec![0.0; x.len()];
/// with_parallelism(Parallelism::Serial, || {
///     assert_eq!(nn_kernels::parallelism(), Parallelism::Serial);
///     nn_kernels::softmax_rows(&x, &mut p, 1024) // on this thread alone
/// })?;
/// assert_eq!(nn_kernels::parallelism(), Parallelism::Rayon);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn with_parallelism<R>(p: Parallelism, f: impl FnOnce() -> R) -> R {
    /// Puts the old setting back when dropped, on return or unwind.
    struct Restore(Parallelism);
    impl Drop for Restore {
        fn drop(&mut self) {
            PARALLELISM.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(PARALLELISM.with(|c| c.replace(p)));
    f()
}

/// The [`Parallelism`] kernel calls on this thread run under.
///
/// ```
/// assert_eq!(nn_kernels::parallelism(), nn_kernels::Parallelism::Rayon);
/// ```
pub fn parallelism() -> Parallelism {
    PARALLELISM.with(|c| c.get())
}

/// Whether a call of this size may split: above the kernel's threshold
/// (`big`), under [`Parallelism::Rayon`], in a pool of more than one
/// thread. Asks rayon only when the first two hold (see the module docs).
#[inline]
pub(crate) fn may_split(big: bool) -> bool {
    big && pool_threads() > 1
}

/// The current pool's thread count where calls may split, else 1.
pub(crate) fn pool_threads() -> usize {
    #[cfg(feature = "rayon")]
    if parallelism() == Parallelism::Rayon {
        return rayon::current_num_threads();
    }
    1
}

/// `f` on each pair of chunks (`a` in chunks of `ca`, `b` of `cb`), as
/// rayon tasks (serially without the `rayon` feature).
pub(crate) fn for_each_chunk_pair<A: Sync, B: Send>(
    a: &[A],
    ca: usize,
    b: &mut [B],
    cb: usize,
    f: impl Fn(&[A], &mut [B]) + Sync + Send,
) {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        a.par_chunks(ca)
            .zip(b.par_chunks_mut(cb))
            .for_each(|(a, b)| f(a, b));
    }
    #[cfg(not(feature = "rayon"))]
    a.chunks(ca)
        .zip(b.chunks_mut(cb))
        .for_each(|(a, b)| f(a, b));
}

/// `f` on each chunk of `c` elements of `a`, as rayon tasks (serially
/// without the `rayon` feature).
pub(crate) fn for_each_chunk<A: Send>(a: &mut [A], c: usize, f: impl Fn(&mut [A]) + Sync + Send) {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        a.par_chunks_mut(c).for_each(f);
    }
    #[cfg(not(feature = "rayon"))]
    a.chunks_mut(c).for_each(f);
}

/// `f(t)` for `t` in `0..n`, as rayon tasks (serially without the `rayon`
/// feature).
pub(crate) fn for_each_index(n: usize, f: impl Fn(usize) + Sync + Send) {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().for_each(f);
    }
    #[cfg(not(feature = "rayon"))]
    (0..n).for_each(f);
}
