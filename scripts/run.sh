#!/usr/bin/env bash
#===- scripts/run.sh - Set up, build and run the main job -----------------===#
#
# The README's main command, on built-in defaults: print the summary of
# every model in models/, compile the paper's AlexNet and the Fashion-MNIST
# sized alexnet_mini to standalone CPU executables, initialise their weights
# as the paper does, run inference on a batch and time it. Training on
# Fashion-MNIST joins this script with the training issue.
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/scripts/setup.sh"

OUT="${OUT_DIR:-$ROOT/out}"
mkdir -p "$OUT"
COMPILE="$BUILD_DIR/bin/alexnet-compile"

for model in "$ROOT"/models/*.nn; do
  name="$(basename "$model" .nn)"
  echo "== $name"
  "$COMPILE" "$model" --emit=summary --batch=1
  "$COMPILE" "$model" --emit=nn -o "$OUT/$name.mlir"
done

for spec in alexnet_mini:128 alexnet:8; do
  name="${spec%%:*}" batch="${spec##*:}"
  exe="$OUT/$name"
  echo
  echo "== compiling $name for the CPU at batch $batch"
  "$COMPILE" "$ROOT/models/$name.nn" --target=cpu --batch="$batch" -o "$exe"
  "$exe" info | tail -n 4
  "$exe" init --seed 1 -o "$OUT/$name.axw"
  # A random input batch, non-negative like image pixels.
  /usr/bin/python3 - "$exe" "$OUT/$name.input.npy" <<'PY'
import re, subprocess, sys
import numpy as np
info = subprocess.run([sys.argv[1], "info"], capture_output=True, text=True).stdout
shape = [int(d) for d in re.search(r"input\s+\S+\s+f32\s+(\S+)", info).group(1).split("x")]
np.save(sys.argv[2], np.random.default_rng(0).random(shape, dtype=np.float32))
PY
  "$exe" infer --weights "$OUT/$name.axw" --input "$OUT/$name.input.npy" \
    --output "$OUT/$name.probs.npy"
  "$exe" bench --iters 5 --warmup 1 | tail -n 1
done

echo
echo "outputs in $OUT: <model>.mlir (nn IR), alexnet and alexnet_mini"
echo "(executables), <model>.axw (weights), <model>.probs.npy (inference)"
