//! Which instruction set the kernels run on: detected once, cached, and
//! capped by the `NN_KERNELS_ISA` environment variable.
//!
//! The tiers, best first:
//!
//! | tier | needs | vectors |
//! |---|---|---|
//! | [`Isa::Avx512`] | AVX-512F, AVX2, FMA (and F16C, AVX, which they imply) | 512-bit |
//! | [`Isa::Avx2`] | AVX2, FMA (and AVX, which they imply) | 256-bit |
//! | [`Isa::Portable`] | nothing | what the build targets (SSE2 on x86-64 by default, NEON on aarch64) |
//!
//! Each tier is a type in `src/simd/` (one file per tier) that owns its
//! vector types, its CPU check and its one `#[target_feature]` function;
//! rustc also turns on the features a tier's imply (AVX, F16C, which are
//! checked too, and the SSE levels every AVX CPU has). Kernels are written
//! once, generic over the tier, and `vectorize` in this module is the one place
//! that runs one on a tier: only through a [`Supported`] token, which can
//! only be had for a tier whose features this CPU reports. So no CPU is
//! ever handed an instruction it lacks, whatever `RUSTFLAGS` the crate was
//! built with, and whatever `NN_KERNELS_ISA` asks for.
//!
//! Adding a tier is one new file in `src/simd/` (the token type
//! implementing `Tier`, with its two vector types and its GEMM tile) and
//! one line in the table at the `tiers!` call in this module, which makes the
//! [`Isa`] variant, its name, its CPU check and its dispatch arm.
//!
//! The vector types behind the tiers are not reachable from outside the
//! crate, so safe code cannot make one on a CPU that lacks its features:
//!
//! ```compile_fail
//! use nn_kernels::simd::Vector; // private module
//! let v = nn_kernels::simd::avx512::F32x16::splat(1.0);
//! ```
//!
//! ```compile_fail
//! // Nor through the element type: `Float` names no vector type.
//! fn make<T: nn_kernels::Float>(x: T) {
//!     let _ = T::Vec::<()>::splat(x);
//! }
//! ```
//!
//! `NN_KERNELS_ISA=portable|avx2|avx512`, read once at the first kernel
//! call, caps the choice (for benches and CI): the best tier this CPU
//! supports that is not above the cap. An unknown value leaves the best
//! supported tier in place.

use std::sync::OnceLock;

use crate::simd::{Kernel, SimdFloat, Tier, Vector};

