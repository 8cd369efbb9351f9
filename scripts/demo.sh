#!/usr/bin/env bash
# Sets up what is missing, builds, and runs the main job: a short tour of what exists today
# (the local testnet replaces it once it exists):
#   1. the store's commit rate beside raw RocksDB, same run (1000-object commits);
#   2. the sequential reference executor on the `mixed` workload, persisted to a store;
#   3. replay-verify: re-execute those persisted commits from genesis and compare;
#   4. an in-process Remora cluster (a primary and 3 pre-executors on a simulated clock) on
#      the transfer workload, checked against the sequential reference in the same run.
# REMORA_DEMO_COMMITS and REMORA_DEMO_TXS shorten or lengthen it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh release
bench=build/release/tools/bench/remora-bench
inspect=build/release/tools/inspect/remora-inspect
dir=$(mktemp -d "${TMPDIR:-/tmp}/remora-demo-XXXXXX")
trap 'rm -rf "$dir"' EXIT

echo "== 1/4 storage: the Remora store against a raw RocksDB WriteBatch baseline"
"$bench" storage --db "$dir/storage" --commits "${REMORA_DEMO_COMMITS:-200}" \
    --objects-per-commit 1000 --seed 1
echo
echo "== 2/4 sequential reference: the mixed workload, commit by commit"
"$bench" sequential --workload mixed --txs "${REMORA_DEMO_TXS:-3000}" --seed 1 --db "$dir/seq"
echo
echo "== 3/4 replay-verify: re-execute the persisted commits from genesis"
"$inspect" --db "$dir/seq/store" replay-verify
echo
echo "== 4/4 Remora: a primary adopting pre-executed results, checked against the reference"
"$bench" remora --workload transfer --txs "${REMORA_DEMO_TXS:-3000}" --seed 1 --pre-executors 3
