#!/usr/bin/python3
"""Fusion on vs off: alexnet-compile's executables with and without nn-fuse, img/s.

For each model, compiles it twice at its batch into a temporary directory:
the default build (nn-fuse on: conv+ReLU+LRN, conv+ReLU, dense+ReLU, ReLU
gradients folded into the LRN / max-pool gradients) and a `--no-fuse` build,
and prints both compile times. Then runs each executable's `bench`
(inference) and, when the model has a loss, `bench --train` (one training
step: forward, backward and the in-place SGD update of `train_step`, on random
data), with the same --threads, --iters and --warmup. The runs are
interleaved to cancel drift on a shared machine: each of the --rounds rounds
runs every entry once per build, fused first in even rounds and unfused first
in odd ones (fused, unfused, unfused, fused, ...); a build's time is the
median of its per-round medians. The activation bytes per image that fusion
saves come from the two `activation traffic per image` lines of
`alexnet-compile MODEL --emit=summary --batch=B` (forward for inference,
train step for training). Prints a table of img/s for both builds, the
speed-up (fused / unfused) and the bytes saved, and a `bench:` line per row.
Use /usr/bin/python3 (Debian's numpy and torch, which oracle.py imports).

    /usr/bin/python3 test/bench/bench_fusion.py [--build build]
        [--models models/alexnet.nn,models/alexnet_mini.nn]
        [--batches alexnet=32,alexnet_mini=128] [--threads 2] [--iters 5]
        [--warmup 1] [--rounds 2] [--march native]

--batches maps a model's file name without .nn to its batch; a model not
listed there runs at the batch its .nn file declares.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import oracle  # noqa: E402

DEFAULT_BATCHES = "alexnet=32,alexnet_mini=128"
TRAFFIC_RE = (r"activation traffic per image \((forward|train step)\): ([0-9,]+) bytes "
              r"unfused, ([0-9,]+) bytes fused \(saves ([0-9,]+) bytes")
ENTRIES = (("inference", "forward", []), ("train_step", "train step", ["--train"]))


def run(cmd):
    """oracle.run, failing the benchmark with the tool's output."""
    try:
        return oracle.run(cmd, os.path.basename(cmd[0]), timeout=3600)
    except oracle.OracleError as e:
        raise SystemExit("%s: error: %s" % (os.path.basename(__file__), e))


def parse_batches(text):
    batches = {}
    for item in filter(None, text.split(",")):
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit() or int(value) < 1:
            raise SystemExit("%s: error: --batches wants NAME=N,..., got %r" % (
                os.path.basename(__file__), item))
        batches[name.strip()] = int(value)
    return batches


def traffic(summary):
    """{"forward": saved bytes, "train step": saved bytes}, per image."""
    return {m.group(1): int(m.group(4).replace(",", ""))
            for m in re.finditer(TRAFFIC_RE, summary)}


def median_ms(text):
    return float(re.search(r"median_ms=([0-9.]+)", text).group(1))


def bench_model(args, compiler, model, batch, tmp):
    name = os.path.splitext(os.path.basename(model))[0]
    flags = ["--batch=%d" % batch] if batch else []
    summary = run([compiler, model, "--emit=summary"] + flags)
    if not batch:
        batch = int(re.search(r"^model \S+, batch (\d+)", summary, re.M).group(1))
        flags = ["--batch=%d" % batch]
    saved = traffic(summary)
    entries = [e for e in ENTRIES if e[1] in saved]
    if not entries:
        raise SystemExit("%s: error: no activation traffic lines in the summary of %s" % (
            os.path.basename(__file__), model))

    exes = {}
    for fused in (True, False):
        exe = os.path.join(tmp, "%s_b%d_%s" % (name, batch, "fused" if fused else "unfused"))
        cmd = [compiler, model, "--target=cpu", "-o", exe] + flags
        if not fused:
            cmd.append("--no-fuse")
        if args.march:
            cmd.append("-Xcxx=-march=%s" % args.march)
        t = time.perf_counter()
        run(cmd)
        print("compiled %s at batch %d %s in %.0f s" % (
            model, batch, "fused" if fused else "with --no-fuse",
            time.perf_counter() - t), flush=True)
        exes[fused] = exe

    per_round = {(entry, fused): [] for entry, _, _ in entries for fused in (True, False)}
    for r in range(args.rounds):
        for entry, _, extra in entries:
            for fused in ((True, False) if r % 2 == 0 else (False, True)):
                text = run([exes[fused], "bench"] + extra + [
                    "--threads", str(args.threads), "--iters", str(args.iters),
                    "--warmup", str(args.warmup)])
                per_round[(entry, fused)].append(median_ms(text))
                print("  round %d %-10s %-7s %9.1f ms/batch" % (
                    r + 1, entry, "fused" if fused else "unfused",
                    per_round[(entry, fused)][-1]), flush=True)

    rows = []
    for entry, traffic_key, _ in entries:
        fused_ms = statistics.median(per_round[(entry, True)])
        unfused_ms = statistics.median(per_round[(entry, False)])
        rows.append((name, batch, entry, fused_ms, unfused_ms, saved[traffic_key]))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--models", default="models/alexnet.nn,models/alexnet_mini.nn")
    p.add_argument("--batches", default=DEFAULT_BATCHES,
                   help="NAME=N,... (NAME: the model's file name without .nn)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2,
                   help="interleaved runs of each bench per build")
    p.add_argument("--march", default="native",
                   help="-march for the generated C++ ('' for the default)")
    args = p.parse_args()
    if args.rounds < 1 or args.iters < 1 or args.warmup < 0:
        p.error("--rounds and --iters must be at least 1, --warmup at least 0")

    compiler = os.path.join(args.build, "bin", "alexnet-compile")
    batches = parse_batches(args.batches)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fusion.") as tmp:
        for model in filter(None, args.models.split(",")):
            name = os.path.splitext(os.path.basename(model))[0]
            rows += bench_model(args, compiler, model, batches.get(name), tmp)

    print()
    print("fused vs --no-fuse, %d threads (median of %d rounds, each the median of "
          "%d after %d warm-up):" % (args.threads, args.rounds, args.iters, args.warmup))
    print("%-14s %6s  %-10s %12s %14s %9s %17s" % (
        "model", "batch", "entry", "fused img/s", "unfused img/s", "speed-up",
        "bytes saved/img"))
    for name, batch, entry, fused_ms, unfused_ms, saved in rows:
        print("%-14s %6d  %-10s %12.1f %14.1f %8.2fx %17s" % (
            name, batch, entry, batch * 1e3 / fused_ms, batch * 1e3 / unfused_ms,
            unfused_ms / fused_ms, "{:,}".format(saved)))
    for name, batch, entry, fused_ms, unfused_ms, saved in rows:
        print("bench: model=%s batch=%d threads=%d entry=%s fused_ms=%.3f unfused_ms=%.3f "
              "speedup=%.3f bytes_saved_per_image=%d" % (
                  name, batch, args.threads, entry, fused_ms, unfused_ms,
                  unfused_ms / fused_ms, saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
