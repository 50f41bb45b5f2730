//! One tester for the dense family (every op of its table,
//! `internals::GemmOp`, with each activation: `matmul`, `dense`,
//! `dense_packed`, `dense_packed_prefix`; and the crate's own BLIS loops on
//! the portable tier, `dense_portable_blis`), after XNNPACK's
//! `test/gemm-microkernel-tester.h`: [`GemmTester`] holds one problem
//! (`m`, `k`, `n`, an offset and a seed) and runs every op on it on one
//! tier, through `internals::Op::call`; [`shapes`] derives the problems
//! from the tier's own tile and block sizes (`tile_dims`) and vector width,
//! and [`sweep`] runs them on every supported tier.
//!
//! Every output starts as NaN inside a buffer with sentinels before and
//! after it (an element left unwritten, or a store outside the slice,
//! shows), is computed again with every operand against unmapped pages
//! ([`super::guard`]) for the same bits, and is checked
//!
//! - against [`reference::matmul_f64`] within [`super::dense_bound`] (the
//!   derivation is there), ReLU applied to the reference for `Relu`;
//! - on the AVX2 and AVX-512 tiers, bit for bit against
//!   [`reference::dense_fma_chain`]: those tiers compute every element as
//!   one chain of FMAs in `k` order from its bias, so any slip in packing,
//!   edges, blocking or the epilogue changes bits;
//! - every op with the same activation bit for bit equal to `dense` on the
//!   same tier (packed weights, prefixes), and a fused ReLU bit for bit
//!   equal to ReLU of the `Identity` result.

use nn_kernels::dispatch::{Isa, Supported, supported_isas};
use nn_kernels::internals::{self, Bufs, GemmOp, Op, Shape, tile_dims, vector_lanes};
use nn_kernels::{Activation, Float, Weights, reference};

use super::guard::{EDGES, Guarded};
use super::{assert_bits_eq, values};

/// Guard elements after the output (more than one vector of any tier).
const GUARD: usize = 17;

/// Whether the tier computes the FMA chain exactly (the x86 tiers).
pub fn exact(isa: Isa) -> bool {
    isa != Isa::Portable
}

/// The values of `m`, `k` and `n` that cover the edges of `isa`'s tiles
/// for `T`:
///
/// - m: 0, 1, 2, MR - 1, MR, MR + 1, 2·MR, 2·MR + 1, 37 (a prime);
/// - n: 0, 1, lanes - 1, lanes, lanes + 1, NR - 1, NR, NR + 1, 2·NR - 1,
///   2·NR + 1, 37;
/// - k: 0, 1, 2, the narrow path's deepest k and one more, KC - 1, KC,
///   KC + 1, 61 (a prime).
pub fn dims<T: Float>(isa: Isa) -> [Vec<usize>; 3] {
    let ([mr, nr, kc, _, _], narrow_k) =
        tile_dims::<T>(isa).expect("tile_dims of a supported tier");
    let l = vector_lanes::<T>(isa);
    let mut ms = vec![0, 1, 2, mr - 1, mr, mr + 1, 2 * mr, 2 * mr + 1, 37];
    let mut ns = vec![0, 1, l - 1, l, l + 1, nr - 1, nr, nr + 1];
    ns.extend([2 * nr - 1, 2 * nr + 1, 37]);
    let mut ks = vec![0, 1, 2, narrow_k, narrow_k + 1, kc - 1, kc, kc + 1, 61];
    for v in [&mut ms, &mut ns, &mut ks] {
        v.sort_unstable();
        v.dedup();
    }
    [ms, ks, ns]
}

/// The problems for `isa`: the whole cross product of [`dims`] (about a
/// thousand shapes a tier; the scalar references for all of them take
/// about a second in release, so nothing is sampled).
pub fn shapes<T: Float>(isa: Isa) -> Vec<(usize, usize, usize)> {
    let [ms, ks, ns] = dims::<T>(isa);
    let mut v = Vec::new();
    for &m in &ms {
        for &k in &ks {
            for &n in &ns {
                v.push((m, k, n));
            }
        }
    }
    v
}

