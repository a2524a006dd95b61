#!/usr/bin/env bash
#===- scripts/run.sh - Set up, build and run the main job -----------------===#
#
# The README's main command, on built-in defaults:
#  1. set up and build (scripts/setup.sh, idempotent);
#  2. print the per-layer summary of every model in models/;
#  3. compile alexnet_mini (AlexNet's layer sequence for 28x28 inputs) to a
#     standalone CPU executable that trains, split over two devices as the
#     paper split AlexNet (--devices=2: a thread each, which trains faster
#     than one device on a 2-core machine; docs/performance.md), and train
#     it on Fashion-MNIST from Debian's dataset-fashion-mnist package with
#     the recipe in models/alexnet_mini.nn, checkpointing every epoch
#     (rerunning resumes);
#  4. evaluate top-1/top-5 on the test set and plot the metrics;
#  5. compile the paper's AlexNet for inference and time it;
#  6. with the CUDA toolkit, compile it for CUDA GPUs (two devices, with
#     training) and time a training step where there is a GPU.
# Everything lands in $OUT_DIR (default out/).
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/scripts/setup.sh"

OUT="${OUT_DIR:-$ROOT/out}"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$OUT"
COMPILE="$BUILD_DIR/bin/alexnet-compile"
START=$SECONDS

for model in "$ROOT"/models/*.nn; do
  name="$(basename "$model" .nn)"
  echo "== $name"
  "$COMPILE" "$model" --emit=summary --batch=1
  "$COMPILE" "$model" --emit=nn -o "$OUT/$name.mlir"
done

echo
echo "== compiling alexnet_mini for the CPU on two devices (inference, gradients, SGD step)"
MINI="$OUT/alexnet_mini"
"$COMPILE" "$ROOT/models/alexnet_mini.nn" --target=cpu --devices=2 -o "$MINI"
"$MINI" info | tail -n 22

echo
echo "== training alexnet_mini on Fashion-MNIST ($DATA)"
# --resume continues an interrupted run from its last checkpoint (and does
# nothing more for one that already finished).
"$MINI" train --data "$DATA" --checkpoint-dir "$OUT/alexnet_mini.ckpt" \
  --resume --metrics "$OUT/alexnet_mini.metrics.csv" -o "$OUT/alexnet_mini.axw"

echo
echo "== evaluating on the Fashion-MNIST test set"
# Centre crop only: Fashion-MNIST is stored at the model's 28x28, so the
# paper's ten crops are one window and its mirror image, and this recipe
# does not train on mirrored images (eval --ten-crop is for larger stored
# images, as in ImageNet).
"$MINI" eval --data "$DATA" --weights "$OUT/alexnet_mini.axw" \
  --stats-cache "$OUT/alexnet_mini.ckpt"
/usr/bin/python3 "$ROOT/scripts/plot_metrics.py" "$OUT/alexnet_mini.metrics.csv" \
  -o "$OUT/alexnet_mini.metrics.png" --title "alexnet_mini on Fashion-MNIST"

echo
echo "== the paper's AlexNet: compile for inference at batch 8 and time it"
ALEXNET="$OUT/alexnet"
"$COMPILE" "$ROOT/models/alexnet.nn" --target=cpu --batch=8 --training=false \
  -o "$ALEXNET"
"$ALEXNET" info | tail -n 4
"$ALEXNET" bench --iters 3 --warmup 1 | tail -n 1

# The CUDA target needs the CUDA toolkit at configure time (/usr/local/cuda);
# its executable runs only where there is a GPU.
if [ -f "$BUILD_DIR/lib/libAlexnetCudaRuntime.a" ]; then
  echo
  echo "== the paper's AlexNet for CUDA: two devices, training, batch 128"
  "$COMPILE" "$ROOT/models/alexnet.nn" --target=cuda --devices=2 \
    -o "$OUT/alexnet-cuda"
  "$OUT/alexnet-cuda" info | sed -n '2,4p'
  # Exit status 2 and a message when this machine has no GPU.
  "$OUT/alexnet-cuda" bench --train --iters 3 --warmup 1 | tail -n 1 || true
fi

echo
echo "done in $(( (SECONDS - START) / 60 )) min $(( (SECONDS - START) % 60 )) s; in $OUT:"
echo "  alexnet_mini               the trained executable (run it with --help)"
echo "  alexnet_mini.axw           trained weights (with the mean image)"
echo "  alexnet_mini.ckpt/         checkpoints: last.axc, epoch-NNN.axc, last.axw"
echo "  alexnet_mini.metrics.csv   per-epoch loss, validation error, img/s"
echo "  alexnet_mini.metrics.png   the same, plotted"
echo "  alexnet                    the paper's AlexNet (inference, batch 8)"
if [ -f "$OUT/alexnet-cuda" ]; then
  echo "  alexnet-cuda               the same for CUDA GPUs, two devices, training"
fi
echo "  <model>.mlir               every model's nn IR"
