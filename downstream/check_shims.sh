#!/usr/bin/env bash
# Builds the `kernels` binary of this user crate with `--emit=llvm-ir`, in
# the given profiles (default: dev and release), and checks with
# check_shims.py that it defines no function of nn-kernels but glue: the
# kernels are compiled in nn-kernels, not here. The dev profile is the
# strict one (nothing is inlined, so every function of nn-kernels compiled
# here shows); CI runs it alone, as the release build of nn-kernels it
# would add costs a minute and a half.
#
# Usage: downstream/check_shims.sh [dev] [release]
set -euo pipefail
cd "$(dirname "$0")"
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(dev release)
files=()
for profile in "${profiles[@]}"; do
    dir=target/$([ "$profile" = dev ] && echo debug || echo release)/deps
    rm -f "$dir"/kernels-*.ll
    touch src/bin/kernels.rs # cargo does not track the .ll: rebuild
    cargo rustc --quiet --profile "$profile" --bin kernels -- --emit=llvm-ir -C codegen-units=1
    files+=("$(ls -t "$dir"/kernels-*.ll | head -n 1)")
done
python3 check_shims.py "${files[@]}"
