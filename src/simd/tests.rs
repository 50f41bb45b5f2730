//! The [`Vector`] defaults and overrides on every tier.

use super::*;
use crate::dispatch::{self, supported_isas};

/// [`Vector::lookup16`] and [`Vector::mul_pow2_floor`] against their
/// definitions, for one vector type.
fn check<T: Float, V: Vector<T>>(tier: &str) {
    // `madd_one` rounds as each lane of `madd` does. The products of
    // `1 + e` and `1 - e` (`1 - e²`, with `e²` below half an ulp of 1)
    // round differently fused and unfused, so a tier whose two forms
    // disagreed on fusing fails here.
    let e = T::from_f64(2f64.powi(-(T::MANTISSA_DIGITS as i32) / 2 - 1));
    for (a, b, c) in [
        (T::ONE + e, T::ONE - e, -T::ONE),
        (T::from_f64(0.1), T::from_f64(10.0), T::from_f64(-1.0)),
        (T::from_f64(-3.5), T::from_f64(0.25), T::from_f64(1e-3)),
        (T::NAN, T::ONE, T::ZERO),
    ] {
        let mut lanes = vec![T::ZERO; V::LANES];
        V::madd(V::splat(a), V::splat(b), V::splat(c)).store(&mut lanes);
        let one = V::madd_one(a, b, c);
        for (i, l) in lanes.iter().enumerate() {
            assert_eq!(
                one.to_bits_u64(),
                l.to_bits_u64(),
                "{tier} madd_one {a:?} {b:?} {c:?} lane {i}"
            );
        }
    }
    let table: [T; 16] = std::array::from_fn(|i| T::from_f64(i as f64 * 0.25 - 1.0));
    let magic = T::from_f64(1.5 * 2f64.powi(T::MANTISSA_DIGITS as i32 - 1));
    for start in [-40i32, -17, -1, 0, 5, 250] {
        // t = kn + magic holds kn in its low bits, as the exp makes it.
        let kn: Vec<T> = (0..V::LANES)
            .map(|i| T::from_f64((start + i as i32 * 3) as f64))
            .collect();
        let t: Vec<T> = kn.iter().map(|&k| k + magic).collect();
        let mut got = vec![T::NAN; V::LANES];
        V::lookup16(&table, V::load(&t)).store(&mut got);
        for (i, (&g, &k)) in got.iter().zip(&kn).enumerate() {
            let want = table[(k.to_f64() as i64).rem_euclid(16) as usize];
            assert_eq!(
                g.to_bits_u64(),
                want.to_bits_u64(),
                "{tier} lookup16 lane {i} kn {k}"
            );
        }
        let y: Vec<T> = (0..V::LANES)
            .map(|i| T::from_f64(1.0 + i as f64 / 8.0))
            .collect();
        let n: Vec<T> = kn.iter().map(|&k| k * T::from_f64(1.0 / 16.0)).collect();
        V::mul_pow2_floor(V::load(&y), V::load(&n)).store(&mut got);
        for i in 0..V::LANES {
            let want = T::from_f64(y[i].to_f64() * 2f64.powi(n[i].to_f64().floor() as i32));
            assert_eq!(
                got[i].to_bits_u64(),
                want.to_bits_u64(),
                "{tier} mul_pow2_floor lane {i}"
            );
        }
    }
    check_select_new_max::<T, V>(tier);
    check_reductions::<T, V>(tier);
    check_store_prefix_at_end::<T, V>(tier);
    let mut got = vec![T::ZERO; V::LANES];
    V::mul_pow2_floor(V::splat(T::NAN), V::splat(T::ONE)).store(&mut got);
    assert!(got.iter().all(|g| g.is_nan()), "{tier}: NaN in y");
    V::mul_pow2_floor(V::splat(T::ONE), V::splat(T::NAN)).store(&mut got);
    assert!(got.iter().all(|g| g.is_nan()), "{tier}: NaN in n");
}

