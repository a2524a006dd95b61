#!/usr/bin/python3
"""One device vs two: alexnet-compile --devices=1, 2 and 2 hybrid, img/s.

For each model, compiles it at its batch into a temporary directory three
times: one device (the default), `--devices=2` (nn-partition, the paper's
model parallelism: every layer split across the two devices) and
`--devices=2 --parallel=hybrid` (data-parallel convolutions, model-parallel
dense layers), and prints the compile times. On the CPU a logical device is
a worker thread with its share of --threads for its kernels and its GEMMs.
Then runs each executable's `bench` (inference) and `bench --train` (one
training step: forward, backward and the in-place SGD update, on random
data) with the same --threads, --iters and --warmup, interleaved to cancel
drift on a shared machine: each of the --rounds rounds runs every entry once
per build, in a rotating order; a build's time is the median of its
per-round medians. From each executable's `info` it reads the parameters
each device holds, its planned arena per entry point and the bytes it
receives per run.

Prints a table of img/s per build with the speed-up over one device, a
per-device memory table, and a `bench:` line per row. Use /usr/bin/python3.

    /usr/bin/python3 test/bench/bench_devices.py [--build build]
        [--models models/alexnet.nn,models/alexnet_mini.nn]
        [--batches alexnet=32,alexnet_mini=128] [--threads 2] [--iters 5]
        [--warmup 1] [--rounds 3] [--march native]

--batches maps a model's file name without .nn to its batch; a model not
listed there runs at the batch its .nn file declares.
"""

import os
import re
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import oracle  # noqa: E402

DEFAULT_BATCHES = "alexnet=32,alexnet_mini=128"
BUILDS = (("1 device", []), ("2 devices", ["--devices=2"]),
          ("2 hybrid", ["--devices=2", "--parallel=hybrid"]))
ENTRIES = (("inference", []), ("train_step", ["--train"]))

run = oracle.run_or_exit


def median_ms(text):
    return float(re.search(r"median_ms=([0-9.]+)", text).group(1))


def number(text):
    return int(text.replace(",", ""))


def device_memory(info):
    """{device: {"params": n, "inference": bytes, "train_step": bytes,
    "received": bytes per train step}} from `info`."""
    devices = {}
    params = re.search(r"parameters per device.*?\n((?:  .*\n)+)", info)
    if params:
        for line in params.group(1).splitlines()[1:]:
            cells = line.split()
            devices.setdefault(int(cells[0]), {})["params"] = number(cells[1])
    for entry in ("inference", "train_step"):
        table = re.search(r"^%s arena per device.*\n((?:  .*\n)+)" % entry, info, re.M)
        if not table:
            continue
        for line in table.group(1).splitlines()[1:]:
            cells = line.split()
            row = devices.setdefault(int(cells[0]), {})
            row[entry] = number(cells[1])
            # device, bytes, MiB "MiB", naive bytes, MiB "MiB", saving,
            # received "B" (partitioned builds only)
            if entry == "train_step" and len(cells) >= 10:
                row["received"] = number(cells[8])
    if "params" not in devices.get(0, {}):
        total = re.search(r"total parameters: ([0-9,]+)", info)
        devices.setdefault(0, {})["params"] = number(total.group(1))
    return devices


def bench_model(args, compiler, model, batch, tmp):
    name = os.path.splitext(os.path.basename(model))[0]
    if not batch:
        summary = run([compiler, model, "--emit=summary"])
        batch = int(re.search(r"^model \S+, batch (\d+)", summary, re.M).group(1))
    flags = ["--batch=%d" % batch]

    exes, memory = {}, {}
    for label, build in BUILDS:
        exe = os.path.join(tmp, "%s_b%d_%s" % (name, batch, label.replace(" ", "_")))
        cmd = [compiler, model, "--target=cpu", "-o", exe] + flags + build
        if args.march:
            cmd.append("-Xcxx=-march=%s" % args.march)
        t = time.perf_counter()
        run(cmd)
        print("compiled %s at batch %d, %s, in %.0f s" % (
            model, batch, label, time.perf_counter() - t), flush=True)
        exes[label] = exe
        memory[label] = device_memory(run([exe, "info"]))

    per_round = {(entry, label): [] for entry, _ in ENTRIES for label, _ in BUILDS}
    common = ["--threads", str(args.threads), "--iters", str(args.iters),
              "--warmup", str(args.warmup)]
    for r in range(args.rounds):
        order = [label for label, _ in BUILDS]
        order = order[r % len(order):] + order[:r % len(order)]
        for entry, extra in ENTRIES:
            for label in order:
                ms = median_ms(run([exes[label], "bench"] + extra + common))
                per_round[(entry, label)].append(ms)
                print("  round %d %-10s %-9s %9.1f ms/batch" % (
                    r + 1, entry, label, ms), flush=True)

    rows = []
    for entry, _ in ENTRIES:
        base = statistics.median(per_round[(entry, BUILDS[0][0])])
        for label, _ in BUILDS:
            ms = statistics.median(per_round[(entry, label)])
            rows.append((name, batch, entry, label, ms, base / ms))
    return rows, memory


def main():
    args, compiler, batches = oracle.bench_args(__doc__, DEFAULT_BATCHES, rounds=3)
    rows, memories = [], []
    with tempfile.TemporaryDirectory(prefix="bench-devices.") as tmp:
        for model in filter(None, args.models.split(",")):
            name = os.path.splitext(os.path.basename(model))[0]
            model_rows, memory = bench_model(args, compiler, model, batches.get(name), tmp)
            rows += model_rows
            memories.append((name, memory))

    print()
    print("throughput, %d threads in all (median of %d rounds, each the median of "
          "%d after %d warm-up):" % (args.threads, args.rounds, args.iters, args.warmup))
    print("%-14s %6s  %-10s %-10s %10s %10s %10s" % (
        "model", "batch", "entry", "build", "ms/batch", "img/s", "vs 1 dev"))
    for name, batch, entry, label, ms, ratio in rows:
        print("%-14s %6d  %-10s %-10s %10.1f %10.1f %9.2fx" % (
            name, batch, entry, label, ms, batch * 1e3 / ms, ratio))

    print()
    print("memory per device (parameters it owns; planned arenas; bytes it "
          "receives per train step):")
    print("%-14s %-10s %6s %12s %14s %14s %14s" % (
        "model", "build", "device", "parameters", "inference MiB", "train MiB",
        "received MiB"))
    for name, memory in memories:
        for label, _ in BUILDS:
            for device, row in sorted(memory[label].items()):
                print("%-14s %-10s %6d %12s %14.1f %14.1f %14.1f" % (
                    name, label, device, "{:,}".format(row.get("params", 0)),
                    row.get("inference", 0) / 2**20, row.get("train_step", 0) / 2**20,
                    row.get("received", 0) / 2**20))
    for name, batch, entry, label, ms, ratio in rows:
        print("bench: model=%s batch=%d threads=%d entry=%s build=%s ms=%.3f "
              "img_per_s=%.1f speedup_vs_1=%.3f" % (
                  name, batch, args.threads, entry, label.replace(" ", "_"), ms,
                  batch * 1e3 / ms, ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
