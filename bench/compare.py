#!/usr/bin/env python3
"""Print the issue's target ratios (ours against peers and yardsticks) as
Markdown, from CSVs in peers.py's format.

    python3 bench/compare.py bench/ours.csv bench/ours_native.csv bench/peers_1t.csv bench/peers_2t.csv

"Ours" is the tier the crate selects on this CPU (the best supported:
avx512 here); the native build is compared tier for tier.
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


def main():
    rows = load(sys.argv[1:])
    best = "nn-kernels/avx512"

    def get(lib, op, dtype, shape, t):
        return rows.get((lib, op, dtype, shape, str(t)))

    def ratio_line(what, ours_key, peer_key, target, t):
        a, b = get(*ours_key, t), get(*peer_key, t)
        if a is None or b is None:
            return f"| {what} | {t} | missing | | | {target} | |"
        r = a / b
        ok = "met" if r >= target else "missed"
        return f"| {what} | {t} | {a:.3g} | {b:.3g} | {r:.2f}x | {target}x | {ok} |"

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
    print()
    print("Default build against `-C target-cpu=native` (1 thread, Gelem/s):")
    print()
    print("| kernel | shape | default avx512 | native avx512 | native portable | default / best native |")
    print("|---|---|---|---|---|---|")
    for op, dtype, shapes in (("softmax", "f32", ["300x3", "4096x10", "1024x1000", "64x32000", "8192x128"]),
                              ("softmax", "f64", ["1024x1000"]),
                              ("relu", "f32", ["4096", "262144", "16777216"])):
        for shape in shapes:
            d = get(best, op, dtype, shape, 1)
            na = get("nn-kernels-native/avx512", op, dtype, shape, 1)
            npo = get("nn-kernels-native/portable", op, dtype, shape, 1)
            if None in (d, na, npo):
                print(f"| {op} {dtype} | {shape} | missing | | | |")
                continue
            print(f"| {op} {dtype} | {shape} | {d:.3g} | {na:.3g} | {npo:.3g} | {d / max(na, npo):.2f}x |")


if __name__ == "__main__":
    main()
