#!/usr/bin/env bash
# Sets up what is missing, builds, and runs the main job: the local testnet. A primary and two
# pre-executors start as real processes on loopback (mutual TLS with freshly generated
# credentials), each pre-executor bootstraps from the primary's snapshot, remora-loadgen submits
# the transfer workload at a fixed rate, every process is stopped with SIGTERM, and the commits
# the primary persisted are replayed with the sequential reference: `digest match: yes` is the
# invariant, end to end. About 30 s after the build.
#
# REMORA_DEMO_PRE_EXECUTORS, REMORA_DEMO_WORKLOAD, REMORA_DEMO_RATE and REMORA_DEMO_DURATION
# change the run; any arguments are passed on to `remora-testnet run` (e.g. --json, --dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh release
exec build/release/tools/testnet/remora-testnet run \
    --pre-executors "${REMORA_DEMO_PRE_EXECUTORS:-2}" \
    --workload "${REMORA_DEMO_WORKLOAD:-transfer}" \
    --rate "${REMORA_DEMO_RATE:-2000}" \
    --duration "${REMORA_DEMO_DURATION:-20}" "$@"
