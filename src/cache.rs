//! The data caches of the CPU the process runs on, detected once: the
//! GEMM's block sizes and path choices derive from them, so the crate fits
//! the machine it runs on rather than the one it was tuned on.
//!
//! Where the sizes come from, in order: on x86-64 the CPU's own cache
//! descriptors (CPUID leaf `0x8000001D` on AMD and Hygon, leaf 4 on Intel
//! and others); elsewhere, or where those are missing (some hypervisors),
//! Linux's `/sys/devices/system/cpu/cpu0/cache`; failing both,
//! [`Caches::FALLBACK`].

use std::sync::OnceLock;

/// Sizes of the data caches one core sees, in bytes.
///
/// ```
/// let c = nn_kernels::cache::caches();
/// assert!(c.l1d > 0 && c.l2 >= c.l1d && c.l3_sharing >= 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caches {
    /// Level-1 data cache of one core.
    pub l1d: usize,
    /// Level-2 cache as the CPU reports it (per core on the CPUs the crate
    /// is tuned for; not divided among cores that share it).
    pub l2: usize,
    /// The whole level-3 cache (0 if there is none).
    pub l3: usize,
    /// How many logical processors share the level-3 cache (at least 1).
    pub l3_sharing: usize,
}

impl Caches {
    /// Sizes assumed when the CPU reports none: 32 KiB L1d, 1 MiB L2,
    /// 8 MiB L3 shared by 8, a common desktop/server core of the last
    /// decade.
    ///
    /// ```
    /// use nn_kernels::cache::Caches;
    /// assert_eq!(Caches::FALLBACK.l3_share(), 1 << 20); // 8 MiB over 8
    /// ```
    pub const FALLBACK: Caches = Caches {
        l1d: 32 << 10,
        l2: 1 << 20,
        l3: 8 << 20,
        l3_sharing: 8,
    };

    /// This core's share of the L3 (the L2 size if there is no L3).
    ///
    /// ```
    /// use nn_kernels::cache::Caches;
    /// let c = Caches { l1d: 48 << 10, l2: 1 << 20, l3: 32 << 20, l3_sharing: 16 };
    /// assert_eq!(c.l3_share(), 2 << 20);
    /// assert_eq!(Caches { l3: 0, ..c }.l3_share(), 1 << 20); // no L3: the L2
    /// ```
    pub fn l3_share(&self) -> usize {
        if self.l3 == 0 {
            self.l2
        } else {
            self.l3 / self.l3_sharing.max(1)
        }
    }
}

/// The caches of this CPU, detected on the first call and cached.
///
/// ```
/// let c = nn_kernels::cache::caches();
/// println!("L1d {} KiB, L2 {} KiB, L3 {} MiB", c.l1d >> 10, c.l2 >> 10, c.l3 >> 20);
/// assert!(c.l1d > 0 && c.l2 >= c.l1d);
/// ```
pub fn caches() -> Caches {
    static CACHES: OnceLock<Caches> = OnceLock::new();
    *CACHES.get_or_init(|| sanitize(detect()))
}

/// Fills what detection missed from [`Caches::FALLBACK`] and keeps the
/// levels in order, so block sizes derived from them stay sensible.
fn sanitize(found: Option<Caches>) -> Caches {
    let f = Caches::FALLBACK;
    let Some(c) = found else { return f };
    let l1d = if c.l1d == 0 { f.l1d } else { c.l1d };
    let l2 = if c.l2 < l1d { f.l2.max(l1d) } else { c.l2 };
    Caches {
        l1d,
        l2,
        l3: c.l3,
        l3_sharing: c.l3_sharing.max(1),
    }
}

