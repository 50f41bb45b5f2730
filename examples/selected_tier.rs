//! Prints the instruction-set tier the kernels run on here (what
//! `NN_KERNELS_ISA` and the CPU leave), for the bench scripts:
//! `cargo run --release --quiet --example selected_tier`.

fn main() {
    println!("{}", nn_kernels::selected_isa());
}
