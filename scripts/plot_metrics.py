#!/usr/bin/python3
"""Plot a training run's metrics CSV (the executable's `train --metrics`).

    scripts/plot_metrics.py METRICS.csv -o METRICS.png [--title TEXT]

Left: the training loss per epoch. Right: validation top-1 and top-5 error
(%) per epoch. Epochs where the learning rate dropped are marked on both.
Uses matplotlib from Debian (python3-matplotlib) with the Agg backend, so it
needs no display. Exit status 1 with a message for a missing, empty or
malformed file.
"""

import argparse
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = ["epoch", "step", "lr", "train_loss", "val_top1_error",
           "val_top5_error", "train_img_per_s", "skipped"]


def read_rows(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise ValueError("%s: expected the columns %s, got %s" % (
                path, ",".join(COLUMNS), ",".join(reader.fieldnames or [])))
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append({k: float(v) for k, v in row.items()})
            except (TypeError, ValueError):
                raise ValueError("%s:%d: not a row of numbers" % (path, line))
    if not rows:
        raise ValueError("%s: no epochs yet" % path)
    return rows


def plot(rows, out, title):
    epochs = [r["epoch"] for r in rows]
    drops = [r["epoch"] for prev, r in zip(rows, rows[1:]) if r["lr"] < prev["lr"]]
    fig, (loss_ax, err_ax) = plt.subplots(1, 2, figsize=(10, 4))
    loss_ax.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("cross-entropy")
    loss_ax.set_title("training loss")
    for name, label in (("val_top1_error", "top-1"), ("val_top5_error", "top-5")):
        values = [100.0 * r[name] for r in rows]
        if not all(math.isnan(v) for v in values):
            err_ax.plot(epochs, values, "o-", label=label + " error")
    err_ax.set_xlabel("epoch")
    err_ax.set_ylabel("validation error (%)")
    err_ax.set_title("validation error")
    for ax in (loss_ax, err_ax):
        for i, epoch in enumerate(drops):
            ax.axvline(epoch - 0.5, color="grey", linestyle=":",
                       label="lr / 10" if i == 0 else None)
        ax.grid(alpha=0.3)
        ax.legend()
    last = rows[-1]
    fig.suptitle("%s: %d epochs, final top-1 error %.2f%%, %.0f img/s" % (
        title, last["epoch"], 100.0 * last["val_top1_error"],
        last["train_img_per_s"]))
    fig.tight_layout()
    fig.savefig(out, dpi=100)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("metrics", help="the CSV `train --metrics` wrote")
    p.add_argument("-o", "--output", required=True, help="the PNG to write")
    p.add_argument("--title", default="training", help="the figure's title")
    args = p.parse_args()
    try:
        rows = read_rows(args.metrics)
        plot(rows, args.output, args.title)
    except (OSError, ValueError) as e:
        print("plot_metrics.py: error: %s" % e, file=sys.stderr)
        return 1
    print("wrote %s (%d epochs)" % (args.output, len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
