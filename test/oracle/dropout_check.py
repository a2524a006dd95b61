#!/usr/bin/env python3
"""Statistics and exactness of dropout in a compiled model's `grad`.

    dropout_check.py EXE WORKDIR --rate R --batch B [--seed S] [--step N]

EXE is a model of the form

    x : f32[B, D] -> d1 = dense(units=H) -> relu -> dropout(rate=R)
      -> d2 = dense(units=C) -> softmax;  loss softmax_cross_entropy(d2, label)

compiled at batch B. Numpy only (no torch). The script writes weights in
which every hidden unit is active (d1.bias = 1, small d1.weight), so a
hidden unit's gradient is zero exactly when dropout dropped it, and inputs
whose rows have disjoint supports (row b is non-zero only in its own slice
of D), so d1.weight.grad[j, slice b] is example b's gradient alone and shows
example b's mask. It checks:

  * `grad --no-dropout` matches a float64 numpy forward and backward
    (loss = mean over the batch), which fixes the conventions;
  * with dropout on (--seed S --step N): the masks read from
    d1.weight.grad rows and d2.weight.grad columns agree (the forward mask is
    reused in backward), dropped units' rows/columns are exactly zero, and
    the loss and every gradient match numpy given those masks and the
    1/(1-R) scale;
  * each example's keep fraction is 1-R within 4 sigma, sqrt(R(1-R)/H);
  * at batch 1, with d2.weight = 0 (so the logits, hence dL/dlogits, do not
    depend on the mask): d2.weight.grad[:, j] is exactly zero for dropped j
    and equals 1/(1-R) times the no-dropout column for kept j;
  * the same step gives bit-identical gradients, and the same mask with
    another thread count (whose sums may round differently); a
    different step, or a different seed, gives another mask whose agreement
    with the first is (1-R)^2 + R^2 within 4 sigma (independent masks); at
    batch >= 2 the examples' masks differ likewise.

Prints one line per check and "dropout_check: all checks passed"; exits 1
with a message on the first failure.
"""

import argparse
import os
import subprocess
import sys

import numpy as np


def fail(message):
    print("dropout_check: FAILED: " + message)
    sys.exit(1)


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        fail("%s exited %d:\n%s%s" % (" ".join(cmd), proc.returncode,
                                       proc.stdout, proc.stderr))
    return proc.stdout


class Model:
    def __init__(self, exe, work, batch):
        self.exe, self.work, self.batch = exe, work, batch

    def path(self, name):
        return os.path.join(self.work, name)

    def weights(self, name, arrays):
        np.savez(self.path(name + ".npz"), **arrays)
        run([self.exe, "import", "--npz", self.path(name + ".npz"),
             "-o", self.path(name + ".axw")])
        return self.path(name + ".axw")

    def grad(self, weights, tag, dropout=True, seed=1, step=0, threads=2):
        out = self.path("g-%s.npz" % tag)
        cmd = [self.exe, "grad", "--weights", weights,
               "--input", self.path("x.npy"), "--labels", self.path("l.npy"),
               "--npz", out, "--threads", str(threads)]
        if dropout:
            cmd += ["--seed", str(seed), "--step", str(step)]
        else:
            cmd += ["--no-dropout"]
        run(cmd)
        with np.load(out) as z:
            return {k: z[k] for k in z.files}


