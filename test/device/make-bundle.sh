#!/usr/bin/env bash
#===- test/device/make-bundle.sh - What the GPU machine runs, built here --===#
#
#   make-bundle.sh [--small] [--with-data] OUT_DIR
#
# The GPU machine has the CUDA toolkit and PyTorch but no LLVM/MLIR, no
# Debian packages and no network, and at most 64 MiB travel to it. So every
# executable gpu-check.sh runs there is built here, with the compiler named
# by $ALEXNET_COMPILE, else alexnet-compile on PATH, else this checkout's
# build/bin/alexnet-compile, for sm_90 only (H100 and H200; --cuda-arch=90
# halves the executables; stripped), into OUT_DIR (emptied first):
#
#   bin/big-check            BIG model, batch 4, --training: 1a, 1c
#   bin/mini-check           MINI model, batch 2, --training: 1b, 2
#   bin/mini-check-devices2  the same with --devices=2: 2
#   bin/mini-train           MINI at its own batch (recipe): 3
#   bin/big-bench-fp32       BIG at batch BENCH: 4a/4b, 5 (graphs are a flag)
#   bin/big-bench-tf32       the same with --tf32: 4c/4d
#   ir/big-check.mlir, ir/mini-check.mlir   the printed nn IR the oracles read
#   ref/big-check/, ref/mini-check/         CPU results (equivalence_check.py
#                            --save-baseline, seed 1): BIG's forward only (its
#                            gradients are 244 MB), MINI's every stage, with
#                            the random draw they came from where it is small
#                            (MINI's), else its sha256 (BIG's)
#   python/                  the oracles and torch_alexnet_bench.py
#   models/                  the .nn files (torch_alexnet_bench.py reads BIG's)
#   gpu-check.sh, check-ldd.sh, bundle.env (what was built, and how),
#   MANIFEST.tsv             file, bytes, sha256 of everything above
#
# BIG is alexnet (BENCH 128) and MINI alexnet_mini; --small (CI) makes BIG
# lenet5 (BENCH 8): the same steps, small builds. --with-data copies
# Fashion-MNIST (30 MB, step 3) into OUT_DIR/fashion-mnist, outside the
# manifest's 48 MiB limit. Every executable must pass check-ldd.sh (nothing
# outside the C/C++ runtime, cudart and cuBLAS) and the bundle without the
# data must fit in 48 MiB: otherwise this fails (exit 1).
#
# Environment: ALEXNET_COMPILE, BUNDLE_CUDA_FLAGS (default --cuda-arch=90),
# BUNDLE_JOBS (parallel builds, default 2), PYTHON (for the CPU references:
# the first python3 with torch and numpy), FASHION_MNIST_DIR.
#===----------------------------------------------------------------------===#
set -euo pipefail

usage() {
  echo "usage: make-bundle.sh [--small] [--with-data] OUT_DIR" >&2
  exit 2
}

SMALL=0
DATA=0
OUT_DIR=""
for arg in "$@"; do
  case "$arg" in
    --small) SMALL=1 ;;
    --with-data) DATA=1 ;;
    -*) usage ;;
    *) [ -z "$OUT_DIR" ] || usage; OUT_DIR=$arg ;;
  esac
done
[ -n "$OUT_DIR" ] || usage

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LIMIT_BYTES=$((48 * 1024 * 1024))
COMPILE="${ALEXNET_COMPILE:-}"
if [ -z "$COMPILE" ]; then
  COMPILE=$(command -v alexnet-compile || echo "$ROOT/build/bin/alexnet-compile")
fi
if [ ! -x "$COMPILE" ]; then
  echo "make-bundle: error: no alexnet-compile (looked at \$ALEXNET_COMPILE, PATH, $ROOT/build/bin)" >&2
  exit 1
fi
read -r -a CUDA_FLAGS <<<"${BUNDLE_CUDA_FLAGS:---cuda-arch=90}"
JOBS="${BUNDLE_JOBS:-2}"
SEED=1

if [ "$SMALL" = 1 ]; then
  BIG=lenet5 BENCH=8
else
  BIG=alexnet BENCH=128
fi
MINI=alexnet_mini
BIG_CHECK=4 MINI_CHECK=2

