#!/usr/bin/env bash
# Installs exactly the Debian 12 packages Remora needs that are not yet present.
# Does nothing (and needs no network) when everything is already installed.
# Usage: scripts/bootstrap.sh [fuzz] [lint]   (fuzz: also Clang and its sanitizer/libFuzzer
# runtimes, for the `fuzz` preset and scripts/fuzz_smoke.sh; lint: clang-format and clang-tidy,
# for scripts/lint.sh)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkgconf git python3
    librocksdb-dev rocksdb-tools
    libflatbuffers-dev flatbuffers-compiler
    libboost-dev libboost-program-options-dev
    libxxhash-dev libsodium-dev prometheus-cpp-dev libssl-dev
    catch2 libbenchmark-dev nlohmann-json3-dev gnuplot-nox
    libtomlplusplus-dev libspdlog-dev systemd libjemalloc-dev
)
for group in "$@"; do
    case "$group" in
        fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
        lint) packages+=(clang-format-14 clang-tidy-14) ;;
        *) echo "bootstrap: unknown group '$group' (known: fuzz, lint)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "bootstrap: all ${#packages[@]} packages present"
    exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "bootstrap: run as root or install sudo" >&2; exit 1; }
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
