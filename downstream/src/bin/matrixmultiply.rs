//! The yardstick: the same products through matrixmultiply's `sgemm` and
//! `dgemm`, which compile their kernels in their own crate.

fn main() {
    let (m, k, n) = (4, 784, 128);
    let (a, b) = (vec![1.0f32; m * k], vec![0.01f32; k * n]);
    let mut c = vec![0.0f32; m * n];
    // SAFETY: a, b and c hold m*k, k*n and m*n elements, row-major.
    unsafe {
        matrixmultiply::sgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0, c.as_mut_ptr(), n as isize, 1)
    };
    let (a, b) = (vec![1.0f64; m * k], vec![0.01f64; k * n]);
    let mut d = vec![0.0f64; m * n];
    // SAFETY: as above.
    unsafe {
        matrixmultiply::dgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, b.as_ptr(), n as isize, 1, 0.0, d.as_mut_ptr(), n as isize, 1)
    };
    println!("{} {}", c[0], d[0]);
}
