//! ReLU (and step) on arbitrary bit patterns, every tier: bitwise equal to
//! the scalar reference; in place equals out of place.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nn_kernels::internals::{UnaryOp, unary, unary_inplace};
use nn_kernels::dispatch::supported_isas;
use nn_kernels::reference;

fuzz_target!(|data: &[u8]| {
    let x: Vec<f32> = data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let y: Vec<f64> = data
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    for isa in supported_isas() {
        let mut out = vec![1.0f32; x.len()];
        unary(UnaryOp::Relu, isa, &x, &mut out).unwrap();
        for (o, v) in out.iter().zip(&x) {
            assert_eq!(o.to_bits(), reference::relu(*v).to_bits(), "relu({v:?}) on {}", isa.isa());
        }
        let mut inplace = x.clone();
        unary_inplace(UnaryOp::Relu, isa, &mut inplace);
        assert!(inplace.iter().zip(&out).all(|(a, b)| a.to_bits() == b.to_bits()));
        unary(UnaryOp::Step, isa, &x, &mut out).unwrap();
        for (o, v) in out.iter().zip(&x) {
            assert_eq!(o.to_bits(), reference::step(*v).to_bits(), "step({v:?})");
        }
        let mut out = vec![1.0f64; y.len()];
        unary(UnaryOp::Relu, isa, &y, &mut out).unwrap();
        for (o, v) in out.iter().zip(&y) {
            assert_eq!(o.to_bits(), reference::relu(*v).to_bits(), "relu({v:?}) on {}", isa.isa());
        }
    }
});
