//! The smallest products (at most [`TINY_MAX_MACS`] multiply-adds and
//! [`TINY_MAX_OUTPUTS`] outputs): each
//! output element's chain run on its own in the tier's scalar multiply-add
//! ([`Vector::madd_one`], rounded as a lane of the vector one), with none
//! of the set-up a larger product does (the engine's blocking, the split
//! across threads, a second entry into the tier, the paths' masks and
//! broadcasts), which is most of the time of a call this small.
//!
//! The same chain as every other path ([`super::blis`]'s docs): from the
//! bias (or zero), `acc = madd(x[i][p], w[p][j], acc)` in `k` order, then
//! the activation; so the same bits.

use std::marker::PhantomData;

use crate::activation::{Activation, Fused, WithFused};
use crate::float::Float;
use crate::simd::{Kernel, SimdFloat, Tier, Vector};

/// Products of at most this many multiply-adds, and of at most
/// [`TINY_MAX_OUTPUTS`] outputs, take the scalar chains.
///
/// Below it a product's fixed cost outweighs its arithmetic: a chain of
/// `k` scalar multiply-adds per element, at about four cycles each, takes
/// at most `4 · 64` cycles in all, about what the vector paths spend
/// reaching their first tile (BENCHMARKS.md, "Serial mode and embedding").
pub(crate) const TINY_MAX_MACS: usize = 64;

/// The most outputs a product takes the scalar chains for: one chain per
/// output, where the vector paths compute a vector of them per instruction.
/// With 16 or more (16 x 3 x 1, 7 x 3 x 3, 2 x 2 x 16) the chains measured
/// 0.6-0.9x the vector paths in `bench/ab`'s full grid; with one to three
/// (1 x 1 x 1, 1 x 10 x 1, 3 x 10 x 1) they are not behind.
pub(crate) const TINY_MAX_OUTPUTS: usize = 4;

/// A product of row-major `x` (`m x k`) and `w` (`k x n`) into `out`
/// (`m x n`), as a kernel for every tier.
pub(super) struct Tiny<'a, T> {
    pub x: &'a [T],
    pub w: &'a [T],
    pub bias: Option<&'a [T]>,
    pub act: Activation,
    pub out: &'a mut [T],
    /// The dims `m`, `k` and `n`, each at least 1: scalar fields, as in
    /// `call::GemmCall` and for its reason (no stalled copy of a tuple).
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

impl<T: SimdFloat> Kernel for Tiny<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        let act = self.act;
        act.with(TinyAct::<T, <T as SimdFloat>::Vec<S>> {
            tiny: self,
            vec: PhantomData,
        });
    }
}

/// [`Tiny`] with its activation as a type.
struct TinyAct<'a, T, V> {
    tiny: Tiny<'a, T>,
    vec: PhantomData<V>,
}

impl<T: Float, V: Vector<T>> WithFused for TinyAct<'_, T, V> {
    type Output = ();
    #[inline(always)]
    fn run<A: Fused>(self) {
        let Tiny {
            x,
            w,
            bias,
            out,
            m,
            k,
            n,
            ..
        } = self.tiny;
        chains::<T, V, A>(x, w, bias, out, (m, k, n));
    }
}

/// The chains: one per output element, in `k` order from its bias.
/// Index loops: `chunks_exact` and `zip` would divide by `k` and `n` to
/// find their lengths, which here costs as much as the arithmetic.
#[inline(always)]
fn chains<T: Float, V: Vector<T>, A: Fused>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
) {
    for i in 0..m {
        let (xr, or) = (&x[i * k..][..k], &mut out[i * n..][..n]);
        for (j, o) in or.iter_mut().enumerate() {
            let mut acc = match bias {
                Some(b) => b[j],
                None => T::ZERO,
            };
            for (p, &xv) in xr.iter().enumerate() {
                acc = V::madd_one(xv, w[p * n + j], acc);
            }
            *o = A::scalar(acc);
        }
    }
}
