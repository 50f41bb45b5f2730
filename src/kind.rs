//! Which element type a generic `T: Float` is, as a value the compiler can
//! check: [`Kind`], whose arms carry a proof ([`Same`]) that `T` is `f32` or
//! `f64`. Every public generic function matches on `T::KIND` and forwards
//! to a per-type entry compiled in this crate (see `crate::ops`), so a
//! user's build compiles only that match; a third element type would be a
//! non-exhaustive match, a compile error, at every one of them.

use std::marker::PhantomData;
use std::mem::ManuallyDrop;

/// Proof that `A` and `B` are the same type: [`Same::REFL`] is its only
/// constructor, and it exists only as `Same<T, T>`. So the casts below,
/// from `A` to `B`, are identities.
///
/// Invariant in both parameters (`fn(X) -> X`), so no subtyping can stretch
/// a proof between two different types.
pub struct Same<A, B>(PhantomData<Invariant<A, B>>);

/// `A` and `B`, invariant.
type Invariant<A, B> = (fn(A) -> A, fn(B) -> B);

impl<A, B> Clone for Same<A, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A, B> Copy for Same<A, B> {}

impl<A> Same<A, A> {
    /// The proof that a type is itself.
    pub(crate) const REFL: Self = Same(PhantomData);
}

impl<A, B> Same<A, B> {
    /// `s` as a slice of `B`.
    #[inline(always)]
    pub(crate) fn slice(self, s: &[A]) -> &[B] {
        // SAFETY: `A` and `B` are the same type (a `Same<A, B>` is only made
        // as `Same<T, T>`), so the slice's layout and values are `B`'s.
        unsafe { &*(s as *const [A] as *const [B]) }
    }

    /// `s` as a mutable slice of `B`.
    #[inline(always)]
    pub(crate) fn slice_mut(self, s: &mut [A]) -> &mut [B] {
        // SAFETY: as in `slice`.
        unsafe { &mut *(s as *mut [A] as *mut [B]) }
    }

    /// `v` as a `Vec` of `B`.
    #[inline(always)]
    pub(crate) fn vec(self, v: Vec<A>) -> Vec<B> {
        let mut v = ManuallyDrop::new(v);
        // SAFETY: as in `slice`: the allocation, length and capacity are
        // those of a `Vec<B>`, and `v` is not dropped.
        unsafe { Vec::from_raw_parts(v.as_mut_ptr().cast(), v.len(), v.capacity()) }
    }

    /// `v` as `B` (the same type).
    #[cfg_attr(not(feature = "internals"), allow(dead_code))]
    #[inline(always)]
    pub(crate) fn value(self, v: A) -> B
    where
        B: Copy,
    {
        self.slice(std::slice::from_ref(&v))[0]
    }

    /// The proof the other way round.
    #[inline(always)]
    pub(crate) fn flip(self) -> Same<B, A> {
        Same(PhantomData)
    }
}

/// The element type behind a `T: Float`: each arm holds the proof that `T`
/// is that type. `Float::KIND` gives it; a match on it folds away once `T`
/// is known.
pub enum Kind<T> {
    /// `T` is `f32`.
    F32(Same<T, f32>),
    /// `T` is `f64`.
    F64(Same<T, f64>),
}

/// `match T::KIND` with one arm per element type, each binding `$same`
/// (the [`Same`] proof) and evaluating `$body` with `$F` standing for the
/// concrete type (`f32` or `f64`), so that both arms are written once.
macro_rules! per_type {
    ($t:ty, |$same:ident, $F:ident| $body:expr) => {
        match <$t as $crate::float::Float>::KIND {
            $crate::kind::Kind::F32($same) => {
                #[allow(unused)]
                type $F = f32;
                $body
            }
            $crate::kind::Kind::F64($same) => {
                #[allow(unused)]
                type $F = f64;
                $body
            }
        }
    };
}
pub(crate) use per_type;

/// A family's per-type entry points: a trait with one method per form,
/// implemented here for `f32` and `f64` with each body calling the family's
/// generic driver at that type. The methods are neither generic nor
/// `#[inline]`, so their code (the driver and every kernel under it) is
/// compiled in this crate, once per type; a public generic function reaches
/// them through [`per_type!`] and is all a user's build compiles.
///
/// ```text
/// entry_points! {
///     pub(crate) trait UnaryEntry {
///         fn unary(op: UnaryOp, x: &[Self], out: &mut [Self]) -> Result<(), ShapeError> = driver;
///     }
/// }
/// ```
macro_rules! entry_points {
    (
        $(#[$attr:meta])*
        $vis:vis trait $name:ident {
            $(
                $(#[$mattr:meta])*
                fn $m:ident $(<$($lt:lifetime),*>)? ($($a:ident: $t:ty),* $(,)?) $(-> $r:ty)? = $driver:ident;
            )*
        }
    ) => {
        $(#[$attr])*
        $vis trait $name: Sized {
            $(
                $(#[$mattr])*
                fn $m $(<$($lt),*>)? ($($a: $t),*) $(-> $r)?;
            )*
        }
        $crate::kind::entry_points!(@impl f32, $name, $($m $(<$($lt),*>)? ($($a: $t),*) $(-> $r)? = $driver;)*);
        $crate::kind::entry_points!(@impl f64, $name, $($m $(<$($lt),*>)? ($($a: $t),*) $(-> $r)? = $driver;)*);
    };
    (@impl $ty:ty, $name:ident, $($m:ident $(<$($lt:lifetime),*>)? ($($a:ident: $t:ty),*) $(-> $r:ty)? = $driver:ident;)*) => {
        impl $name for $ty {
            $(
                fn $m $(<$($lt),*>)? ($($a: $t),*) $(-> $r)? {
                    $driver::<$ty>($($a),*)
                }
            )*
        }
    };
}
pub(crate) use entry_points;

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::*;

    pub fn casts_are_identities() {
        let same = Same::<f32, f32>::REFL;
        let x = [1.0f32, -0.0, f32::NAN];
        assert_eq!(same.slice(&x).as_ptr(), x.as_ptr());
        let v = same.vec(vec![2.0f32; 3]);
        assert_eq!(v, [2.0; 3]);
        let mut y = [0.0f32; 2];
        same.flip().slice_mut(&mut y)[1] = 5.0;
        assert_eq!(y, [0.0, 5.0]);
    }
}
