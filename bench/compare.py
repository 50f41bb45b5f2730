#!/usr/bin/env python3
"""Print the issue's target ratios (ours against peers and yardsticks) as
Markdown, from CSVs in peers.py's format.

    python3 bench/compare.py bench/ours.csv bench/ours_native.csv bench/peers_1t.csv bench/peers_2t.csv
    python3 bench/compare.py --dense bench/ours_dense.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv

"Ours" is the tier the crate selects on this CPU: `--tier NAME` (the bench
scripts pass what `cargo run --example selected_tier` prints), or by
default the best tier present in the CSVs; the native build is compared
tier for tier.
"""
import csv
import sys


def load(paths):
    rows = {}
    for p in paths:
        with open(p) as f:
            for r in csv.DictReader(line for line in f if not line.startswith("#")):
                key = (r["library"], r["op"], r["dtype"], r["shape"], r["threads"])
                rows[key] = float(r["throughput"])
    return rows


TIERS = ["avx512", "avx2", "portable"]  # best first


def tier_arg(rows):
    """The tier after --tier, else the best tier with rows in the CSVs."""
    if "--tier" in sys.argv:
        return sys.argv[sys.argv.index("--tier") + 1]
    present = {k[0].split("/", 1)[1].split("-")[0] for k in rows if k[0].startswith("nn-kernels/")}
    return next((t for t in TIERS if t in present), "portable")


def main():
    dense_only = "--dense" in sys.argv
    args = sys.argv[1:]
    if "--tier" in args:
        i = args.index("--tier")
        del args[i:i + 2]
    rows = load([a for a in args if not a.startswith("--")])
    tier = tier_arg(rows)
    best = f"nn-kernels/{tier}"

    def get(lib, op, dtype, shape, t):
        return rows.get((lib, op, dtype, shape, str(t)))

    def ratio_line(what, ours_key, peer_key, target, t):
        a, b = get(*ours_key, t), get(*peer_key, t)
        if a is None or b is None:
            return f"| {what} | {t} | missing | | | {target} | |"
        r = a / b
        ok = "met" if r >= target else "missed"
        return f"| {what} | {t} | {a:.3g} | {b:.3g} | {r:.2f}x | {target}x | {ok} |"

    if dense_only:
        dense_targets(get, ratio_line, best)
        return
    print("| target | threads | ours | yardstick | ratio | target | |")
    print("|---|---|---|---|---|---|---|")
    for t in (1, 2):
        for n, target in (("16777216", 0.95), ("4096", 0.8)):
            # copy is in GB/s (8 bytes per element); ReLU in Gelem/s.
            a, b = get(best, "relu", "f32", n, t), get("copy_from_slice", "copy", "f32", n, t)
            if a is not None and b is not None:
                r = a / (b / 8)
                ok = "met" if r >= target else "missed"
                print(f"| ReLU {n} vs copy_from_slice | {t} | {a:.3g} Gelem/s | {b / 8:.3g} Gelem/s | {r:.2f}x | {target}x | {ok} |")
            else:
                print(f"| ReLU {n} vs copy_from_slice | {t} | missing | | | {target}x | |")
        for shape, target in (("1024x1000", 1.3), ("64x32000", 1.3), ("8192x128", 1.3), ("4096x10", 3), ("300x3", 5)):
            print(ratio_line(f"softmax f32 {shape} vs ONNX Runtime", (best, "softmax", "f32", shape),
                             ("onnxruntime", "softmax", "f32", shape), target, t))
        print(ratio_line("softmax f64 1024x1000 vs PyTorch", (best, "softmax", "f64", "1024x1000"),
                         ("pytorch", "softmax", "f64", "1024x1000"), 1.3, t))
    dense_targets(get, ratio_line, best)
    print()
    print("Default build against `-C target-cpu=native` (1 thread, Gelem/s):")
    print()
    print(f"| kernel | shape | default {tier} | native {tier} | native portable | default / best native |")
    print("|---|---|---|---|---|---|")
    for op, dtype, shapes in (("softmax", "f32", ["300x3", "4096x10", "1024x1000", "64x32000", "8192x128"]),
                              ("softmax", "f64", ["1024x1000"]),
                              ("relu", "f32", ["4096", "262144", "16777216"])):
        for shape in shapes:
            d = get(best, op, dtype, shape, 1)
            na = get(f"nn-kernels-native/{tier}", op, dtype, shape, 1)
            npo = get("nn-kernels-native/portable", op, dtype, shape, 1)
            if None in (d, na, npo):
                print(f"| {op} {dtype} | {shape} | missing | | | |")
                continue
            print(f"| {op} {dtype} | {shape} | {d:.3g} | {na:.3g} | {npo:.3g} | {d / max(na, npo):.2f}x |")


