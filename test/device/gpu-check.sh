#!/usr/bin/env bash
#===- test/device/gpu-check.sh - The CUDA target on one GPU machine -------===#
#
# One script for a machine with an NVIDIA GPU (an H200 in mind), the CUDA
# toolkit, PyTorch with CUDA for python3, 16 cores and no network. Run from
# anywhere (it works in the repository root); $OUT names the folder for the
# logs:
#
#   OUT=/tmp/out bash test/device/gpu-check.sh
#   OUT=/tmp/out bash test/device/gpu-check.sh --bundle DIR
#
# With --bundle DIR (test/device/make-bundle.sh: the GPU machine has no
# LLVM/MLIR, no Debian packages and no network) nothing is compiled: step 0
# checks the bundle (MANIFEST.tsv's sha256, check-ldd.sh) and every later
# step runs the bundle's executables against its printed nn IR, its CPU
# references and its Python, with the machine's own python3:
#  1a  CUDA vs CPU, BIG (alexnet) b4, forward: equivalence_check.py
#      --baseline-results (the CPU's output, saved by make-bundle.sh);
#  1b  CUDA vs CPU, MINI (alexnet_mini) b2, every stage the same way;
#  1c  CUDA vs PyTorch float64, BIG b4: grad_oracle.py --exe --ir, the loss,
#      every gradient and 3 SGD steps, 1e-4 (AlexNet's gradients, 244 MB,
#      cannot travel as a CPU reference);
#  2-5 as below, from bin/mini-check-devices2, bin/mini-train,
#      bin/big-bench-fp32 and bin/big-bench-tf32.
# A step whose executable finds no GPU (exit 2, "no CUDA device
# available") records NO-GPU.
#
#  0  build: nvidia-smi, nvcc and torch into the log; configure and build
#     (`cmake -G Ninja ... -DCMAKE_BUILD_TYPE=Release`, `ninja alexnet-compile
#     AlexnetRuntime AlexnetCudaRuntime`) unless build/bin/alexnet-compile and
#     the CUDA runtime library are there already;
#  1  CUDA vs CPU, fp32: test/oracle/equivalence_check.py
#     --candidate=--target=cuda --baseline= --tolerance=1e-4 on alexnet at
#     batch 4 (1a) and alexnet_mini at batch 2 (1b, the lit tests' batch):
#     infer, grad, 3 SGD steps, grad with dropout, every tensor within 1e-4
#     norm-wise relative error;
#  2  two logical devices vs one, both CUDA: --candidate="--target=cuda
#     --devices=2" --baseline=--target=cuda on alexnet_mini, 1e-4;
#  3  alexnet_mini trains on Fashion-MNIST on the GPU (the model's recipe,
#     4 epochs; GPU_CHECK_EPOCHS=1 for one) and must end within 1 point of
#     the CPU's test top-1 (docs/performance.md: 89.65% after 4 epochs,
#     83.96% after 1). The data: $FASHION_MNIST_DIR, else data/fashion-mnist
#     (ignored by git: copy the four IDX files there), else Debian's
#     /usr/share/datasets/fashion-mnist; none there: SKIP;
#  4  throughput, AlexNet at batch 128: `bench` and `bench --train` of the
#     CUDA executable, fp32 and --tf32 (a second build), against PyTorch on
#     the same GPU (test/device/torch_alexnet_bench.py: eager, then
#     torch.compile as 4e, which runs last as the slowest); ratios of img/s,
#     ours / PyTorch, in 04-ratios.txt;
#  5  CUDA graphs: `bench` and `bench --train` of the fp32 executable with
#     --cuda-graph=off and =on, and the speed-up.
#
# Steps 1, 2 and the CUDA builds that steps 3-5 need run side by side right
# after the build (compiles on the CPUs, small batches on the GPU); the
# timed steps then run alone. Every command has its own timeout, capped by
# what is left of the budget (GPU_CHECK_BUDGET_S, default 570 s, 530 s
# with --bundle; one device command may run 600 s); a failing or timed-out
# step records FAIL and the script goes on. Each step writes its full log
# to $OUT/NN-*.log, each row of the table to $OUT/summary.tsv as it is known
# (a run killed from outside keeps them), and the table last on stdout (also
# $OUT/summary.txt): step, PASS/FAIL/SKIP/NO-GPU, key numbers. Throughput
# rows PASS when measured.
#
# Exit status: 0 when the correctness steps 1a, 1b, 1c, 2 and 3 that ran
# passed or were skipped, 1 when one failed, 2 for bad usage, 3 when none
# failed but some found no GPU.
#
# Environment: GPU_CHECK_STEPS (steps to run, default "0 1 2 3 4 5"; e.g.
# "0" in one device command and "1 2 3 4 5" in the next), GPU_CHECK_BUDGET_S,
# GPU_CHECK_EPOCHS (4), GPU_CHECK_TRAIN_REF (the CPU top-1 to compare with
# for other epoch counts), GPU_CHECK_ITERS (20) and GPU_CHECK_WARMUP (5)
# for every benchmark, GPU_CHECK_CUDA_FLAGS (more alexnet-compile flags for
# every CUDA build, e.g. --cuda-arch=90), GPU_CHECK_NO_BUILD=1 (never run
# cmake or ninja), BUILD_DIR (build; build-device when an earlier run built
# there), CMAKE_ARGS, PYTHON, FASHION_MNIST_DIR.
#===----------------------------------------------------------------------===#
set -euo pipefail

