//! The GEMM's cache budgets per microarchitecture: how much of which cache
//! each packed block takes, from a table keyed by what the CPU reports
//! (vendor, family, model), as OpenBLAS's and BLIS's per-architecture
//! configurations are.
//!
//! An entry states its budgets as shares of the caches the CPU reports
//! ([`crate::cache::caches`]), not as byte counts, so one entry holds for
//! every part of a family whatever its cache sizes. Each entry was
//! measured on its CPU with the calibration bench, which times the cubes
//! for every candidate share and prints the line to add here:
//!
//! ```text
//! cargo bench -p nn-kernels-benches --bench calibrate
//! ```
//!
//! A CPU with no entry gets [`Shares::DEFAULT`] (W's micro-panel an eighth
//! of L2, X's packed block half of it), the shares measured on Zen 4 and
//! Zen 5, which the table repeats for them.
//!
//! `NN_KERNELS_GEMM_SHARES=w_panel,x_block` (each `L1d/2`, `L2/8` and so
//! on), read once at the first product, replaces the table's shares: for
//! trying a CPU's budgets without a rebuild.

use std::sync::OnceLock;

use crate::cache::Caches;

/// A cache level whose reported size a budget is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The level-1 data cache of one core.
    L1d,
    /// The level-2 cache of one core.
    L2,
}

/// `num / den` of a cache level's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// The level.
    pub level: Level,
    /// The numerator.
    pub num: usize,
    /// The denominator (at least 1).
    pub den: usize,
}

impl Share {
    /// `num / den` of `level`.
    pub const fn of(level: Level, num: usize, den: usize) -> Share {
        Share { level, num, den }
    }

    /// The share in bytes of caches `c`.
    pub fn bytes(self, c: &Caches) -> usize {
        let size = match self.level {
            Level::L1d => c.l1d,
            Level::L2 => c.l2,
        };
        size / self.den.max(1) * self.num
    }

    /// Parses `L1d/2`, `L2/8`, `3L2/4` (the `Display` form).
    fn parse(s: &str) -> Option<Share> {
        let (lhs, den) = s.trim().split_once('/')?;
        let den = den.parse().ok().filter(|&d| d > 0)?;
        let (num, level) = match lhs.find('L') {
            Some(0) => (1, lhs),
            Some(i) => (lhs[..i].parse().ok()?, &lhs[i..]),
            None => return None,
        };
        let level = match level {
            "L1d" => Level::L1d,
            "L2" => Level::L2,
            _ => return None,
        };
        Some(Share::of(level, num, den))
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::L1d => "L1d",
            Level::L2 => "L2",
        };
        match self.num {
            1 => write!(f, "{level}/{}", self.den),
            n => write!(f, "{n}{level}/{}", self.den),
        }
    }
}

/// The budgets of a CPU's packed blocks.
///
/// ```
/// use nn_kernels::internals::{Level, Share, Shares};
/// assert_eq!(Shares::DEFAULT.w_panel, Share::of(Level::L2, 1, 8));
/// assert_eq!(Shares::DEFAULT.to_string(), "L2/8,L2/2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shares {
    /// W's `KC x NR` micro-panel, which every `MR`-row panel of X's block
    /// streams past: it sets `KC` (within `KC_MIN..=KC_MAX`).
    pub w_panel: Share,
    /// X's packed `MC x KC` block: it sets `MC`.
    pub x_block: Share,
}

impl Shares {
    /// The shares of a CPU without an entry: W's micro-panel an eighth of
    /// L2, X's block half of it (measured on Zen 4 and Zen 5: BENCHMARKS.md,
    /// "Block sizes").
    pub const DEFAULT: Shares = Shares {
        w_panel: Share::of(Level::L2, 1, 8),
        x_block: Share::of(Level::L2, 1, 2),
    };

    /// Parses the `Display` form, `w_panel,x_block` (`L2/8,L2/2`).
    pub fn parse(s: &str) -> Option<Shares> {
        let (w, x) = s.split_once(',')?;
        Some(Shares {
            w_panel: Share::parse(w)?,
            x_block: Share::parse(x)?,
        })
    }
}

impl std::fmt::Display for Shares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{}", self.w_panel, self.x_block)
    }
}

/// What CPUID says the CPU is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuId {
    /// `AuthenticAMD`, `GenuineIntel`, ... (12 bytes).
    pub vendor: [u8; 12],
    /// The display family (base family plus extended family).
    pub family: u32,
    /// The display model (with the extended model where the family has one).
    pub model: u32,
}

impl CpuId {
    /// The CPU this process runs on; `None` off x86-64 and under Miri.
    pub fn detect() -> Option<CpuId> {
        if cfg!(miri) {
            return None;
        }
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::__cpuid;
            // SAFETY: CPUID exists on every x86-64 CPU; leaves 0 and 1
            // exist on every one.
            #[allow(unused_unsafe)] // safe on newer compilers
            let (v, l1) = unsafe { (__cpuid(0), __cpuid(1)) };
            let mut vendor = [0; 12];
            for (i, r) in [v.ebx, v.edx, v.ecx].into_iter().enumerate() {
                vendor[4 * i..4 * i + 4].copy_from_slice(&r.to_le_bytes());
            }
            let base_family = (l1.eax >> 8) & 0xf;
            let family = match base_family {
                0xf => base_family + ((l1.eax >> 20) & 0xff),
                f => f,
            };
            let model = match base_family {
                0x6 | 0xf => ((l1.eax >> 4) & 0xf) | (((l1.eax >> 16) & 0xf) << 4),
                _ => (l1.eax >> 4) & 0xf,
            };
            Some(CpuId {
                vendor,
                family,
                model,
            })
        }
        #[cfg(not(target_arch = "x86_64"))]
        None
    }
}

