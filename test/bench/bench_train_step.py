#!/usr/bin/python3
"""One SGD training step: alexnet-compile's executable vs PyTorch, img/s.

Compiles the model at --batch (with its training entry points), runs the
executable's `bench --train` (forward, backward and the in-place SGD update
of `train_step` on random data), and, in the same invocation, one
torch.optim.SGD step of the same network built from the model's nn IR by the
oracle's interpreter (dropout on, momentum and weight decay from the train
block) on random data with the same thread count. Prints the median time per
batch, img/s for both and the ratio. Use /usr/bin/python3 (Debian's torch).

    /usr/bin/python3 test/bench/bench_train_step.py [--build build]
        [--model models/alexnet.nn] [--batch 32] [--threads 2] [--iters 5]
        [--exe EXE]
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import oracle  # noqa: E402
import grad_oracle  # noqa: E402


run = oracle.run_or_exit


def torch_step_ms(g, batch, iters, warmup, momentum, decay):
    rng = np.random.default_rng(0)
    weights = oracle.random_weights(g, rng)
    params = [torch.from_numpy(a).requires_grad_() for a in weights.values()]
    named = dict(zip(weights.keys(), params))
    opt = torch.optim.SGD(params, lr=0.0, momentum=momentum, weight_decay=decay)
    shape = g.inputs[0][2]
    x = torch.rand(*shape) + 0.5
    classes = grad_oracle.class_count(g)
    labels = torch.from_numpy(rng.integers(0, classes, size=batch))
    times = []
    for i in range(warmup + iters):
        start = time.perf_counter()
        loss = grad_oracle.loss_of(g, named, x, labels, training=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--model", default="models/alexnet.nn")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--exe", help="the model already compiled at --batch")
    args = p.parse_args()

    compiler = os.path.join(args.build, "bin", "alexnet-compile")
    ir = run([compiler, args.model, "--emit=nn", "--batch=%d" % args.batch])
    g = oracle.parse_nn(ir)
    momentum, decay = grad_oracle.train_settings(ir)
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory(prefix="bench-train-step.") as tmp:
        exe = args.exe
        if not exe:
            exe = os.path.join(tmp, "model")
            t = time.perf_counter()
            run([compiler, args.model, "--target=cpu", "--batch=%d" % args.batch, "-o", exe])
            print("compiled %s at batch %d in %.0f s" % (args.model, args.batch,
                                                        time.perf_counter() - t))
        text = run([exe, "bench", "--train", "--threads", str(args.threads),
                    "--iters", str(args.iters), "--warmup", str(args.warmup)])
    ours = float(re.search(r"median_ms=([0-9.]+)", text).group(1))
    theirs = torch_step_ms(g, args.batch, args.iters, args.warmup, momentum, decay)
    name = os.path.basename(args.model)
    print("%s training step, batch %d, %d threads (median of %d after %d warm-up):" % (
        name, args.batch, args.threads, args.iters, args.warmup))
    print("  alexnet-compile  %9.1f ms/batch  %7.1f img/s" % (ours, args.batch * 1e3 / ours))
    print("  PyTorch %-8s %9.1f ms/batch  %7.1f img/s" % (
        torch.__version__.split("+")[0][:8], theirs, args.batch * 1e3 / theirs))
    print("  ratio (alexnet-compile / PyTorch): %.2fx" % (theirs / ours))
    print("bench: model=%s batch=%d threads=%d ours_ms=%.3f torch_ms=%.3f ratio=%.3f" % (
        name, args.batch, args.threads, ours, theirs, theirs / ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
