//! The narrow path (`k <= NARROW_MAX_K`, `n <= LANES`): W's rows held in
//! registers, no packing and no tiles, for the chapter's 300 x 2 x 3 and
//! 300 x 3 x 3 and outputs as narrow as a vector.

use std::marker::PhantomData;

use super::problem::Problem;
use crate::activation::{Fused, WithFused};
use crate::float::Float;
use crate::simd::{MAX_LANES, Vector};

/// [`narrow`] with `K = pr.k` (at most `NARROW_MAX_K`) and the activation
/// as constants, so the loop over `k` is unrolled and the loop over rows
/// has no branch on the activation.
///
/// # Safety
/// As [`narrow`].
#[inline(always)]
pub(super) unsafe fn narrow_k<T: Float, V: Vector<T>>(pr: &Problem<T>, w: *const T, ld: usize) {
    pr.act.with(NarrowK::<T, V> {
        pr,
        w,
        ld,
        vec: PhantomData,
    });
}

/// [`narrow_k`] for one activation type.
struct NarrowK<'a, T, V> {
    pr: &'a Problem<T>,
    w: *const T,
    ld: usize,
    vec: PhantomData<V>,
}

impl<T: Float, V: Vector<T>> WithFused for NarrowK<'_, T, V> {
    type Output = ();
    #[inline(always)]
    fn run<A: Fused>(self) {
        let NarrowK { pr, w, ld, .. } = self;
        // SAFETY: `narrow_k`'s caller's contract (a `NarrowK` is only made
        // there).
        unsafe { narrow_ka::<T, V, A>(pr, w, ld) }
    }
}

/// [`narrow_k`] with the activation `A`.
///
/// # Safety
/// As [`narrow`].
#[inline(always)]
unsafe fn narrow_ka<T: Float, V: Vector<T>, A: Fused>(pr: &Problem<T>, w: *const T, ld: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match pr.k {
            1 => narrow::<T, V, 1, A>(pr, w, ld),
            2 => narrow::<T, V, 2, A>(pr, w, ld),
            3 => narrow::<T, V, 3, A>(pr, w, ld),
            4 => narrow::<T, V, 4, A>(pr, w, ld),
            5 => narrow::<T, V, 5, A>(pr, w, ld),
            6 => narrow::<T, V, 6, A>(pr, w, ld),
            7 => narrow::<T, V, 7, A>(pr, w, ld),
            _ => narrow::<T, V, 8, A>(pr, w, ld),
        }
    }
}

/// The narrow path, for `k = K <= NARROW_MAX_K` and `n <= LANES`: W's `K`
/// rows held in `K` registers, the bias in one, and per row of X `K`
/// broadcasts, `K` FMAs and one store of `n` lanes. No packing, no tiles.
///
/// # Safety
/// As [`gemm`](super::blis::gemm), with `pr.k == K` and `pr.n <= LANES`.
#[inline(always)]
unsafe fn narrow<T: Float, V: Vector<T>, const K: usize, A: Fused>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) {
    let n = pr.n;
    debug_assert!(pr.k == K && n <= V::LANES);
    let zero = V::splat(T::ZERO);
    // Loops, not closures: a closure holding a vector operation would not
    // inline into this tier's `#[target_feature]` function.
    let mut wv = [zero; K];
    for (p, wv) in wv.iter_mut().enumerate() {
        // SAFETY: row `p < K` of W has `n` elements.
        *wv = V::load_padded(
            unsafe { std::slice::from_raw_parts(w.add(p * ldw), n) },
            T::ZERO,
        );
    }
    let start = match pr.bias {
        // SAFETY: the bias has `n` values.
        Some(b) => V::load_padded(unsafe { std::slice::from_raw_parts(b, n) }, T::ZERO),
        None => zero,
    };
    // SAFETY: forwarded from the caller.
    let done = unsafe { narrow_packed_rows::<T, V, K, A>(pr, w, ldw) };
    // The problem's fields in locals (see `narrow_packed_rows`).
    let (m, x, ldx, out, ldc) = (pr.m, pr.x, pr.ldx, pr.out, pr.ldc);
    // Without cheap masked stores, rows before `full` take a full-vector
    // store: with whole rows (`ldc == n`, so the block is `m · n` contiguous
    // elements) one fits while `i · n + LANES <= m · n`, and its lanes past
    // `n` land in rows `i + 1 ..`, which are stored after it. Splitting the
    // loop there keeps the test out of it.
    let full = if !V::MASKED_STORE_FAST && ldc == n && m * n >= V::LANES {
        ((m * n - V::LANES) / n + 1).max(done)
    } else {
        done
    };
    for i in done..full {
        // SAFETY: row `i < m` of X has `K` elements; row `i` of `out` has
        // `n`, ours alone, and a full vector from there fits (see `full`).
        unsafe { narrow_row::<T, V, K, A>(x.add(i * ldx), &wv, start).store_ptr(out.add(i * ldc)) };
    }
    for i in full..m {
        // SAFETY: row `i < m` of X has `K` elements; row `i` of `out` has
        // `n`, ours alone.
        unsafe {
            narrow_row::<T, V, K, A>(x.add(i * ldx), &wv, start)
                .store_prefix(std::slice::from_raw_parts_mut(out.add(i * ldc), n));
        }
    }
}

/// One row of [`narrow`]: from the bias, per `p < K` the row's `x[p]`
/// broadcast times W's row `p`, then `A`.
///
/// # Safety
/// `x` points to `K` readable elements.
#[inline(always)]
unsafe fn narrow_row<T: Float, V: Vector<T>, const K: usize, A: Fused>(
    x: *const T,
    wv: &[V; K],
    start: V,
) -> V {
    // SAFETY: the caller's contract.
    let x: [T; K] = unsafe { x.cast::<[T; K]>().read_unaligned() };
    let mut acc = start;
    for (&x, &w) in x.iter().zip(wv) {
        acc = V::madd(V::splat(x), w, acc);
    }
    A::map::<T, V>(acc)
}

