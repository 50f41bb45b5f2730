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
//! Every x86 kernel is compiled with `#[target_feature]` for the features in
//! its row; rustc also turns on the features they imply (AVX, F16C, which are
//! checked too, and the SSE levels every AVX CPU has). Each kernel is only
//! called through a [`Supported`] token,
//! which can only be had for a tier whose features this CPU reports. So no
//! CPU is ever handed an instruction it lacks, whatever `RUSTFLAGS` the crate
//! was built with.
//!
//! The vector types behind the tiers are not reachable from outside the
//! crate, so safe code cannot make one on a CPU that lacks its features:
//!
//! ```compile_fail
//! use nn_kernels::Float;
//! use nn_kernels::simd::Vector; // private module
//! let v = <f32 as Float>::Avx512::splat(1.0);
//! ```
//!
//! ```compile_fail
//! // Nor through a generic bound: the `Vector` trait is not in scope.
//! fn make<T: nn_kernels::Float>(x: T) {
//!     let _ = T::Avx512::splat(x);
//! }
//! ```
//!
//! `NN_KERNELS_ISA=portable|avx2|avx512`, read once at the first kernel
//! call, caps the choice (for benches and CI); a tier the CPU lacks, or an
//! unknown value, leaves the best supported tier in place.

use std::sync::OnceLock;

/// An instruction-set tier of the kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// Plain Rust, vectorised by the compiler for the build's baseline target.
    Portable,
    /// x86-64 AVX2 with FMA.
    Avx2,
    /// x86-64 AVX-512 (F), with AVX2 and FMA.
    Avx512,
}

impl Isa {
    /// Every tier, worst first.
    pub const ALL: [Isa; 3] = [Isa::Portable, Isa::Avx2, Isa::Avx512];

    /// The tier's name as `NN_KERNELS_ISA` spells it: `portable`, `avx2`,
    /// `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// The tier named `name` (as [`Isa::name`] spells it), if any.
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

/// Proof that this CPU supports a tier: only [`Isa::supported`] makes one.
/// The `*_with_isa` entry points take it, so they can only run a tier the
/// CPU has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supported(Isa);

impl Supported {
    /// The tier.
    pub fn isa(self) -> Isa {
        self.0
    }
}

/// Every tier this CPU supports, worst first (always starts with
/// [`Isa::Portable`]). Detected once.
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
pub(crate) fn selected() -> Supported {
    static SELECTED: OnceLock<Supported> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let best = *detected().last().expect("portable is always supported");
        let cap = std::env::var("NN_KERNELS_ISA")
            .ok()
            .and_then(|v| Isa::from_name(&v));
        match cap {
            Some(cap) => Supported(best.min(cap)),
            None => Supported(best),
        }
    })
}

/// The supported tiers, worst first, detected once.
fn detected() -> &'static [Isa] {
    static DETECTED: OnceLock<Vec<Isa>> = OnceLock::new();
    DETECTED.get_or_init(|| Isa::ALL.into_iter().filter(|&isa| cpu_has(isa)).collect())
}

/// Whether the CPU has every feature the tier's kernels are compiled with.
/// Keep in step with the `#[target_feature]` lists in the `avx2` and
/// `avx512` kernel modules.
#[allow(unreachable_code)] // on non-x86 targets only Portable is reachable
fn cpu_has(isa: Isa) -> bool {
    match isa {
        Isa::Portable => true,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            is_x86_feature_detected!("avx")
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
        }
        #[cfg(target_arch = "x86_64")]
        // `avx512f` also turns on `f16c` in rustc's feature graph: check it too.
        Isa::Avx512 => {
            cpu_has(Isa::Avx2)
                && is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("f16c")
        }
        #[cfg(not(target_arch = "x86_64"))]
        _ => false,
    }
}

/// Lanes of the vectors tier `isa` runs `T` on (for tests that derive
/// their lengths from the vector width).
#[doc(hidden)]
pub fn vector_lanes<T: crate::Float>(isa: Isa) -> usize {
    use crate::simd::Vector;
    match isa {
        Isa::Portable => <T::Portable as Vector<T>>::LANES,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => <T::Avx2 as Vector<T>>::LANES,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => <T::Avx512 as Vector<T>>::LANES,
        #[allow(unreachable_patterns)]
        _ => 1,
    }
}
