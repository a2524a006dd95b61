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

Then, per entry, where the time changed: each round also runs `bench
--profile` on both builds, and for every fusion the compiler reports
(`--print-fusions`) the kernels it replaced are summed: with --no-fuse, the
head layer's bias/reorder kernel (bias_add, conv_output) plus the absorbed
layers' relu / lrn (forward) or relu_grad (backward); fused, the head's
epilogue (conv_epilogue, bias_relu) or the gradient kernel that took the
ReLU's mask. The GEMMs and im2col are the same in both builds and are left
out. Prints the median of the rounds per region and the ratio.
Use /usr/bin/python3 (Debian's numpy and torch, which oracle.py imports).

    /usr/bin/python3 test/bench/bench_fusion.py [--build build]
        [--models models/alexnet.nn,models/alexnet_mini.nn]
        [--batches alexnet=32,alexnet_mini=128] [--threads 2] [--iters 5]
        [--warmup 1] [--rounds 2] [--march native]

--batches maps a model's file name without .nn to its batch; a model not
listed there runs at the batch its .nn file declares.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import oracle  # noqa: E402

DEFAULT_BATCHES = "alexnet=32,alexnet_mini=128"
TRAFFIC_RE = (r"activation traffic per image \((forward|train step)\): ([0-9,]+) bytes "
              r"unfused, ([0-9,]+) bytes fused \(saves ([0-9,]+) bytes")
ENTRIES = (("inference", "forward", []), ("train_step", "train step", ["--train"]))
FUSION_RE = (r"remark: fused (the gradients of )?(\S+(?: \+ \S+)*) into (\S+)(?: through_relu)? "
             r"in @(\w+)")
PROFILE_ROW_RE = r"^\s+(\S+) (\S+)\s+([0-9.]+)\s+[0-9.]+%$"
# The kernels a fusion replaces, per layer position in the chain: the head
# (the producer, or the gradient op) and the layers it absorbed.
HEAD_KERNELS = {"conv_epilogue", "bias_add", "conv_output", "bias_relu",
                "lrn_grad", "maxpool_grad"}
ABSORBED_KERNELS = {"relu", "lrn", "relu_grad"}


run = oracle.run_or_exit


def traffic(summary):
    """{"forward": saved bytes, "train step": saved bytes}, per image."""
    return {m.group(1): int(m.group(4).replace(",", ""))
            for m in re.finditer(TRAFFIC_RE, summary)}


def median_ms(text):
    return float(re.search(r"median_ms=([0-9.]+)", text).group(1))


def fusion_regions(compiler, model, flags):
    """{entry: [(label, head layer, absorbed layers, backward?)]} from the
    fused build's --print-fusions remarks."""
    proc = subprocess.run([compiler, model, "--emit=lowered", "--print-fusions",
                           "-o", os.devnull] + flags, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit("%s: error: %s" % (os.path.basename(__file__), proc.stderr))
    regions = {}
    for m in re.finditer(FUSION_RE, proc.stderr):
        backward, layers, function = bool(m.group(1)), m.group(2).split(" + "), m.group(4)
        if function == "gradients":
            continue  # bench --train runs train_step
        entry = "inference" if function == "inference" else "train_step"
        regions.setdefault(entry, []).append(
            (" + ".join(layers) + (" (grad)" if backward else ""), layers[0],
             layers[1:], backward))
    return regions


def region_ms(profile, region):
    """Milliseconds of the kernels `region` covers in a --profile table."""
    _, head, absorbed, backward = region
    total = 0.0
    for layer, kernel, ms in re.findall(PROFILE_ROW_RE, profile, re.M):
        if layer == head and kernel in HEAD_KERNELS:
            total += float(ms)
        elif layer in absorbed and kernel in ABSORBED_KERNELS:
            # A gradient region covers only the absorbed ReLU's gradient.
            total += float(ms) if (kernel == "relu_grad") == backward else 0.0
    return total


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

    regions = fusion_regions(compiler, model, flags)
    per_round = {(entry, fused): [] for entry, _, _ in entries for fused in (True, False)}
    profiles = {(entry, fused): [] for entry, _, _ in entries for fused in (True, False)}
    for r in range(args.rounds):
        for entry, _, extra in entries:
            for fused in ((True, False) if r % 2 == 0 else (False, True)):
                common = ["--threads", str(args.threads), "--iters", str(args.iters),
                          "--warmup", str(args.warmup)]
                text = run([exes[fused], "bench"] + extra + common)
                per_round[(entry, fused)].append(median_ms(text))
                print("  round %d %-10s %-7s %9.1f ms/batch" % (
                    r + 1, entry, "fused" if fused else "unfused",
                    per_round[(entry, fused)][-1]), flush=True)
                if regions.get(entry):
                    profiles[(entry, fused)].append(
                        run([exes[fused], "bench"] + extra + common + ["--profile"]))

    rows = []
    for entry, traffic_key, _ in entries:
        fused_ms = statistics.median(per_round[(entry, True)])
        unfused_ms = statistics.median(per_round[(entry, False)])
        rows.append((name, batch, entry, fused_ms, unfused_ms, saved[traffic_key]))
        if not regions.get(entry):
            continue
        print("\n%s batch %d, %s: the kernels each fusion replaces, ms/batch "
              "(median of %d profiled rounds)" % (name, batch, entry, args.rounds))
        print("  %-28s %9s %9s %8s" % ("fusion", "unfused", "fused", "speed-up"))
        sums = [0.0, 0.0]
        for region in regions[entry]:
            u = statistics.median(region_ms(t, region) for t in profiles[(entry, False)])
            f = statistics.median(region_ms(t, region) for t in profiles[(entry, True)])
            sums = [sums[0] + u, sums[1] + f]
            print("  %-28s %9.2f %9.2f %7.2fx" % (region[0], u, f, u / f if f else 0.0))
        print("  %-28s %9.2f %9.2f %7.2fx   (of %.1f ms/batch unfused)" % (
            "all fusions", sums[0], sums[1], sums[0] / sums[1] if sums[1] else 0.0,
            unfused_ms), flush=True)
    return rows


def main():
    args, compiler, batches = oracle.bench_args(__doc__, DEFAULT_BATCHES, rounds=2)
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
