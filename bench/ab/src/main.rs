//! This checkout (`new`) against a baseline commit (`old`), side by side in
//! one process: for each tier both builds support, each kernel family over
//! a grid of shapes, the two calls timed in interleaved batches (old, new,
//! old, new, …) and compared by their medians. Prints, per tier and family,
//! the median and the lowest speed ratio `old time / new time` (above 1:
//! the new code is faster), and re-measures every shape below
//! `--floor` (0.97) with more batches before listing it, so that one noisy
//! batch on a shared machine does not count as a slowdown.
//!
//! `bench/ab/run.sh <commit> [--quick] [--floor 0.97] [--tier avx512]
//! [--only <case name part>[,<another>...]]` (a case runs when its name contains any part)

mod oldapi;
mod public;

use std::hint::black_box;
use std::time::Instant;

use public::public_calls;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `old time / new time` from `reps` interleaved batches of about `min_ns`
/// each (the order of the two flips every batch).
fn ratio(old: &mut dyn FnMut(), new: &mut dyn FnMut(), reps: usize, min_ns: f64) -> f64 {
    let calibrate = |f: &mut dyn FnMut()| {
        f();
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            let ns = t.elapsed().as_nanos() as f64;
            if ns >= min_ns / 4.0 || n >= 1 << 30 {
                break ((n as f64 * min_ns / ns.max(1.0)).ceil() as u64).max(1);
            }
            n *= 4;
        }
    };
    let iters = calibrate(old).max(calibrate(new));
    let (mut to, mut tn) = (Vec::new(), Vec::new());
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        t.elapsed().as_nanos() as f64 / iters as f64
    };
    for r in 0..reps {
        if r % 2 == 0 {
            to.push(time(old));
            tn.push(time(new));
        } else {
            tn.push(time(new));
            to.push(time(old));
        }
    }
    let (o, n) = (median(&mut to), median(&mut tn));
    if std::env::var_os("AB_TIMES").is_some() {
        eprintln!("  old {o:.1} ns, new {n:.1} ns");
    }
    o / n
}

/// Test data in [-1, 1], in a 64-byte aligned buffer (see [`Aligned`]).
fn data<T: From<f32> + Copy>(n: usize, seed: usize) -> Aligned<T> {
    let mut a = Aligned::new(n);
    for (i, v) in a.get().iter_mut().enumerate() {
        let h = (i.wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503)) % 2001;
        *v = T::from(h as f32 / 1000.0 - 1.0);
    }
    a
}

/// A zeroed buffer of `len` `T`s starting on a 64-byte boundary, so that the
/// two builds write to equally aligned outputs (two `Vec`s from the
/// allocator may differ in alignment, which alone moved some ratios by a
/// third).
struct Aligned<T> {
    buf: Vec<Line>,
    len: usize,
    elem: std::marker::PhantomData<T>,
}

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

impl<T: Copy> Aligned<T> {
    fn new(len: usize) -> Self {
        let lines = (len * size_of::<T>()).div_ceil(64).max(1);
        Aligned {
            buf: vec![Line([0; 64]); lines],
            len,
            elem: std::marker::PhantomData,
        }
    }
    fn get(&mut self) -> &mut [T] {
        // SAFETY: the buffer holds at least `len` `T`s of zero bytes (a
        // valid f32/f64), aligned to 64, borrowed uniquely.
        unsafe { std::slice::from_raw_parts_mut(self.buf.as_mut_ptr().cast::<T>(), self.len) }
    }
}

struct Report {
    floor: f64,
    quick: bool,
    only: Option<String>,
    rows: Vec<(String, f64)>,
}

