//! The instruction-set dispatch: detection, the `NN_KERNELS_ISA` cap, and the
//! tokens that keep a tier off a CPU that lacks it.

use crate::common;

use nn_kernels::dispatch::{Isa, selected_isa, supported_isas};

#[test]
fn detection_matches_the_cpu_and_every_tier_has_its_features() {
    let supported: Vec<Isa> = supported_isas().map(|s| s.isa()).collect();
    assert_eq!(supported[0], Isa::Portable, "portable is always there");
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = is_x86_feature_detected!("avx")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma");
        let avx512 =
            avx2 && is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("f16c");
        assert_eq!(supported.contains(&Isa::Avx2), avx2);
        assert_eq!(supported.contains(&Isa::Avx512), avx512);
        assert_eq!(Isa::Avx512.supported().is_some(), avx512);
    }
    #[cfg(not(target_arch = "x86_64"))]
    assert_eq!(supported, [Isa::Portable]);
    for s in supported_isas() {
        assert_eq!(s.isa().supported(), Some(s));
    }
}

#[test]
fn names_round_trip() {
    for isa in Isa::ALL {
        assert_eq!(Isa::from_name(isa.name()), Some(isa));
        assert_eq!(Isa::from_name(&isa.name().to_uppercase()), Some(isa));
        assert_eq!(isa.to_string(), isa.name());
    }
    assert_eq!(Isa::from_name("sse9"), None);
}

/// Without `NN_KERNELS_ISA` the best supported tier runs; with it, the lower
/// of the cap and the best. The variable is read once per process, so each
/// case runs this test binary again with the variable set, filtered to
/// `child_reports_selected_isa`, which prints its choice.
#[test]
fn env_var_caps_the_tier() {
    let best = supported_isas().last().unwrap().isa();
    if std::env::var_os("NN_KERNELS_ISA").is_none() {
        assert_eq!(selected_isa(), best);
    }
    for (value, want) in [
        ("portable", Isa::Portable),
        ("avx2", best.min(Isa::Avx2)),
        ("AVX512", best),
        ("nonsense", best),
    ] {
        let out = common::rerun_self()
            .args([
                "--exact",
                "dispatch::child_reports_selected_isa",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("NN_KERNELS_ISA", value)
            .env("NN_KERNELS_CHILD", "1")
            .output()
            .expect("run the test binary again");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}");
        let line = format!("selected={}", want.name());
        assert!(
            text.contains(&line),
            "NN_KERNELS_ISA={value}: wanted {line} in\n{text}"
        );
    }
}

/// Half of `env_var_caps_the_tier`: only prints when run as its child.
#[test]
fn child_reports_selected_isa() {
    if std::env::var_os("NN_KERNELS_CHILD").is_some() {
        // Run a kernel so the choice is exercised, then report it.
        let mut x = [-1.0f32, 2.0];
        nn_kernels::relu_inplace(&mut x);
        assert_eq!(x, [0.0, 2.0]);
        println!("selected={}", selected_isa().name());
    }
}