BUNDLE=""
while (($#)); do
  case "$1" in
    --bundle) [ $# -ge 2 ] || { echo "gpu-check: --bundle needs a folder" >&2; exit 2; }
      BUNDLE=$2; shift 2 ;;
    --bundle=*) BUNDLE=${1#--bundle=}; shift ;;
    *) echo "gpu-check: expected --bundle DIR, got '$1'" >&2; exit 2 ;;
  esac
done
if [ -n "$BUNDLE" ]; then
  if [ ! -f "$BUNDLE/MANIFEST.tsv" ] || [ ! -f "$BUNDLE/bundle.env" ]; then
    echo "gpu-check: $BUNDLE is not a bundle (no MANIFEST.tsv or bundle.env; see make-bundle.sh)" >&2
    exit 2
  fi
  BUNDLE="$(cd "$BUNDLE" && pwd)"
fi
if [ -n "$BUNDLE" ] && [ ! -d "$(dirname "${BASH_SOURCE[0]}")/../../models" ]; then
  ROOT="$BUNDLE" # the bundle's own copy of this script
else
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fi
cd "$ROOT"
if [ -z "${OUT:-}" ]; then
  echo "gpu-check: set OUT to the folder for the logs" >&2
  exit 2
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

STEPS=" ${GPU_CHECK_STEPS:-0 1 2 3 4 5} "
# 9 minutes with a bundle (the table inside a 10-minute device command with
# time to spare); 570 s when building here.
BUDGET_S="${GPU_CHECK_BUDGET_S:-$([ -n "$BUNDLE" ] && echo 530 || echo 570)}"
RESERVE_S=10            # kept back from every timeout for the table
EPOCHS="${GPU_CHECK_EPOCHS:-4}"
ITERS="${GPU_CHECK_ITERS:-20}"
WARMUP="${GPU_CHECK_WARMUP:-5}"
NO_BUILD="${GPU_CHECK_NO_BUILD:-0}"
TOL=1e-4
TRAIN_TOL=1.0           # percentage points of test top-1
BATCH=128               # AlexNet's, for steps 4 and 5
bundle_env() { # KEY: its value in the bundle's bundle.env
  awk -F= -v k="$1" '$1 == k { v = substr($0, length(k) + 2) } END { print v }' "$BUNDLE/bundle.env"
}
if [ -n "$BUNDLE" ]; then
  BATCH=$(bundle_env BENCH_BATCH)
  BIG=$(bundle_env BIG)
  MINI=$(bundle_env MINI)
fi
if [ -z "${BUILD_DIR:-}" ] && [ -x "$ROOT/build-device/bin/alexnet-compile" ]; then
  BUILD_DIR="$ROOT/build-device" # built by an earlier run (see step_build)
fi
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
COMPILE="$BUILD_DIR/bin/alexnet-compile"
read -r -a EXTRA <<<"${GPU_CHECK_CUDA_FLAGS:-}"
read -r -a CMAKE_EXTRA <<<"${CMAKE_ARGS:-}"
CUDA=(--target=cuda "${EXTRA[@]}")
for n in "$BUDGET_S" "$EPOCHS" "$ITERS" "$WARMUP"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "gpu-check: expected a number, got '$n'" >&2; exit 2; }
done
# nvidia-smi and nvcc for the log (the bundle compiles nothing).
[ -z "$BUNDLE" ] && [ -d /usr/local/cuda/bin ] && PATH="$PATH:/usr/local/cuda/bin"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"  # executables, weights
RUNNING="$WORK/running"                                  # pids of live timeouts
mkdir -p "$RUNNING"
rm -f "$OUT/summary.tsv" "$OUT/summary.txt" "$OUT/04-ratios.txt"

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  # Stop the commands still running (an interrupted run), by their pids.
  local f
  for f in "$RUNNING"/*; do
    if [ -e "$f" ]; then kill -TERM "$(basename "$f")" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "gpu-check: interrupted" >&2; exit 130' INT TERM

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

want() { [[ "$STEPS" == *" $1 "* ]]; }

log_of() { # NAME: $OUT/NAME.log, emptied
  : >"$OUT/$1.log"
  echo "$OUT/$1.log"
}

limit() { # SECONDS: prints min(SECONDS, what the budget has left); fails under 15 s
  local left=$((BUDGET_S - SECONDS - RESERVE_S))
  ((left >= 15)) || return 1
  if (($1 < left)); then echo "$1"; else echo "$left"; fi
}

runlog() { # LOG SECONDS CMD...: CMD's output appended to LOG; its status (124: timed out)
  local log=$1 t=$2 rc=0 pid t0=$SECONDS note=""
  shift 2
  printf '$ %s\n# timeout %s s, started %s\n' "$*" "$t" "$(date -u +%H:%M:%S)" >>"$log"
  timeout -k 5 "$t" "$@" >>"$log" 2>&1 </dev/null &
  pid=$!
  : >"$RUNNING/$pid"
  wait "$pid" || rc=$?
  rm -f "$RUNNING/$pid"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then note=" (TIMED OUT after $t s)"; fi
  printf '# exit %s after %s s%s\n\n' "$rc" "$((SECONDS - t0))" "$note" >>"$log"
  return "$rc"
}

first_error() { # LOG: its first line reporting an error (else its last line), shortened
  awk '/[Ee]rror/ && !/^(# |\$ |torch: model_check)/ && !/remark: / {
      sub(/^[ \t]+/, ""); e = $0; exit }
    NF && !/^(# |\$ )/ { last = $0 }
    END { print substr(e != "" ? e : last, 1, 110) }' "$1" 2>/dev/null || true
}

failure() { # RC LOG: why a command failed, in a few words
  local why err
  case "$1" in
    124 | 137) why="timed out" ;;
    *) why="exit $1" ;;
  esac
  err=$(first_error "$2")
  echo "$why${err:+: $err} (see $(basename "$2"))"
}

no_gpu() { # LOG: the executable found no GPU (its exit 2, "no CUDA device available")
  grep -q "no CUDA device available" "$1" 2>/dev/null
}

NO_GPU_NOTE="exit 2: no CUDA device available"

record() { # ID NAME RESULT NUMBERS: one row of the table
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/summary.tsv"
  printf 'gpu-check: %s %s: %s  %s\n' "$1" "$2" "$3" "$4"
}

field() { # LOG PREFIX KEY: KEY=value of the last line of LOG starting with PREFIX
  awk -v pre="$2" -v key="$3" 'index($0, pre) == 1 {
      for (i = 1; i <= NF; i++) { n = index($i, "=")
        if (n && substr($i, 1, n - 1) == key) v = substr($i, n + 1) } }
    END { print v }' "$1"
}

ratio() { # A B: A / B as "1.23x", or n/a
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0 && b > 0) printf "%.2fx", a / b
    else printf "n/a" }'
}

num() { # VALUE: rounded, or n/a
  awk -v a="$1" 'BEGIN { if (a ~ /^[0-9.]+$/) printf "%.0f", a; else printf "n/a" }'
}

have_cuda_runtime() { # a built CUDA runtime library under BUILD_DIR
  [ -d "$BUILD_DIR" ] && [ -n "$(find "$BUILD_DIR" -name 'libAlexnetCudaRuntime*' -print -quit 2>/dev/null)" ]
}

pick_python() { # the first python3 that imports torch and numpy (with CUDA if $1)
  local p
  for p in "${PYTHON:-}" /usr/bin/python3 python3; do
    if [ -z "$p" ] || ! command -v "$p" >/dev/null 2>&1; then continue; fi
    if [ "${1:-}" = cuda ]; then
      "$p" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' \
        >/dev/null 2>&1 && { echo "$p"; return 0; }
    else
      "$p" -c 'import torch, numpy' >/dev/null 2>&1 && { echo "$p"; return 0; }
    fi
  done
  return 1
}

find_data() { # the Fashion-MNIST folder (IDX files, gzip or not)
  local d f
  for d in "${FASHION_MNIST_DIR:-}" ${BUNDLE:+"$BUNDLE/fashion-mnist"} "$ROOT/data/fashion-mnist" \
    /usr/share/datasets/fashion-mnist; do
    if [ -z "$d" ] || [ ! -d "$d" ]; then continue; fi
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
      t10k-labels-idx1-ubyte; do
      [ -e "$d/$f" ] || [ -e "$d/$f.gz" ] || continue 2
    done
    echo "$d"
    return 0
  done
  return 1
}

gpu_facts() { # nvidia-smi's report, for the step-0 log
  echo "== nvidia-smi"
  nvidia-smi 2>&1 || echo "(nvidia-smi failed or missing)"
}

torch_facts() { # the oracle python's torch and the GPU it sees, for the step-0 log
  echo "== python: ${PY:-none}"
  if [ -n "${PY:-}" ]; then
    "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
      "available", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>&1 || true
  fi
}

# --------------------------------------------------------------------------
# step 0: the build
# --------------------------------------------------------------------------

step_build() {
  local log rc=0 t t0=$SECONDS configured=0 home gpu
  log=$(log_of 00-build)
  {
    echo "== $(date -u)  $(uname -srm)  $(nproc) cores"
    gpu_facts
    echo "== nvcc"
    nvcc --version 2>&1 || echo "(no nvcc on PATH)"
    torch_facts
    echo "== cmake: $(cmake --version 2>/dev/null | head -n 1), ninja $(ninja --version 2>/dev/null)"
    echo
  } >>"$log" 2>&1

  gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1) || true
  gpu="GPU: ${gpu:-none found}"
  if [ -x "$COMPILE" ] && have_cuda_runtime; then
    record 0 build PASS "used $BUILD_DIR as it is; $gpu"
    return
  fi
  if [ "$NO_BUILD" = 1 ]; then
    if [ -x "$COMPILE" ]; then
      record 0 build SKIP "GPU_CHECK_NO_BUILD=1: $COMPILE as it is (no CUDA runtime library found); $gpu"
    else
      record 0 build FAIL "GPU_CHECK_NO_BUILD=1 and no $COMPILE"
    fi
    return
  fi
  # A build folder configured elsewhere (another checkout path) cannot be
  # reused: build next to it (later runs find build-device first).
  if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
    home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")
    if [ -n "$home" ] && [ "$home" != "$ROOT" ]; then
      echo "== $BUILD_DIR was configured for $home; building in $ROOT/build-device" >>"$log"
      BUILD_DIR="$ROOT/build-device"
      COMPILE="$BUILD_DIR/bin/alexnet-compile"
    fi
  fi
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    t=$(limit 180) || { record 0 build FAIL "not run: out of time budget"; return; }
    runlog "$log" "$t" cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
      "${CMAKE_EXTRA[@]}" || rc=$?
    if [ "$rc" != 0 ]; then
      record 0 build FAIL "cmake: $(failure "$rc" "$log")"
      return
    fi
    configured=1
  fi
  t=$(limit 480) || { record 0 build FAIL "not run: out of time budget"; return; }
  runlog "$log" "$t" ninja -C "$BUILD_DIR" alexnet-compile AlexnetRuntime AlexnetCudaRuntime || rc=$?
  # A build folder configured before the CUDA target (or without nvcc) lacks
  # the target: configure again (CMake looks for the toolkit again) and retry.
  if [ "$rc" != 0 ] && [ "$configured" = 0 ] && grep -q "unknown target" "$log"; then
    rc=0
    t=$(limit 480) || { record 0 build FAIL "not run: out of time budget"; return; }
    { runlog "$log" 180 cmake -S . -B "$BUILD_DIR" "${CMAKE_EXTRA[@]}" &&
      runlog "$log" "$t" ninja -C "$BUILD_DIR" alexnet-compile AlexnetRuntime AlexnetCudaRuntime; } || rc=$?
  fi
  if [ "$rc" = 0 ] && [ -x "$COMPILE" ]; then
    record 0 build PASS "built in $((SECONDS - t0)) s ($BUILD_DIR); $gpu"
  else
    record 0 build FAIL "ninja: $(failure "$rc" "$log"), after $((SECONDS - t0)) s"
  fi
}

# --------------------------------------------------------------------------
# step 0 with --bundle: the bundle as make-bundle.sh wrote it
# --------------------------------------------------------------------------

step_bundle() {
  local log gpu bad="" files mib
  log=$(log_of 00-bundle)
  {
    echo "== $(date -u)  $(uname -srm)  $(nproc) cores; bundle $BUNDLE"
    cat "$BUNDLE/bundle.env"
    gpu_facts
    torch_facts
    echo "== MANIFEST.tsv"
  } >>"$log" 2>&1
  # Every file as it was built: size and sha256.
  files=0
  while IFS=$'\t' read -r f size sum; do
    files=$((files + 1))
    if [ ! -f "$BUNDLE/$f" ]; then
      bad="$bad $f (missing)"
    elif [ "$(stat -c %s "$BUNDLE/$f")" != "$size" ] ||
      [ "$(sha256sum "$BUNDLE/$f" | cut -d' ' -f1)" != "$sum" ]; then
      bad="$bad $f (changed)"
    fi
  done <"$BUNDLE/MANIFEST.tsv"
  echo "${bad:-all $files files match}" >>"$log"
  echo "== check-ldd.sh" >>"$log"
  if ! bash "$BUNDLE/check-ldd.sh" "$BUNDLE"/bin/* >>"$log" 2>&1; then
    bad="$bad; an executable needs a library this machine lacks (see 00-bundle.log)"
  fi
  gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1) || true
  mib=$(awk -F'\t' '{ s += $2 } END { printf "%.1f", s / 1048576 }' "$BUNDLE/MANIFEST.tsv")
  if [ -z "$bad" ]; then
    record 0 bundle PASS "$files files, $mib MiB, sha256 and ldd ok ($(bundle_env BIG)/$(bundle_env MINI)); GPU: ${gpu:-none found}"
  else
    record 0 bundle FAIL "${bad# }"
  fi
}

# --------------------------------------------------------------------------
# step 1c with --bundle: gradients and SGD steps against PyTorch in float64
# --------------------------------------------------------------------------

step_grad() { # ID NAME LOGNAME SECONDS EXE IR
  local id=$1 name=$2 log t rc=0 t0=$SECONDS lines
  log=$(log_of "$3")
  t=$(limit "$4") || { record "$id" "$name" FAIL "not run: out of time budget"; return; }
  runlog "$log" "$t" "$PY" "$BUNDLE/python/grad_oracle.py" "$BIG" --exe "$5" --ir "$6" \
    --seed=1 --tol="$TOL" --sgd-steps=3 --threads=4 -v || rc=$?
  # "PASS alexnet: batch 4, loss L (ref R), 16 gradients, worst NAME rel
  # error E (tol T), ..." and "PASS alexnet: 3 SGD steps (...), worst NAME
  # change rel error E (tol T), seed 1".
  lines=$(awk '/^(PASS|FAIL) / {
      sub(/^(PASS|FAIL) [^:]*: /, "")
      if (match($0, /worst [^ ]+ (change )?rel error [^ ]+/)) w = substr($0, RSTART, RLENGTH)
      else w = substr($0, 1, 60)
      n = /SGD steps/ ? "3 SGD steps" : "gradients"
      out = out (out ? "; " : "") n ": " w }
    END { print out }' "$log")
  if [ "$rc" != 0 ] && no_gpu "$log"; then
    record "$id" "$name" NO-GPU "$NO_GPU_NOTE (see $(basename "$log")) [$((SECONDS - t0)) s]"
  elif [ "$rc" = 0 ] && [ -n "$lines" ]; then
    record "$id" "$name" PASS "$lines, tol $TOL [$((SECONDS - t0)) s]"
  else
    record "$id" "$name" FAIL "${lines:+$lines; }$(failure "$rc" "$log") [$((SECONDS - t0)) s]"
  fi
}

# --------------------------------------------------------------------------
# steps 1 and 2: equivalence_check.py
# --------------------------------------------------------------------------

step_equiv() { # ID NAME LOGNAME SECONDS ARGS...: equivalence_check.py ARGS
  local id=$1 name=$2 log t rc=0 t0=$SECONDS line summary
  log=$(log_of "$3")
  t=$(limit "$4") || { record "$id" "$name" FAIL "not run: out of time budget"; return; }
  shift 4
  if [ -n "$BUNDLE" ]; then
    runlog "$log" "$t" "$PY" "$BUNDLE/python/equivalence_check.py" "$@" \
      --tolerance="$TOL" --threads=4 -v || rc=$?
  else
    runlog "$log" "$t" "$PY" test/oracle/equivalence_check.py "$@" --tolerance="$TOL" \
      --compiler="$COMPILE" --seed=1 --threads=4 -v || rc=$?
  fi
  if [ "$rc" != 0 ] && no_gpu "$log"; then
    record "$id" "$name" NO-GPU "$NO_GPU_NOTE (see $(basename "$log")) [$((SECONDS - t0)) s]"
    return
  fi
  line=$(awk '/^(PASS|FAIL) /' "$log")
  # "PASS m: a ~= b: forward 0/1, ... tensors bit-identical (worst relative
  # error E in STAGE TENSOR, tol T; element-wise W); ...": E where, W, and
  # how many tensors were bit-identical; else the first error line.
  summary=$(printf '%s\n' "$line" | awk '
    /worst relative error/ {
      s = $0; same = 0; all = 0
      t = substr(s, 1, index(s, "tensors bit-identical"))
      while (match(t, /[0-9]+\/[0-9]+/)) {
        split(substr(t, RSTART, RLENGTH), f, "/"); same += f[1]; all += f[2]
        t = substr(t, RSTART + RLENGTH) }
      match(s, /worst relative error [^,]*/); worst = substr(s, RSTART + 21, RLENGTH - 21)
      elem = ""
      if (match(s, /element-wise [^)]*/)) elem = substr(s, RSTART + 13, RLENGTH - 13)
      out = out (out ? "; " : "") "max rel err " worst " (tol '"$TOL"'), element-wise " elem \
        ", " same "/" all " bit-identical"
      next }
    { sub(/^(PASS|FAIL) [^:]*: /, ""); if (i = index($0, ": /")) $0 = substr($0, 1, i - 1)
      out = out (out ? "; " : "") substr($0, 1, 100) }
    END { print out }')
  if [ "$rc" = 0 ] && [ -n "$line" ] && ! grep -q '^FAIL ' <<<"$line"; then
    record "$id" "$name" PASS "$summary [$((SECONDS - t0)) s]"
  else
    if [ -z "$summary" ]; then
      summary=$(failure "$rc" "$log")
    elif ! grep -q "max rel err" <<<"$summary"; then
      summary="$summary: $(first_error "$log")" # the failing command's message
    fi
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then summary="timed out after $t s; $summary"; fi
    # The first problem the check lists, if any.
    summary="$summary$(awk '/^  (forward|gradients|steps|dropout): / { sub(/^  /, ""); printf "; %s", substr($0, 1, 100); exit }' "$log")"
    record "$id" "$name" FAIL "$summary [$((SECONDS - t0)) s]"
  fi
}

