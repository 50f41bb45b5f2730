#!/usr/bin/env bash
# Every measurement behind BENCHMARKS.md, in one run on one machine:
# the crate's Criterion benches (default build, then -C target-cpu=native),
# the peers at 1 and 2 threads, then the CSVs, ratios and chart.
# Run from a quiet machine; takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
crit=(--warm-up-time 1 --measurement-time 3)
source bench/machine.sh

rm -rf target/criterion target/native/criterion
cargo bench -p nn-kernels-benches --bench softmax -- "${crit[@]}" 'softmax_(wide_)?f(32|64)/'
cargo bench -p nn-kernels-benches --bench relu -- "${crit[@]}"
python3 bench/criterion_csv.py --out bench/ours.csv

# The same code built for this CPU: only the one-thread runs of the best and
# portable tiers (the portable tier is where target-cpu makes a difference).
export CARGO_TARGET_DIR=target/native
RUSTFLAGS="-C target-cpu=native" cargo bench -p nn-kernels-benches --bench softmax -- "${crit[@]}" "softmax_f(32|64)/($tier|portable)/1t/"
RUSTFLAGS="-C target-cpu=native" cargo bench -p nn-kernels-benches --bench relu -- "${crit[@]}" "relu_f32/($tier|portable)/1t/"
unset CARGO_TARGET_DIR
python3 bench/criterion_csv.py --criterion target/native/criterion --label nn-kernels-native --out bench/ours_native.csv

python3 bench/peers.py --threads 1 --out bench/peers_1t.csv --wait-idle 300
python3 bench/peers.py --threads 2 --out bench/peers_2t.csv --wait-idle 300

python3 bench/compare.py --tier "$tier" bench/ours.csv bench/ours_native.csv bench/peers_1t.csv bench/peers_2t.csv | tee bench/ratios.md
# The chart shows the tier the crate selects here and the yardsticks.
grep -E "^(#|library,|nn-kernels/$tier,|copy_from_slice,|naive,)" bench/ours.csv > bench/ours_selected.csv
python3 bench/chart.py bench/ours_selected.csv bench/peers_1t.csv bench/peers_2t.csv --families softmax,relu \
    --title "Throughput on $cpu: nn-kernels ($tier tier, selected) vs peers; higher is better" \
    --out bench/throughput.svg

# The dense layer (issue 5) has its own script and outputs.
bash bench/run_dense.sh
