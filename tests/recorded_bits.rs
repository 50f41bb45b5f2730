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
//! To re-record after an intended change of results (and only then, saying
//! why in the commit): `NN_KERNELS_RECORD_BITS=1 cargo test --release --test
//! recorded_bits`.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::values;
use nn_kernels::dispatch::{Isa, Supported};
use nn_kernels::{Activation, Float, PackedWeights, dense_packed, dense_with_isa};

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
        for act in [Activation::Identity, Activation::Relu] {
            let mut out = vec![T::NAN; m * n];
            dense_with_isa(isa, &x, &w, &bias, &mut out, (m, k, n), act).unwrap();
            let name = format!("dense {} {m}x{k}x{n} {act:?}", T::NAME);
            rec.insert(format!("{} {name}", isa.isa()), digest(&out));
            let packed = PackedWeights::new_with_isa(isa, &w, k, n).unwrap();
            let mut out_p = vec![T::NAN; m * n];
            dense_packed(&x, &packed, &bias, &mut out_p, act).unwrap();
            assert_eq!(
                digest(&out_p),
                digest(&out),
                "{name}: packed and row-major differ"
            );
        }
        let mut out = vec![T::NAN; m * n];
        nn_kernels::gemm::matmul_with_isa(isa, &x, &w, &mut out, m, k, n).unwrap();
        rec.insert(
            format!("{} matmul {} {m}x{k}x{n}", isa.isa(), T::NAME),
            digest(&out),
        );
    }
}

fn softmax_cases<T: Float>(isa: Supported, rec: &mut BTreeMap<String, u64>) {
    use nn_kernels::softmax::{softmax_rows_inplace_with_isa, softmax_rows_with_isa};
    let mut cols: Vec<usize> = (1..=40).collect();
    cols.extend([63, 64, 65, 127, 128, 129, 255, 256, 1000, 1023, 4097]);
    for c in cols {
        for rows in [1, 3, 4, 5, 17, 64] {
            for (scale, special) in [(4.0, false), (100.0, true)] {
                let x = inputs::<T>(rows * c, (rows * 1000 + c) as u64, scale, special);
                for masked in [false, true] {
                    let mut out = vec![T::NAN; x.len()];
                    softmax_rows_with_isa(isa, &x, &mut out, c, masked).unwrap();
                    let mut inplace = x.clone();
                    softmax_rows_inplace_with_isa(isa, &mut inplace, c, masked).unwrap();
                    assert_eq!(digest(&inplace), digest(&out), "in place, {rows}x{c}");
                    rec.insert(
                        format!(
                            "{} softmax {} {rows}x{c} scale{scale} masked{masked}",
                            isa.isa(),
                            T::NAME
                        ),
                        digest(&out),
                    );
                }
            }
        }
    }
    // Split across threads.
    let (rows, c) = (300, 1000);
    let x = inputs::<T>(rows * c, 7, 30.0, true);
    let mut out = vec![T::NAN; x.len()];
    softmax_rows_with_isa(isa, &x, &mut out, c, false).unwrap();
    rec.insert(
        format!("{} softmax {} {rows}x{c} threads", isa.isa(), T::NAME),
        digest(&out),
    );
}

fn elementwise_cases<T: Float>(isa: Supported, rec: &mut BTreeMap<String, u64>) {
    use nn_kernels::activation::{
        exp_le0_with_isa, relu_inplace_with_isa, relu_with_isa, sigmoid_inplace_with_isa,
        sigmoid_with_isa, step_inplace_with_isa, step_with_isa,
    };
    type Out<T> = fn(Supported, &[T], &mut [T]) -> Result<(), nn_kernels::ShapeError>;
    type In<T> = fn(Supported, &mut [T]);
    type Op<T> = (&'static str, Out<T>, Option<In<T>>);
    let ops: [Op<T>; 4] = [
        ("relu", relu_with_isa, Some(relu_inplace_with_isa)),
        ("step", step_with_isa, Some(step_inplace_with_isa)),
        ("sigmoid", sigmoid_with_isa, Some(sigmoid_inplace_with_isa)),
        ("exp_le0", exp_le0_with_isa, None),
    ];
    let mut lens: Vec<usize> = (0..=300).collect();
    lens.extend([1000, 4097, (1 << 17) + 3]);
    for (name, out_of_place, in_place) in ops {
        for &n in &lens {
            let mut x = inputs::<T>(n, n as u64 + 1, 90.0, true);
            if name == "exp_le0" {
                x.iter_mut().for_each(|v| *v = -v.abs());
            }
            let mut out = vec![T::NAN; n];
            out_of_place(isa, &x, &mut out).unwrap();
            if let Some(in_place) = in_place {
                let mut y = x.clone();
                in_place(isa, &mut y);
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
    softmax_cases::<f32>(isa, &mut rec);
    softmax_cases::<f64>(isa, &mut rec);
    elementwise_cases::<f32>(isa, &mut rec);
    elementwise_cases::<f64>(isa, &mut rec);
    rec
}

#[test]
fn avx2_and_avx512_outputs_are_the_recorded_bits() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let tiers = [Isa::Avx2, Isa::Avx512];
    if std::env::var_os("NN_KERNELS_RECORD_BITS").is_some() {
        let mut text =
            String::from("# tier kernel dtype case digest: see tests/recorded_bits.rs\n");
        for isa in tiers {
            let isa = isa
                .supported()
                .expect("record on a CPU with every x86 tier");
            for (key, d) in compute(isa) {
                writeln!(text, "{key} {d:016x}").unwrap();
            }
        }
        std::fs::write(&path, text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).expect("the recorded digests");
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (key, d) = line.rsplit_once(' ').unwrap();
        want.insert(key.to_string(), u64::from_str_radix(d, 16).unwrap());
    }
    for isa in tiers {
        let Some(isa) = isa.supported() else {
            eprintln!("skipped: this CPU lacks {isa}");
            continue;
        };
        let got = compute(isa);
        let prefix = format!("{} ", isa.isa());
        let recorded = want.keys().filter(|k| k.starts_with(&prefix)).count();
        assert_eq!(got.len(), recorded, "{isa:?}: every recorded case is run");
        let wrong: Vec<&String> = got
            .iter()
            .filter(|(k, d)| want.get(*k) != Some(d))
            .map(|(k, _)| k)
            .collect();
        assert!(
            wrong.is_empty(),
            "{} of {} cases differ from the recorded bits, first: {:?}",
            wrong.len(),
            got.len(),
            &wrong[..wrong.len().min(10)]
        );
    }
}
