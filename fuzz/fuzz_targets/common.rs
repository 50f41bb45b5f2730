//! Input decoding shared by the softmax and log-softmax targets.

/// Splits the fuzzer's bytes into rows and hands them to `on_f32` or
/// `on_f64`: `data[0]` picks `cols` (1 to 40), bit 0 of `data[1]` picks
/// `masked`, bit 1 picks f64; the rest are little-endian values, cut to a
/// whole number of rows. Inputs under two bytes are skipped.
pub fn rows(data: &[u8], on_f32: impl FnOnce(&[f32], usize, bool), on_f64: impl FnOnce(&[f64], usize, bool)) {
    if data.len() < 2 {
        return;
    }
    let cols = 1 + (data[0] as usize % 40);
    let masked = data[1] & 1 == 1;
    let body = &data[2..];
    if data[1] & 2 == 0 {
        let x: Vec<f32> = body
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        on_f32(&x[..x.len() / cols * cols], cols, masked);
    } else {
        let x: Vec<f64> = body
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        on_f64(&x[..x.len() / cols * cols], cols, masked);
    }
}
