#!/usr/bin/env bash
# The build cost a user pays, measured side by side in one run (the
# README's "Build cost" table; BENCHMARKS.md, "Build cost"):
#
# - the rebuild of this crate's `kernels` binary (four calls of nn-kernels,
#   f32 and f64) after an edit of its own source, against the same for its
#   `matrixmultiply` binary (sgemm and dgemm), release profile, median of
#   REPS touches, the two alternating; and the binaries' sizes;
# - with OLD (a checkout of another commit, e.g. a `git worktree` of the
#   commit before the kernels were compiled once), the same for a copy of
#   this crate built against it, alternating with the others;
# - the `speed` binary (a dense layer and a softmax, median of 200 calls)
#   built with --release, in the dev profile, and in the dev profile with
#   nn-kernels at opt-level 3 (the README's override).
#
# Usage: downstream/build_cost.sh [OLD_CHECKOUT]   (REPS=5 by default)
set -euo pipefail
cd "$(dirname "$0")"
reps="${REPS:-5}"
old="${1:-}"

crates=(".")
if [ -n "$old" ]; then
    # A copy of this crate against the old checkout, with the old API's
    # call of PackedWeights::new (it took the slice and its dims).
    copy=target/old-downstream
    rm -rf "$copy"
    mkdir -p "$copy/src/bin"
    sed "s|path = \"..\"|path = \"$(cd "$old" && pwd)\"|" Cargo.toml > "$copy/Cargo.toml"
    cp src/bin/matrixmultiply.rs "$copy/src/bin/"
    sed -e 's|PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap())|PackedWeights::new(\&w, k, n)|' \
        -e 's|Activation, Float, PackedWeights, Weights,|Activation, Float, PackedWeights,|' \
        src/bin/kernels.rs > "$copy/src/bin/kernels.rs"
    crates+=("$copy")
fi

for c in "${crates[@]}"; do
    (cd "$c" && cargo build --release --quiet --bin kernels --bin matrixmultiply)
done

# Seconds for one rebuild of binary $2 of crate $1 after a touch.
rebuild() {
    touch "$1/src/bin/$2.rs"
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$1" && cargo build --release --quiet --bin "$2")
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

median() {
    sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

declare -A times
for _ in $(seq "$reps"); do
    for c in "${crates[@]}"; do
        for b in kernels matrixmultiply; do
            times["$c $b"]+="$(rebuild "$c" "$b") "
        done
    done
done

echo "rebuild after a touch of the binary's own source, release, median of $reps ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs):"
for c in "${crates[@]}"; do
    name=$([ "$c" = . ] && echo "this checkout" || echo "OLD ($old)")
    for b in kernels matrixmultiply; do
        m=$(echo "${times["$c $b"]}" | tr ' ' '\n' | grep . | median)
        size=$(stat -c %s "$c/target/release/$b")
        echo "  $name, $b: $m s (all: ${times["$c $b"]}), binary $size bytes"
    done
done

echo "the speed binary (this checkout):"
cargo build --release --quiet --bin speed
echo "  --release:                     $(target/release/speed)"
cargo build --quiet --bin speed
echo "  dev:                           $(target/debug/speed)"
override=(--config 'profile.dev.package.nn-kernels.opt-level=3'
    --config 'profile.dev.package.nn-kernels.debug-assertions=false'
    --config 'profile.dev.package.nn-kernels.overflow-checks=false')
cargo build --quiet --bin speed "${override[@]}"
echo "  dev, nn-kernels at opt-level 3: $(target/debug/speed)"
