//! The one error type of the crate: a shape that does not fit.

use std::fmt;

/// What was wrong with a shape. Part of [`ShapeError`].
///
/// ```
/// use nn_kernels::ShapeErrorKind;
/// let mut out = [0.0f32; 3];
/// let err = nn_kernels::softmax_rows(&[1.0f32; 4], &mut out, 2).unwrap_err();
/// assert_eq!(err.kind, ShapeErrorKind::Length { expected: 4, actual: 3 });
/// assert_eq!((err.function, err.argument), ("softmax_rows", "out"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShapeErrorKind {
    /// A slice has the wrong length for the dims it was given with.
    Length {
        /// The length the dims ask for.
        expected: usize,
        /// The slice's length.
        actual: usize,
    },
    /// `cols` is zero but the input is not empty, so it has no row shape.
    ZeroCols {
        /// The input's length.
        len: usize,
    },
    /// The input's length is not a whole number of rows of `cols`.
    NotMultiple {
        /// The input's length.
        len: usize,
        /// The row length it was given with.
        cols: usize,
    },
    /// The product of the dims does not fit in `usize`.
    Overflow {
        /// The dims whose product overflows.
        dims: Vec<usize>,
    },
    /// A buffer the shape needs could not be allocated: more than
    /// `isize::MAX` bytes, or the allocator refused.
    Allocation {
        /// The bytes asked for.
        bytes: usize,
    },
    /// A slice is shorter than the prefix the call uses (only where a
    /// function takes a longer slice and uses its prefix, such as
    /// [`dense_packed_prefix`](crate::dense_packed_prefix)).
    TooShort {
        /// The elements the call needs.
        needed: usize,
        /// The slice's length.
        actual: usize,
    },
    /// A count is larger than the largest the output type can hold.
    TooLarge {
        /// The largest allowed value.
        max: usize,
        /// The value given.
        actual: usize,
    },
}

/// A shape error: which function, which argument, and what did not fit.
///
/// Every function of the crate that takes shapes checks them all before it
/// touches any data, and returns this error instead of panicking.
///
/// ```
/// let x = [1.0f32, 2.0, 3.0];
/// let mut out = [0.0f32; 2];
/// let err = nn_kernels::relu(&x, &mut out).unwrap_err();
/// assert_eq!(err.function, "relu");
/// assert_eq!(err.argument, "out");
/// assert_eq!(
///     err.kind,
///     nn_kernels::ShapeErrorKind::Length { expected: 3, actual: 2 }
/// );
/// assert_eq!(err.to_string(), "relu: argument `out`: expected length 3, got 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShapeError {
    /// The public function that refused the call, e.g. `"softmax_rows"`.
    pub function: &'static str,
    /// The argument at fault, e.g. `"out"` or `"m * k"`.
    pub argument: &'static str,
    /// What was wrong.
    pub kind: ShapeErrorKind,
}

impl ShapeError {
    pub(crate) fn new(
        function: &'static str,
        argument: &'static str,
        kind: ShapeErrorKind,
    ) -> Self {
        ShapeError {
            function,
            argument,
            kind,
        }
    }

    /// `Ok` when `actual == expected`, otherwise a [`ShapeErrorKind::Length`] error.
    pub(crate) fn check_len(
        function: &'static str,
        argument: &'static str,
        expected: usize,
        actual: usize,
    ) -> Result<(), ShapeError> {
        if expected == actual {
            Ok(())
        } else {
            Err(Self::new(
                function,
                argument,
                ShapeErrorKind::Length { expected, actual },
            ))
        }
    }

    /// `a * b`, or an [`ShapeErrorKind::Overflow`] error naming both dims.
    pub(crate) fn checked_mul(
        function: &'static str,
        argument: &'static str,
        a: usize,
        b: usize,
    ) -> Result<usize, ShapeError> {
        a.checked_mul(b).ok_or_else(|| {
            Self::new(
                function,
                argument,
                ShapeErrorKind::Overflow { dims: vec![a, b] },
            )
        })
    }

    /// A zeroed `Vec` of `len` elements, or an
    /// [`ShapeErrorKind::Allocation`] error where it cannot be allocated
    /// (instead of the abort a failed `vec!` gives).
    pub(crate) fn try_zeroed<T: Copy + Default>(
        function: &'static str,
        argument: &'static str,
        len: usize,
    ) -> Result<Vec<T>, ShapeError> {
        let mut v = Vec::new();
        let bytes = len.saturating_mul(size_of::<T>());
        v.try_reserve_exact(len)
            .map_err(|_| Self::new(function, argument, ShapeErrorKind::Allocation { bytes }))?;
        v.resize(len, T::default());
        Ok(v)
    }

    /// Ok when a slice of `actual` elements holds the `needed` the call uses.
    pub(crate) fn check_at_least(
        function: &'static str,
        argument: &'static str,
        needed: usize,
        actual: usize,
    ) -> Result<(), ShapeError> {
        if needed <= actual {
            Ok(())
        } else {
            Err(Self::new(
                function,
                argument,
                ShapeErrorKind::TooShort { needed, actual },
            ))
        }
    }

    /// The number of rows of `len` elements split into rows of `cols`.
    ///
    /// `len == 0` is valid for any `cols` (zero rows); otherwise `cols` must be
    /// non-zero and divide `len`.
    pub(crate) fn rows(
        function: &'static str,
        argument: &'static str,
        len: usize,
        cols: usize,
    ) -> Result<usize, ShapeError> {
        if len == 0 {
            return Ok(0);
        }
        // One row (one sample through a layer, one softmax row): no
        // division, which is a good part of such a call's fixed cost.
        if len == cols {
            return Ok(1);
        }
        if cols == 0 {
            return Err(Self::new(
                function,
                "cols",
                ShapeErrorKind::ZeroCols { len },
            ));
        }
        if !len.is_multiple_of(cols) {
            return Err(Self::new(
                function,
                argument,
                ShapeErrorKind::NotMultiple { len, cols },
            ));
        }
        Ok(len / cols)
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: argument `{}`: ", self.function, self.argument)?;
        match &self.kind {
            ShapeErrorKind::Length { expected, actual } => {
                write!(f, "expected length {expected}, got {actual}")
            }
            ShapeErrorKind::ZeroCols { len } => {
                write!(f, "cols is 0 but the input has {len} elements")
            }
            ShapeErrorKind::NotMultiple { len, cols } => {
                write!(f, "length {len} is not a multiple of cols = {cols}")
            }
            ShapeErrorKind::Overflow { dims } => {
                write!(f, "the product of dims {dims:?} overflows usize")
            }
            ShapeErrorKind::Allocation { bytes } => {
                write!(f, "could not allocate {bytes} bytes")
            }
            ShapeErrorKind::TooShort { needed, actual } => {
                write!(f, "needs at least {needed} elements, got {actual}")
            }
            ShapeErrorKind::TooLarge { max, actual } => {
                write!(f, "{actual} is larger than the maximum {max}")
            }
        }
    }
}

impl std::error::Error for ShapeError {}
