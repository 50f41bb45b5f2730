//! Memory safety of every kernel at the edges of its buffers: inputs and
//! outputs placed so that they end exactly at an unmapped page (or start
//! right after one), for every length 0..=4·lanes+3 and odd start offsets,
//! on every tier. A read or write past either end crashes the test with a
//! segmentation fault. Outputs are pre-filled with NaN (or a sentinel), so
//! an element the kernel forgets to write shows up as well.

#![cfg(all(unix, not(miri)))]

mod common;

use common::{tiers, values};
use nn_kernels::activation::{
    relu_inplace_with_isa, relu_with_isa, sigmoid_with_isa, step_with_isa,
};
use nn_kernels::gemm::matmul_with_isa;
use nn_kernels::softmax::{softmax_rows_inplace_with_isa, softmax_rows_with_isa};
use nn_kernels::{Activation, Float};
use nn_kernels::{PackedWeights, dense_packed, dense_with_isa};

/// `len` elements of `T` whose last byte is followed by a `PROT_NONE` page
/// (`Edge::End`) or whose first byte follows one (`Edge::Start`).
struct Guarded<T> {
    base: *mut libc::c_void,
    map_len: usize,
    data: *mut T,
    len: usize,
}

#[derive(Clone, Copy, Debug)]
enum Edge {
    Start,
    End,
}

impl<T: Copy> Guarded<T> {
    fn new(len: usize, edge: Edge, fill: T) -> Self {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let bytes = len * std::mem::size_of::<T>();
        let data_pages = bytes.div_ceil(page).max(1);
        let map_len = (data_pages + 2) * page;
        // SAFETY: an anonymous private mapping with no address hint; the
        // result is checked against MAP_FAILED.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap");
        let first_guard = base as *mut u8;
        // SAFETY: both guard pages lie inside the mapping just made.
        let last_guard = unsafe { first_guard.add((data_pages + 1) * page) };
        // SAFETY: page-aligned ranges inside the mapping.
        unsafe {
            assert_eq!(
                libc::mprotect(first_guard as *mut _, page, libc::PROT_NONE),
                0
            );
            assert_eq!(
                libc::mprotect(last_guard as *mut _, page, libc::PROT_NONE),
                0
            );
        }
        let data = match edge {
            // SAFETY: one page past the first guard is mapped read-write.
            Edge::Start => unsafe { first_guard.add(page) as *mut T },
            // SAFETY: `bytes` before the last guard is inside the data pages.
            Edge::End => unsafe { last_guard.sub(bytes) as *mut T },
        };
        let mut g = Guarded {
            base,
            map_len,
            data,
            len,
        };
        g.as_mut().fill(fill);
        g
    }

    fn as_mut(&mut self) -> &mut [T] {
        // SAFETY: `data..data + len` is inside the read-write pages, aligned
        // for T (page-aligned start, or an end at a page boundary with a
        // length in whole elements), and borrowed mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.data, self.len) }
    }

    fn as_ref(&self) -> &[T] {
        // SAFETY: as in `as_mut`, borrowed shared through `self`.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `new`.
        unsafe { libc::munmap(self.base, self.map_len) };
    }
}

/// A guarded copy of `v`.
fn guarded_copy<T: Copy>(v: &[T], edge: Edge, fill: T) -> Guarded<T> {
    let mut g = Guarded::new(v.len(), edge, fill);
    g.as_mut().copy_from_slice(v);
    g
}

/// 0..=4·lanes+3 for the widest vector (16 lanes), which covers every
/// tier's tails.
const LENGTHS: std::ops::RangeInclusive<usize> = 0..=4 * 16 + 3;

fn elementwise<T: Float>() {
    for isa in tiers() {
        for n in LENGTHS {
            for off in [0usize, 1, 3] {
                for edge in [Edge::Start, Edge::End] {
                    let vals = values::<T>(n + off, n as u64, 5.0);
                    let x = guarded_copy(&vals, edge, T::ZERO);
                    let mut out = Guarded::new(n + off, edge, T::NAN);
                    let (xs, os) = (&x.as_ref()[off..], &mut out.as_mut()[off..]);
                    relu_with_isa(isa, xs, os).unwrap();
                    assert!(os.iter().all(|v| !v.is_nan()), "relu wrote every element");
                    step_with_isa(isa, xs, os).unwrap();
                    sigmoid_with_isa(isa, xs, os).unwrap();
                    assert!(
                        os.iter().all(|v| !v.is_nan()),
                        "sigmoid wrote every element"
                    );
                    let mut y = guarded_copy(&vals, edge, T::ZERO);
                    relu_inplace_with_isa(isa, &mut y.as_mut()[off..]);
                }
            }
        }
    }
}

