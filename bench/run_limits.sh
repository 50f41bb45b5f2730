#!/usr/bin/env bash
# Ours against the machine's limits and against the peers, one after the
# other on one machine: the limits bench (FMA peak, bandwidth, the softmax's own
# arithmetic, the smallest calls, one-sample MLPs; every kernel beside its
# limit in one process), then the crate's Criterion softmax and chapter
# benches and peers.py's softmax and chapter rows at 1 and 2 threads, one
# after the other, and compare.py's ratios. Takes about 10 minutes on 2
# cores; run it on a quiet machine. Output: target/limits/ (limits.md,
# ours.csv, peers_1t.csv, peers_2t.csv, ratios.md).
#   bash bench/run_limits.sh [--no-torch]
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/limits
mkdir -p "$out"
source bench/machine.sh
cargo bench -p nn-kernels-benches --bench limits | tee "$out/limits.md"
rm -rf target/criterion
crit=(--warm-up-time 1 --measurement-time 2)
cargo bench -p nn-kernels-benches --bench softmax -- "${crit[@]}" "softmax_f(32|64)/$tier/"
cargo bench -p nn-kernels-benches --bench dense -- "${crit[@]}" "chapter_forward_f(32|64)/$tier"
python3 bench/criterion_csv.py --out "$out/ours.csv"
for t in 1 2; do
    python3 bench/peers.py --threads "$t" "$@" --only softmax,chapter_forward --out "$out/peers_${t}t.csv"
done
python3 bench/compare.py --tier "$tier" "$out/ours.csv" "$out/peers_1t.csv" "$out/peers_2t.csv" | tee "$out/ratios.md"