/// The tier table: each line makes an [`Isa`] variant (worst first, the
/// order [`Isa`]'s `Ord` follows), its name for `NN_KERNELS_ISA`, its CPU
/// check ([`Tier::detect`]) and its arm in [`vectorize`] and
/// [`vector_property`]. A tier not compiled for this target (its `cfg` false)
/// keeps its variant, which is then never supported.
macro_rules! tiers {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, $(#[$cfg:meta])? $tier:path;
    )*) => {
        /// An instruction-set tier of the kernels.
        ///
        /// ```
        /// use nn_kernels::dispatch::Isa;
        /// assert!(Isa::Portable < Isa::Avx512); // ordered worst first
        /// assert!(Isa::Portable.supported().is_some()); // on every CPU
        /// ```
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Isa {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Isa {
            /// Every tier, worst first.
            ///
            /// ```
            /// use nn_kernels::dispatch::Isa;
            /// assert_eq!(Isa::ALL[0], Isa::Portable);
            /// assert!(Isa::ALL.windows(2).all(|w| w[0] < w[1]));
            /// ```
            pub const ALL: [Isa; [$(Isa::$variant),*].len()] = [$(Isa::$variant),*];

            /// The tier's name as `NN_KERNELS_ISA` spells it: `portable`,
            /// `avx2`, `avx512`.
            ///
            /// ```
            /// use nn_kernels::dispatch::Isa;
            /// assert_eq!(Isa::Avx2.name(), "avx2");
            /// assert_eq!(Isa::Avx2.to_string(), "avx2");
            /// ```
            pub fn name(self) -> &'static str {
                match self {
                    $(Isa::$variant => $name,)*
                }
            }
        }

        /// Whether the CPU has every feature the tier is compiled with.
        fn cpu_has(isa: Isa) -> bool {
            match isa {
                $($(#[$cfg])? Isa::$variant => <$tier as Tier>::detect(),)*
                #[allow(unreachable_patterns)]
                _ => false,
            }
        }

        /// Runs `kernel` on the tier `isa`, inside that tier's
        /// `#[target_feature]` function: the one place a tier's code is
        /// entered. Inlined into its caller, so that the kernel's arguments
        /// go straight to the tier's function (a call of its own here cost
        /// up to a third of a short kernel's time: BENCHMARKS.md, "Tiers as
        /// types").
        #[inline(always)]
        pub(crate) fn vectorize<K: Kernel>(isa: Supported, kernel: K) -> K::Output {
            match isa.0 {
                $(
                    $(#[$cfg])?
                    Isa::$variant => {
                        // SAFETY: a `Supported` token is only made for a
                        // tier `cpu_has` found on this CPU.
                        let tier = unsafe { <$tier as Tier>::token() };
                        tier.vectorize(kernel)
                    }
                )*
                #[allow(unreachable_patterns)]
                _ => unreachable!("a Supported token names a tier this build has"),
            }
        }

        /// `P`'s property of the vectors tier `isa` runs `T` on, read
        /// without entering the tier: each arm is a constant, so the call
        /// is a compare of `isa` ([`VectorProperty::ABSENT`] for a tier
        /// this build lacks).
        #[inline(always)]
        pub(crate) fn vector_property<T: SimdFloat, P: VectorProperty<T>>(isa: Isa) -> P::Value {
            match isa {
                $($(#[$cfg])? Isa::$variant => P::of::<<T as SimdFloat>::Vec<$tier>>(),)*
                #[allow(unreachable_patterns)]
                _ => P::ABSENT,
            }
        }
    };
}

/// A compile-time property of a tier's vectors (such as
/// [`Vector::LANES`]), for code that chooses before it enters a tier
/// ([`vector_property`]).
pub(crate) trait VectorProperty<T: SimdFloat> {
    /// The property's type.
    type Value;
    /// Its value for a tier this build lacks.
    const ABSENT: Self::Value;
    /// Its value for the vectors `V`.
    fn of<V: Vector<T>>() -> Self::Value;
}

/// [`Vector::LANES`] as a [`VectorProperty`] (1 for a tier this build
/// lacks).
struct Lanes;

impl<T: SimdFloat> VectorProperty<T> for Lanes {
    type Value = usize;
    const ABSENT: usize = 1;
    #[inline(always)]
    fn of<V: Vector<T>>() -> usize {
        V::LANES
    }
}

/// Lanes of the vectors tier `isa` runs `T` on (for tests that derive their
/// lengths from the vector width; 1 for a tier this build lacks).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub(crate) fn vector_lanes<T: SimdFloat>(isa: Isa) -> usize {
    vector_property::<T, Lanes>(isa)
}

tiers! {
    /// `wide`'s vectors compiled for the build's baseline target (SSE2 on
    /// x86-64, NEON on aarch64, simd128 on wasm32).
    Portable = "portable", crate::simd::portable::Portable;
    /// x86-64 AVX2 with FMA.
    Avx2 = "avx2", #[cfg(target_arch = "x86_64")] crate::simd::avx2::Avx2;
    /// x86-64 AVX-512 (F), with AVX2 and FMA.
    Avx512 = "avx512", #[cfg(target_arch = "x86_64")] crate::simd::avx512::Avx512;
}

impl Isa {
    /// The tier named `name` (as [`Isa::name`] spells it), if any.
    ///
    /// ```
    /// use nn_kernels::dispatch::Isa;
    /// assert_eq!(Isa::from_name(" AVX512 "), Some(Isa::Avx512));
    /// assert_eq!(Isa::from_name("sse9"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL
            .into_iter()
            .find(|isa| isa.name() == name.trim().to_ascii_lowercase())
    }

    /// A token for this tier if this CPU has every feature its kernels use.
    ///
    /// ```
    /// use nn_kernels::dispatch::Isa;
    /// assert!(Isa::Portable.supported().is_some()); // always
    /// for isa in Isa::ALL {
    ///     println!("{}: {}", isa.name(), isa.supported().is_some());
    /// }
    /// ```
    pub fn supported(self) -> Option<Supported> {
        detected().contains(&self).then_some(Supported(self))
    }
}

impl std::fmt::Display for Isa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Proof that this CPU supports a tier: only made for a tier found on this
/// CPU ([`Isa::supported`], [`supported_isas`], [`selected_isa`]). The
/// `*_with_isa` entry points take it, so they can only run a tier the CPU
/// has.
///
/// ```
/// use nn_kernels::dispatch::{Isa, supported_isas};
/// let best = supported_isas().last().expect("the portable tier always runs");
/// assert!(best.isa() >= Isa::Portable);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supported(Isa);

impl Supported {
    /// The tier.
    ///
    /// ```
    /// use nn_kernels::dispatch::Isa;
    /// let portable = Isa::Portable.supported().unwrap();
    /// assert_eq!(portable.isa(), Isa::Portable);
    /// ```
    pub fn isa(self) -> Isa {
        self.0
    }
}

/// Every tier this CPU supports, worst first (always starts with
/// [`Isa::Portable`]). Detected once.
///
/// ```
/// let tiers: Vec<_> = nn_kernels::dispatch::supported_isas().map(|s| s.isa()).collect();
/// assert_eq!(tiers[0], nn_kernels::dispatch::Isa::Portable);
/// assert!(tiers.contains(&nn_kernels::selected_isa()));
/// ```
pub fn supported_isas() -> impl Iterator<Item = Supported> {
    detected().iter().map(|&isa| Supported(isa))
}

/// The tier the public functions use: the best supported one, capped by
/// `NN_KERNELS_ISA`. Decided once per process.
///
/// ```
/// println!("kernels run on {}", nn_kernels::selected_isa());
/// ```
pub fn selected_isa() -> Isa {
    selected().isa()
}

/// The token for [`selected_isa`].
#[inline]
pub(crate) fn selected() -> Supported {
    static SELECTED: OnceLock<Supported> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let cap = std::env::var("NN_KERNELS_ISA")
            .ok()
            .and_then(|v| Isa::from_name(&v));
        best_supported(detected(), cap)
    })
}