/// The narrow path for outputs so narrow that several rows fit one vector
/// (`R = LANES / n >= 2` rows, and their `R · K` inputs too), with whole
/// rows (`ldc == n`, `ldx == K`): lane `j` computes row `j / n`, column
/// `j % n` of a block of `R` rows. Per block: one load of X, `K` lane
/// permutes that spread each row's `x[p]` over its `n` lanes, `K` FMAs with
/// W's rows tiled `R` times, one store of `R · n` lanes. Each lane is still
/// its element's FMA chain from its bias. Returns the rows done (whole
/// blocks); [`narrow`] does the rest one row at a time.
///
/// # Safety
/// As [`narrow`].
#[inline(always)]
unsafe fn narrow_packed_rows<T: Float, V: Vector<T>, const K: usize, A: Fused>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) -> usize {
    let (l, n) = (V::LANES, pr.n);
    let r = l / n;
    if r < 2 || r * K > l || pr.ldx != K || pr.ldc != n || l > MAX_LANES {
        return 0;
    }
    let used = r * n;
    // Lane `j < used`: row `j / n`, column `j % n`; lanes past `used` repeat
    // lane 0 and are never stored. Plain arrays first, vectors after (no
    // closure may hold a vector operation: it would not inline into this
    // tier's `#[target_feature]` function).
    let mut w_tiled = [[T::ZERO; MAX_LANES]; K];
    let mut b_tiled = [T::ZERO; MAX_LANES];
    let mut idx = [[0i32; MAX_LANES]; K];
    for j in 0..l {
        let (row, col) = if j < used { (j / n, j % n) } else { (0, 0) };
        for p in 0..K {
            // SAFETY: W has `K` rows of `n` columns; `col < n`.
            w_tiled[p][j] = unsafe { *w.add(p * ldw + col) };
            idx[p][j] = (row * K + p) as i32;
        }
        // SAFETY: the bias has `n` values.
        b_tiled[j] = match pr.bias {
            Some(b) => unsafe { *b.add(col) },
            None => T::ZERO,
        };
    }
    let mut wt = [V::splat(T::ZERO); K];
    for (wt, w_tiled) in wt.iter_mut().zip(&w_tiled) {
        *wt = V::load(&w_tiled[..l]);
    }
    let start = V::load(&b_tiled[..l]);
    // The problem's fields in locals: the stores to `out` below could
    // otherwise make the compiler reload them from `pr` in every iteration.
    let (m, x, out) = (pr.m, pr.x, pr.out);
    let blocks = m / r;
    // Blocks before `fast` take a full-vector load of X (it stays inside X
    // while `b·r·K + LANES <= m·K`) and, without cheap masked stores, a
    // full-vector store (its lanes past `r · n` land in later rows, stored
    // after it, while `b·r·n + LANES <= m·n`). Splitting the loop there
    // keeps both tests out of the hot loop.
    let fits = |total: usize, step: usize| {
        if total >= l {
            (total - l) / step + 1
        } else {
            0
        }
    };
    let mut fast = fits(m * K, r * K).min(blocks);
    if !V::MASKED_STORE_FAST {
        fast = fast.min(fits(m * n, used));
    }
    for b in 0..fast {
        // SAFETY: `b < fast`: rows `b·r .. b·r + r` (< m) of X are `r · K`
        // contiguous elements (`ldx == K`), and a full vector from there
        // stays inside X (see `fast`).
        let xv = unsafe { V::load_ptr(x.add(b * r * K)) };
        let acc = packed_rows_block::<T, V, K, A>(xv, &idx, &wt, start);
        // SAFETY: rows `b·r .. b·r + r` of `out` are `r · n` contiguous
        // elements of this block (`ldc == n`), ours alone; a full vector
        // is stored only where it fits (see `fast`).
        unsafe {
            let at = out.add(b * used);
            if V::MASKED_STORE_FAST {
                acc.store_prefix(std::slice::from_raw_parts_mut(at, used));
            } else {
                acc.store_ptr(at);
            }
        }
    }
    for b in fast..blocks {
        // SAFETY: rows `b·r .. b·r + r` (< m) of X are `r · K` contiguous
        // elements; the masked load reads only those.
        let xv =
            unsafe { V::load_padded(std::slice::from_raw_parts(x.add(b * r * K), r * K), T::ZERO) };
        let acc = packed_rows_block::<T, V, K, A>(xv, &idx, &wt, start);
        // SAFETY: rows `b·r .. b·r + r` of `out` are `r · n` contiguous
        // elements of this block, ours alone.
        unsafe { acc.store_prefix(std::slice::from_raw_parts_mut(out.add(b * used), used)) };
    }
    blocks * r
}

/// One block of [`narrow_packed_rows`]: from the bias, per `p < K` the
/// lanes of X permuted by `idx[p]` times W's tiled row `p`, then `A`.
#[inline(always)]
fn packed_rows_block<T: Float, V: Vector<T>, const K: usize, A: Fused>(
    xv: V,
    idx: &[[i32; MAX_LANES]; K],
    wt: &[V; K],
    start: V,
) -> V {
    let mut acc = start;
    for (idx_p, &w_p) in idx.iter().zip(wt) {
        acc = V::madd(xv.permute(&idx_p[..V::LANES]), w_p, acc);
    }
    A::map::<T, V>(acc)
}
