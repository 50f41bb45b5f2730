#!/usr/bin/env bash
# The dense-layer measurements behind BENCHMARKS.md's dense section, in one
# run: the crate's dense bench (every tier, fused/unfused, prepacked,
# matrixmultiply, naive, the FMA peak, the chapter's forward pass), then the
# peers at 1 and 2 threads on the same shapes, then ratios and the chart.
# Run from a quiet machine; takes about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
crit=(--warm-up-time 1 --measurement-time 3)
source bench/machine.sh

rm -rf target/criterion/dense_* target/criterion/fma_peak_* target/criterion/chapter_forward_* target/criterion/matmul_split_*
cargo bench -p nn-kernels-benches --bench dense -- "${crit[@]}"
python3 bench/criterion_csv.py --out bench/ours_dense.csv.tmp
grep -E "^(#|library,)|,(dense|fma_peak|chapter_forward)," bench/ours_dense.csv.tmp > bench/ours_dense.csv
rm bench/ours_dense.csv.tmp

python3 bench/peers.py --threads 1 --only dense,dense_relu,chapter_forward --out bench/peers_dense_1t.csv --wait-idle 300
python3 bench/peers.py --threads 2 --only dense,dense_relu,chapter_forward --out bench/peers_dense_2t.csv --wait-idle 300

python3 bench/compare.py --tier "$tier" --dense bench/ours_dense.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv | tee bench/ratios_dense.md
python3 bench/dense_table.py --tier "$tier" bench/ours_dense.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv > bench/dense_table.md
# The chart: the selected tier's plain and prepacked dense, matrixmultiply,
# and the peers.
grep -E "^(#|library,|nn-kernels/$tier,|nn-kernels/$tier-packed,|matrixmultiply,)" bench/ours_dense.csv > bench/ours_dense_selected.csv
python3 bench/chart.py bench/ours_dense_selected.csv bench/peers_dense_1t.csv bench/peers_dense_2t.csv \
    --families dense,chapter_forward \
    --title "Dense layer on $cpu: nn-kernels ($tier tier) vs peers; GFLOP/s, higher is better" \
    --out bench/dense.svg