/// The best of the `detected` tiers (worst first) not above `cap`: always
/// one of them, so the token names a tier this CPU has even if tiers did
/// not nest.
fn best_supported(detected: &[Isa], cap: Option<Isa>) -> Supported {
    let isa = detected
        .iter()
        .rev()
        .copied()
        .find(|&isa| cap.is_none_or(|cap| isa <= cap))
        .unwrap_or(Isa::Portable);
    Supported(isa)
}

/// The supported tiers, worst first, detected once.
fn detected() -> &'static [Isa] {
    static DETECTED: OnceLock<Vec<Isa>> = OnceLock::new();
    DETECTED.get_or_init(|| Isa::ALL.into_iter().filter(|&isa| cpu_has(isa)).collect())
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::*;

    pub fn the_cap_picks_a_detected_tier_at_or_below_it() {
        use Isa::*;
        // Tiers that do not nest: a CPU with AVX-512 but no AVX2 tier.
        let odd = [Portable, Avx512];
        assert_eq!(best_supported(&odd, Some(Avx2)).isa(), Portable);
        assert_eq!(best_supported(&odd, None).isa(), Avx512);
        let all = [Portable, Avx2, Avx512];
        assert_eq!(best_supported(&all, Some(Avx2)).isa(), Avx2);
        assert_eq!(best_supported(&all, Some(Portable)).isa(), Portable);
        assert_eq!(best_supported(&[Portable], Some(Avx512)).isa(), Portable);
    }
}