/// Every tier this CPU supports, over its [`shapes`], the offset of the
/// output and input slices cycling through 0..4.
pub fn sweep<T: Float>() {
    for isa in supported_isas() {
        for (i, (m, k, n)) in shapes::<T>(isa.isa()).into_iter().enumerate() {
            GemmTester::new((m, k, n))
                .offset(i % 4)
                .seed((m * 7 + n * 131 + k * 1031) as u64)
                .test::<T>(isa);
        }
    }
}

/// One problem; [`GemmTester::test`] runs every entry point on it.
#[derive(Clone, Copy, Debug)]
pub struct GemmTester {
    m: usize,
    k: usize,
    n: usize,
    offset: usize,
    seed: u64,
}

/// What a run computes: an op of the table, or the crate's own BLIS loops
/// on the portable tier.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Op(Op),
    PortableBlis(Activation),
}

impl Entry {
    /// The activation, and whether the bias is added.
    fn epilogue(self) -> (Activation, bool) {
        match self {
            Entry::Op(Op::Gemm(GemmOp::Matmul, _)) => (Activation::Identity, false),
            Entry::Op(Op::Gemm(_, act)) | Entry::PortableBlis(act) => (act, true),
            Entry::Op(op) => unreachable!("{op:?} is not a dense-family op"),
        }
    }

    fn call<T: Float>(self, isa: Supported, b: Bufs<'_, T>, s: Shape) {
        let r = match self {
            Entry::Op(op) => op.call(isa, b, s),
            Entry::PortableBlis(act) => {
                let w = Weights::inputs_by_neurons(b.w, s.k, s.n).unwrap();
                internals::dense_portable_blis(b.x, w, b.bias, b.out, act)
            }
        };
        r.unwrap_or_else(|e| panic!("{self:?} {s:?}: {e}"));
    }
}

impl GemmTester {
    pub fn new((m, k, n): (usize, usize, usize)) -> Self {
        GemmTester {
            m,
            k,
            n,
            offset: 0,
            seed: 1,
        }
    }

