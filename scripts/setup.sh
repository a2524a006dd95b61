#!/usr/bin/env bash
#===- scripts/setup.sh - Install dependencies, configure and build --------===#
#
# Idempotent: installs every Debian package the project needs (apt-get update
# first), configures the CMake/Ninja build in $BUILD_DIR (default: build/) and
# builds it. Every README command starts here, so each works on a fresh
# Debian 12 machine as root.
#
#   scripts/setup.sh [--no-build]
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  # Build tools.
  cmake ninja-build g++ git python3
  # LLVM/MLIR 19 (the compiler) and lit/FileCheck (the test suite).
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  # clang-14 + its runtime for the libFuzzer parser fuzzer.
  clang-14 libclang-rt-14-dev
  # Runtime dependencies of the emitted executables.
  libflatbuffers-dev flatbuffers-compiler flatbuffers-compiler-dev
  libopenblas-dev libturbojpeg0-dev libpng-dev zlib1g-dev
  # Unit tests; valgrind for the compiler's memory checks.
  libgtest-dev googletest valgrind
  # Numerical oracle and data set.
  python3-torch python3-numpy python3-matplotlib python3-pil dataset-fashion-mnist
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--no-build" ] && exit 0

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR"
