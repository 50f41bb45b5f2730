//! Shared by the benches: test data, the `matrixmultiply` yardstick, and
//! for the shape-space sweeps (`dense_grid`, `sweep`) interleaved
//! repetitions, medians and an SVG heat map.
//!
//! A sweep compares each kernel with a yardstick *in the same run*, on the
//! same data, one repetition of each after the other: whatever the machine
//! does meanwhile (another process, a frequency change) lands on both
//! sides of a repetition, and the median over repetitions drops the
//! repetitions it hit hardest. A ratio of medians is what the sweeps report
//! and what `--check` tests; never a bare time.
#![allow(dead_code)] // each sweep uses a different subset

use nn_kernels::Float;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

/// `n` values in `[-1, 1]`, a fixed pattern per `seed`.
pub fn data<T: Float>(n: usize, seed: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f64((((i + seed) * 7919) % 2001) as f64 / 1000.0 - 1.0))
        .collect()
}

/// `matrixmultiply` as a dense layer: the bias stored, `out += x · w`, then
/// ReLU as a pass of its own when `relu`.
pub fn matrixmultiply_dense<T: Float>(
    x: &[T],
    w: &[T],
    bias: &[T],
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
    relu: bool,
) {
    assert!(x.len() == m * k && w.len() == k * n && bias.len() == n && out.len() == m * n);
    for row in out.chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
    let (k_s, n_s) = (k as isize, n as isize);
    let (xp, wp, op) = (x.as_ptr(), w.as_ptr(), out.as_mut_ptr());
    // SAFETY: row-major buffers of exactly m·k, k·n and m·n elements
    // (asserted); `T` is `f32` when its NAME says so and `f64` otherwise
    // (the two `Float` types), so the casts keep the element type.
    unsafe {
        if T::NAME == "f32" {
            let (xp, wp, op) = (xp.cast(), wp.cast(), op.cast());
            matrixmultiply::sgemm(m, k, n, 1.0, xp, k_s, 1, wp, n_s, 1, 1.0, op, n_s, 1);
        } else {
            let (xp, wp, op) = (xp.cast(), wp.cast(), op.cast());
            matrixmultiply::dgemm(m, k, n, 1.0, xp, k_s, 1, wp, n_s, 1, 1.0, op, n_s, 1);
        }
    }
    if relu {
        for v in out.iter_mut() {
            *v = if *v > T::ZERO { *v } else { T::ZERO };
        }
    }
}

/// Median of `v` (sorts it).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nanoseconds per call of each of `fns`, as the median over `reps`
/// interleaved repetitions: repetition `r` runs `fns[0]`, then `fns[1]`, …
/// each for a batch of calls that takes at least `min_ns` (calibrated once
/// per function after a warm-up call).
pub fn interleaved(fns: &mut [&mut dyn FnMut()], reps: usize, min_ns: f64) -> Vec<f64> {
    let iters: Vec<u64> = fns
        .iter_mut()
        .map(|f| {
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
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(reps); fns.len()];
    for _ in 0..reps {
        for (i, f) in fns.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..iters[i] {
                f();
            }
            samples[i].push(t.elapsed().as_nanos() as f64 / iters[i] as f64);
        }
    }
    samples.iter_mut().map(|s| median(s)).collect()
}

/// Runs `f` inside a rayon pool of `threads` threads (the whole timing loop
/// goes inside, so the pool's entry is not timed).
pub fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("build a rayon pool")
        .install(f)
}

/// Keeps the compiler from deleting a computation's result.
pub fn keep<T>(v: &T) {
    black_box(v);
}

/// The CPU as `lscpu`/`/proc/cpuinfo` names it, for report headers.
pub fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            let field = |key: &str| {
                s.lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|v| v.trim().to_string())
            };
            Some(format!(
                "{} (family {}, model {})",
                field("model name")?,
                field("cpu family")?,
                field("model\t")?
            ))
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Command-line flags of a sweep: `--flag` and `--key value`.
pub struct Args(Vec<String>);