# --------------------------------------------------------------------------
# the CUDA executables of steps 3-5, built while steps 1 and 2 run
# --------------------------------------------------------------------------

prebuild() { # EXE LOGNAME MODEL FLAGS...
  local exe="$WORK/$1" log t
  log=$(log_of "$2")
  shift 2
  t=$(limit 420) || { echo "not built: out of time budget" >>"$log"; return 0; }
  runlog "$log" "$t" "$COMPILE" "$@" -o "$exe" || true
}

# --------------------------------------------------------------------------
# step 3: training
# --------------------------------------------------------------------------

step_train() {
  local name="alexnet_mini trains on Fashion-MNIST" log data ref rc=0 t t0=$SECONDS
  local acc epochs first speed verdict
  if ! data=$(find_data); then
    record 3 "$name" SKIP "no Fashion-MNIST: copy the four IDX files into data/fashion-mnist (or set FASHION_MNIST_DIR)"
    return
  fi
  if [ ! -x "$MINI_TRAIN" ]; then
    record 3 "$name" FAIL "no CUDA build (see 03-build-alexnet_mini.log)"
    return
  fi
  case "$EPOCHS" in
    4) ref=89.65 ;; # docs/performance.md, one device; two: 89.70
    1) ref=83.96 ;; # its first epoch; other runs: 83.04, 84.43
    *) ref="${GPU_CHECK_TRAIN_REF:-}" ;;
  esac
  [ -n "${GPU_CHECK_TRAIN_REF:-}" ] && ref="$GPU_CHECK_TRAIN_REF"
  if [ -z "$ref" ]; then
    record 3 "$name" FAIL "no CPU top-1 for $EPOCHS epochs: set GPU_CHECK_TRAIN_REF"
    return
  fi
  log=$(log_of 03-train)
  rm -f "$OUT/03-train-metrics.csv"
  echo "== data: $data; CPU reference: test top-1 $ref% after $EPOCHS epochs" >>"$log"
  t=$(limit 300) || { record 3 "$name" FAIL "not run: out of time budget"; return; }
  runlog "$log" "$t" "$MINI_TRAIN" train --data "$data" --epochs "$EPOCHS" \
    --loader-threads 8 --checkpoint-dir "$WORK/alexnet_mini.ckpt" \
    --metrics "$OUT/03-train-metrics.csv" -o "$WORK/alexnet_mini.axw" || rc=$?
  # "trained 4 epochs (1872 steps): ..., validation top-1 error 10.35%
  # (accuracy 89.65%), ..." and per epoch "epoch 1/4: train loss 0.7311,
  # val top-1 83.96% (error 16.04%), top-5 error 0.39%, 449 img/s".
  acc=$(awk 'match($0, /\(accuracy [0-9.]+%\)/) { v = substr($0, RSTART + 10, RLENGTH - 12) }
    END { print v }' "$log")
  epochs=$(awk '/^epoch [0-9]+\/[0-9]+: / { n++ } END { print n + 0 }' "$log")
  first=$(awk '/^epoch 1\/[0-9]+: / && match($0, /val top-1 [0-9.]+%/) {
    print substr($0, RSTART + 10, RLENGTH - 11); exit }' "$log")
  speed=$(awk '/^epoch [0-9]+\/[0-9]+: / && match($0, /[0-9]+ img\/s/) {
    v = substr($0, RSTART, RLENGTH) } END { print v }' "$log")
  if [ "$rc" != 0 ] && no_gpu "$log"; then
    record 3 "$name" NO-GPU "$NO_GPU_NOTE (see 03-train.log) [$((SECONDS - t0)) s]"
  elif [ "$rc" = 0 ] && [ -n "$acc" ]; then
    verdict=$(awk -v a="$acc" -v r="$ref" -v tol="$TRAIN_TOL" 'BEGIN {
      d = a - r; if (d < 0) d = -d
      printf "%s %.2f", (d <= tol ? "PASS" : "FAIL"), d }')
    record 3 "$name" "${verdict%% *}" "top-1 $acc% vs CPU $ref% (|diff| ${verdict#* } pt, tol $TRAIN_TOL); epoch 1 ${first:-?}% (CPU 83.96%); $speed in the last epoch [$((SECONDS - t0)) s, $EPOCHS epochs]"
  else
    record 3 "$name" FAIL "$(failure "$rc" "$log") after $epochs of $EPOCHS epochs${first:+, epoch 1 top-1 $first% (CPU 83.96%)} [$((SECONDS - t0)) s]"
  fi
}

