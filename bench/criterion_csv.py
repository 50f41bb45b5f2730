#!/usr/bin/env python3
"""Turn this crate's Criterion results into the CSV format of peers.py.

    python3 bench/criterion_csv.py [--criterion target/criterion] [--label nn-kernels] --out bench/ours.csv

Reads every `<group>/<function>/<value>/new/{benchmark,estimates}.json` under
the Criterion directory and writes one row per benchmark with the median time
per iteration. Ids are `softmax_f32/<tier>[-variant]/<threads>t/<shape>`,
`relu_f32/<tier or yardstick>/<threads>t/<n>`, `dense_f32/<tier[-variant] or yardstick>/<threads>t/<shape>`,
`fma_peak_f32/avx512/1t/16chains`, `chapter_forward_f32/<tier>/1t/300`;
the library column is `<label>/<tier>` (e.g. `nn-kernels/avx512`), or the
yardstick's name (`copy_from_slice`, `naive`).
"""
import argparse
import glob
import json
import os
import sys

COLUMNS = "library,op,dtype,shape,threads,median_us,throughput,unit"


def rows(root, label):
    for bench in sorted(glob.glob(os.path.join(root, "**", "new", "benchmark.json"), recursive=True)):
        with open(bench) as f:
            meta = json.load(f)
        with open(os.path.join(os.path.dirname(bench), "estimates.json")) as f:
            median_ns = json.load(f)["median"]["point_estimate"]
        group = meta["group_id"]  # e.g. softmax_f32
        if "_" not in group:
            continue
        op, dtype = group.rsplit("_", 1)
        if op.endswith("_split"):
            continue  # the threshold measurements, not a throughput figure
        parts = meta["function_id"].split("/")  # e.g. ["avx512", "1t"]
        name = parts[0]
        threads = parts[1].rstrip("t") if len(parts) > 1 else "1"
        shape = meta["value_str"]
        tp = meta.get("throughput") or {}
        elements = tp.get("Elements") or (tp.get("ElementsAndBytes") or {}).get("elements")
        if elements is None:
            continue
        per_s = elements / (median_ns * 1e-9)
        if name == "copy_from_slice":
            # peers.py's yardstick unit: bytes read plus written (8 per f32).
            throughput, unit = per_s * 8 / 1e9, "GB/s"
        elif op.startswith("dense") or op.startswith("matmul") or op == "fma_peak":
            throughput, unit = per_s / 1e9, "GFLOP/s"
        elif op == "chapter_forward":
            throughput, unit = per_s / 1e6, "Melem/s"
        else:
            throughput, unit = per_s / 1e9, "Gelem/s"
        library = name if name in ("copy_from_slice", "naive", "matrixmultiply") else f"{label}/{name}"
        out_op = "copy" if name == "copy_from_slice" else op
        yield f"{library},{out_op},{dtype},{shape},{threads},{median_ns / 1e3:.4f},{throughput:.5g},{unit}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", default="target/criterion")
    ap.add_argument("--label", default="nn-kernels")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    lines = list(rows(a.criterion, a.label))
    if not lines:
        sys.exit(f"no Criterion results under {a.criterion}")
    with open(a.out, "w") as f:
        f.write(f"# from {a.criterion} by bench/criterion_csv.py\n{COLUMNS}\n" + "\n".join(lines) + "\n")
    print(f"wrote {a.out}: {len(lines)} rows")


if __name__ == "__main__":
    main()