impl Report {
    /// Measures one case, re-measuring it twice with 3x the batches when
    /// below the floor (the case's ratio is then the best of the three).
    fn case(&mut self, name: String, old: &mut dyn FnMut(), new: &mut dyn FnMut()) {
        if self
            .only
            .as_ref()
            .is_some_and(|o| !o.split(',').any(|part| name.contains(part)))
        {
            return;
        }
        let (reps, ns) = if self.quick { (5, 1e5) } else { (7, 2e5) };
        let mut r = ratio(old, new, reps, ns);
        for _ in 0..2 {
            if r >= self.floor {
                break;
            }
            r = r.max(ratio(old, new, 3 * reps, ns));
        }
        if std::env::var_os("AB_TIMES").is_some() {
            eprintln!("  = {name}: {r:.3}");
        }
        self.rows.push((name, r));
    }

    /// Whether any case of this shape can pass `--only` (to skip its setup).
    fn wants(&self, shape: &str) -> bool {
        // A filter with no digits names a family, not a shape.
        self.only
            .as_ref()
            .is_none_or(|o| o.contains(shape) || !o.contains(|c: char| c.is_ascii_digit()))
    }

    fn summary(&mut self, heading: &str) {
        if self.rows.is_empty() {
            return;
        }
        let mut rs: Vec<f64> = self.rows.iter().map(|r| r.1).collect();
        let med = median(&mut rs);
        let low = self.rows.iter().filter(|r| r.1 < self.floor).count();
        let min = self.rows.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        println!(
            "| {heading} | {} | {med:.3} | {min:.3} | {low} |",
            self.rows.len()
        );
        let mut slow: Vec<_> = self.rows.iter().filter(|r| r.1 < self.floor).collect();
        slow.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (name, r) in slow.iter().take(12) {
            println!("|   below: {name} | | {r:.3} | | |");
        }
        self.rows.clear();
    }
}

