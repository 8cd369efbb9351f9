#!/usr/bin/env bash
# The testnet series of docs/BENCHMARKS.md: the sequential reference on the workload, then the
# testnet with 0..P pre-executors at a fixed rate and with the rate search, one after the other
# on the same machine. Prints one markdown row per run. Usage:
#   scripts/testnet_series.sh [MAX_PRE_EXECUTORS=2] [RATE=2000] [DURATION=15] [WORKLOAD=transfer]
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-2}; rate=${2:-2000}; duration=${3:-15}; workload=${4:-transfer}
B=build/release/tools
out=$(mktemp -d "${TMPDIR:-/tmp}/remora-series-XXXXXX")
trap 'rm -rf "$out"' EXIT
"$B/bench/remora-bench" sequential --workload "$workload" --txs 20000 --seed 1 --db "$out/seq" \
    --json > "$out/seq.json"
python3 - "$out/seq.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"| sequential reference (in process, no network) | - | {r['tps']:.0f} | - | - | - | {1e6 / r['tps']:.1f} (all work) | - |")
PY
for mode in fixed search; do
    for p in $(seq 0 "$max"); do
        args=(run --pre-executors "$p" --workload "$workload" --duration "$duration" --json)
        [[ $mode == fixed ]] && args+=(--rate "$rate")
        [[ $mode == search ]] && args=(run --pre-executors "$p" --workload "$workload" --duration 5 --json)
        "$B/testnet/remora-testnet" "${args[@]}" > "$out/t.json" 2>/dev/null
        python3 - "$out/t.json" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); mode = sys.argv[2]
rate = f"{r['rate']:.0f}" + (" (searched)" if mode == "search" else "")
print(f"| testnet, {r['pre_executors']} pre-executors | {rate} | {r['tps']:.0f} | {r['latency_ms']['p50']:.1f} | "
      f"{r['latency_ms']['p99']:.1f} | {100 * r['hit_rate']:.1f}% | {r['primary_cpu_us_per_tx']:.1f} | "
      f"{'yes' if r['digest_match'] else 'NO'} |")
PY
    done
done
