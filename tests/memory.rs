//! Memory safety at the edges of buffers. Every kernel family's tester
//! (`tests/common/{unary,softmax,gemm}.rs`) runs each case once more with
//! its inputs and outputs against unmapped pages (`tests/common/guard.rs`),
//! on every tier, so a read or write past either end of a slice crashes
//! the test with a segmentation fault. This file holds what no tester
//! covers: argmax (no vector kernel, so no tester), and the proof that the
//! guard pages do fault.

#![cfg(all(unix, not(miri)))]

mod common;

use common::guard::{Edge, Guarded};
use common::values;
use nn_kernels::Float;

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
            .args(["--exact", "child_reads_past_the_end", "--test-threads=1"])
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