/// One line of the table.
#[derive(Debug)]
pub struct Entry {
    /// The microarchitecture.
    pub name: &'static str,
    /// CPUID's vendor string.
    pub vendor: &'static [u8; 12],
    /// The display family.
    pub family: u32,
    /// Inclusive ranges of display models of this microarchitecture.
    pub models: &'static [(u32, u32)],
    /// The budgets measured on it.
    pub shares: Shares,
}

impl Entry {
    fn matches(&self, id: &CpuId) -> bool {
        *self.vendor == id.vendor
            && self.family == id.family
            && self
                .models
                .iter()
                .any(|&(a, b)| (a..=b).contains(&id.model))
    }
}

const AMD: &[u8; 12] = b"AuthenticAMD";
const INTEL: &[u8; 12] = b"GenuineIntel";

/// The table. A line per microarchitecture measured with the calibration
/// bench (BENCHMARKS.md, "Block sizes", has each one's figures); the model
/// ranges are AMD's for the core (family 19h: Zen 3 and Zen 4, 1Ah: Zen 5)
/// and Intel's for the server parts of one core (family 6).
pub const TABLE: &[Entry] = &[
    Entry {
        name: "Zen 3",
        vendor: AMD,
        family: 0x19,
        models: &[(0x00, 0x0f), (0x20, 0x2f), (0x40, 0x5f)],
        // Its L2 is half of Zen 4's: X's block at half of it left W's
        // panels too little room (3% slower on the cubes).
        shares: Shares {
            w_panel: Share::of(Level::L1d, 1, 1),
            x_block: Share::of(Level::L2, 1, 4),
        },
    },
    Entry {
        name: "Zen 4",
        vendor: AMD,
        family: 0x19,
        models: &[(0x10, 0x1f), (0x60, 0x7f), (0xa0, 0xaf)],
        shares: Shares::DEFAULT,
    },
    Entry {
        name: "Zen 5",
        vendor: AMD,
        family: 0x1a,
        models: &[(0x00, 0x4f)],
        shares: Shares::DEFAULT,
    },
    Entry {
        // Sapphire Rapids (model 8Fh) and Emerald Rapids (CFh): Golden
        // Cove and Raptor Cove cores. The default shares won the
        // calibration on Emerald Rapids; Sapphire Rapids, the same core,
        // was not measured.
        name: "Sapphire Rapids",
        vendor: INTEL,
        family: 0x6,
        models: &[(0x8f, 0x8f), (0xcf, 0xcf)],
        shares: Shares::DEFAULT,
    },
];

/// The table's entry for `id`, if any.
pub fn entry_for(id: &CpuId) -> Option<&'static Entry> {
    TABLE.iter().find(|e| e.matches(id))
}

/// Where this process's shares came from, and what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selected {
    /// The table entry's name, `"NN_KERNELS_GEMM_SHARES"` for the
    /// variable, or `"default"`.
    pub source: &'static str,
    /// The shares.
    pub shares: Shares,
}

/// The shares of this CPU: the variable's, the table entry's or the
/// default, decided on the first call and cached.
pub fn selected() -> Selected {
    static SELECTED: OnceLock<Selected> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let entry = CpuId::detect().as_ref().and_then(entry_for);
        let var = std::env::var("NN_KERNELS_GEMM_SHARES").ok();
        let (source, shares) = match (var.as_deref().and_then(Shares::parse), entry) {
            (Some(shares), _) => ("NN_KERNELS_GEMM_SHARES", shares),
            (None, Some(e)) => (e.name, e.shares),
            (None, None) => ("default", Shares::DEFAULT),
        };
        Selected { source, shares }
    })
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::*;

    pub fn shares_parse_what_they_print() {
        for s in ["L2/8,L2/2", "L1d/2,3L2/4", "L1d/1,L2/4"] {
            let shares = Shares::parse(s).expect(s);
            assert_eq!(shares.to_string(), s);
        }
        for bad in [
            "",
            "L2/8",
            "L3/8,L2/2",
            "L2/0,L2/2",
            "xL2/8,L2/2",
            "L2,L2/2",
        ] {
            assert_eq!(Shares::parse(bad), None, "{bad}");
        }
        let c = crate::cache::Caches::FALLBACK;
        assert_eq!(Share::of(Level::L2, 3, 4).bytes(&c), 3 << 18);
        assert_eq!(Share::of(Level::L1d, 1, 2).bytes(&c), 16 << 10);
    }

    pub fn table_entries_do_not_overlap() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                if a.vendor == b.vendor && a.family == b.family {
                    for &(a0, a1) in a.models {
                        for &(b0, b1) in b.models {
                            assert!(a1 < b0 || b1 < a0, "{} and {}", a.name, b.name);
                        }
                    }
                }
            }
        }
    }

    pub fn the_cpus_measured_find_their_entry() {
        // The CPUs BENCHMARKS.md's figures come from (`lscpu`'s family and
        // model).
        let amd = *AMD;
        for (family, model, name) in [(25, 1, "Zen 3"), (25, 17, "Zen 4"), (26, 2, "Zen 5")] {
            let id = CpuId {
                vendor: amd,
                family,
                model,
            };
            assert_eq!(entry_for(&id).map(|e| e.name), Some(name));
        }
        for model in [143, 207] {
            let id = CpuId {
                vendor: *INTEL,
                family: 6,
                model,
            };
            assert_eq!(entry_for(&id).map(|e| e.name), Some("Sapphire Rapids"));
        }
        // An Intel core not measured (Ice Lake server) has none.
        let icx = CpuId {
            vendor: *INTEL,
            family: 6,
            model: 106,
        };
        assert!(entry_for(&icx).is_none());
    }
}
