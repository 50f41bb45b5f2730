//! The chapter's forward pass, reproduced: spiral data, `Dense(2, 3)`, ReLU,
//! `Dense(3, 3)`, softmax, with NumPy's random stream seeded 0.
//!
//! Prints the chapter's three printed cells in NumPy's format (they match the
//! chapter character for character), then what the chapter leaves out: the
//! predicted classes' counts and the accuracy of cell 62's untrained network.
//!
//! Run with `cargo run --release --example chapter4`.

use nn_kernels::numpy_print::format_2d;
use nn_kernels::rng::NumpyRandomState;
use nn_kernels::{Dense, ShapeError, argmax_rows, relu_inplace, softmax_rows_inplace, spiral_data};

/// One forward pass of the chapter's network, every stage kept.
pub struct Forward {
    /// Class labels of the samples.
    pub y: Vec<u8>,
    /// Softmax of the second dense layer, `samples x 3`.
    pub probs: Vec<f64>,
}

/// `create_data(100, 3)` with `noise`, `Dense(2, 3)`, ReLU, `Dense(3, 3)`,
/// softmax, drawing from `rng` in the chapter's order.
pub fn forward(rng: &mut NumpyRandomState, noise: f64) -> Result<Forward, ShapeError> {
    let data = spiral_data::<f64, _>(100, 3, noise, rng)?;
    let dense1 = Dense::new(2, 3, rng);
    let dense2 = Dense::new(3, 3, rng);
    let samples = data.y.len();
    let mut hidden = vec![0.0; samples * 3];
    dense1.forward(&data.x, &mut hidden)?;
    relu_inplace(&mut hidden);
    let mut probs = vec![0.0; samples * 3];
    dense2.forward(&hidden, &mut probs)?;
    softmax_rows_inplace(&mut probs, 3)?;
    Ok(Forward { y: data.y, probs })
}

/// Everything the example prints.
pub fn chapter_output() -> Result<String, ShapeError> {
    let mut out = String::new();
    let first5 = |v: &[f64]| format_2d(&v[..15], 3);

    // Cell 36: seed 0, noise 0.05, Dense(2, 3), ReLU. The chapter draws
    // Dense(2, 3) only here; `forward` also draws Dense(3, 3) after it, which
    // does not change the first layer's weights or the printed rows, but does
    // move the stream. So cell 36 is computed on its own.
    let mut rng = NumpyRandomState::new(0);
    let data = spiral_data::<f64, _>(100, 3, 0.05, &mut rng)?;
    let dense1 = Dense::new(2, 3, &mut rng);
    let mut hidden = vec![0.0; 300 * 3];
    dense1.forward(&data.x, &mut hidden)?;
    relu_inplace(&mut hidden);
    out += "# cell 36: Dense(2, 3) + ReLU, noise 0.05, first 5 rows\n";
    out += &first5(&hidden);
    out += "\n\n";

    // Cell 61: the same stream continues: new data, Dense(2,3), Dense(3,3).
    let cell61 = forward(&mut rng, 0.05)?;
    out += "# cell 61: full forward pass, noise 0.05 (stream continued), first 5 rows\n";
    out += &first5(&cell61.probs);
    out += "\n\n";

    // Cell 62: seed 0 again, noise 0.2.
    let cell62 = forward(&mut NumpyRandomState::new(0), 0.2)?;
    out += "# cell 62: full forward pass, seed 0, noise 0.2, first 5 rows\n";
    out += &first5(&cell62.probs);
    out += "\n\n";

    // What the chapter leaves out: argmax, class counts, accuracy.
    let samples = cell62.y.len();
    let mut predicted = vec![0usize; samples];
    argmax_rows(&cell62.probs, &mut predicted, 3)?;
    let mut counts = [0usize; 3];
    for &p in &predicted {
        counts[p] += 1;
    }
    let correct = predicted
        .iter()
        .zip(&cell62.y)
        .filter(|&(&p, &y)| p == y as usize)
        .count();
    out += "# cell 62: predicted classes (argmax) and accuracy\n";
    out += &format!("predicted class counts: {counts:?} of {samples}\n");
    out += &format!(
        "accuracy: {correct}/{samples} = {:.4} (untrained: chance is 1/3)\n",
        correct as f64 / samples as f64
    );
    Ok(out)
}

#[allow(dead_code)] // also compiled into tests/chapter4.rs, which has its own main
fn main() -> Result<(), ShapeError> {
    print!("{}", chapter_output()?);
    Ok(())
}
