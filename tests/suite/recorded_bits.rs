//! The AVX2 and AVX-512 outputs, bit for bit, against a digest recorded
//! before the tier refactor (`tests/fixtures/recorded_bits.txt`).
//!
//! Each line is `tier kernel dtype case digest`: the FNV-1a hash of every
//! output's bit pattern for one call. The refactor that made tiers types and
//! kernels generic over them promised that no AVX2 or AVX-512 output changes
//! (the FMA-chain property of the dense layer, the softmax bits, the exp);
//! this test holds it to that. A tier this CPU lacks is skipped, with a note.
//!
//! Re-recorded four times since, for intended changes:
//! - softmax rows longer than 16 vectors (and a tail) add their
//!   exponentials in blocks summed pairwise (issue 10's long-row accuracy);
//!   only those 212 softmax digests changed, every dense, exp and
//!   element-wise digest stayed;
//! - the `f32` exp's polynomial is one degree shorter (issue 10's cheaper
//!   exp, `src/exp.rs`); only `f32` exp, sigmoid and softmax digests
//!   changed (2516 of them), every `f64`, dense and other element-wise
//!   digest stayed;
//! - the `f64` exp's polynomial two degrees shorter, the same way; only
//!   `f64` exp, sigmoid and softmax digests changed (2486 of them);
//! - the AVX-512 `f32` exp table-driven (`src/exp.rs`, `ExpTable16`); only
//!   AVX-512 `f32` exp, sigmoid and softmax digests changed (1653).
//!
//! - a fifth time without any change of bits, to add the portable tier's
//!   element-wise and row ops and the log-softmax (computed by the code
//!   before the kernels were compiled once in the crate, so the refactor
//!   is held to them too).
//!
//! The cases come from the op tables (`internals::Op`): every element-wise
//! and row op, their in-place and masked forms (which must give the same
//! bits as the recorded out-of-place ones) and every dense-family op
//! (recorded for `matmul` and `dense`; the packed ops must give `dense`'s
//! bits), so an op added to a table is recorded too. The portable tier's
//! dense ops are not recorded: on x86-64 they run `matrixmultiply`, which
//! picks its kernels, and so its roundings, by the CPU.
//!
//! To re-record after an intended change of results (and only then, saying
//! why in the commit): `NN_KERNELS_RECORD_BITS=1 cargo test --release --test
//! suite recorded_bits`. It rewrites the lines of the tiers this CPU has and
//! keeps the others'. A tier whose lines for an op are all missing (never
//! recorded: a CPU without it made the file) is reported, not failed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::common::values;
use nn_kernels::Float;
use nn_kernels::dispatch::{Isa, Supported};
use nn_kernels::internals::{Bufs, GemmOp, Op, RowOp, Shape, UnaryOp};

const FIXTURE: &str = "tests/fixtures/recorded_bits.txt";