/// [`Vector::reduce_add`] and [`Vector::reduce_max_fast`] bit for bit
/// against their definition ([`pairwise`] over the lanes, with `+` and
/// `if y > x { y } else { x }`): values that no two orders of the sum
/// round alike (powers of two apart by more than the mantissa, so each
/// order keeps different ones), ties of `+0` and `-0` (which max keeps
/// depends on the operand order), and NaN or infinities in one lane. Each
/// pattern is rotated through every lane, so a lane taken from the wrong
/// place or an operand swap shows up.
fn check_reductions<T: Float, V: Vector<T>>(tier: &str) {
    let big = T::from_f64(2f64.powi(T::MANTISSA_DIGITS as i32 + 1));
    let patterns: [&dyn Fn(usize) -> T; 5] = [
        &|i| match i % 4 {
            0 => big,
            1 => T::ONE,
            2 => -big,
            _ => T::from_f64(0.75 + i as f64),
        },
        &|i| if i % 3 == 0 { -T::ZERO } else { T::ZERO },
        &|i| {
            if i == 1 {
                T::NAN
            } else {
                T::from_f64(i as f64)
            }
        },
        &|i| {
            if i == 2 {
                T::INFINITY
            } else {
                -T::from_f64(i as f64)
            }
        },
        &|i| T::from_f64((i as f64 * 0.37).sin() * 1e3),
    ];
    let same = |g: T, w: T| g.to_bits_u64() == w.to_bits_u64() || (g.is_nan() && w.is_nan());
    for (p, pattern) in patterns.iter().enumerate() {
        for rot in 0..V::LANES {
            let a: Vec<T> = (0..V::LANES)
                .map(|i| pattern((i + rot) % V::LANES))
                .collect();
            let v = V::load(&a);
            let (sum, max) = match V::LANES {
                2 => (
                    pairwise([a[0], a[1]], |x, y| x + y),
                    pairwise([a[0], a[1]], max_rule),
                ),
                4 => (
                    pairwise(first::<T, 4>(&a), |x, y| x + y),
                    pairwise(first::<T, 4>(&a), max_rule),
                ),
                8 => (
                    pairwise(first::<T, 8>(&a), |x, y| x + y),
                    pairwise(first::<T, 8>(&a), max_rule),
                ),
                16 => (
                    pairwise(first::<T, 16>(&a), |x, y| x + y),
                    pairwise(first::<T, 16>(&a), max_rule),
                ),
                32 => (
                    pairwise(first::<T, 32>(&a), |x, y| x + y),
                    pairwise(first::<T, 32>(&a), max_rule),
                ),
                n => panic!("{tier}: no reduction check for {n} lanes"),
            };
            let (got_sum, got_max) = (v.reduce_add(), v.reduce_max_fast());
            assert!(
                same(got_sum, sum),
                "{tier} reduce_add pattern {p} rot {rot}: {got_sum:?} vs {sum:?}"
            );
            assert!(
                same(got_max, max),
                "{tier} reduce_max_fast pattern {p} rot {rot}: {got_max:?} vs {max:?}"
            );
        }
    }
}

/// [`Vector::store_prefix_at_end`] for every count `n`: the low `n` lanes,
/// in order, in the last `n` elements, and the elements before them
/// untouched.
fn check_store_prefix_at_end<T: Float, V: Vector<T>>(tier: &str) {
    let lanes: Vec<T> = (0..V::LANES).map(|i| T::from_f64(i as f64 + 1.0)).collect();
    let v = V::load(&lanes);
    let sentinel = T::from_f64(-7.0);
    for n in 1..=V::LANES {
        let mut d = vec![sentinel; V::LANES];
        v.store_prefix_at_end(&mut d, n);
        let keep = V::LANES - n;
        assert!(
            d[..keep].iter().all(|&x| x == sentinel),
            "{tier} n {n}: wrote before"
        );
        assert_eq!(&d[keep..], &lanes[..n], "{tier} store_prefix_at_end n {n}");
    }
}

fn max_rule<T: Float>(x: T, y: T) -> T {
    if y > x { y } else { x }
}

fn first<T: Float, const N: usize>(a: &[T]) -> [T; N] {
    std::array::from_fn(|i| a[i])
}