# --------------------------------------------------------------------------
# step 4: throughput against PyTorch
# --------------------------------------------------------------------------

bench_ours() { # PRECISION ENTRY [FLAGS...]: the bench line's img_per_s into perf.tsv
  local prec=$1 entry=$2 exe="${BENCH_EXE[$1]}" log t rc=0 args
  shift 2
  log=$(log_of "04-bench-$prec-$entry")
  args=(bench --iters "$ITERS" --warmup "$WARMUP")
  [ "$entry" = train_step ] && args+=(--train)
  if [ ! -x "$exe" ]; then
    echo "no executable: see 04-build-alexnet-$prec.log" >>"$log"
    return 0
  fi
  t=$(limit 120) || { echo "not run: out of time budget" >>"$log"; return 0; }
  runlog "$log" "$t" "$exe" "${args[@]}" "$@" || rc=$?
  printf 'ours\t%s\t%s\t%s\t%s\n' "$prec" "$entry" "$(field "$log" "bench: " img_per_s)" \
    "$(field "$log" "bench: " median_ms)" >>"$WORK/perf.tsv"
}

bench_torch() { # MODE: torch_alexnet_bench.py's lines into perf.tsv
  local mode=$1 log t rc=0 prec entry
  log=$(log_of "04-torch-$mode")
  if [ -z "${PY_GPU:-}" ]; then
    echo "no python3 whose torch sees a CUDA device" >>"$log"
    return 0
  fi
  t=$(limit "$([ "$mode" = eager ] && echo 150 || echo 360)") ||
    { echo "not run: out of time budget" >>"$log"; return 0; }
  runlog "$log" "$t" "$PY_GPU" "$TORCH_BENCH" --modes "$mode" --model "$TORCH_MODEL" \
    --batch "$BATCH" --iters "$ITERS" --warmup "$WARMUP" || rc=$?
  for prec in fp32 tf32; do
    for entry in inference train_step; do
      printf 'torch-%s\t%s\t%s\t%s\n' "$mode" "$prec" "$entry" \
        "$(field "$log" "torch: mode=$mode precision=$prec entry=$entry " img_per_s)" \
        >>"$WORK/perf.tsv"
    done
  done
}

