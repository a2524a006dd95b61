"""Compares two training runs (cuda-sim-train-fashion-mnist.test): DIR holds
sim.train, cpu.train (their `train` output) and sim.eval, cpu.eval."""
import re
import sys

d = sys.argv[1]


def number(path, pattern):
    with open(path) as f:
        m = re.search(pattern, f.read())
    if not m:
        sys.exit("%s: no match for %r" % (path, pattern))
    return float(m.group(1))


loss = [number("%s/%s.train" % (d, b), r"train loss ([0-9.]+)") for b in ("sim", "cpu")]
top1 = [number("%s/%s.eval" % (d, b), r"accuracy ([0-9.]+)%") for b in ("sim", "cpu")]
if abs(loss[0] - loss[1]) > 1e-4 * abs(loss[1]):
    sys.exit("training loss %g (simulator) vs %g (CPU): more than 1e-4 apart" % tuple(loss))
if abs(top1[0] - top1[1]) > 0.1 + 1e-9:  # one image in 1,000
    sys.exit("test top-1 %g%% (simulator) vs %g%% (CPU)" % tuple(top1))
print("same training: loss %g and %g, test top-1 %g%% and %g%%" % (loss[0], loss[1], top1[0], top1[1]))