fn digest<T: Float>(out: &[T]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for v in out {
        for b in v.to_bits_u64().to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^ out.len() as u64
}

/// Inputs with a few special values mixed in where `special` (every 97th
/// element NaN, every 89th `-inf`, every 83rd `-0.0`).
fn inputs<T: Float>(n: usize, seed: u64, scale: f64, special: bool) -> Vec<T> {
    let mut v = values::<T>(n, seed, scale);
    if special {
        for (i, x) in v.iter_mut().enumerate() {
            if i % 97 == 96 {
                *x = T::NAN;
            } else if i % 89 == 88 {
                *x = T::NEG_INFINITY;
            } else if i % 83 == 82 {
                *x = -T::ZERO;
            }
        }
    }
    v
}

fn dense_cases<T: Float>(isa: Supported, rec: &mut BTreeMap<String, u64>) {
    if isa.isa() == Isa::Portable {
        return; // see the module docs
    }
    let ms = [1, 2, 3, 7, 13, 64, 300];
    let ks = [1, 2, 3, 5, 8, 9, 33, 130, 600];
    let ns = [1, 3, 10, 16, 17, 33, 64, 100, 130];
    let mut shapes: Vec<(usize, usize, usize)> = Vec::new();
    for &m in &ms {
        for &k in &ks {
            for &n in &ns {
                shapes.push((m, k, n));
            }
        }
    }
    // Past one MC block of rows and one KC block of depth, and a wide W.
    shapes.extend([
        (301, 1100, 257),
        (520, 64, 1000),
        (1, 784, 128),
        (1024, 128, 10),
    ]);
    for (m, k, n) in shapes {
        let x = values::<T>(m * k, (m * 31 + k) as u64, 1.0);
        let w = values::<T>(k * n, (k * 17 + n) as u64, 0.5);
        let bias = values::<T>(n, n as u64, 0.25);
        let run = |op: Op| {
            let mut out = vec![T::NAN; m * n];
            let bufs = Bufs {
                x: &x,
                w: &w,
                bias: &bias,
                out: &mut out,
                classes: &mut [],
            };
            op.call(isa, bufs, Shape { m, k, n }).unwrap();
            digest(&out)
        };
        let mut dense = BTreeMap::new();
        for op in Op::all() {
            let Op::Gemm(gemm, act) = op else { continue };
            let d = run(op);
            match gemm {
                GemmOp::Matmul => {
                    rec.insert(format!("{} matmul {} {m}x{k}x{n}", isa.isa(), T::NAME), d);
                }
                GemmOp::Dense => {
                    let name = format!("{} dense {} {m}x{k}x{n} {act:?}", isa.isa(), T::NAME);
                    rec.insert(name, d);
                    dense.insert(format!("{act:?}"), d);
                }
                _ => {
                    let want = dense[&format!("{act:?}")];
                    assert_eq!(d, want, "{op:?} {m}x{k}x{n}: differs from dense");
                }
            }
        }
    }
}

/// A row op's name in the recorded lines: its function's, without `_rows`.
fn row_key(op: RowOp) -> &'static str {
    op.name(false, false).trim_end_matches("_rows")
}

fn row_cases<T: Float>(isa: Supported, rec: &mut BTreeMap<String, u64>) {
    let mut cols: Vec<usize> = (1..=40).collect();
    cols.extend([63, 64, 65, 127, 128, 129, 255, 256, 1000, 1023, 4097]);
    let run = |op: Op, x: &[T], c: usize| {
        let mut out = if op.in_place() {
            x.to_vec()
        } else {
            vec![T::NAN; x.len()]
        };
        let bufs = Bufs {
            x,
            w: &[],
            bias: &[],
            out: &mut out,
            classes: &mut [],
        };
        op.call(
            isa,
            bufs,
            Shape {
                m: x.len() / c,
                k: 0,
                n: c,
            },
        )
        .unwrap();
        digest(&out)
    };
    for &row_op in RowOp::ALL {
        let key = row_key(row_op);
        for &c in &cols {
            for rows in [1, 3, 4, 5, 17, 64] {
                for (scale, special) in [(4.0, false), (100.0, true)] {
                    let x = inputs::<T>(rows * c, (rows * 1000 + c) as u64, scale, special);
                    for masked in [false, true] {
                        let plain = Op::Rows {
                            op: row_op,
                            masked,
                            in_place: false,
                        };
                        let d = run(plain, &x, c);
                        let inplace = Op::Rows {
                            op: row_op,
                            masked,
                            in_place: true,
                        };
                        assert_eq!(run(inplace, &x, c), d, "{key} in place, {rows}x{c}");
                        let case = format!("{rows}x{c} scale{scale} masked{masked}");
                        rec.insert(format!("{} {key} {} {case}", isa.isa(), T::NAME), d);
                    }
                }
            }
        }
        // Split across threads.
        let (rows, c) = (300, 1000);
        let x = inputs::<T>(rows * c, 7, 30.0, true);
        let plain = Op::Rows {
            op: row_op,
            masked: false,
            in_place: false,
        };
        let case = format!("{rows}x{c} threads");
        rec.insert(
            format!("{} {key} {} {case}", isa.isa(), T::NAME),
            run(plain, &x, c),
        );
    }
}

