#!/usr/bin/python3
"""Inference throughput of alexnet-compile's CPU executable vs PyTorch.

Runs, in one invocation on one machine, the compiled executable's `bench`
and the same network in PyTorch (eval mode, torch.no_grad, the same thread
count), and prints img/s for both and their ratio. Timings are medians over
--iters runs after --warmup runs. Use /usr/bin/python3 (Debian's torch).

    /usr/bin/python3 test/bench/bench_inference.py [--build build]
        [--model models/alexnet.nn] [--batches 1,32] [--threads 1,2]

Both processes get the same OpenBLAS kernel family: the executable picks
the best one the CPU supports when OpenBLAS falls back to generic kernels
(see selectBlasKernels in lib/Runtime/Cpu/Blas.cpp); PyTorch's dense layers
use the same OpenBLAS, so the script exports the same OPENBLAS_CORETYPE to
both unless --no-coretype is given.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TORCH_BENCH = r"""
import statistics, sys, time, torch, torch.nn as nn
batch, threads, iters, warmup = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
def lrn():  # the paper's alpha is not divided by size; PyTorch's is
    return nn.LocalResponseNorm(5, alpha=1e-4 * 5, beta=0.75, k=2.0)
model = nn.Sequential(
    nn.Conv2d(3, 96, 11, stride=4, padding=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
    nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
    nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
    nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2),
    nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 1000),
    nn.Softmax(dim=1)).eval()
x = torch.rand(batch, 3, 224, 224) + 0.5
times = []
with torch.no_grad():
    for i in range(warmup + iters):
        start = time.perf_counter()
        model(x)
        if i >= warmup:
            times.append(time.perf_counter() - start)
print("median_ms=%.4f" % (statistics.median(times) * 1e3))
"""


def best_coretype():
    flags = open("/proc/cpuinfo").read()
    if all(f in flags for f in ("avx512f", "avx512dq", "avx512bw", "avx512vl")):
        return "SkylakeX"
    if "avx2" in flags and " fma" in flags:
        return "Haswell"
    return None


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stdout}{out.stderr}")
    return out.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--model", default="models/alexnet.nn")
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--march", default="native",
                        help="-march for the generated C++ ('' for the default)")
    parser.add_argument("--no-coretype", action="store_true")
    args = parser.parse_args()

    env = dict(os.environ)
    coretype = None if args.no_coretype else best_coretype()
    if coretype and "OPENBLAS_CORETYPE" not in env:
        env["OPENBLAS_CORETYPE"] = coretype
    compiler = os.path.join(args.build, "bin", "alexnet-compile")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for batch in map(int, args.batches.split(",")):
            exe = os.path.join(tmp, f"model_b{batch}")
            cmd = [compiler, args.model, "--target=cpu", f"--batch={batch}", "-o", exe]
            if args.march:
                cmd.append(f"-Xcxx=-march={args.march}")
            run(cmd, env)
            for threads in map(int, args.threads.split(",")):
                iters = max(3, args.iters if batch <= 8 else args.iters // 2)
                ours = run([exe, "bench", "--iters", str(iters), "--warmup",
                            str(args.warmup), "--threads", str(threads)], env)
                ours_ms = float(re.search(r"median_ms=([0-9.]+)", ours).group(1))
                torch_out = run(["/usr/bin/python3", "-c", TORCH_BENCH, str(batch),
                                 str(threads), str(iters), str(args.warmup)], env)
                torch_ms = float(re.search(r"median_ms=([0-9.]+)", torch_out).group(1))
                rows.append((batch, threads, batch * 1e3 / ours_ms,
                             batch * 1e3 / torch_ms))
                print(f"batch {batch:3d} threads {threads}: alexnet-compile "
                      f"{rows[-1][2]:7.1f} img/s, PyTorch {rows[-1][3]:7.1f} img/s",
                      flush=True)
    print()
    print(f"model {args.model}, OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(auto)')}")
    print("| batch | threads | alexnet-compile img/s | PyTorch img/s | ratio |")
    print("|---:|---:|---:|---:|---:|")
    for batch, threads, ours, theirs in rows:
        print(f"| {batch} | {threads} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}x |")


if __name__ == "__main__":
    main()
