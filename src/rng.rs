//! Random numbers for weights and data.
//!
//! [`Dense::new`](crate::Dense::new) draws its weights from any
//! [`GaussianSource`]. With the default `chapter` feature, every `rand`
//! generator is one; the default is `DefaultRng` (Xoshiro256++), seeded
//! from a `u64` with `default_rng`, and `NumpyRandomState` reproduces
//! NumPy's legacy `np.random` stream bit for bit, so the chapter's numbers
//! come out exactly. Without the feature only the trait is here, and
//! `rand` is not compiled: implement it for your own generator, or build
//! layers from stored weights with [`Dense::from_parts`](crate::Dense::from_parts).

#[cfg(feature = "chapter")]
use rand::SeedableRng;

/// The crate's default generator: Xoshiro256++, fast and statistically sound
/// (not for cryptography).
///
/// ```
/// use nn_kernels::rng::{DefaultRng, GaussianSource};
/// use rand::SeedableRng;
/// let mut rng = DefaultRng::seed_from_u64(7);
/// assert!(rng.next_gaussian().is_finite());
/// ```
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub type DefaultRng = rand_xoshiro::Xoshiro256PlusPlus;

/// The default generator seeded from a `u64` (through SplitMix64, so nearby
/// seeds give unrelated streams).
///
/// ```
/// use nn_kernels::rng::{default_rng, GaussianSource};
/// let (mut a, mut b) = (default_rng(7), default_rng(7));
/// assert_eq!(a.next_gaussian(), b.next_gaussian());
/// ```
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub fn default_rng(seed: u64) -> DefaultRng {
    DefaultRng::seed_from_u64(seed)
}

/// A source of standard normal deviates, N(0, 1).
///
/// With the `chapter` feature, implemented for every `rand::Rng`
/// (Marsaglia's polar method on 53-bit uniforms; the second value of each
/// pair is dropped, since a blanket implementation has nowhere to keep it)
/// and for `NumpyRandomState` (NumPy's legacy `randn`, with its cached
/// second value). Any other generator can implement it:
///
/// ```
/// use nn_kernels::{Dense, rng::GaussianSource};
/// /// Not random: enough to show the trait (a real source returns N(0, 1)).
/// struct Alternating(f64);
/// impl GaussianSource for Alternating {
///     fn next_gaussian(&mut self) -> f64 {
///         self.0 = -self.0;
///         self.0
///     }
/// }
/// let layer = Dense::<f32>::new(2, 2, &mut Alternating(1.0)); // 0.01 * draws
/// assert_eq!(*layer.weights(), [-0.01, 0.01, -0.01, 0.01]);
/// ```
pub trait GaussianSource {
    /// The next standard normal deviate.
    fn next_gaussian(&mut self) -> f64;
}

#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
impl<R: rand::Rng + ?Sized> GaussianSource for R {
    fn next_gaussian(&mut self) -> f64 {
        // 53 random bits scaled into [0, 1).
        let mut uniform = || (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        polar_pair(&mut uniform).1
    }
}

/// Marsaglia's polar method, in NumPy's exact operation order: returns
/// `(f * x1, f * x2)`; NumPy hands out the second and caches the first.
#[cfg(feature = "chapter")]
fn polar_pair(mut uniform: impl FnMut() -> f64) -> (f64, f64) {
    loop {
        let x1 = 2.0 * uniform() - 1.0;
        let x2 = 2.0 * uniform() - 1.0;
        let r2 = x1 * x1 + x2 * x2;
        if r2 < 1.0 && r2 != 0.0 {
            let f = (-2.0 * r2.ln() / r2).sqrt();
            return (f * x1, f * x2);
        }
    }
}

#[cfg(feature = "chapter")]
const MT_N: usize = 624;
#[cfg(feature = "chapter")]
const MT_M: usize = 397;

/// NumPy's legacy `np.random.RandomState` (MT19937), bit for bit:
/// `NumpyRandomState::new(s)` is `np.random.seed(s)`, and
/// [`random_sample`](Self::random_sample) and [`randn`](Self::randn) return
/// what `np.random.random_sample()` and `np.random.randn()` would, in the same
/// order, including `randn`'s cached second value.
///
/// `randn` uses the platform's `ln`; NumPy's does too, so on one machine the
/// two agree to the bit (checked against committed NumPy fixtures).
///
/// ```
/// use nn_kernels::rng::NumpyRandomState;
/// let mut rng = NumpyRandomState::new(0); // np.random.seed(0)
/// assert_eq!(rng.randn(), 1.764052345967664); // np.random.randn()
/// assert_eq!(rng.randn(), 0.4001572083672233);
/// ```
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
#[derive(Clone)]
pub struct NumpyRandomState {
    key: [u32; MT_N],
    pos: usize,
    gauss: Option<f64>,
}

#[cfg(feature = "chapter")]
impl std::fmt::Debug for NumpyRandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRandomState")
            .field("pos", &self.pos)
            .field("gauss", &self.gauss)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "chapter")]
