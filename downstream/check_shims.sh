#!/usr/bin/env bash
# Builds the `kernels` binary of this user crate with `--emit=llvm-ir`, in
# the dev and the release profile, and checks with check_shims.py that it
# defines no function of nn-kernels but forwarding shims: the kernels are
# compiled in nn-kernels, not here.
set -euo pipefail
cd "$(dirname "$0")"
files=()
for profile in dev release; do
    dir=target/$([ "$profile" = dev ] && echo debug || echo release)/deps
    rm -f "$dir"/kernels-*.ll
    touch src/bin/kernels.rs # cargo does not track the .ll: rebuild
    cargo rustc --quiet --profile "$profile" --bin kernels -- --emit=llvm-ir -C codegen-units=1
    files+=("$(ls -t "$dir"/kernels-*.ll | head -n 1)")
done
python3 check_shims.py "${files[@]}"