/// [`Vector::select_new_max`] against its rule for every ordered pair of
/// values that matter to it (NaN, both infinities, both zeros, ties), each
/// pair in every lane, the other lanes holding other pairs: a lane mix-up
/// or a swapped operand changes some lane's answer.
fn check_select_new_max<T: Float, V: Vector<T>>(tier: &str) {
    let vals = [
        T::NAN,
        T::NEG_INFINITY,
        -T::MAX,
        -T::ONE,
        -T::ZERO,
        T::ZERO,
        T::ONE,
        T::MAX,
        T::INFINITY,
    ];
    let pairs: Vec<(T, T)> = vals
        .iter()
        .flat_map(|&b| vals.iter().map(move |&v| (b, v)))
        .collect();
    for start in 0..pairs.len() {
        let lane = |i: usize| pairs[(start + i * 5) % pairs.len()];
        let best: Vec<T> = (0..V::LANES).map(|i| lane(i).0).collect();
        let v: Vec<T> = (0..V::LANES).map(|i| lane(i).1).collect();
        // `a` and `b` distinct in every lane, so the answer names the side.
        let a: Vec<T> = (0..V::LANES).map(|i| T::from_f64(i as f64 + 0.5)).collect();
        let b: Vec<T> = (0..V::LANES)
            .map(|i| T::from_f64(-(i as f64) - 0.5))
            .collect();
        let mut got = vec![T::ZERO; V::LANES];
        V::select_new_max(V::load(&best), V::load(&v), V::load(&a), V::load(&b)).store(&mut got);
        for i in 0..V::LANES {
            // NumPy's argmax step, spelled out: the first NaN wins and stays.
            let takes = if best[i].is_nan() {
                false
            } else {
                v[i].is_nan() || v[i] > best[i]
            };
            let want = if takes { a[i] } else { b[i] };
            assert_eq!(
                got[i].to_bits_u64(),
                want.to_bits_u64(),
                "{tier} select_new_max lane {i}: best {:?} v {:?}",
                best[i],
                v[i]
            );
        }
    }
}

/// [`Vector::load_transposed`] and [`Vector::store_transposed`] of every
/// group size `g` against their definitions, for rows of `COLS`.
fn check_transposes<T: Float, V: Vector<T>, const COLS: usize>(tier: &str) {
    for g in 1..=V::LANES {
        // Distinct values, so a misplaced element cannot go unnoticed.
        let rows: Vec<T> = (0..g * COLS).map(|k| T::from_f64(k as f64 + 0.5)).collect();
        let cols = V::load_transposed::<COLS>(&rows, g);
        let mut lanes = vec![T::NAN; V::LANES];
        for (j, c) in cols.iter().enumerate() {
            c.store(&mut lanes);
            for (i, &got) in lanes.iter().enumerate() {
                let want = if i < g { rows[i * COLS + j] } else { T::ZERO };
                assert_eq!(
                    got.to_bits_u64(),
                    want.to_bits_u64(),
                    "{tier}: load_transposed, {g} rows of {COLS}, column {j} lane {i}"
                );
            }
        }
        // Back, into NaN: every element must be written, once, in place.
        let mut out = vec![T::NAN; g * COLS];
        V::store_transposed(&cols, &mut out, g);
        let same = out
            .iter()
            .zip(&rows)
            .all(|(o, r)| o.to_bits_u64() == r.to_bits_u64());
        assert!(same, "{tier}: store_transposed, {g} rows of {COLS}");
    }
}

/// The transposes for the row lengths the across-rows softmax uses:
/// 1 to 16, which covers under, at and over each tier's lane count.
fn check_all_transposes<T: Float, V: Vector<T>>(tier: &str) {
    macro_rules! cols {
        ($($c:literal)*) => { $(check_transposes::<T, V, $c>(tier);)* };
    }
    cols!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

struct Check;

impl Kernel for Check {
    type Output = ();
    fn run<S: Tier>(self, _: S) {
        let name = std::any::type_name::<S>();
        check::<f32, S::F32>(name);
        check::<f64, S::F64>(name);
        check::<f32, pair::Pair<f32, S::F32>>(name);
        check::<f64, pair::Pair<f64, S::F64>>(name);
        check_all_transposes::<f32, S::F32>(name);
        check_all_transposes::<f64, S::F64>(name);
        // Pairs, where the short rows take them (at most `MAX_LANES` lanes).
        if 2 * <S::F32 as Vector<f32>>::LANES <= MAX_LANES {
            check_all_transposes::<f32, pair::Pair<f32, S::F32>>(name);
        }
        if 2 * <S::F64 as Vector<f64>>::LANES <= MAX_LANES {
            check_all_transposes::<f64, pair::Pair<f64, S::F64>>(name);
        }
    }
}

pub fn trait_defaults_and_overrides_on_every_tier() {
    for isa in supported_isas() {
        dispatch::vectorize(isa, Check);
    }
}
