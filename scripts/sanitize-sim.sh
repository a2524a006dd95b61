#!/bin/bash
# Sanitizer runs of CUDA-simulator executables:
#
#   scripts/sanitize-sim.sh [--all-models] [address|thread]...   (default: both)
#
# Builds the runtime's archives (AlexnetRuntime, the CUDA simulator and the
# CUDA backend on it) with -fsanitize=KIND in build-sanitize-KIND (a scratch
# CMake project around lib/Runtime), compiles AlexNet at batch 2 on two
# devices (model and hybrid parallel) and alexnet_mini at batch 8 for
# --target=cuda-sim against them, and runs `grad` and three `step`s, with
# --cuda-graph off and on (the graph's replays run too). AddressSanitizer
# sees a kernel's out-of-bounds access (every cudaMalloc is its own host
# allocation); ThreadSanitizer sees a missing stream wait (every stream is a
# host thread). Prints each run's time and any report; exits 1 on a report.
# --all-models: instead, every model in models/ at batch 2 on one device,
# two devices and hybrid, each with --cuda-graph=on only (its first step
# runs eagerly, the second is captured, the third replays the graph).
# Needs alexnet-compile (build/bin, or $ALEXNET_COMPILE) and /usr/bin/python3
# with numpy. Takes about 5 (address) and 10 (thread) minutes on two cores;
# --all-models thread about 28 minutes, and each 224-pixel model's TSan
# process holds 10-12 GiB: run it alone, not beside the test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMPILE="${ALEXNET_COMPILE:-$ROOT/build/bin/alexnet-compile}"
ALL_MODELS=0
if [ "${1:-}" = --all-models ]; then ALL_MODELS=1; shift; fi
KINDS=("$@")
((${#KINDS[@]})) || KINDS=(address thread)
status=0

for kind in "${KINDS[@]}"; do
  case "$kind" in address|thread) ;; *) echo "expected address or thread, got '$kind'" >&2; exit 2 ;; esac
  out="$ROOT/build-sanitize-$kind"
  mkdir -p "$out/project" "$out/work"
  cat > "$out/project/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(alexnet-runtime-$kind LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 17)
add_subdirectory("$ROOT/lib/Runtime" runtime)
CMAKE
  start=$(date +%s)
  cmake -S "$out/project" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="-fsanitize=$kind -fno-omit-frame-pointer" >/dev/null
  ninja -C "$out/build" AlexnetRuntime AlexnetCudaSim AlexnetCudaSimRuntime >/dev/null
  libdir="$out/lib"
  mkdir -p "$libdir"
  find "$out/build" -name 'libAlexnet*.a' -exec cp {} "$libdir/" \;
  echo "$kind: runtime built in $(( $(date +%s) - start )) s"

  export ALEXNET_RUNTIME_LIBDIR="$libdir"
  flags=(--Xcxx=-fsanitize=$kind --Xcxx=-g --Xcxx=-fno-omit-frame-pointer)
  runs=(
    "alexnet 2 --devices=2"
    "alexnet 2 --devices=2 --parallel=hybrid"
    "alexnet_mini 8 --devices=2"
  )
  graphs=(off on)
  if ((ALL_MODELS)); then
    runs=()
    for nn in "$ROOT"/models/*.nn; do
      m=$(basename "$nn" .nn)
      runs+=("$m 2 --devices=1" "$m 2 --devices=2" "$m 2 --devices=2 --parallel=hybrid")
    done
    graphs=(on)
  fi
  for spec in "${runs[@]}"; do
    read -r model batch extra <<<"$spec"
    name="$model-${batch}-$(echo "$extra" | tr -c 'a-z0-9' '_')"
    exe="$out/work/$name"
    "$COMPILE" "$ROOT/models/$model.nn" --target=cuda-sim --batch="$batch" $extra \
      "${flags[@]}" -o "$exe" 2>"$exe.compile.log" || { cat "$exe.compile.log"; exit 1; }
    /usr/bin/python3 - "$out/work/$name" "$ROOT/models/$model.nn" "$batch" <<'PY'
import sys, numpy as np
exe, model, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
import re
channels, side, _ = map(int, re.search(
    r"input\s+\w+\s*:\s*f32\[batch,\s*(\d+),\s*(\d+),\s*(\d+)\]", open(model).read()).groups())
rng = np.random.default_rng(3)
np.save(exe + ".x.npy", rng.standard_normal((batch, channels, side, side), dtype=np.float32))
np.save(exe + ".labels.npy", rng.integers(0, 10, batch).astype(np.int32))
PY
    "$exe" init --seed 1 -o "$exe.axw" >/dev/null
    for graph in "${graphs[@]}"; do
      log="$exe.$graph.log"
      t=$(date +%s)
      rc=0
      { "$exe" grad --weights "$exe.axw" --input "$exe.x.npy" --labels "$exe.labels.npy" \
          --npz "$exe.grad.npz" --threads 2 --cuda-graph=$graph &&
        "$exe" step --weights "$exe.axw" --input "$exe.x.npy" --labels "$exe.labels.npy" \
          --steps 3 --threads 2 --cuda-graph=$graph -o "$exe.stepped.axw"; } >"$log" 2>&1 || rc=$?
      secs=$(( $(date +%s) - t ))
      reports=$(grep -c "ERROR: AddressSanitizer\|WARNING: ThreadSanitizer\|ERROR: LeakSanitizer" "$log" || true)
      echo "$kind: $model batch $batch $extra --cuda-graph=$graph: exit $rc, $reports reports, $secs s ($log)"
      if [ "$rc" != 0 ] || [ "$reports" != 0 ]; then
        status=1
        grep -m3 -A12 "ERROR: AddressSanitizer\|WARNING: ThreadSanitizer\|ERROR: LeakSanitizer" "$log" || tail -5 "$log"
      fi
    done
  done
done
exit $status