perf() { # WHO PRECISION ENTRY: img/s from perf.tsv (the last row), or empty
  awk -F'\t' -v w="$1" -v p="$2" -v e="$3" '$1 == w && $2 == p && $3 == e { v = $4 } END { print v }' \
    "$WORK/perf.tsv" 2>/dev/null || true
}

record_ours() { # the rows 4a-4d: our img/s and the ratio to eager PyTorch
  local id prec entry ours eager ms blas
  for id in a b c d; do
    case $id in
      a) prec=fp32 entry=inference ;;
      b) prec=fp32 entry=train_step ;;
      c) prec=tf32 entry=inference ;;
      d) prec=tf32 entry=train_step ;;
    esac
    ours=$(perf ours "$prec" "$entry")
    eager=$(perf torch-eager "$prec" "$entry")
    ms=$(awk -F'\t' -v p="$prec" -v e="$entry" '$1 == "ours" && $2 == p && $3 == e { v = $5 } END { print v }' \
      "$WORK/perf.tsv" 2>/dev/null || true)
    if [ -z "$ours" ] && no_gpu "$OUT/04-bench-$prec-$entry.log"; then
      record "4$id" "$BENCH_NAME b$BATCH $prec $entry" NO-GPU "$NO_GPU_NOTE (see 04-bench-$prec-$entry.log)"
    elif [ -n "$ours" ]; then
      # bench names the cuBLAS it loaded: say it once, in the first row.
      blas=""
      [ "$id" = a ] && blas=$(grep -m 1 '^cuBLAS ' "$OUT/04-bench-$prec-$entry.log" || true)
      record "4$id" "$BENCH_NAME b$BATCH $prec $entry" PASS \
        "ours $(num "$ours") img/s ($ms ms); PyTorch eager $(num "$eager") img/s: $(ratio "$ours" "$eager")${blas:+; $blas}"
    else
      record "4$id" "$BENCH_NAME b$BATCH $prec $entry" FAIL \
        "no bench line: $(first_error "$OUT/04-bench-$prec-$entry.log") (see 04-bench-$prec-$entry.log, 04-build-alexnet-$prec.log)"
    fi
  done
}

