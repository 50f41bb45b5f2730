//! `Parallelism::Serial` makes no rayon call: large calls of every kernel
//! family under it leave rayon's global pool uncreated, which
//! `ThreadPoolBuilder::build_global` (it fails once the pool exists)
//! checks afterwards. Its own test binary, so no other test has created the
//! pool in this process first.

use nn_kernels::{Activation, Parallelism, with_parallelism};

#[test]
fn serial_calls_never_create_the_global_pool() {
    let n = 1 << 20;
    let x = vec![0.25f32; n];
    let mut out = vec![0.0f32; n];
    let (m, k, c) = (256, 512, 256);
    let a = vec![0.5f32; m * k];
    let w = vec![0.25f32; k * c];
    let b = vec![0.0f32; c];
    let mut y = vec![0.0f32; m * c];
    with_parallelism(Parallelism::Serial, || {
        nn_kernels::relu(&x, &mut out).unwrap();
        nn_kernels::sigmoid(&x, &mut out).unwrap();
        nn_kernels::softmax_rows(&x, &mut out, 1024).unwrap();
        nn_kernels::log_softmax_rows(&x, &mut out, 1024).unwrap();
        nn_kernels::matmul(&a, &w, &mut y, m, k, c).unwrap();
        nn_kernels::dense(&a, &w, &b, &mut y, m, k, c, Activation::Relu).unwrap();
    });
    assert_eq!(nn_kernels::parallelism(), Parallelism::Rayon);
    assert!(
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build_global()
            .is_ok(),
        "a serial call created rayon's global pool"
    );
}

/// The setting is restored when the closure panics.
#[test]
fn with_parallelism_restores_on_panic() {
    let r = std::panic::catch_unwind(|| {
        with_parallelism(Parallelism::Serial, || panic!("inside"));
    });
    assert!(r.is_err());
    assert_eq!(nn_kernels::parallelism(), Parallelism::Rayon);
}
