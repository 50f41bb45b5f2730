#!/usr/bin/env python3
"""Print the dense-layer throughput table of BENCHMARKS.md (GFLOP/s, median;
"1 thread / 2 threads") from CSVs in peers.py's format.

    python3 bench/dense_table.py bench/ours_dense.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv
"""
import csv
import sys

SHAPES = [("f32", "300x2x3"), ("f32", "300x3x3"), ("f32", "1x784x128"), ("f32", "256x784x128"),
          ("f32", "1024x1024x1024"), ("f32", "64x4096x4096"), ("f64", "1024x1024x1024")]
ROWS = [
    ("ours, avx512 (selected)", "nn-kernels/avx512", "dense"),
    ("ours, avx512, fused ReLU", "nn-kernels/avx512-relu", "dense"),
    ("ours, avx512, ReLU as a second pass", "nn-kernels/avx512-unfused_relu", "dense"),
    ("ours, avx512, prepacked W", "nn-kernels/avx512-packed", "dense"),
    ("ours, avx512, prepacked W, fused ReLU", "nn-kernels/avx512-packed_relu", "dense"),
    ("ours, avx2", "nn-kernels/avx2", "dense"),
    ("ours, portable (matrixmultiply)", "nn-kernels/portable", "dense"),
    ("matrixmultiply + bias pass", "matrixmultiply", "dense"),
    ("naive loop", "naive", "dense"),
    ("NumPy (OpenBLAS)", "numpy", "dense"),
    ("ONNX Runtime, per-call W", "onnxruntime", "dense"),
    ("ONNX Runtime, constant W", "onnxruntime_const", "dense"),
    ("ONNX Runtime, constant W, MatMul+Add+Relu", "onnxruntime_const", "dense_relu"),
    ("PyTorch (MKL)", "pytorch", "dense"),
]


def main():
    rows = {}
    for path in sys.argv[1:]:
        with open(path) as f:
            for r in csv.DictReader(line for line in f if not line.startswith("#")):
                rows[(r["library"], r["op"], r["dtype"], r["shape"], r["threads"])] = float(r["throughput"])

    def cell(lib, op, dtype, shape):
        vals = [rows.get((lib, op, dtype, shape, t)) for t in ("1", "2")]
        if vals == [None, None]:
            return "–"
        return " / ".join("–" if v is None else f"{v:.3g}" for v in vals)

    print("| | " + " | ".join(f"{d} {s}" for d, s in SHAPES) + " |")
    print("|---" * (len(SHAPES) + 1) + "|")
    for name, lib, op in ROWS:
        print(f"| {name} | " + " | ".join(cell(lib, op, d, s) for d, s in SHAPES) + " |")
    print()
    print("Chapter forward pass (300 samples: Dense(2,3), ReLU, Dense(3,3), softmax, argmax), "
          "M samples/s, 1 thread / 2 threads:")
    print()
    print("| | f32 | f64 |")
    print("|---|---|---|")
    for name, lib in (("ours, avx512", "nn-kernels/avx512"), ("NumPy", "numpy")):
        print(f"| {name} | " + " | ".join(cell(lib, "chapter_forward", d, "300") for d in ("f32", "f64")) + " |")
    peak = [rows.get(("nn-kernels/avx512", "fma_peak", d, "16chains", "1")) for d in ("f32", "f64")]
    if None not in peak:
        print()
        print(f"FMA peak of one core (same run): {peak[0]:.1f} GFLOP/s f32, {peak[1]:.1f} GFLOP/s f64.")


if __name__ == "__main__":
    main()