ratio_table() { # 04-ratios.txt: img/s ours / PyTorch per entry, precision, mode
  local prec entry mode ours theirs
  {
    printf '%-11s %-9s %-13s %12s %12s %8s\n' entry precision "PyTorch mode" "ours img/s" \
      "torch img/s" "ratio"
    for entry in inference train_step; do
      for prec in fp32 tf32; do
        for mode in eager compile; do
          ours=$(perf ours "$prec" "$entry")
          theirs=$(perf "torch-$mode" "$prec" "$entry")
          printf '%-11s %-9s %-13s %12s %12s %8s\n' "$entry" "$prec" "$mode" "$(num "$ours")" \
            "$(num "$theirs")" "$(ratio "$ours" "$theirs")"
        done
      done
    done
  } >"$OUT/04-ratios.txt"
}

record_compile() { # row 4e: the ratios to torch.compile
  local out="" prec entry ours theirs n=0
  for prec in fp32 tf32; do
    for entry in inference train_step; do
      ours=$(perf ours "$prec" "$entry")
      theirs=$(perf torch-compile "$prec" "$entry")
      [ -n "$theirs" ] && n=$((n + 1))
      out="$out${out:+; }$prec ${entry%_step} $(num "$theirs") img/s: $(ratio "$ours" "$theirs")"
    done
  done
  if ((n > 0)); then
    record 4e "PyTorch torch.compile" PASS "$out"
  else
    record 4e "PyTorch torch.compile" SKIP "n/a: $(awk '/error=/ { sub(/.*error=/, ""); v = $0; exit }
      NF && !/^(# |\$ )/ { v = $0 } END { print substr(v, 1, 100) }' "$OUT/04-torch-compile.log" \
      2>/dev/null) (see 04-torch-compile.log)"
  fi
}

