//! Memory safety at the edges of buffers: every op of every table
//! (`internals::Op::all()`), on every tier, with each of its buffers
//! against unmapped pages (`common/guard.rs`), so a read or write past
//! either end of a slice crashes the test with a segmentation fault, and
//! with each buffer at odd offsets; both must give the bits of ordinary
//! buffers. (Each family's tester also runs its own, denser cases against
//! guard pages.) And the proof that the guard pages do fault.

#![cfg(all(unix, not(miri)))]

use crate::common;

use crate::common::guard::{Edge, Guarded};
use crate::common::ops::{Buffers, outputs};
use crate::common::values;
use nn_kernels::Float;
use nn_kernels::dispatch::supported_isas;
use nn_kernels::internals::{Bufs, Op, Shape};

/// Shapes around the vector widths and tiles: one element, rows of 3, 17
/// and 33 (tails of every tier), a dense product past one tile each way.
const SHAPES: [Shape; 4] = [
    Shape { m: 1, k: 1, n: 1 },
    Shape { m: 3, k: 5, n: 17 },
    Shape { m: 7, k: 33, n: 3 },
    Shape { m: 13, k: 9, n: 33 },
];

fn every_op<T: Float>() {
    for op in Op::all() {
        for s in SHAPES {
            for isa in supported_isas() {
                let what = format!("{op:?} <{}> {s:?} on {}", T::NAME, isa.isa());
                let mut plain = Buffers::<T>::new(op, s, 7);
                let before = plain.clone();
                op.call(isa, plain.bufs(), s).unwrap();
                let want = outputs(&plain);
                for edge in [Edge::Start, Edge::End] {
                    let (x, w, b) = (
                        Guarded::copy_of(&before.x, edge),
                        Guarded::copy_of(&before.w, edge),
                        Guarded::copy_of(&before.bias, edge),
                    );
                    let mut out = Guarded::copy_of(&before.out, edge);
                    let mut classes = Guarded::copy_of(&before.classes, edge);
                    let bufs = Bufs {
                        x: x.as_ref(),
                        w: w.as_ref(),
                        bias: b.as_ref(),
                        out: out.as_mut(),
                        classes: classes.as_mut(),
                    };
                    op.call(isa, bufs, s).unwrap();
                    let got = Buffers {
                        x: vec![],
                        w: vec![],
                        bias: vec![],
                        out: out.as_ref().to_vec(),
                        classes: classes.as_ref().to_vec(),
                    };
                    assert!(
                        outputs(&got) == want,
                        "{what}: {edge:?} against a guard page"
                    );
                }
                for off in [1, 3, 5] {
                    let shift = |v: &[T]| {
                        let mut s = vec![T::from_f64(-7.0); off];
                        s.extend_from_slice(v);
                        s
                    };
                    let (x, w, b, mut out) = (
                        shift(&before.x),
                        shift(&before.w),
                        shift(&before.bias),
                        shift(&before.out),
                    );
                    let mut classes = before.classes.clone();
                    let bufs = Bufs {
                        x: &x[off..],
                        w: &w[off..],
                        bias: &b[off..],
                        out: &mut out[off..],
                        classes: &mut classes,
                    };
                    op.call(isa, bufs, s).unwrap();
                    let got = Buffers {
                        x: vec![],
                        w: vec![],
                        bias: vec![],
                        out: out[off..].to_vec(),
                        classes,
                    };
                    assert!(outputs(&got) == want, "{what}: at offset {off}");
                    assert!(
                        out[..off].iter().all(|v| v.to_f64() == -7.0),
                        "{what}: wrote before the slice at offset {off}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_op_stays_inside_its_buffers_and_ignores_their_offsets() {
    every_op::<f32>();
    every_op::<f64>();
}

fn argmax<T: Float>() {
    for cols in [1usize, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33] {
        for rows in [0usize, 1, 2, 3, 17] {
            for edge in [Edge::Start, Edge::End] {
                let x = Guarded::copy_of(&values::<T>(rows * cols, cols as u64, 20.0), edge);
                let mut idx = Guarded::new(rows, edge, usize::MAX);
                nn_kernels::argmax_rows(x.as_ref(), idx.as_mut(), cols).unwrap();
                assert!(idx.as_ref().iter().all(|&i| i < cols));
            }
        }
    }
}

#[test]
fn argmax_stays_inside_its_buffers() {
    argmax::<f32>();
    argmax::<f64>();
}

/// The guard pages work: reading one element past the end of a guarded
/// buffer (or one before its start) kills the process. Checked in a child
/// process (this binary again, filtered to `child_reads_past_the_end`).
#[test]
fn guard_pages_catch_an_access_one_past_either_end() {
    for edge in ["end", "start"] {
        let out = common::rerun_self()
            .args([
                "--exact",
                "memory::child_reads_past_the_end",
                "--test-threads=1",
            ])
            .env("NN_KERNELS_GUARD_CHILD", edge)
            .output()
            .expect("run the test binary again");
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGSEGV),
            "{edge}: {:?}",
            out.status
        );
    }
}

/// Half of `guard_pages_catch_an_access_one_past_either_end`.
#[test]
fn child_reads_past_the_end() {
    let Ok(edge) = std::env::var("NN_KERNELS_GUARD_CHILD") else {
        return;
    };
    let (g, offset) = match edge.as_str() {
        "end" => (Guarded::<f32>::new(10, Edge::End, 1.0), 10isize),
        _ => (Guarded::<f32>::new(10, Edge::Start, 1.0), -1isize),
    };
    // SAFETY: deliberately not: this reads the guard page to prove it faults.
    let v = unsafe { std::ptr::read_volatile(g.ptr().wrapping_offset(offset)) };
    println!("read {v} without a fault");
}