def dense_targets(get, ratio_line, best):
    """Issue 5's targets: the dense layer against PyTorch and ONNX Runtime,
    fused against unfused, the chapter's shapes, and the FMA peak."""
    print()
    print(f"Dense layer (GFLOP/s; ours is the selected {best.split('/')[1]} tier):")
    print()
    print("| target | threads | ours | yardstick | ratio | target | |")
    print("|---|---|---|---|---|---|---|")
    for t in (1, 2):
        for shape in ("1024x1024x1024", "256x784x128"):
            print(ratio_line(f"dense f32 {shape} vs PyTorch", (best, "dense", "f32", shape),
                             ("pytorch", "dense", "f32", shape), 1.0, t))
        print(ratio_line("dense f32 64x4096x4096 prepacked vs ONNX Runtime (constant weights)",
                         (best + "-packed", "dense", "f32", "64x4096x4096"),
                         ("onnxruntime_const", "dense", "f32", "64x4096x4096"), 1.0, t))
        print(ratio_line("dense f64 1024x1024x1024 vs PyTorch", (best, "dense", "f64", "1024x1024x1024"),
                         ("pytorch", "dense", "f64", "1024x1024x1024"), 1.0, t))
        for dtype, shape in (("f32", "300x2x3"), ("f32", "300x3x3"), ("f32", "1x784x128"),
                             ("f32", "256x784x128"), ("f32", "1024x1024x1024"),
                             ("f32", "64x4096x4096"), ("f64", "1024x1024x1024")):
            print(ratio_line(f"dense+ReLU fused vs dense alone, {dtype} {shape}",
                             (best + "-relu", "dense", dtype, shape), (best, "dense", dtype, shape), 1.0, t))
        print(ratio_line("chapter forward pass (300 samples) vs NumPy", (best, "chapter_forward", "f32", "300"),
                         ("numpy", "chapter_forward", "f32", "300"), 20, t))
    print(ratio_line("dense f32 300x2x3 vs matrixmultiply (+ bias pass)", (best, "dense", "f32", "300x2x3"),
                     ("matrixmultiply", "dense", "f32", "300x2x3"), 5, 1))
    thr = get(best, "dense", "f32", "300x2x3", 1)
    if thr is not None:
        us = 2 * 300 * 2 * 3 / (thr * 1e9) * 1e6
        ok = "met" if us <= 0.4 else "missed"
        print(f"| dense f32 300x2x3, time per call | 1 | {us:.3f} µs | | | <= 0.4 µs | {ok} |")
    print()
    print("Against one core's FMA peak (`fma_peak`, same run), 1 thread:")
    print()
    print("| shape | ours GFLOP/s | peak GFLOP/s | fraction of peak |")
    print("|---|---|---|---|")
    for dtype, shape, variant in (("f32", "1024x1024x1024", ""), ("f32", "256x784x128", ""),
                                  ("f32", "64x4096x4096", "-packed"), ("f64", "1024x1024x1024", "")):
        ours, peak = get(best + variant, "dense", dtype, shape, 1), get(best, "fma_peak", dtype, "16chains", 1)
        if None in (ours, peak):
            print(f"| {dtype} {shape}{variant} | missing | | |")
        else:
            print(f"| {dtype} {shape}{variant} | {ours:.1f} | {peak:.1f} | {ours / peak:.2f} |")


if __name__ == "__main__":
    main()