fn detect() -> Option<Caches> {
    // Miri runs neither CPUID nor (isolated) file reads: the fallback sizes.
    if cfg!(miri) {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(c) = x86::detect() {
        return Some(c);
    }
    linux_sysfs(0)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Caches;
    use std::arch::x86_64::{__cpuid_count, CpuidResult};

    // Newer compilers declare `__cpuid_count` safe; the MSRV's does not.
    #[allow(unused_unsafe)]
    fn cpuid(leaf: u32, sub: u32) -> CpuidResult {
        // SAFETY: CPUID exists on every x86-64 CPU; the leaves read here
        // are checked against the highest one the CPU reports first.
        unsafe { __cpuid_count(leaf, sub) }
    }

    /// The deterministic cache parameters (same layout in Intel's leaf 4
    /// and AMD's leaf `0x8000001D`): per sub-leaf, type (EAX 4:0; 0 ends the
    /// list, 2 is instructions), level (EAX 7:5), logical processors
    /// sharing it less one (EAX 25:14), and ways, partitions and line size
    /// less one (EBX 31:22, 21:12, 11:0) and sets less one (ECX).
    pub(super) fn detect() -> Option<Caches> {
        let vendor = cpuid(0, 0);
        let amd = (vendor.ebx, vendor.edx, vendor.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163)
            || (vendor.ebx, vendor.edx, vendor.ecx) == (0x6f67_7948, 0x6e65_476e, 0x656e_6975);
        let leaf = if amd {
            (cpuid(0x8000_0000, 0).eax >= 0x8000_001D).then_some(0x8000_001D)?
        } else {
            (vendor.eax >= 4).then_some(4)?
        };
        let mut c = Caches {
            l1d: 0,
            l2: 0,
            l3: 0,
            l3_sharing: 1,
        };
        for sub in 0..16 {
            let r = cpuid(leaf, sub);
            let kind = r.eax & 0x1f;
            if kind == 0 {
                break;
            }
            if kind == 2 {
                continue;
            }
            let level = (r.eax >> 5) & 7;
            let sharing = ((r.eax >> 14) & 0xfff) as usize + 1;
            let size = (((r.ebx >> 22) & 0x3ff) as usize + 1)
                * (((r.ebx >> 12) & 0x3ff) as usize + 1)
                * ((r.ebx & 0xfff) as usize + 1)
                * (r.ecx as usize + 1);
            match level {
                1 => c.l1d = size,
                2 => c.l2 = size,
                3 => (c.l3, c.l3_sharing) = (size, sharing),
                _ => {}
            }
        }
        (c.l1d > 0 && c.l2 > 0).then_some(c)
    }
}

/// Linux's view of the caches of CPU `cpu` (`index*/level`, `type`, `size`
/// like `48K`, `shared_cpu_list` like `0-15` or `0,8`).
fn linux_sysfs(cpu: usize) -> Option<Caches> {
    let dir = format!("/sys/devices/system/cpu/cpu{cpu}/cache");
    let dir = std::path::Path::new(&dir);
    let mut c = Caches {
        l1d: 0,
        l2: 0,
        l3: 0,
        l3_sharing: 1,
    };
    for i in 0..8 {
        let read = |f: &str| std::fs::read_to_string(dir.join(format!("index{i}/{f}"))).ok();
        let Some(level) = read("level") else { break };
        if read("type").is_some_and(|t| t.trim() == "Instruction") {
            continue;
        }
        let size = read("size").and_then(|s| parse_size(s.trim()))?;
        let sharing = read("shared_cpu_list").map_or(1, |s| count_cpus(s.trim()));
        match level.trim() {
            "1" => c.l1d = size,
            "2" => c.l2 = size,
            "3" => (c.l3, c.l3_sharing) = (size, sharing),
            _ => {}
        }
    }
    (c.l1d > 0 && c.l2 > 0).then_some(c)
}

/// `48K`, `1024K`, `32M` or a plain byte count.
fn parse_size(s: &str) -> Option<usize> {
    let (digits, unit) = match s.as_bytes().last()? {
        b'K' => (&s[..s.len() - 1], 1 << 10),
        b'M' => (&s[..s.len() - 1], 1 << 20),
        b'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(unit)
}

/// The number of CPUs in a list such as `0-3,8-11` or `0,8`.
fn count_cpus(s: &str) -> usize {
    s.split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => match (a.parse::<usize>(), b.parse::<usize>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => 1,
            },
            None => 1,
        })
        .sum::<usize>()
        .max(1)
}

#[cfg(feature = "internals")]
pub(crate) mod tests {
    use super::*;

    pub fn sysfs_formats_parse() {
        assert_eq!(parse_size("48K"), Some(48 << 10));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("K"), None);
        assert_eq!(count_cpus("0-15"), 16);
        assert_eq!(count_cpus("0,8"), 2);
        assert_eq!(count_cpus("0-3,8-11"), 8);
        assert_eq!(count_cpus("0"), 1);
    }

    pub fn missing_levels_fall_back_in_order() {
        assert_eq!(sanitize(None), Caches::FALLBACK);
        let odd = Caches {
            l1d: 0,
            l2: 16 << 10,
            l3: 0,
            l3_sharing: 0,
        };
        let c = sanitize(Some(odd));
        assert_eq!(c.l1d, Caches::FALLBACK.l1d);
        assert!(c.l2 >= c.l1d);
        assert_eq!(c.l3_sharing, 1);
        assert_eq!(c.l3_share(), c.l2);
    }

    pub fn detection_agrees_with_sysfs_where_both_exist() {
        // Two independent sources for the same hardware: on Linux x86-64
        // CPUID (of whichever core runs this) must match the sysfs sizes of
        // some CPU (hybrid CPUs have cores with different caches).
        #[cfg(target_arch = "x86_64")]
        if let Some(a) = x86::detect() {
            let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
            let sysfs: Vec<Caches> = (0..cpus.max(1)).filter_map(linux_sysfs).collect();
            if !sysfs.is_empty() {
                assert!(
                    sysfs
                        .iter()
                        .any(|b| (a.l1d, a.l2, a.l3) == (b.l1d, b.l2, b.l3)),
                    "CPUID {a:?}, sysfs {sysfs:?}"
                );
            }
        }
        let c = caches();
        assert!(c.l1d >= 4 << 10 && c.l2 >= c.l1d, "{c:?}");
    }
}