# --------------------------------------------------------------------------
# step 5: CUDA graphs
# --------------------------------------------------------------------------

step_graph() { # ID ENTRY
  local id=$1 entry=$2 exe="${BENCH_EXE[fp32]}" log g t rc args off="" on="" t0=$SECONDS
  local name="CUDA graph on/off, $BENCH_NAME b$BATCH fp32 $entry"
  if [ ! -x "$exe" ]; then
    record "$id" "$name" FAIL "no CUDA build (see 04-build-alexnet-fp32.log)"
    return
  fi
  for g in off on; do
    log=$(log_of "05-graph-$entry-$g")
    args=(bench --iters "$ITERS" --warmup "$WARMUP" --cuda-graph="$g")
    [ "$entry" = train_step ] && args+=(--train)
    rc=0
    t=$(limit 120) || { echo "not run: out of time budget" >>"$log"; continue; }
    runlog "$log" "$t" "$exe" "${args[@]}" || rc=$?
    if [ "$g" = off ]; then off=$(field "$log" "bench: " median_ms); else on=$(field "$log" "bench: " median_ms); fi
  done
  if [ -z "$off$on" ] && no_gpu "$log"; then
    record "$id" "$name" NO-GPU "$NO_GPU_NOTE (see 05-graph-$entry-*.log)"
  elif [ -n "$off" ] && [ -n "$on" ]; then
    record "$id" "$name" PASS "off $off ms, on $on ms: speed-up $(ratio "$off" "$on") [$((SECONDS - t0)) s]"
  else
    record "$id" "$name" FAIL "off ${off:-n/a} ms, on ${on:-n/a} ms: $(first_error "$log") (see 05-graph-$entry-*.log)"
  fi
}

# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------

finish() {
  local id bad=0
  # A correctness step that ran but left no row (a crash) counts as failed.
  for id in 1a 1b ${BUNDLE:+1c} 2 3; do
    want "${id%[abc]}" || continue
    awk -F'\t' -v i="$id" '$1 == i { f = 1 } END { exit !f }' "$OUT/summary.tsv" 2>/dev/null ||
      record "$id" "(no result)" FAIL "the step left no result: see its log"
  done
  if [ -f "$OUT/04-ratios.txt" ]; then
    echo
    echo "$BENCH_NAME batch $BATCH, img/s ours / PyTorch on the same GPU ($OUT/04-ratios.txt):"
    cat "$OUT/04-ratios.txt"
  fi
  echo
  [ -f "$OUT/summary.tsv" ] || : >"$OUT/summary.tsv"
  LC_ALL=C sort -t "$(printf '\t')" -k1,1V "$OUT/summary.tsv" | awk -F'\t' '
    { id[NR] = $1; name[NR] = $2; res[NR] = $3; num[NR] = $4
      s = $1 "  " $2; if (length(s) > w) w = length(s) }
    END {
      if (w < 4) w = 4
      printf "%-" w "s  %-6s  %s\n", "step", "result", "key numbers"
      for (i = 1; i <= NR; i++) printf "%-" w "s  %-6s  %s\n", id[i] "  " name[i], res[i], num[i] }' |
    tee "$OUT/summary.txt"
  awk -F'\t' '$1 ~ /^(1a|1b|1c|2|3)$/ && $3 == "FAIL" { bad = 1 } END { exit bad }' "$OUT/summary.tsv" || bad=1
  if [ "$bad" = 0 ] && awk -F'\t' '$3 == "NO-GPU" { f = 1 } END { exit !f }' "$OUT/summary.tsv"; then
    bad=3
  fi
  echo "gpu-check: $((SECONDS)) s; logs in $OUT; $(case $bad in
    0) echo "correctness steps passed or skipped" ;;
    3) echo "no GPU: the steps that need one did not run (NO-GPU)" ;;
    *) echo "a correctness step FAILED" ;; esac)"
  return "$bad"
}

# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

echo "gpu-check: steps${STEPS% }, budget $BUDGET_S s, logs in $OUT"
PY=$(pick_python) || PY=""
PY_GPU=$(pick_python cuda) || PY_GPU=""

declare -A BENCH_EXE
if [ -n "$BUNDLE" ]; then
  BENCH_EXE=([fp32]="$BUNDLE/bin/big-bench-fp32" [tf32]="$BUNDLE/bin/big-bench-tf32")
  MINI_TRAIN="$BUNDLE/bin/mini-train"
  BENCH_NAME=$BIG
  [ "$BIG" = alexnet ] && BENCH_NAME=AlexNet
  TORCH_BENCH="$BUNDLE/python/torch_alexnet_bench.py"
  TORCH_MODEL="$BUNDLE/models/alexnet.nn"
