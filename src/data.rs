//! The chapter's spiral data set, and NumPy's `linspace` that builds it.

use crate::error::{ShapeError, ShapeErrorKind};
use crate::float::Float;
use crate::rng::GaussianSource;

/// `num` evenly spaced values from `start` to `stop` inclusive, with NumPy's
/// `np.linspace(start, stop, num)` arithmetic exactly: `start + i * step`
/// with `step = (stop - start) / (num - 1)`, the last value set to `stop`;
/// `num == 1` gives `[start]` and `num == 0` nothing.
///
/// # Panics
/// If `num` values do not fit in one allocation (`num * 8 > isize::MAX`), as
/// any `Vec` of that length would.
///
/// ```
/// assert_eq!(nn_kernels::linspace(0.0, 1.0, 5), [0.0, 0.25, 0.5, 0.75, 1.0]);
/// assert_eq!(nn_kernels::linspace(3.0, 7.0, 1), [3.0]);
/// ```
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = num.saturating_sub(1);
    let delta = stop - start;
    let step = delta / div as f64;
    let mut y: Vec<f64> = (0..num)
        .map(|i| {
            let i = i as f64;
            if div == 0 {
                // NumPy: undefined step, `y * delta`.
                i * delta + start
            } else if step == 0.0 {
                // NumPy: `y / div * delta` when the step underflows to zero.
                i / div as f64 * delta + start
            } else {
                i * step + start
            }
        })
        .collect();
    if num > 1 {
        y[num - 1] = stop;
    }
    y
}

/// The spiral data set: `points` samples of each of `classes` classes.
///
/// ```
/// let data = nn_kernels::spiral_data::<f32, _>(5, 2, 0.0, &mut nn_kernels::rng::default_rng(0))?;
/// assert_eq!((data.x.len(), data.y.len()), (2 * 5 * 2, 5 * 2));
/// assert_eq!(&data.y[4..6], [0, 1]); // 5 samples of class 0, then class 1
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spiral<T> {
    /// Samples, `(points * classes) x 2` row-major: `[r sin 2.5t, r cos 2.5t]`.
    pub x: Vec<T>,
    /// The class of each sample, `0..classes`.
    pub y: Vec<u8>,
}

/// The chapter's `create_data(points, classes)`: for each class `j`, radius
/// `linspace(0, 1, points)`, angle `t = linspace(4j, 4(j + 1), points) + noise
/// * randn(points)`, and samples `[r sin(2.5 t), r cos(2.5 t)]` labelled `j`.
///
/// The chapter uses `noise` 0.05 (cells 36 and 61) and 0.2 (cell 62). With
/// [`crate::rng::NumpyRandomState`] the normals are NumPy's, drawn in the same
/// order, so `x` matches NumPy's to the rounding of `sin` and `cos`.
///
/// # Errors
/// [`ShapeError`] if `classes > 256` (labels are `u8`), or
/// `points * classes * 2` overflows `usize` or is more elements than an
/// allocation can hold (`isize::MAX` bytes).
///
/// ```
/// use nn_kernels::{spiral_data, rng::default_rng};
/// let data = spiral_data::<f32, _>(100, 3, 0.2, &mut default_rng(0))?;
/// assert_eq!((data.x.len(), data.y.len()), (600, 300));
/// assert_eq!(data.y[150], 1);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn spiral_data<T: Float, R: GaussianSource + ?Sized>(
    points: usize,
    classes: usize,
    noise: f64,
    rng: &mut R,
) -> Result<Spiral<T>, ShapeError> {
    if classes > 256 {
        return Err(ShapeError::new(
            "spiral_data",
            "classes",
            ShapeErrorKind::TooLarge {
                max: 256,
                actual: classes,
            },
        ));
    }
    let samples = ShapeError::checked_mul("spiral_data", "points * classes", points, classes)?;
    let len = ShapeError::checked_mul("spiral_data", "points * classes * 2", samples, 2)?;
    // No allocation may exceed isize::MAX bytes; say so instead of panicking.
    let max = isize::MAX as usize / std::mem::size_of::<T>();
    if len > max {
        let kind = ShapeErrorKind::TooLarge { max, actual: len };
        return Err(ShapeError::new("spiral_data", "points * classes * 2", kind));
    }
    let mut x = Vec::with_capacity(len);
    let mut y = Vec::with_capacity(samples);
    if samples == 0 {
        return Ok(Spiral { x, y });
    }
    let r = linspace(0.0, 1.0, points);
    for class in 0..classes {
        let j = class as f64;
        let t = linspace(j * 4.0, (j + 1.0) * 4.0, points);
        // NumPy draws all of the class's normals first: randn(points).
        let g: Vec<f64> = (0..points).map(|_| rng.next_gaussian()).collect();
        for ((&r, &t), &g) in r.iter().zip(&t).zip(&g) {
            let t = t + g * noise;
            x.push(T::from_f64(r * (t * 2.5).sin()));
            x.push(T::from_f64(r * (t * 2.5).cos()));
        }
        y.resize(y.len() + points, class as u8);
    }
    Ok(Spiral { x, y })
}