pick_python() {
  local p
  for p in "${PYTHON:-}" /usr/bin/python3 python3; do
    if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import torch, numpy' >/dev/null 2>&1; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
PY=$(pick_python) || { echo "make-bundle: error: no python3 with torch and numpy (PYTHON=...)" >&2; exit 1; }

rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"/{bin,ir,ref,python,models}
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/make-bundle.XXXXXX")"
trap 'rm -rf "$LOGS"' EXIT
t0=$SECONDS

# name model flags...: one CUDA build, its log kept for a failure.
build() {
  local name=$1 model=$2 rc=0
  shift 2
  "$COMPILE" "$ROOT/models/$model.nn" --target=cuda "${CUDA_FLAGS[@]}" "$@" \
    -o "$OUT_DIR/bin/$name" >"$LOGS/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$LOGS/$name.rc"
}

BUILDS=(
  "big-check $BIG --training --batch=$BIG_CHECK"
  "mini-check $MINI --training --batch=$MINI_CHECK"
  "mini-check-devices2 $MINI --training --batch=$MINI_CHECK --devices=2"
  "mini-train $MINI"
  "big-bench-fp32 $BIG --batch=$BENCH"
  "big-bench-tf32 $BIG --batch=$BENCH --tf32"
)
echo "make-bundle: ${#BUILDS[@]} CUDA builds (${CUDA_FLAGS[*]}) with $COMPILE, $JOBS at a time"
names=()
for spec in "${BUILDS[@]}"; do
  read -r -a words <<<"$spec"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  build "${words[@]}" &
  names+=("${words[0]}")
done

# Meanwhile: the printed IR and the CPU references.
"$COMPILE" "$ROOT/models/$BIG.nn" --emit=nn --batch=$BIG_CHECK >"$OUT_DIR/ir/big-check.mlir"
"$COMPILE" "$ROOT/models/$MINI.nn" --emit=nn --batch=$MINI_CHECK >"$OUT_DIR/ir/mini-check.mlir"
ref() { # name model batch stages
  "$PY" "$ROOT/test/oracle/equivalence_check.py" "$ROOT/models/$2.nn" --batch="$3" \
    --compiler="$COMPILE" --baseline= --seed=$SEED --stages="$4" \
    --save-baseline "$OUT_DIR/ref/$1" --threads=2 >"$LOGS/ref-$1.log" 2>&1 ||
    { echo "make-bundle: error: the CPU reference $1 failed:" >&2; cat "$LOGS/ref-$1.log" >&2; exit 1; }
}
ref big-check "$BIG" $BIG_CHECK forward
ref mini-check "$MINI" $MINI_CHECK forward,gradients,steps,dropout

wait
failed=0
for name in "${names[@]}"; do
  if [ "$(cat "$LOGS/$name.rc" 2>/dev/null)" != 0 ]; then
    echo "make-bundle: error: building $name failed:" >&2
    cat "$LOGS/$name.log" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
# Symbol tables are half a megabyte per executable, of 64 MiB that travel.
strip "$OUT_DIR"/bin/*

cp "$ROOT"/test/oracle/{oracle,grad_oracle,equivalence_check}.py "$HERE/torch_alexnet_bench.py" \
  "$OUT_DIR/python/"
for model in "$BIG" "$MINI" alexnet; do
  cp "$ROOT/models/$model.nn" "$OUT_DIR/models/"
done
cp "$HERE/gpu-check.sh" "$HERE/check-ldd.sh" "$OUT_DIR/"
{
  echo "# make-bundle.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "no git")"
  echo "BIG=$BIG"
  echo "MINI=$MINI"
  echo "BIG_CHECK_BATCH=$BIG_CHECK"
  echo "MINI_CHECK_BATCH=$MINI_CHECK"
  echo "BENCH_BATCH=$BENCH"
  echo "SEED=$SEED"
  echo "CUDA_FLAGS=${CUDA_FLAGS[*]}"
  echo "SMALL=$SMALL"
} >"$OUT_DIR/bundle.env"

# The rules: self-contained executables, 48 MiB.
if ! "$HERE/check-ldd.sh" "$OUT_DIR"/bin/* >"$LOGS/ldd.txt"; then
  echo "make-bundle: error: an executable links more than the GPU machine has:" >&2
  grep -v '^ok: ' "$LOGS/ldd.txt" >&2
  exit 1
fi
(
  cd "$OUT_DIR"
  find . -type f ! -name MANIFEST.tsv ! -path './fashion-mnist/*' | LC_ALL=C sort |
    while read -r f; do
      printf '%s\t%s\t%s\n' "${f#./}" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
    done >MANIFEST.tsv
)
total=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$OUT_DIR/MANIFEST.tsv")
total=$((total + $(stat -c %s "$OUT_DIR/MANIFEST.tsv")))
if [ "$DATA" = 1 ]; then
  data=""
  for d in "${FASHION_MNIST_DIR:-}" "$ROOT/data/fashion-mnist" /usr/share/datasets/fashion-mnist; do
    if [ -n "$d" ] && [ -e "$d/train-images-idx3-ubyte.gz" ]; then data=$d; break; fi
  done
  if [ -z "$data" ]; then
    echo "make-bundle: error: --with-data: no Fashion-MNIST (FASHION_MNIST_DIR, data/fashion-mnist, /usr/share/datasets/fashion-mnist)" >&2
    exit 1
  fi
  mkdir -p "$OUT_DIR/fashion-mnist"
  cp "$data"/*-ubyte.gz "$OUT_DIR/fashion-mnist/"
fi
printf 'make-bundle: %s: %d files, %.1f MiB (limit 48 MiB)%s in %d s\n' "$OUT_DIR" \
  "$(wc -l <"$OUT_DIR/MANIFEST.tsv")" "$(awk -v b="$total" 'BEGIN { print b / 1048576 }')" \
  "$([ "$DATA" = 1 ] && printf ' + Fashion-MNIST %.1f MiB' "$(du -sb "$OUT_DIR/fashion-mnist" | awk '{ print $1 / 1048576 }')")" \
  $((SECONDS - t0))
if ((total > LIMIT_BYTES)); then
  echo "make-bundle: error: the bundle is $total bytes, over the 48 MiB limit ($LIMIT_BYTES)" >&2
  exit 1
fi