else
  BENCH_EXE=([fp32]="$WORK/alexnet_fp32" [tf32]="$WORK/alexnet_tf32")
  MINI_TRAIN="$WORK/alexnet_mini"
  BENCH_NAME=AlexNet
  TORCH_BENCH=test/device/torch_alexnet_bench.py
  TORCH_MODEL=models/alexnet.nn
fi

if [ -n "$BUNDLE" ]; then
  # Everything from the bundle: nothing here is compiled.
  want 0 && step_bundle
  pids=()
  if [ -z "$PY" ]; then
    for id in 1a 1b 1c 2; do
      want "${id%[abc]}" && record "$id" "(python)" FAIL "no python3 with torch and numpy (PYTHON=...)"
    done
  else
    big_b=$(bundle_env BIG_CHECK_BATCH) mini_b=$(bundle_env MINI_CHECK_BATCH)
    if want 1; then
      step_equiv 1a "CUDA vs CPU, $BIG b$big_b forward" 01a-equivalence-$BIG 300 "$BIG" \
        --ir "$BUNDLE/ir/big-check.mlir" --baseline-results "$BUNDLE/ref/big-check" \
        --exes "$BUNDLE/bin/big-check" --names=cuda,cpu &
      pids+=($!)
      step_equiv 1b "CUDA vs CPU, $MINI b$mini_b" 01b-equivalence-$MINI 300 "$MINI" \
        --ir "$BUNDLE/ir/mini-check.mlir" --baseline-results "$BUNDLE/ref/mini-check" \
        --exes "$BUNDLE/bin/mini-check" --names=cuda,cpu &
      pids+=($!)
      step_grad 1c "CUDA vs PyTorch fp64, $BIG b$big_b grad + SGD" 01c-grad-oracle-$BIG 360 \
        "$BUNDLE/bin/big-check" "$BUNDLE/ir/big-check.mlir" &
      pids+=($!)
    fi
    if want 2; then
      step_equiv 2 "CUDA 2 devices vs 1, $MINI b$mini_b" 02-equivalence-devices 300 "$MINI" \
        --ir "$BUNDLE/ir/mini-check.mlir" --seed=1 --batch="$mini_b" \
        --exes "$BUNDLE/bin/mini-check-devices2,$BUNDLE/bin/mini-check" \
        --candidate=--devices=2 --baseline= --names=cuda-devices=2,cuda-devices=1 &
      pids+=($!)
    fi
  fi
  for pid in "${pids[@]}"; do
    wait "$pid" || true
  done
else

want 0 && step_build
if [ ! -x "$COMPILE" ]; then
  for id in 1a 1b 2 3 4a 5a; do
    want "${id%[ab]}" && record "$id" "(all)" FAIL "no $COMPILE (step 0)"
  done
  rc=0
  finish || rc=$?
  exit "$rc"
fi

# Steps 1 and 2 and the CUDA builds of steps 3-5, side by side.
pids=()
if [ -z "$PY" ]; then
  for id in 1a 1b; do
    want 1 && record "$id" "CUDA vs CPU" FAIL "no python3 with torch and numpy (PYTHON=...)"
  done
  want 2 && record 2 "2 devices vs 1, CUDA" FAIL "no python3 with torch and numpy (PYTHON=...)"
else
  if want 1; then
    step_equiv 1a "CUDA vs CPU, alexnet b4" 01a-equivalence-alexnet 360 models/alexnet.nn \
      --batch=4 --candidate="${CUDA[*]}" --baseline= --names=cuda,cpu &
    pids+=($!)
    step_equiv 1b "CUDA vs CPU, alexnet_mini b2" 01b-equivalence-alexnet_mini 300 \
      models/alexnet_mini.nn --batch=2 --candidate="${CUDA[*]}" --baseline= --names=cuda,cpu &
    pids+=($!)
  fi
  if want 2; then
    step_equiv 2 "CUDA 2 devices vs 1, alexnet_mini b2" 02-equivalence-devices 300 \
      models/alexnet_mini.nn --batch=2 --candidate="${CUDA[*]} --devices=2" \
      --baseline="${CUDA[*]}" --names=cuda-devices=2,cuda-devices=1 &
    pids+=($!)
  fi
fi
if want 3 && find_data >/dev/null; then
  prebuild alexnet_mini 03-build-alexnet_mini models/alexnet_mini.nn "${CUDA[@]}" &
  pids+=($!)
fi
if want 4 || want 5; then
  prebuild alexnet_fp32 04-build-alexnet-fp32 models/alexnet.nn "${CUDA[@]}" --batch="$BATCH" &
  pids+=($!)
fi
if want 4; then
  prebuild alexnet_tf32 04-build-alexnet-tf32 models/alexnet.nn "${CUDA[@]}" --tf32 --batch="$BATCH" &
  pids+=($!)
fi
for pid in "${pids[@]}"; do
  wait "$pid" || true
done
fi # not --bundle

want 3 && step_train
if want 4; then
  : >"$WORK/perf.tsv"
  bench_ours fp32 inference
  # --profile: after the timed runs, GPU time per layer and op (CUDA
  # events) into 04-bench-fp32-train_step.log, for whoever tunes kernels.
  bench_ours fp32 train_step --profile
  bench_ours tf32 inference
  bench_ours tf32 train_step
  bench_torch eager
  record_ours
  ratio_table
fi
if want 5; then
  step_graph 5a inference
  step_graph 5b train_step
fi
if want 4; then
  # torch.compile last: its compiles take minutes and it is only a comparison.
  bench_torch compile
  ratio_table
  record_compile
fi

rc=0
finish || rc=$?
exit "$rc"
