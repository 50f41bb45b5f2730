//! One layer packed, then dense (ReLU fused), ReLU, softmax and argmax, for
//! `f32` and `f64`: the four calls a user makes.

use nn_kernels::{
    Activation, Float, PackedWeights, Weights, argmax_rows, dense_packed, relu_inplace,
    softmax_rows_inplace,
};

fn pass<T: Float>(k: usize, n: usize) -> usize {
    let w: Vec<T> = (0..k * n).map(|i| T::from_f64((i % 7) as f64 * 0.01)).collect();
    let packed = PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
    let x = vec![T::ONE; 4 * k];
    let mut out = vec![T::ZERO; 4 * n];
    dense_packed(&x, &packed, &vec![T::ZERO; n], &mut out, Activation::Relu).unwrap();
    relu_inplace(&mut out);
    softmax_rows_inplace(&mut out, n).unwrap();
    let mut classes = vec![0; 4];
    argmax_rows(&out, &mut classes, n).unwrap();
    classes[0]
}

fn main() {
    println!("{} {}", pass::<f32>(784, 128), pass::<f64>(784, 128));
}
