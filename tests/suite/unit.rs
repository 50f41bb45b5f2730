//! The unit tests of the crate's private items
//! (`nn_kernels::internals::UNIT_TESTS`), which live beside the code they
//! test: each runs on its own, and every failure is reported by name.

use std::panic::{AssertUnwindSafe, catch_unwind};

#[test]
fn private_items() {
    let failed: Vec<&str> = nn_kernels::internals::UNIT_TESTS
        .iter()
        .filter(|(name, test)| {
            eprintln!("unit test {name}");
            catch_unwind(AssertUnwindSafe(test)).is_err()
        })
        .map(|(name, _)| *name)
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}");
}