impl NumpyRandomState {
    /// A generator in the state `np.random.seed(seed)` leaves (any `u32`).
    ///
    /// ```
    /// use nn_kernels::rng::NumpyRandomState;
    /// let mut rng = NumpyRandomState::new(0); // np.random.seed(0)
    /// assert_eq!(rng.random_sample(), 0.5488135039273248); // np.random.random_sample()
    /// ```
    pub fn new(seed: u32) -> Self {
        let mut rng = NumpyRandomState {
            key: [0; MT_N],
            pos: MT_N,
            gauss: None,
        };
        rng.seed(seed);
        rng
    }

    /// Re-seeds, as `np.random.seed(seed)`: the cached gaussian is dropped.
    ///
    /// ```
    /// use nn_kernels::rng::NumpyRandomState;
    /// let mut rng = NumpyRandomState::new(0);
    /// let first = rng.randn();
    /// rng.randn();
    /// rng.seed(0);
    /// assert_eq!(rng.randn(), first);
    /// ```
    pub fn seed(&mut self, seed: u32) {
        // MT19937's init_genrand, as NumPy's mt19937_seed.
        let mut s = seed;
        for (i, k) in self.key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(i as u32 + 1);
        }
        self.pos = MT_N;
        self.gauss = None;
    }

    /// Regenerates the 624 words of state (MT19937's "twist").
    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        for i in 0..MT_N {
            let y = (self.key[i] & UPPER) | (self.key[(i + 1) % MT_N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.key[i] = self.key[(i + MT_M) % MT_N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    /// The next 32 random bits (MT19937's `genrand_int32`).
    ///
    /// ```
    /// use nn_kernels::rng::NumpyRandomState;
    /// let (mut a, mut b) = (NumpyRandomState::new(3), NumpyRandomState::new(3));
    /// // random_sample is built from two words: 27 and 26 of their high bits.
    /// let (hi, lo) = (a.next_u32() >> 5, a.next_u32() >> 6);
    /// assert_eq!(b.random_sample(), (hi as f64 * 67108864.0 + lo as f64) / 9007199254740992.0);
    /// ```
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == MT_N {
            self.twist();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform double in `[0, 1)` with 53 random bits, as
    /// `np.random.random_sample()`.
    ///
    /// ```
    /// use nn_kernels::rng::NumpyRandomState;
    /// let mut rng = NumpyRandomState::new(0);
    /// let u: Vec<f64> = (0..1000).map(|_| rng.random_sample()).collect();
    /// assert!(u.iter().all(|v| (0.0..1.0).contains(v)));
    /// ```
    pub fn random_sample(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal deviate, as NumPy's legacy `np.random.randn()`
    /// (polar method; every second call returns the cached value).
    ///
    /// ```
    /// use nn_kernels::rng::NumpyRandomState;
    /// let mut rng = NumpyRandomState::new(0);
    /// let z: Vec<f64> = (0..3).map(|_| rng.randn()).collect();
    /// assert_eq!(z, [1.764052345967664, 0.4001572083672233, 0.9787379841057392]); // np.random.randn(3)
    /// ```
    pub fn randn(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        let (cached, out) = polar_pair(|| self.random_sample());
        self.gauss = Some(cached);
        out
    }
}

#[cfg(feature = "chapter")]
impl GaussianSource for NumpyRandomState {
    fn next_gaussian(&mut self) -> f64 {
        self.randn()
    }
}
