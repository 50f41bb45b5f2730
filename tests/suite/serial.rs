//! `Parallelism::Serial` makes no rayon call: every op of every table
//! (`internals::Op::all()`), on a shape above its family's threshold for
//! splitting, under it leaves rayon's global pool uncreated, which
//! `ThreadPoolBuilder::build_global` (it fails once the pool exists)
//! checks afterwards. In a process of its own (this test binary again,
//! filtered to the child test), so no other test has created the pool
//! first.

use crate::common;

use crate::common::ops::{run, shape_to_split};
use nn_kernels::internals::Op;
use nn_kernels::{Parallelism, selected_isa, with_parallelism};

#[test]
fn serial_calls_never_create_the_global_pool() {
    let out = common::rerun_self()
        .args([
            "--exact",
            "serial::child_runs_every_op_serially",
            "--test-threads=1",
        ])
        .env("NN_KERNELS_SERIAL_CHILD", "1")
        .output()
        .expect("run the test binary again");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "the child ran no test: {text}");
}

/// Half of `serial_calls_never_create_the_global_pool`.
#[test]
fn child_runs_every_op_serially() {
    if std::env::var_os("NN_KERNELS_SERIAL_CHILD").is_none() {
        return;
    }
    let isa = selected_isa().supported().unwrap();
    with_parallelism(Parallelism::Serial, || {
        for op in Op::all() {
            run::<f32>(op, isa, shape_to_split(op), 1);
        }
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
