#!/usr/bin/env bash
# Sets up what is missing, builds, and runs the main job: the storage benchmark, which commits
# 1000-object commits through the Remora store and through raw RocksDB in the same run and
# prints both rates and their ratio. (The local testnet replaces it once it exists.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh release
dir=$(mktemp -d "${TMPDIR:-/tmp}/remora-demo-XXXXXX")
trap 'rm -rf "$dir"' EXIT
build/release/tools/bench/remora-bench storage --db "$dir/bench" \
    --commits "${REMORA_DEMO_COMMITS:-200}" --objects-per-commit 1000 --seed 1
