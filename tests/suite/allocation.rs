//! The dense kernels allocate nothing per call in steady state: packing
//! buffers are per thread and kept. Counted with a global allocator that
//! tallies allocations made on the current thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use crate::common::{in_pool, tiers, values};
use nn_kernels::dispatch::Isa;
use nn_kernels::internals;
use nn_kernels::{Activation, Weights, dense_packed};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised
// thread-local `Cell`, which neither allocates nor re-enters the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

/// Every path (narrow, direct, packed with row-major and prepacked W, one
/// row with wide tiles) on the AVX2 and AVX-512 tiers: after a first call has grown this
/// thread's buffers, three more calls allocate nothing. Run in a one-thread
/// pool so the large product stays on this thread. The portable tier is
/// `matrixmultiply`, which allocates its packing buffers on every call
/// (documented on `dense`), so it is left out.
#[test]
fn dense_allocates_nothing_in_steady_state() {
    in_pool(1, || {
        for isa in tiers().into_iter().filter(|t| t.isa() != Isa::Portable) {
            for (m, k, n) in [
                (300, 2, 3),
                (7, 9, 70),
                (1, 784, 128),
                (256, 784, 128),
                (300, 600, 300),
            ] {
                let x = values::<f32>(m * k, 1, 1.0);
                let w = values::<f32>(k * n, 2, 1.0);
                let b = values::<f32>(n, 3, 1.0);
                let packed =
                    internals::pack(isa, Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
                let mut out = vec![0.0f32; m * n];
                let mut run = || {
                    internals::dense(
                        isa,
                        &x,
                        Weights::inputs_by_neurons(&w, k, n).unwrap(),
                        &b,
                        &mut out,
                        Activation::Relu,
                    )
                    .unwrap();
                    dense_packed(&x, &packed, &b, &mut out, Activation::Identity).unwrap();
                };
                run();
                let before = allocations();
                for _ in 0..3 {
                    run();
                }
                let made = allocations() - before;
                assert_eq!(
                    made,
                    0,
                    "{} {m}x{k}x{n}: {made} allocations in 3 calls",
                    isa.isa()
                );
            }
        }
    });
}
