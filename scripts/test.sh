#!/usr/bin/env bash
# Sets up what is missing, builds the release preset and runs the default test suite
# (every label but `slow`). Extra arguments go to ctest, e.g. scripts/test.sh -L crash
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh release
ctest --preset release -j "$(nproc)" "$@"
