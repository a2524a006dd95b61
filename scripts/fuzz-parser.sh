#!/usr/bin/env bash
#===- scripts/fuzz-parser.sh - Fuzz the DSL front end with libFuzzer ------===#
#
# Builds tools/alexnet-parser-fuzzer with clang-14 (-fsanitize=fuzzer,
# address,undefined; the front end is MLIR-free, so no CMake is needed),
# seeds a corpus from models/*.nn and test/Frontend/**/*.nn, and fuzzes for
# FUZZ_SECONDS (default 60). Exits nonzero on any finding (crash, sanitizer
# report, timeout, out-of-memory); the reproducer is left in the build's
# fuzz/ directory.
#
#   FUZZ_SECONDS=600 scripts/fuzz-parser.sh
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
FUZZ_DIR="$BUILD_DIR/fuzz"
CORPUS="$FUZZ_DIR/corpus"
BIN="$FUZZ_DIR/alexnet-parser-fuzzer"
CXX="${FUZZ_CXX:-clang++-14}"
mkdir -p "$CORPUS" "$FUZZ_DIR/findings"

# Rebuild only when a source changed (seconds, but the script runs in CI).
# lib/Frontend also holds MLIRGen.cpp, which needs MLIR: take only the
# MLIR-free files.
mapfile -t frontend < <(grep -L '#include "mlir/' "$ROOT"/lib/Frontend/*.cpp)
sources=("${frontend[@]}" "$ROOT"/lib/Dialect/NN/ShapeRules.cpp
         "$ROOT"/tools/alexnet-parser-fuzzer/ParserFuzzer.cpp)
rebuild=0
[ -x "$BIN" ] || rebuild=1
for f in "${sources[@]}" "$ROOT"/include/alexnet/Frontend/*.h \
         "$ROOT"/include/alexnet/Dialect/NN/ShapeRules.h; do
  [ "$f" -nt "$BIN" ] && rebuild=1
done
if ((rebuild)); then
  echo "fuzz-parser: building $BIN"
  "$CXX" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -I"$ROOT/include" "${sources[@]}" \
    -o "$BIN"
fi

# Seeds: every model and every front-end test input.
shopt -s nullglob globstar
for f in "$ROOT"/models/*.nn "$ROOT"/test/Frontend/**/*.nn; do
  cp "$f" "$CORPUS/seed-$(basename "$f")"
done

echo "fuzz-parser: fuzzing for ${FUZZ_SECONDS:-60} s"
cd "$FUZZ_DIR/findings"
"$BIN" "$CORPUS" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$ROOT/tools/alexnet-parser-fuzzer/nn.dict" \
  -artifact_prefix="$FUZZ_DIR/findings/"
echo "fuzz-parser: no findings"