#[test]
fn activations_stay_inside_their_buffers() {
    elementwise::<f32>();
    elementwise::<f64>();
}

fn softmax<T: Float>() {
    for isa in tiers() {
        for cols in [1usize, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33] {
            for rows in [1usize, 2, 3, 17] {
                for off in [0usize, 1] {
                    for edge in [Edge::Start, Edge::End] {
                        let n = rows * cols;
                        let vals = values::<T>(n + off, (cols * rows) as u64, 20.0);
                        let x = guarded_copy(&vals, edge, T::ZERO);
                        for masked in [false, true] {
                            let mut out = Guarded::new(n + off, edge, T::NAN);
                            let os = &mut out.as_mut()[off..];
                            softmax_rows_with_isa(isa, &x.as_ref()[off..], os, cols, masked)
                                .unwrap();
                            assert!(
                                os.iter().all(|v| !v.is_nan()),
                                "softmax wrote every element"
                            );
                            let mut y = guarded_copy(&vals, edge, T::ZERO);
                            softmax_rows_inplace_with_isa(
                                isa,
                                &mut y.as_mut()[off..],
                                cols,
                                masked,
                            )
                            .unwrap();
                        }
                        let mut idx = Guarded::new(rows, edge, usize::MAX);
                        nn_kernels::argmax_rows(&x.as_ref()[off..], idx.as_mut(), cols).unwrap();
                        assert!(idx.as_ref().iter().all(|&i| i < cols));
                    }
                }
            }
        }
    }
}

#[test]
fn softmax_and_argmax_stay_inside_their_buffers() {
    softmax::<f32>();
    softmax::<f64>();
}

/// Every path of the dense kernels on every tier: narrow (`k <= 8`, `n`
/// within a vector), direct (small W, or rows within one tile), packed
/// (larger W), wide tiles (one or two rows), partial tiles, and prepacked
/// weights.
#[test]
fn dense_stays_inside_its_buffers() {
    for isa in tiers() {
        for (m, k, n) in [
            (0, 3, 2),
            (1, 1, 1),
            (3, 2, 3),
            (7, 9, 5),
            (17, 16, 15),
            (9, 0, 4),
            (33, 5, 1),
            (1, 70, 67),
            (2, 70, 131),
            (7, 70, 65),
            (13, 100, 47),
        ] {
            for edge in [Edge::Start, Edge::End] {
                let x = guarded_copy(&values::<f32>(m * k, 1, 1.0), edge, 0.0);
                let w = guarded_copy(&values::<f32>(k * n, 2, 1.0), edge, 0.0);
                let b = guarded_copy(&values::<f32>(n, 3, 1.0), edge, 0.0);
                let mut out = Guarded::new(m * n, edge, f32::NAN);
                let dims = (m, k, n);
                let (xs, ws, bs) = (x.as_ref(), w.as_ref(), b.as_ref());
                dense_with_isa(isa, xs, ws, bs, out.as_mut(), dims, Activation::Relu).unwrap();
                assert!(
                    out.as_ref().iter().all(|v| !v.is_nan()),
                    "{m}x{k}x{n}: every element written"
                );
                let packed = PackedWeights::new_with_isa(isa, ws, k, n).unwrap();
                dense_packed(xs, &packed, bs, out.as_mut(), m, Activation::Identity).unwrap();
                matmul_with_isa(isa, xs, ws, out.as_mut(), m, k, n).unwrap();
            }
        }
    }
}

/// The guard pages work: reading one element past the end of a guarded
/// buffer (or one before its start) kills the process. Checked in a child
/// process (this binary again, filtered to `child_reads_past_the_end`).
#[test]
fn guard_pages_catch_an_access_one_past_either_end() {
    for edge in ["end", "start"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
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
    let v = unsafe { std::ptr::read_volatile(g.data.offset(offset)) };
    println!("read {v} without a fault");
}
