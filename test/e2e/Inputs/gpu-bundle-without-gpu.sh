#!/usr/bin/env bash
#===- gpu-bundle-without-gpu.sh - gpu-check.sh --bundle, as the GPU machine -===#
#
#   gpu-bundle-without-gpu.sh BUNDLE WORKDIR
#
# Runs the bundle's own gpu-check.sh --bundle with PATH stripped of what the
# GPU machine lacks (no build/bin, no /usr/lib/llvm-19/bin, no
# /usr/local/cuda/bin) and, ahead of /usr/bin, stand-ins for every compiler
# and build tool that record any call and fail: a step that tries to compile
# shows up as "COMPILED: ..." lines. Prints the script's output, then
# "gpu-check exit N".
#===----------------------------------------------------------------------===#
set -u
bundle=$1 work=$2
poison="$work/poison"
rm -rf "$work"
mkdir -p "$poison"
for tool in alexnet-compile alexnet-opt nvcc cmake ninja make c++ g++ gcc cc clang clang++ ld; do
  printf '#!/bin/sh\necho "COMPILED: %s $*" >>"%s/called"\nexit 97\n' "$tool" "$poison" >"$poison/$tool"
  chmod +x "$poison/$tool"
done
rc=0
env PATH="$poison:/usr/bin:/bin" OUT="$work/out" GPU_CHECK_ITERS=1 GPU_CHECK_WARMUP=0 \
  bash "$bundle/gpu-check.sh" --bundle "$bundle" 2>&1 || rc=$?
echo "gpu-check exit $rc"
cat "$poison/called" 2>/dev/null
exit 0
