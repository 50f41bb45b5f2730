#!/usr/bin/env python3
"""Print the dense-layer throughput table of BENCHMARKS.md (GFLOP/s, median;
"1 thread / 2 threads") from CSVs in peers.py's format.

    python3 bench/dense_table.py [--tier NAME] bench/ours_dense.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv

`--tier` names the tier the crate selects on the machine (the bench scripts
pass what `cargo run --example selected_tier` prints); by default, the best
tier present in the CSVs.
"""
import csv
import sys

SHAPES = [("f32", "300x2x3"), ("f32", "300x3x3"), ("f32", "1x784x128"), ("f32", "256x784x128"),
          ("f32", "1024x1024x1024"), ("f32", "64x4096x4096"), ("f64", "1024x1024x1024")]
TIERS = ["avx512", "avx2", "portable"]  # best first


def rows_for(tier):
    """The table's rows, with the selected tier's variants first."""
    return [
        (f"ours, {tier} (selected)", f"nn-kernels/{tier}", "dense"),
        (f"ours, {tier}, fused ReLU", f"nn-kernels/{tier}-relu", "dense"),
        (f"ours, {tier}, ReLU as a second pass", f"nn-kernels/{tier}-unfused_relu", "dense"),
        (f"ours, {tier}, prepacked W", f"nn-kernels/{tier}-packed", "dense"),
        (f"ours, {tier}, prepacked W, fused ReLU", f"nn-kernels/{tier}-packed_relu", "dense"),
    ] + [(f"ours, {t}", f"nn-kernels/{t}", "dense") for t in TIERS if t != tier] + [
        ("matrixmultiply + bias pass", "matrixmultiply", "dense"),
        ("naive loop", "naive", "dense"),
        ("NumPy (OpenBLAS)", "numpy", "dense"),
        ("ONNX Runtime, per-call W", "onnxruntime", "dense"),
        ("ONNX Runtime, constant W", "onnxruntime_const", "dense"),
        ("ONNX Runtime, constant W, MatMul+Add+Relu", "onnxruntime_const", "dense_relu"),
        ("PyTorch (MKL)", "pytorch", "dense"),
    ]



def main():
    args = sys.argv[1:]
    tier = None
    if "--tier" in args:
        i = args.index("--tier")
        tier = args[i + 1]
        del args[i:i + 2]
    rows = {}
    for path in args:
        with open(path) as f:
            for r in csv.DictReader(line for line in f if not line.startswith("#")):
                rows[(r["library"], r["op"], r["dtype"], r["shape"], r["threads"])] = float(r["throughput"])

    def cell(lib, op, dtype, shape):
        vals = [rows.get((lib, op, dtype, shape, t)) for t in ("1", "2")]
        if vals == [None, None]:
            return "–"
        return " / ".join("–" if v is None else f"{v:.3g}" for v in vals)

    if tier is None:
        present = {k[0].split("/", 1)[1].split("-")[0] for k in rows if k[0].startswith("nn-kernels/")}
        tier = next((t for t in TIERS if t in present), "portable")

    print("| | " + " | ".join(f"{d} {s}" for d, s in SHAPES) + " |")
    print("|---" * (len(SHAPES) + 1) + "|")
    for name, lib, op in rows_for(tier):
        print(f"| {name} | " + " | ".join(cell(lib, op, d, s) for d, s in SHAPES) + " |")
    print()
    print("Chapter forward pass (300 samples: Dense(2,3), ReLU, Dense(3,3), softmax, argmax), "
          "M samples/s, 1 thread / 2 threads:")
    print()
    print("| | f32 | f64 |")
    print("|---|---|---|")
    for name, lib in ((f"ours, {tier}", f"nn-kernels/{tier}"), ("NumPy", "numpy")):
        print(f"| {name} | " + " | ".join(cell(lib, "chapter_forward", d, "300") for d in ("f32", "f64")) + " |")
    peak = [rows.get((f"nn-kernels/{tier}", "fma_peak", d, "16chains", "1")) for d in ("f32", "f64")]
    if None not in peak:
        print()
        print(f"FMA peak of one core (same run): {peak[0]:.1f} GFLOP/s f32, {peak[1]:.1f} GFLOP/s f64.")


if __name__ == "__main__":
    main()
