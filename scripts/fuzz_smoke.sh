#!/usr/bin/env bash
# Builds the fuzz targets of the `fuzz` preset (Clang, libFuzzer, ASan+UBSan) and runs each briefly
# from its committed seed corpus (tests/fuzz/corpus/<target>/). New inputs go to a temporary
# directory, never into the repository. Usage: scripts/fuzz_smoke.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
targets=(fuzz_tx fuzz_vm fuzz_net fuzz_parsers)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${REMORA_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
    binary=$(find build/fuzz -type f -name "$target" -perm -u+x | head -n 1)
    if [[ -z "$binary" ]]; then
        echo "fuzz_smoke: $target was not built" >&2
        exit 1
    fi
    corpus=tests/fuzz/corpus/$target
    [[ -d "$corpus" ]] || { echo "fuzz_smoke: no seed corpus $corpus" >&2; exit 1; }
    mkdir -p "$work/$target"
    echo "fuzz_smoke: $target for ${seconds}s from $(ls "$corpus" | wc -l) seeds"
    if ! "$binary" -max_total_time="$seconds" -max_len=16384 -timeout=20 \
            -artifact_prefix="$work/$target-" "$work/$target" "$corpus" 2>"$work/$target.log"; then
        echo "fuzz_smoke: $target FAILED; its last output:" >&2
        tail -n 40 "$work/$target.log" >&2
        status=1
    else
        grep -E "^Done [0-9]+ runs|cov: [0-9]+ ft" "$work/$target.log" | tail -n 2
    fi
done
exit $status
