//! The machine's limits: the clock, the FMA peak per tier, read and copy
//! bandwidth by cache level (the `limits` section of the bench).

use super::common::{data, keep};
use super::{Ctx, times};
use nn_kernels::dispatch::{Isa, supported_isas};
use std::hint::black_box;

/// Trips of the clock's chain of dependent adds ([`chain`]).
const CHAIN_TRIPS: u64 = 1 << 16;

/// A chain of dependent integer adds, one a cycle on every x86-64 core, to
/// time beside the kernels of a comparison: [`ghz`] of its median time is
/// the clock over the same repetitions.
pub(crate) fn chain() -> impl FnMut() {
    || {
        #[cfg(target_arch = "x86_64")]
        keep(&x86::add_chain(CHAIN_TRIPS));
    }
}

/// Cycles a ns, from [`chain`]'s median time (NaN off x86-64).
pub(crate) fn ghz(chain_ns: f64) -> f64 {
    if cfg!(target_arch = "x86_64") {
        (CHAIN_TRIPS * 8) as f64 / chain_ns
    } else {
        f64::NAN
    }
}

/// FMA peaks, GFLOP/s (2 a multiply-add) by (tier, type).
pub(crate) struct Peaks(Vec<(Isa, &'static str, f64, f64)>);

impl Peaks {
    pub(crate) fn get(&self, isa: Isa, ty: &str) -> f64 {
        self.0
            .iter()
            .find(|p| p.0 == isa && p.1 == ty)
            .map_or(f64::NAN, |p| p.2)
    }
}

pub(crate) fn peaks(ctx: &Ctx, print: bool) -> Peaks {
    const ITERS: u64 = 1 << 14;
    let mut out = Vec::new();
    for isa in supported_isas() {
        for (ty, lanes_bits) in [("f32", 32), ("f64", 64)] {
            let Some(f) = peak_fn(isa.isa(), ty) else {
                continue;
            };
            let lanes = peak_width(isa.isa()) / lanes_bits;
            let mut ch = chain();
            let t = times(ctx, &mut [&mut || keep(&f(ITERS)), &mut ch]);
            let gflops = (ITERS * 12 * lanes as u64 * 2) as f64 / t[0];
            out.push((isa.isa(), ty, gflops, ghz(t[1])));
        }
    }
    if print {
        println!(
            "## FMA peak, one core\n\n| tier | f32 GFLOP/s | f64 GFLOP/s | f32 flops a cycle |\n|---|---|---|---|"
        );
        for isa in supported_isas() {
            let (a, b) = (
                out.iter().find(|p| p.0 == isa.isa() && p.1 == "f32"),
                out.iter().find(|p| p.0 == isa.isa() && p.1 == "f64"),
            );
            if let (Some(a), Some(b)) = (a, b) {
                println!(
                    "| {} | {:.1} | {:.1} | {:.1} |",
                    isa.isa(),
                    a.2,
                    b.2,
                    a.2 / a.3
                );
            }
        }
        println!();
    }
    Peaks(out)
}

fn peak_width(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 512,
        Isa::Avx2 => 256,
        _ => 256, // wide's f32x8 and f64x4
    }
}

type PeakFn = fn(u64) -> f64;

fn peak_fn(isa: Isa, ty: &str) -> Option<PeakFn> {
    match (isa, ty) {
        (Isa::Portable, "f32") => Some(portable_peak_f32),
        (Isa::Portable, "f64") => Some(portable_peak_f64),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx2, "f32") => Some(|n| unsafe { x86::avx2_f32(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx2, "f64") => Some(|n| unsafe { x86::avx2_f64(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx512, "f32") => Some(|n| unsafe { x86::avx512_f32(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx512, "f64") => Some(|n| unsafe { x86::avx512_f64(n) }),
        _ => None,
    }
}

/// The portable tier's multiply-add: a multiply and an add (`wide`).
macro_rules! portable_peak {
    ($name:ident, $v:ty, $t:ty) => {
        #[inline(never)]
        fn $name(iters: u64) -> f64 {
            let (m, a) = (<$v>::splat(0.999), <$v>::splat(1e-3));
            let mut acc = [<$v>::splat(1.0); 12];
            for _ in 0..iters / 16 {
                for _ in 0..16 {
                    for v in acc.iter_mut() {
                        *v = *v * m + a;
                    }
                }
                black_box(&mut acc);
            }
            acc.iter().map(|v| v.reduce_add() as f64).sum()
        }
    };
}
portable_peak!(portable_peak_f32, wide::f32x8, f32);
portable_peak!(portable_peak_f64, wide::f64x4, f64);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// 12 independent FMA chains (enough for two units of four or five
    /// cycles' latency) on registers; `iters` trips.
    macro_rules! fma_peak {
        ($name:ident, $feat:literal, $v:ty, $set1:ident, $fmadd:ident, $t:ty, $n:literal, $reg:ident) => {
            /// # Safety
            /// The CPU has the features named.
            #[target_feature(enable = $feat)]
            pub unsafe fn $name(iters: u64) -> f64 {
                let (m, a) = ($set1(0.999), $set1(1e-3));
                let mut acc = [$set1(1.0); 12];
                for _ in 0..iters {
                    for v in acc.iter_mut() {
                        *v = $fmadd(*v, m, a);
                        // SAFETY: an empty template: the value stays in a
                        // register, unknown to the optimiser, so the chains
                        // are neither folded nor hoisted.
                        unsafe {
                            std::arch::asm!(
                                "/* {0} */",
                                inout($reg) * v,
                                options(pure, nomem, nostack)
                            )
                        };
                    }
                }
                let mut s = 0.0;
                for v in acc {
                    // SAFETY: a vector is its lanes.
                    let lanes: [$t; $n] = unsafe { std::mem::transmute(v) };
                    s += lanes.iter().map(|&l| l as f64).sum::<f64>();
                }
                s
            }
        };
    }
    fma_peak!(
        avx2_f32,
        "avx2,fma",
        __m256,
        _mm256_set1_ps,
        _mm256_fmadd_ps,
        f32,
        8,
        ymm_reg
    );
    fma_peak!(
        avx2_f64,
        "avx2,fma",
        __m256d,
        _mm256_set1_pd,
        _mm256_fmadd_pd,
        f64,
        4,
        ymm_reg
    );
    fma_peak!(
        avx512_f32,
        "avx512f",
        __m512,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        f32,
        16,
        zmm_reg
    );
    fma_peak!(
        avx512_f64,
        "avx512f",
        __m512d,
        _mm512_set1_pd,
        _mm512_fmadd_pd,
        f64,
        8,
        zmm_reg
    );

    /// `n` trips of eight dependent adds: `8 n` cycles. Register
    /// operands, not an immediate: Golden Cove (Sapphire and Emerald
    /// Rapids) executes adds of a small immediate at rename, several a
    /// cycle, which made this chain read 8 GHz there.
    pub fn add_chain(n: u64) -> u64 {
        let mut x = 0u64;
        let one = std::hint::black_box(1u64);
        // SAFETY: register arithmetic only.
        unsafe {
            std::arch::asm!(
                "2:",
                "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
                "add {x}, {one}", "add {x}, {one}", "add {x}, {one}", "add {x}, {one}",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) x,
                one = in(reg) one,
                n = inout(reg) n => _,
                options(nomem, nostack),
            )
        };
        x
    }

    /// `y = x` in 256-bit loads and stores, eight a trip.
    ///
    /// # Safety
    /// The CPU has AVX.
    #[target_feature(enable = "avx")]
    pub unsafe fn copy_avx(x: &[f32], y: &mut [f32]) {
        for (c, d) in x.chunks_exact(64).zip(y.chunks_exact_mut(64)) {
            for i in 0..8 {
                // SAFETY: `c` and `d` hold 64 elements, 8 a vector.
                unsafe {
                    _mm256_storeu_ps(
                        d.as_mut_ptr().add(8 * i),
                        _mm256_loadu_ps(c.as_ptr().add(8 * i)),
                    )
                };
            }
        }
    }

    /// The sum of `x` in 256-bit loads into eight accumulators.
    ///
    /// # Safety
    /// The CPU has AVX.
    #[target_feature(enable = "avx")]
    pub unsafe fn read_avx(x: &[f32]) -> f32 {
        let mut acc = [_mm256_setzero_ps(); 8];
        for c in x.chunks_exact(64) {
            for (i, a) in acc.iter_mut().enumerate() {
                // SAFETY: `c` holds 64 elements, 8 a load.
                *a = _mm256_add_ps(*a, unsafe { _mm256_loadu_ps(c.as_ptr().add(8 * i)) });
            }
        }
        let mut s = _mm256_setzero_ps();
        for a in acc {
            s = _mm256_add_ps(s, a);
        }
        // SAFETY: a vector is its lanes.
        let lanes: [f32; 8] = unsafe { std::mem::transmute(s) };
        lanes.iter().sum()
    }
}

/// The sum of `x`: 256-bit loads where the CPU has AVX, else `wide`'s.
pub(crate) fn read(x: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx") {
        // SAFETY: AVX detected.
        return unsafe { x86::read_avx(x) };
    }
    let mut acc = [wide::f32x8::ZERO; 4];
    for c in x.chunks_exact(32) {
        for (i, a) in acc.iter_mut().enumerate() {
            *a += wide::f32x8::from(<[f32; 8]>::try_from(&c[8 * i..8 * i + 8]).unwrap());
        }
    }
    acc.iter().map(|a| a.reduce_add()).sum()
}

/// `y = x`: 256-bit loads and stores where the CPU has AVX (a limit for
/// the hardware, not for `memcpy`, which on some CPUs and alignments takes
/// `rep movsb`'s slower path), else `copy_from_slice`.
pub(crate) fn copy(x: &[f32], y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx") {
        // SAFETY: AVX detected.
        return unsafe { x86::copy_avx(x, y) };
    }
    y.copy_from_slice(x);
}

/// A cache level and the buffer size (bytes) that stays in it.
pub(crate) fn levels() -> Vec<(&'static str, usize)> {
    let c = nn_kernels::cache::caches();
    vec![
        ("L1d", c.l1d / 2),
        ("L2", c.l2 / 2),
        ("L3", (c.l3_share() / 2).max(c.l2)),
        ("memory", 256 << 20),
    ]
}

/// `n` elements of `data(n + 16, seed)` from its first cache-line
/// boundary: a read limit from a `Vec` as the allocator places it (16
/// bytes past a line for large blocks) pays for loads that span two lines,
/// which the crate's own packed buffers do not.
pub(crate) fn data_on_a_line(n: usize, seed: usize) -> (Vec<f32>, usize) {
    let v: Vec<f32> = data(n + 16, seed);
    let skip = v.as_ptr().align_offset(64);
    (v, skip)
}

/// Read and copy bandwidth by level.
pub(crate) fn bandwidths(ctx: &Ctx) {
    let mut out = Vec::new();
    for (name, bytes) in levels() {
        if ctx.quick && name == "memory" {
            continue;
        }
        let n = bytes / 4 / 64 * 64;
        let (xv, skip) = data_on_a_line(n, 1);
        let x = &xv[skip..][..n];
        let (mut yv, yskip) = data_on_a_line(n, 2);
        let y = &mut yv[yskip..][..n];
        let mut ch = chain();
        let t = times(
            ctx,
            &mut [
                &mut || keep(&read(black_box(x))),
                &mut || {
                    copy(black_box(x), y);
                    keep(&y)
                },
                &mut ch,
            ],
        );
        let (r, c) = ((n * 4) as f64 / t[0], (n * 4) as f64 / t[1]);
        out.push((name, bytes, r, c, ghz(t[2])));
    }
    {
        println!(
            "## Bandwidth, one core\n\n| level | buffer | read GB/s | read bytes a cycle | copy GB/s (read) |\n|---|---|---|---|---|"
        );
        for (name, bytes, r, c, ghz) in &out {
            println!(
                "| {name} | {} KiB | {r:.1} | {:.1} | {c:.1} |",
                bytes >> 10,
                r / ghz
            );
        }
        println!();
    }
}
