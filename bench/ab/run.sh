#!/usr/bin/env bash
# Speed of this checkout against a baseline commit, side by side in one
# process (interleaved medians; see src/main.rs). Usage:
#   bench/ab/run.sh <baseline-commit> [--quick]
set -euo pipefail
cd "$(dirname "$0")"
base="${1:?baseline commit}"
shift
wt=../../target/ab-base
rm -rf "$wt"
git worktree prune
git worktree add --detach -f "$wt" "$base" > /dev/null
sed -i 's/^version = ".*"/version = "0.0.0"/' "$wt/Cargo.toml"
trap 'git worktree remove --force "$wt"' EXIT
features=()
if grep -qs "pub fn row_call" "$wt/src/internals.rs"; then
    features+=(--features base-internals)
else
    grep -q "enum Variant" "$wt/src/softmax/mod.rs" || features+=(--features base-after-11)
    grep -q "pub fn dense_packed_prefix" "$wt/src/dense.rs" 2> /dev/null && features+=(--features base-after-e50c324)
fi
cargo run --release --quiet "${features[@]}" -- "$@"