impl Args {
    /// The process's arguments (cargo bench passes `--bench`; it is ignored).
    pub fn get() -> Args {
        Args(std::env::args().skip(1).collect())
    }
    /// Whether `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }
    /// The value after `--name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        let i = self.0.iter().position(|a| a == name)?;
        self.0.get(i + 1).map(String::as_str)
    }
    /// `--reps N`, or `default` when absent. Panics on a value that is not
    /// a count (a typo should not silently run the default).
    pub fn reps(&self, default: usize) -> usize {
        self.value("--reps").map_or(default, |r| {
            r.parse()
                .unwrap_or_else(|_| panic!("--reps takes a count, not {r:?}"))
        })
    }
    /// The first argument that is not a flag or a flag's value: the mode.
    pub fn mode(&self, valued: &[&str]) -> Option<&str> {
        let mut skip = false;
        for a in &self.0 {
            if skip {
                skip = false;
            } else if valued.contains(&a.as_str()) {
                skip = true;
            } else if !a.starts_with("--") {
                return Some(a);
            }
        }
        None
    }
}

/// One panel of a heat map: a title and `values[row][col]` (NaN: no data).
pub struct Panel {
    pub title: String,
    pub values: Vec<Vec<f64>>,
}

/// An SVG heat map of ratios (ours / yardstick): one panel per entry, rows
/// and columns labelled, each cell coloured on a log scale (red below 1,
/// white at 1, green above) and printed to two digits.
pub fn heat_map_svg(
    title: &str,
    (row_name, rows): (&str, &[usize]),
    (col_name, cols): (&str, &[usize]),
    panels: &[Panel],
) -> String {
    let (cell_w, cell_h, left, top, gap) = (34.0, 18.0, 60.0, 56.0, 36.0);
    let panel_w = left + cell_w * cols.len() as f64;
    let panel_h = top + cell_h * rows.len() as f64;
    let per_row = 2usize;
    let width = panel_w * per_row as f64 + gap * per_row as f64;
    let height = 40.0 + (panel_h + gap) * panels.len().div_ceil(per_row) as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="10">"#
    );
    let _ = writeln!(s, r#"<text x="10" y="20" font-size="14">{title}</text>"#);
    for (i, p) in panels.iter().enumerate() {
        let x0 = (i % per_row) as f64 * (panel_w + gap) + 10.0;
        let y0 = 40.0 + (i / per_row) as f64 * (panel_h + gap);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="12">{}</text>"#,
            x0,
            y0 + 14.0,
            p.title
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{col_name} →</text><text x="{}" y="{}">{row_name} ↓</text>"#,
            x0 + left,
            y0 + 30.0,
            x0,
            y0 + 44.0
        );
        for (c, col) in cols.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle">{col}</text>"#,
                x0 + left + cell_w * (c as f64 + 0.5),
                y0 + top - 4.0
            );
        }
        for (r, row) in rows.iter().enumerate() {
            let y = y0 + top + cell_h * r as f64;
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="end">{row}</text>"#,
                x0 + left - 4.0,
                y + 13.0
            );
            for c in 0..cols.len() {
                let v = p.values[r][c];
                let x = x0 + left + cell_w * c as f64;
                let (fill, label) = if v.is_nan() {
                    ("#dddddd".to_string(), String::new())
                } else {
                    (ratio_colour(v), format!("{v:.2}"))
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" stroke="white"/><text x="{}" y="{}" text-anchor="middle" font-size="9">{label}</text>"#,
                    x + cell_w / 2.0,
                    y + 12.5
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Red (≤ 0.5) through white (1) to green (≥ 2), on a log scale.
fn ratio_colour(v: f64) -> String {
    let t = (v.log2()).clamp(-1.0, 1.0);
    let (r, g, b) = if t < 0.0 {
        (255.0, 255.0 * (1.0 + t), 255.0 * (1.0 + t))
    } else {
        (255.0 * (1.0 - t), 255.0 - 80.0 * t, 255.0 * (1.0 - t))
    };
    format!("rgb({:.0},{:.0},{:.0})", r, g, b)
}