    /// Where the slices of `x` and of the output start in their buffers.
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Every entry point on `isa` (and `dense_portable_blis` when `isa` is
    /// the portable tier); returns the `dense` output with fused ReLU, for
    /// callers that compare runs (thread counts, say).
    pub fn test<T: Float>(&self, isa: Supported) -> Vec<T> {
        let GemmTester {
            m,
            k,
            n,
            offset: off,
            seed,
        } = *self;
        let what = format!("{} {} {m}x{k}x{n} off={off}", T::NAME, isa.isa());
        let xbuf = values::<T>(off + m * k, seed, 2.0);
        let x = &xbuf[off..];
        let w = values::<T>(k * n, seed + 1, 2.0);
        let bias = values::<T>(n, seed + 2, 1.0);
        let (with_bias, scale_b) = reference::matmul_f64(x, &w, Some(&bias), m, k, n);
        let (no_bias, scale_0) = reference::matmul_f64(x, &w, None, m, k, n);
        let packed = internals::pack(isa, Weights::inputs_by_neurons(&w, k, n).unwrap())
            .unwrap_or_else(|e| panic!("{what}: pack: {e}"));
        assert_eq!(
            (packed.inputs(), packed.neurons(), packed.isa()),
            (k, n, isa.isa())
        );
        assert_eq!(packed.to_inputs_by_neurons(), w, "{what}: unpacked");
        let shape = Shape { m, k, n };

        let run = |entry: Entry| -> Vec<T> {
            let sentinel = T::from_f64(-12345.0);
            let mut buf = vec![sentinel; off + m * n + GUARD];
            buf[off..off + m * n].fill(T::NAN);
            let out = &mut buf[off..off + m * n];
            let bufs = Bufs {
                x,
                w: &w,
                bias: &bias,
                out,
                classes: &mut [],
            };
            entry.call(isa, bufs, shape);
            let guards_ok = |v: &[T]| v.iter().all(|g| g.to_bits_u64() == sentinel.to_bits_u64());
            assert!(guards_ok(&buf[..off]), "{what} {entry:?}: wrote before");
            assert!(
                guards_ok(&buf[off + m * n..]),
                "{what} {entry:?}: wrote past the end"
            );
            let got = buf[off..off + m * n].to_vec();
            // Every operand against guard pages (the page edge sets the
            // alignment): the same bits, and no access outside a slice,
            // which would fault. (The packed ops pack `w` into a buffer of
            // their own; their `x`, bias and output are guarded.)
            for &edge in EDGES {
                let what = format!("{what} {entry:?} {edge:?} against a guard page");
                let (xg, wg, bg) = (
                    Guarded::copy_of(x, edge),
                    Guarded::copy_of(&w, edge),
                    Guarded::copy_of(&bias, edge),
                );
                let mut og = Guarded::new(m * n, edge, T::NAN);
                let bufs = Bufs {
                    x: xg.as_ref(),
                    w: wg.as_ref(),
                    bias: bg.as_ref(),
                    out: og.as_mut(),
                    classes: &mut [],
                };
                entry.call(isa, bufs, shape);
                assert_bits_eq(og.as_ref(), &got, &what);
            }
            // Within the derived bound of the f64 reference.
            let (act, biased) = entry.epilogue();
            let (want, scale) = if biased {
                (&with_bias, &scale_b)
            } else {
                (&no_bias, &scale_0)
            };
            for i in 0..m * n {
                let want = if act == Activation::Relu {
                    want[i].max(0.0)
                } else {
                    want[i]
                };
                let bound = super::dense_bound::<T>(k, scale[i]);
                let g = got[i].to_f64();
                assert!(
                    (g - want).abs() <= bound,
                    "{what} {entry:?} [{}][{}]: got {g:e}, want {want:e} (bound {bound:e})",
                    i / n,
                    i % n
                );
            }
            got
        };

        let acts = [Activation::Identity, Activation::Relu];
        let prod = run(Entry::Op(Op::Gemm(GemmOp::Matmul, Activation::Identity)));
        let [plain, fused] = acts.map(|a| run(Entry::Op(Op::Gemm(GemmOp::Dense, a))));

        // Fused ReLU is ReLU of the plain result, bit for bit.
        let relu_after: Vec<T> = plain.iter().map(|&v| reference::relu(v)).collect();
        assert_bits_eq(&fused, &relu_after, &format!("{what}: fused vs unfused"));

        // Every other op of the table gives the bits of `dense` with the
        // same activation (prepacked weights, prefixes).
        for op in Op::all() {
            match op {
                Op::Gemm(GemmOp::Matmul | GemmOp::Dense, _) => {}
                Op::Gemm(_, act) => {
                    let got = run(Entry::Op(op));
                    let want = if act == Activation::Relu {
                        &fused
                    } else {
                        &plain
                    };
                    assert_bits_eq(&got, want, &format!("{what}: {op:?} vs dense"));
                }
                _ => {}
            }
        }

        if exact(isa.isa()) {
            let chain =
                |bias: Option<&[T]>, relu| reference::dense_fma_chain(x, &w, bias, relu, (m, k, n));
            assert_bits_eq(
                &prod,
                &chain(None, false),
                &format!("{what}: matmul vs FMA chain"),
            );
            assert_bits_eq(
                &plain,
                &chain(Some(&bias), false),
                &format!("{what}: vs FMA chain"),
            );
            assert_bits_eq(
                &fused,
                &chain(Some(&bias), true),
                &format!("{what}: ReLU vs FMA chain"),
            );
        }

        // The crate's own BLIS loops on the portable tier (which otherwise
        // runs matrixmultiply on x86-64): within the bound, fused ReLU bit
        // for bit ReLU of its plain result.
        if isa.isa() == Isa::Portable {
            let [p, f] = acts.map(|a| run(Entry::PortableBlis(a)));
            let relu_after: Vec<T> = p.iter().map(|&v| reference::relu(v)).collect();
            assert_bits_eq(&f, &relu_after, &format!("{what}: BLIS fused vs unfused"));
        }
        fused
    }
}