macro_rules! families {
    ($t:ty, $isa_name:expr, $rep:expr, $shapes:expr) => {{
        let (oi, ni) = (
            old::dispatch::Isa::from_name($isa_name).and_then(|i| i.supported()),
            new::dispatch::Isa::from_name($isa_name).and_then(|i| i.supported()),
        );
        if let (Some(oi), Some(ni)) = (oi, ni) {
            let ty = stringify!($t);
            // Dense, row-major and prepacked W, identity and ReLU.
            for &(m, k, n) in $shapes {
                if !$rep.wants(&format!("{m}x{k}x{n}")) {
                    continue;
                }
                let (mut xa, mut wa, mut ba) =
                    (data::<$t>(m * k, 1), data::<$t>(k * n, 2), data::<$t>(n, 3));
                let (x, w, b) = (&*xa.get(), &*wa.get(), &*ba.get());
                let (mut ao, mut an) = (Aligned::<$t>::new(m * n), Aligned::<$t>::new(m * n));
                let (oo, on) = (ao.get(), an.get());
                for relu in [false, true] {
                    let (oa, na) = if relu {
                        (old::Activation::Relu, new::Activation::Relu)
                    } else {
                        (old::Activation::Identity, new::Activation::Identity)
                    };
                    $rep.case(
                        format!("dense {m}x{k}x{n} relu={relu}"),
                        &mut || {
                            oldapi::dense_with_isa(oi, x, w, b, oo, (m, k, n), oa).unwrap();
                            black_box(&*oo);
                        },
                        &mut || {
                            let nw = new::Weights::inputs_by_neurons(w, k, n).unwrap();
                            new::internals::dense(ni, x, nw, b, on, na).unwrap();
                            black_box(&*on);
                        },
                    );
                    let op = oldapi::pack(oi, w, k, n);
                    let nw = new::Weights::inputs_by_neurons(w, k, n).unwrap();
                    let np = new::internals::pack(ni, nw).unwrap();
                    $rep.case(
                        format!("dense_packed {m}x{k}x{n} relu={relu}"),
                        &mut || {
                            old_dense_packed(x, &op, b, oo, m, oa);
                            black_box(&*oo);
                        },
                        &mut || {
                            new::dense_packed(x, &np, &b, on, na).unwrap();
                            black_box(&*on);
                        },
                    );
                }
            }
            $rep.summary(&format!("{} dense {}", $isa_name, ty));
            // Softmax: rows x cols, plain and in place.
            for &(rows, cols) in &[
                (1, 3),
                (1, 10),
                (1, 17),
                (1, 100),
                (1, 1000),
                (300, 3),
                (2048, 4),
                (1024, 7),
                (1024, 8),
                (4096, 10),
                (1000, 16),
                (512, 17),
                (256, 33),
                (128, 100),
                (64, 128),
                (1024, 1000),
                (8192, 128),
                (64, 32000),
                (32, 50257),
                (3, 100_003),
            ] {
                if !$rep.wants(&format!("{rows}x{cols}")) {
                    continue;
                }
                let mut xa = data::<$t>(rows * cols, 4);
                let x = &*xa.get();
                let (mut ao, mut an) = (Aligned::<$t>::new(x.len()), Aligned::<$t>::new(x.len()));
                let (oo, on) = (ao.get(), an.get());
                $rep.case(
                    format!("softmax {rows}x{cols}"),
                    &mut || {
                        old_softmax(oi, x, oo, cols);
                        black_box(&*oo);
                    },
                    &mut || {
                        new_softmax(ni, x, on, cols);
                        black_box(&*on);
                    },
                );
                $rep.case(
                    format!("softmax_inplace {rows}x{cols}"),
                    &mut || {
                        oo.copy_from_slice(x);
                        oldapi::softmax_rows_inplace_with_isa(oi, oo, cols, false).unwrap();
                        black_box(&*oo);
                    },
                    &mut || {
                        on.copy_from_slice(x);
                        let call =
                            new::internals::row_call(new::internals::RowOp::Softmax, false, ni);
                        new::internals::rows_inplace(call, on, cols).unwrap();
                        black_box(&*on);
                    },
                );
            }
            $rep.summary(&format!("{} softmax {}", $isa_name, ty));
            // Element-wise: every length family.
            for &len in &[
                1usize,
                7,
                8,
                9,
                100,
                255,
                256,
                257,
                300,
                1000,
                4099,
                65_536,
                1 << 18,
            ] {
                if !$rep.wants(&format!(" {len}")) {
                    continue;
                }
                let mut xa = data::<$t>(len, 5);
                let x = &*xa.get();
                let (mut ao, mut an) = (Aligned::<$t>::new(len), Aligned::<$t>::new(len));
                let (oo, on) = (ao.get(), an.get());
                macro_rules! op {
                    ($name:literal, $f:ident, $op:ident) => {
                        $rep.case(
                            format!("{} {len}", $name),
                            &mut || {
                                oldapi::$f(oi, x, oo).unwrap();
                                black_box(&*oo);
                            },
                            &mut || {
                                let op = new::internals::UnaryOp::$op;
                                new::internals::unary(op, ni, x, on).unwrap();
                                black_box(&*on);
                            },
                        );
                    };
                }
                op!("relu", relu_with_isa, Relu);
                op!("step", step_with_isa, Step);
                op!("sigmoid", sigmoid_with_isa, Sigmoid);
                $rep.case(
                    format!("relu_inplace {len}"),
                    &mut || {
                        oo.copy_from_slice(x);
                        oldapi::relu_inplace_with_isa(oi, oo);
                        black_box(&*oo);
                    },
                    &mut || {
                        on.copy_from_slice(x);
                        new::internals::unary_inplace(new::internals::UnaryOp::Relu, ni, on);
                        black_box(&*on);
                    },
                );
            }
            $rep.summary(&format!("{} elementwise {}", $isa_name, ty));
        } else {
            println!(
                "| {} {} | not supported here | | | |",
                $isa_name,
                stringify!($t)
            );
        }
    }};
}