fn elementwise_cases<T: Float>(isa: Supported, rec: &mut BTreeMap<String, u64>) {
    let mut lens: Vec<usize> = (0..=300).collect();
    lens.extend([1000, 4097, (1 << 17) + 3]);
    for &op in UnaryOp::ALL.iter().chain([&UnaryOp::ExpLe0]) {
        let name = op.name();
        for &n in &lens {
            let mut x = inputs::<T>(n, n as u64 + 1, 90.0, true);
            if op == UnaryOp::ExpLe0 {
                x.iter_mut().for_each(|v| *v = -v.abs());
            }
            let mut out = vec![T::NAN; n];
            nn_kernels::internals::unary(op, isa, &x, &mut out).unwrap();
            if UnaryOp::ALL.contains(&op) {
                let mut y = x.clone();
                nn_kernels::internals::unary_inplace(op, isa, &mut y);
                assert_eq!(digest(&y), digest(&out), "{name} in place, {n}");
            }
            rec.insert(
                format!("{} {name} {} n{n}", isa.isa(), T::NAME),
                digest(&out),
            );
        }
    }
}

fn compute(isa: Supported) -> BTreeMap<String, u64> {
    let mut rec = BTreeMap::new();
    dense_cases::<f32>(isa, &mut rec);
    dense_cases::<f64>(isa, &mut rec);
    row_cases::<f32>(isa, &mut rec);
    row_cases::<f64>(isa, &mut rec);
    elementwise_cases::<f32>(isa, &mut rec);
    elementwise_cases::<f64>(isa, &mut rec);
    rec
}

/// The tier and op of a line's key (its first two words).
fn group(key: &str) -> String {
    key.split(' ').take(2).collect::<Vec<_>>().join(" ")
}

#[test]
fn outputs_are_the_recorded_bits_on_every_tier() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let text = std::fs::read_to_string(&path).expect("the recorded digests");
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (key, d) = line.rsplit_once(' ').unwrap();
        want.insert(key.to_string(), u64::from_str_radix(d, 16).unwrap());
    }
    let tiers = [Isa::Portable, Isa::Avx2, Isa::Avx512];
    if std::env::var_os("NN_KERNELS_RECORD_BITS").is_some() {
        for isa in tiers.iter().filter_map(|t| t.supported()) {
            let prefix = format!("{} ", isa.isa());
            want.retain(|k, _| !k.starts_with(&prefix));
            want.extend(compute(isa));
        }
        let mut text =
            String::from("# tier kernel dtype case digest: see tests/suite/recorded_bits.rs\n");
        for (key, d) in &want {
            writeln!(text, "{key} {d:016x}").unwrap();
        }
        std::fs::write(&path, text).unwrap();
        return;
    }
    for isa in tiers {
        let Some(isa) = isa.supported() else {
            eprintln!("skipped: this CPU lacks {isa}");
            continue;
        };
        let got = compute(isa);
        let prefix = format!("{} ", isa.isa());
        let recorded: BTreeSet<String> = want
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .map(|k| group(k))
            .collect();
        let dropped: Vec<&String> = want
            .keys()
            .filter(|k| k.starts_with(&prefix) && !got.contains_key(*k))
            .collect();
        assert!(
            dropped.is_empty(),
            "recorded cases no longer run: {:?}",
            &dropped[..dropped.len().min(10)]
        );
        let mut unrecorded = BTreeSet::new();
        let mut wrong = Vec::new();
        for (k, d) in &got {
            match want.get(k) {
                Some(w) if w == d => {}
                Some(_) => wrong.push(k),
                None if recorded.contains(&group(k)) => wrong.push(k),
                None => {
                    unrecorded.insert(group(k));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {} cases differ from the recorded bits (or are missing beside recorded ones), first: {:?}",
            wrong.len(),
            got.len(),
            &wrong[..wrong.len().min(10)]
        );
        for g in unrecorded {
            eprintln!("not recorded yet (NN_KERNELS_RECORD_BITS=1 on this CPU adds it): {g}");
        }
    }
}
