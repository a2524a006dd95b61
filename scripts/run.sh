#!/usr/bin/env bash
#===- scripts/run.sh - Set up, build and run the main job -----------------===#
#
# The README's main command, on built-in defaults: compile every model in
# models/ and print its per-layer summary. Later stages (code generation,
# training on Fashion-MNIST) extend this script as they land.
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/scripts/setup.sh"

OUT="${OUT_DIR:-$ROOT/out}"
mkdir -p "$OUT"
for model in "$ROOT"/models/*.nn; do
  name="$(basename "$model" .nn)"
  echo "== $name"
  "$BUILD_DIR/bin/alexnet-compile" "$model" --emit=summary
  "$BUILD_DIR/bin/alexnet-compile" "$model" --emit=nn -o "$OUT/$name.mlir"
done
echo
echo "nn modules written to $OUT/*.mlir"
