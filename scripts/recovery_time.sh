#!/usr/bin/env bash
# Recovery time of a primary (docs/BENCHMARKS.md, "Recovery time of a 1M-object primary"; issue
# 12): a primary node on a store of about 3 x ACCOUNTS + 30 objects (three per account: two coins
# and a compute object) is killed with SIGKILL, idle or under load, and restarted at once; the
# figure is the time from the kill to the first 200 from its /ready (docs/metrics.md), and the
# CPU the restarted node used until then. The store is built once
# (the node's own streamed genesis), then killed and restarted ROUNDS times. Prints one line per
# round and a summary; with --json one object.
#
# Usage: scripts/recovery_time.sh [--accounts N] [--rounds R] [--load RATE] [--dir DIR] [--json]
#   --accounts N  genesis accounts (default 333334: 1,000,032 objects)
#   --rounds R    kills (default 5)
#   --load RATE   run remora-loadgen at RATE tx/s against the primary while it is killed
#                 (default 0: idle)
#   --dir DIR     keep the node directory there (absent or empty); default a temporary one,
#                 removed at the end
# Every process it starts is recorded by pid and ended by that pid, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${REMORA_BUILD_DIR:-build/release}/tools
accounts=333334; rounds=5; load=0; dir=""; json=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --accounts) accounts=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --load) load=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --json) json=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "recovery_time.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for v in "$accounts" "$rounds" "$load"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "recovery_time.sh: '$v' is not a count" >&2; exit 2; }
done
for tool in node/remora-node loadgen/remora-loadgen; do
    [[ -x $B/$tool ]] || { echo "recovery_time.sh: $B/$tool is not built" >&2; exit 1; }
done

temp=""
if [[ -z $dir ]]; then
    temp=$(mktemp -d "${TMPDIR:-/tmp}/remora-recovery-XXXXXX")
    dir=$temp/primary
elif [[ -e $dir && -n $(ls -A "$dir") ]]; then
    echo "recovery_time.sh: $dir is not empty" >&2; exit 1
fi
node_pid=""; load_pid=""
cleanup() {
    local rc=$?
    if [[ -n $load_pid ]]; then kill -KILL "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; fi
    if [[ -n $node_pid ]]; then kill -KILL "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
    if [[ -n $temp ]]; then rm -rf "$temp"; fi
    exit "$rc"
}
trap cleanup EXIT

# Three free loopback ports (cluster, ingress, metrics), fixed for every restart.
read -r cluster ingress metrics < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()
PY
)
"$B/node/remora-node" init --role primary --dir "$dir" > /dev/null
log=$dir/node.log
start_node() {
    "$B/node/remora-node" --config "$dir/remora-node.toml" --net.listen 127.0.0.1 \
        --net.cluster_port "$cluster" --net.ingress_port "$ingress" --metrics.port "$metrics" \
        --workload.name transfer --workload.accounts "$accounts" --workload.seed 1 \
        >> "$log" 2>&1 &
    node_pid=$!
}
now_ns() { date +%s%N; }
# CPU milliseconds (user + system) the node has used: the recovery's cost apart from the
# machine's load, which stretches the wall-clock figure on a shared VM.
cpu_ms() {
    local fields; read -ra fields < "/proc/$node_pid/stat"
    echo $(( (fields[13] + fields[14]) * 1000 / $(getconf CLK_TCK) ))
}
# Polls /ready every 5 ms until 200 (or the node exits, or LIMIT seconds pass).
wait_ready() {
    local limit=$1 start; start=$(now_ns)
    while true; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
            "http://127.0.0.1:$metrics/ready" 2>/dev/null || true)
        [[ $code == 200 ]] && return 0
        if ! kill -0 "$node_pid" 2>/dev/null; then
            echo "recovery_time.sh: the node exited; its log:" >&2; tail -20 "$log" >&2; return 1
        fi
        (( ($(now_ns) - start) / 1000000000 < limit )) || {
            echo "recovery_time.sh: not ready after ${limit} s" >&2; return 1; }
        sleep 0.005
    done
}

t0=$(now_ns)
start_node
wait_ready 3600
genesis_s=$(( ($(now_ns) - t0) / 1000000 ))
objects=$(( 3 * accounts + 30 ))
[[ $json == 1 ]] || echo "store of $objects objects built by the node's genesis in ${genesis_s} ms"

times=(); cpus=()
for ((r = 1; r <= rounds; ++r)); do
    if (( load > 0 )); then
        "$B/loadgen/remora-loadgen" --target "127.0.0.1:$ingress" --workload transfer \
            --workload.seed 1 --workload.accounts "$accounts" --rate "$load" --duration 3600 \
            > /dev/null 2>&1 &
        load_pid=$!
        sleep 2
    else
        sleep 1
    fi
    t0=$(now_ns)
    kill -KILL "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
    start_node
    wait_ready 600
    ms=$(( ($(now_ns) - t0) / 1000000 ))
    cpu=$(cpu_ms)
    times+=("$ms")
    cpus+=("$cpu")
    if [[ -n $load_pid ]]; then
        kill -KILL "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true
        load_pid=""
    fi
    [[ $json == 1 ]] || echo "round $r: kill -9 -> /ready 200 in $ms ms ($cpu ms of CPU)"
done
python3 - "$objects" "$accounts" "$load" "$genesis_s" "$json" "${times[*]}" "${cpus[*]}" \
    "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
objects, accounts, load, genesis_ms, as_json = map(int, sys.argv[1:6])
ms = sorted(int(x) for x in sys.argv[6].split())
cpu = sorted(int(x) for x in sys.argv[7].split())
p50, cpu_p50 = ms[(len(ms) - 1) // 2], cpu[(len(cpu) - 1) // 2]
if as_json:
    print(json.dumps({"objects": objects, "accounts": accounts, "load_tps": load,
                      "genesis_ms": genesis_ms, "recovery_ms": ms, "recovery_ms_p50": p50,
                      "recovery_ms_max": ms[-1], "recovery_cpu_ms_p50": cpu_p50,
                      "loadavg_1m": float(sys.argv[8])}))
else:
    print(f"recovery of {objects} objects ({'idle' if load == 0 else f'{load} tx/s'}): "
          f"p50 {p50} ms, max {ms[-1]} ms over {len(ms)} kills; CPU to ready p50 {cpu_p50} ms; "
          f"load average {sys.argv[8]}")
PY