def reference(w, x, labels, masks, scale):
    """float64 forward and backward; masks[b, j] in {0, 1}."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    x = x.astype(np.float64)
    d1 = x @ w["d1.weight"].T + w["d1.bias"]
    h = np.maximum(d1, 0.0)
    keep = masks * scale
    hd = h * keep
    logits = hd @ w["d2.weight"].T + w["d2.bias"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    g = p.copy()
    g[np.arange(n), labels] -= 1.0
    g /= n
    dhd = g @ w["d2.weight"]
    dd1 = dhd * keep * (d1 > 0)
    return {"loss": loss,
            "d2.weight.grad": g.T @ hd, "d2.bias.grad": g.sum(axis=0),
            "d1.weight.grad": dd1.T @ x, "d1.bias.grad": dd1.sum(axis=0)}


def compare(what, got, want, rtol=2e-4, against="numpy"):
    for name, ref in want.items():
        have = np.asarray(got[name], dtype=np.float64)
        ref = np.asarray(ref, dtype=np.float64)
        if have.shape != ref.shape:
            fail("%s: %s has shape %s, expected %s" %
                 (what, name, have.shape, ref.shape))
        tol = rtol * max(1e-30, float(np.abs(ref).max()))
        err = float(np.abs(have - ref).max())
        if not err <= tol:
            fail("%s: %s differs from numpy by %.3g (tolerance %.3g)" %
                 (what, name, err, tol))
    print("%s: loss %.6f and %d gradients match %s" %
          (what, float(got["loss"]), len(want) - 1, against))


def masks_of(g, slices):
    """Per-example masks from d1.weight.grad rows, and the column mask of
    d2.weight.grad (a unit dropped in every example)."""
    gw1 = g["d1.weight.grad"]
    rows = np.stack([np.any(gw1[:, s] != 0, axis=1) for s in slices])
    cols = np.any(g["d2.weight.grad"] != 0, axis=0)
    return rows, cols


def within(what, value, expected, n, p_var):
    sigma = np.sqrt(p_var / n)
    ok = abs(value - expected) <= 4 * sigma
    print("%s: %.4f, expected %.4f +- %.4f (4 sigma, n=%d)%s" %
          (what, value, expected, 4 * sigma, n, "" if ok else "  <-- FAIL"))
    if not ok:
        fail(what + " outside 4 sigma")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("work")
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--step", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    m = Model(a.exe, a.work, a.batch)
    rate, keep_p = a.rate, 1.0 - a.rate
    scale = 1.0 / keep_p

    run([a.exe, "init", "--seed", "1", "-o", m.path("init.axw")])
    run([a.exe, "export", "--weights", m.path("init.axw"),
         "--npz", m.path("init.npz")])
    with np.load(m.path("init.npz")) as z:
        w = {k: z[k].copy() for k in z.files}
    hidden, depth = w["d1.weight"].shape
    classes = w["d2.weight"].shape[0]
    rng = np.random.default_rng(0)
    w["d1.weight"] = rng.normal(0, 0.01, w["d1.weight"].shape).astype("f4")
    w["d1.bias"] = np.ones(hidden, "f4")
    w["d2.weight"] = rng.normal(0, 0.05, w["d2.weight"].shape).astype("f4")
    w["d2.bias"] = rng.normal(0, 0.1, classes).astype("f4")
    full = m.weights("full", w)
    wz = dict(w)
    wz["d2.weight"] = np.zeros_like(w["d2.weight"])
    zero_w2 = m.weights("zero-w2", wz)

    b = a.batch
    part = depth // b
    slices = [slice(i * part, (i + 1) * part) for i in range(b)]
    x = np.zeros((b, depth), "f4")
    for i, s in enumerate(slices):
        x[i, s] = rng.normal(0, 1, part).astype("f4")
    labels = (np.arange(b) * 3 + 1) % classes
    np.save(m.path("x.npy"), x)
    np.save(m.path("l.npy"), labels.astype("i4"))
    pre = x.astype(np.float64) @ w["d1.weight"].T.astype(np.float64) + 1.0
    if not (pre > 0).all():
        fail("test set-up: some hidden unit is inactive without dropout")

    # 1. Without dropout: the conventions.
    g0 = m.grad(full, "nodrop", dropout=False)
    ones = np.ones((b, hidden))
    compare("no dropout", g0, reference(w, x, labels, ones, 1.0))
    rows0, _ = masks_of(g0, slices)
    if not rows0.all():
        fail("no dropout: some d1.weight.grad row is zero")

    # 2. With dropout: masks, exact zeros, values.
    g = m.grad(full, "drop", seed=a.seed, step=a.step)
    rows, cols = masks_of(g, slices)
    if not np.array_equal(cols, rows.any(axis=0)):
        fail("the units zero in d2.weight.grad (forward mask) are not the "
             "units zero in d1.weight.grad in every example (backward mask)")
    if not np.all(g["d1.bias.grad"][~rows.any(axis=0)] == 0):
        fail("d1.bias.grad is not exactly zero for dropped units")
    print("mask: d2.weight.grad columns and d1.weight.grad rows agree, "
          "dropped units exactly zero")
    compare("dropout rate %g" % rate, g,
            reference(w, x, labels, rows.astype(np.float64), scale))
    for i in range(b):
        within("example %d keep fraction" % i, rows[i].mean(), keep_p,
               hidden, rate * keep_p)

    agree_p = keep_p ** 2 + rate ** 2
    agree_var = agree_p * (1 - agree_p)
    for i in range(1, b):
        within("examples 0 and %d mask agreement" % i,
               float((rows[0] == rows[i]).mean()), agree_p, hidden, agree_var)

    # 3. Batch 1, d2.weight = 0: dL/dlogits does not see the mask.
    if b == 1:
        gz0 = m.grad(zero_w2, "zero-nodrop", dropout=False)
        gz = m.grad(zero_w2, "zero-drop", seed=a.seed, step=a.step)
        c0, c = gz0["d2.weight.grad"], gz["d2.weight.grad"]
        kept = rows[0]
        if not np.all(c[:, ~kept] == 0):
            fail("d2.weight = 0: a dropped column of d2.weight.grad is not 0")
        want = scale * c0[:, kept].astype(np.float64)
        err = np.abs(c[:, kept] - want) / np.maximum(np.abs(want), 1e-30)
        if not np.all((err <= 1e-6) | (np.abs(c[:, kept] - want) <= 1e-12)):
            fail("d2.weight = 0: kept columns are not %g x the no-dropout "
                 "columns (worst relative error %.3g)" % (scale, err.max()))
        print("d2.weight = 0: %d dropped columns exactly 0, %d kept columns "
              "= %g x no-dropout (relative error <= %.1e)" %
              (int((~kept).sum()), int(kept.sum()), scale, float(err.max())))

    # 4. Determinism and independence.
    again = m.grad(full, "again", seed=a.seed, step=a.step)
    for k in g:
        if not np.array_equal(g[k], again[k]):
            fail("the same seed and step gave another %s" % k)
    print("same seed and step: bit-identical gradients")
    # Another thread count may round sums differently, but the mask is a
    # function of (seed, step, example, unit) only.
    one = m.grad(full, "threads1", seed=a.seed, step=a.step, threads=1)
    if not np.array_equal(masks_of(one, slices)[0], rows):
        fail("--threads 1 gave another mask than --threads 2")
    compare("dropout rate %g, --threads 1" % rate, one, g, rtol=1e-5,
            against="--threads 2, same mask")
    for tag, seed, step in (("step", a.seed, a.step + 1),
                            ("seed", a.seed + 1, a.step)):
        other, _ = masks_of(m.grad(full, tag, seed=seed, step=step), slices)
        if np.array_equal(other, rows):
            fail("--seed %d --step %d gave the same mask as --seed %d "
                 "--step %d" % (seed, step, a.seed, a.step))
        within("mask agreement with --seed %d --step %d" % (seed, step),
               float((other[0] == rows[0]).mean()), agree_p, hidden,
               agree_var)
    print("dropout_check: all checks passed")


if __name__ == "__main__":
    main()