/// The new build's softmax through its hidden per-tier entry (kept in one
/// place: its signature is the part of this harness that follows the API).
fn new_softmax<T: new::Float>(isa: new::dispatch::Supported, x: &[T], out: &mut [T], cols: usize) {
    let call = new::internals::row_call(new::internals::RowOp::Softmax, false, isa);
    new::internals::rows(call, x, out, cols).unwrap();
}

/// The baseline's `dense_packed`, whose batch size was an argument before
/// e50c324.
fn old_dense_packed<T: old::Float>(
    x: &[T],
    w: &old::PackedWeights<T>,
    b: &[T],
    out: &mut [T],
    m: usize,
    act: old::Activation,
) {
    #[cfg(any(feature = "base-after-e50c324", feature = "base-internals"))]
    let _ = m;
    #[cfg(any(feature = "base-after-e50c324", feature = "base-internals"))]
    old::dense_packed(x, w, b, out, act).unwrap();
    #[cfg(not(any(feature = "base-after-e50c324", feature = "base-internals")))]
    old::dense_packed(x, w, b, out, m, act).unwrap();
}

/// The baseline's softmax through its hidden per-tier entry, which took a
/// variant before issue 11 (`run.sh` turns on `base-after-11` for a later
/// baseline, such as an A/A run against `HEAD`).
#[cfg(not(any(feature = "base-after-11", feature = "base-internals")))]
fn old_softmax<T: old::Float>(isa: old::dispatch::Supported, x: &[T], out: &mut [T], cols: usize) {
    old::softmax::softmax_rows_with_isa(isa, old::softmax::Variant::ThreePass, x, out, cols, false)
        .unwrap();
}

/// As above, for a baseline after issue 11.
#[cfg(all(feature = "base-after-11", not(feature = "base-internals")))]
fn old_softmax<T: old::Float>(isa: old::dispatch::Supported, x: &[T], out: &mut [T], cols: usize) {
    old::softmax::softmax_rows_with_isa(isa, x, out, cols, false).unwrap();
}

/// As above, for a baseline with the `internals` hooks (issue 22 on).
#[cfg(feature = "base-internals")]
fn old_softmax<T: old::Float>(isa: old::dispatch::Supported, x: &[T], out: &mut [T], cols: usize) {
    oldapi::softmax_rows_with_isa(isa, x, out, cols).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let floor = args
        .iter()
        .position(|a| a == "--floor")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(0.97);
    let only: Option<&str> = args
        .iter()
        .position(|a| a == "--tier")
        .and_then(|i| args.get(i + 1).map(String::as_str));
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "old/new speed ratio (>1: new faster), {} rayon threads, {cpu}\n",
        rayon_threads()
    );
    println!("| tier family dtype | cases | median | lowest | below {floor} |");
    println!("|---|---|---|---|---|");
    let mut shapes = Vec::new();
    let (ms, ks, ns): (&[usize], &[usize], &[usize]) = if quick {
        (&[1, 3, 64, 300], &[2, 10, 128, 784], &[1, 10, 33, 128])
    } else {
        (
            &[1, 2, 3, 7, 16, 64, 300, 1024],
            &[2, 3, 10, 64, 128, 784, 1000],
            &[1, 3, 10, 16, 33, 64, 128, 500],
        )
    };
    for &m in ms {
        for &k in ks {
            for &n in ns {
                if m * k * n <= 1 << 27 {
                    shapes.push((m, k, n));
                }
            }
        }
    }
    let mut rep = Report {
        floor,
        quick,
        only: args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1).cloned()),
        rows: Vec::new(),
    };
    for tier in ["portable", "avx2", "avx512"] {
        if only.is_some_and(|o| o != tier) {
            continue;
        }
        families!(f32, tier, rep, &shapes);
        families!(f64, tier, rep, &shapes);
    }
    public_calls::<f32>(&mut rep);
    public_calls::<f64>(&mut rep);
}

/// The size rayon gives its global pool: `RAYON_NUM_THREADS` when set to a
/// positive number, else the available parallelism.
fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
