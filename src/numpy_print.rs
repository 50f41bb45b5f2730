//! NumPy's `print(array)` format for a 2-D float array, so that results can
//! be compared with NumPy's output character for character.
//!
//! This follows `numpy.core.arrayprint` with its defaults (precision 8,
//! `floatmode='maxprec'`, no `suppress`, line width 75): every value gets the
//! shortest digits that round-trip, cut to at most 8 after the point; the
//! array switches to scientific notation when its largest non-zero magnitude
//! is `>= 1e8`, its smallest is `< 1e-4`, or their ratio is `> 1000`; all
//! columns are padded to one width.

/// Formats `data` (rows of `cols` values, row-major) as NumPy prints it.
///
/// ```
/// let s = nn_kernels::numpy_print::format_2d(&[0.5, 0.25, 1.0, 2.0], 2);
/// assert_eq!(s, "[[0.5  0.25]\n [1.   2.  ]]");
/// let s = nn_kernels::numpy_print::format_2d(&[0.0, 9.17448014e-05], 2);
/// assert_eq!(s, "[[0.00000000e+00 9.17448014e-05]]");
/// ```
///
/// # Panics
/// If `cols` is zero with non-empty data or does not divide `data.len()`.
pub fn format_2d(data: &[f64], cols: usize) -> String {
    assert!(
        (data.is_empty() || cols > 0) && data.len().is_multiple_of(cols.max(1)),
        "format_2d: {} values are not rows of {cols}",
        data.len()
    );
    const PRECISION: usize = 8;
    let finite: Vec<f64> = data.iter().copied().filter(|v| v.is_finite()).collect();
    let nonzero: Vec<f64> = finite
        .iter()
        .map(|v| v.abs())
        .filter(|&v| v != 0.0)
        .collect();
    let exp_format = if nonzero.is_empty() {
        false
    } else {
        let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
        let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
        max >= 1e8 || min < 1e-4 || max / min > 1000.0
    };
    let cells: Vec<String> = if exp_format {
        // Mantissa digits of each value; all padded to the longest fraction.
        let parts: Vec<(String, String, i32)> =
            data.iter().map(|&v| scientific(v, PRECISION)).collect();
        let frac = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        let exp_digits = parts
            .iter()
            .map(|p| p.2.unsigned_abs().to_string().len())
            .max()
            .unwrap_or(1)
            .max(2);
        parts
            .iter()
            .zip(data)
            .map(|((int, f, e), v)| {
                if !v.is_finite() {
                    return non_finite(*v);
                }
                let sign = if *e < 0 { '-' } else { '+' };
                format!("{int}.{f:0<frac$}e{sign}{:0>exp_digits$}", e.unsigned_abs())
            })
            .collect()
    } else {
        let parts: Vec<(String, String)> = data.iter().map(|&v| positional(v, PRECISION)).collect();
        let frac = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        parts
            .iter()
            .zip(data)
            .map(|((int, f), v)| {
                if !v.is_finite() {
                    return non_finite(*v);
                }
                format!("{int}.{f:<frac$}")
            })
            .collect()
    };
    let width = cells.iter().map(String::len).max().unwrap_or(0);
    let rows: Vec<String> = cells
        .chunks(cols.max(1))
        .map(|row| {
            let row: Vec<String> = row.iter().map(|c| format!("{c:>width$}")).collect();
            format!("[{}]", row.join(" "))
        })
        .collect();
    format!("[{}]", rows.join("\n "))
}

fn non_finite(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// Shortest round-trip digits, or `precision` digits after the point when
/// that is shorter, trailing zeros trimmed: `(integer part, fraction)`.
fn positional(v: f64, precision: usize) -> (String, String) {
    let shortest = format!("{v}");
    let (int, frac) = shortest.split_once('.').unwrap_or((&shortest, ""));
    if frac.len() <= precision {
        return (int.to_string(), frac.to_string());
    }
    let rounded = format!("{v:.precision$}");
    let (int, frac) = rounded.split_once('.').unwrap_or((&rounded, ""));
    (int.to_string(), frac.trim_end_matches('0').to_string())
}

/// As [`positional`] for `d.ddddde±x`: `(leading digit, fraction, exponent)`.
fn scientific(v: f64, precision: usize) -> (String, String, i32) {
    let split = |s: &str| -> (String, String, i32) {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        (
            int.to_string(),
            frac.trim_end_matches('0').to_string(),
            exp.parse().unwrap_or(0),
        )
    };
    let shortest = split(&format!("{v:e}"));
    if shortest.1.len() <= precision {
        shortest
    } else {
        split(&format!("{v:.precision$e}"))
    }
}
