#!/usr/bin/python3
"""Random valid models: the generator behind fuzz_models.py.

    random_model.py --seed S [--batch B]     # prints the model of seed S

In the spirit of NNSmith (Liu et al., ASPLOS 2023): it builds a random
graph of the DSL's ops (docs/DSL.md) with random legal attributes, keeping
track of every value's shape as it goes, so every model it writes is one
the compiler must accept, train and partition. The same seed always gives
the same model (Python's random.Random, no other state).

A model is

  image : f32[batch, C, H, W]  (C 1-4, H and W 5-16, often not square)
    -> 4-D stage: 1 to 9 steps, each a conv2d (kernel, stride, pad and
       groups random and legal, rectangular ones too), relu, lrn (size,
       alpha, beta, k), maxpool or avgpool (window, stride, pad), dropout,
       or a join: add (a residual branch of shape-keeping layers, or two
       values of one shape), concat along channels (two branches) or along
       height or width; an operand is sometimes an earlier value, not the
       last one, so branches fork anywhere
    -> flatten (of every value nothing reads yet, concatenated: so every
       layer feeds the loss)
    -> 2-D stage: 0 to 3 steps of dense, relu, dropout, softmax (its
       output feeding further layers), add (a residual dense), concat (two
       dense branches), flatten of a flat value
    -> sometimes a dead end: a layer nothing reads, with parameters (conv2d,
       dense: their gradients are zero and SGD leaves them unchanged, as
       PyTorch's) or without (relu, lrn, pool, dropout)
    -> dense to 2-10 classes = the logits;
       output probs = softmax(logits); loss xent = softmax_cross_entropy

with random initialisers (bias none included) and, half the time, a train
block with random momentum and weight decay. Channel, filter and unit
counts are drawn so that nn-partition's rules all fire with 2 and 3
devices (splittable layers of 16, 18, 24, 32, 36, 48, groups 2 to 6,
LRN halos) and sizes stay small: a model compiles in seconds and its
largest activation has at most ~16k elements per image.

Not generated (each is a DSL-valid model outside what the oracles take),
as docs/UserGuide.md says: concat along the batch axis (the labels would
not match the batch), more than one image input.
"""

import argparse
import random
import sys

# Channel / filter / unit counts: small ones, and ones that split over 2
# and 3 devices with min-part 8 (nn-partition's default).
COUNTS = [1, 2, 3, 4, 5, 6, 8, 12, 16, 18, 24, 32, 36, 48]
MAX_ELEMENTS = 16384  # per image, of any 4-D value
MAX_GROUPS = 6


class Value:
    """A named tensor of the model: `shape` without the batch axis."""

    def __init__(self, name, shape):
        self.name, self.shape = name, tuple(shape)

    @property
    def rank(self):
        return len(self.shape) + 1


def elements(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def pair(rng, a, b):
    """`a` or the pair `[a, b]` as the DSL writes it (an int when equal)."""
    if a == b and rng.random() < 0.7:
        return str(a)
    return "[%d, %d]" % (a, b)


class ModelGenerator:
    def __init__(self, seed, batch=None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.batch = batch or self.rng.choice([1, 2, 3, 4, 6, 6, 6])
        self.lines = []
        self.values = []       # every value defined so far
        self.unread = []       # values no layer reads yet, in definition order
        self.counter = 0

    #===--- Emitting ------------------------------------------------------===#

    def fresh(self, kind):
        self.counter += 1
        return "%s%d" % (kind, self.counter)

    def layer(self, op, inputs, attrs, shape, prefix=""):
        """Writes `NAME = op(inputs, attrs)` and returns the new value."""
        name = self.fresh({"conv2d": "conv", "maxpool": "pool", "avgpool": "avg",
                           "dropout": "drop", "flatten": "flat"}.get(op, op))
        args = [v.name for v in inputs] + ["%s=%s" % kv for kv in attrs]
        self.lines.append("  %s%s = %s(%s)" % (prefix, name, op, ", ".join(args)))
        for v in inputs:
            if v in self.unread:
                self.unread.remove(v)
        value = Value(name, shape)
        self.values.append(value)
        self.unread.append(value)
        return value

    def init(self, std):
        r = self.rng.random()
        if r < 0.5:
            return "normal(0, %g)" % std
        if r < 0.7:
            return "uniform(-%g, %g)" % (std, std)
        if r < 0.85:
            return "normal(mean=0, std=%g)" % std
        return "constant(%g)" % std

    def bias(self):
        return self.rng.choice(["0", "1", "0.1", "none", "none", "constant(0.5)",
                                "normal(0, 0.01)"])

    def weight_attrs(self):
        attrs = []
        if self.rng.random() < 0.5:
            attrs.append(("init", self.init(0.01)))
        if self.rng.random() < 0.6:
            attrs.append(("bias", self.bias()))
        return attrs

    #===--- 4-D layers ----------------------------------------------------===#

    def window(self, extent, largest):
        """(size, pad) of a kernel or window along an axis of `extent`:
        pad < size <= extent + 2 * pad."""
        size = self.rng.randint(1, largest)
        lowest = max(0, -(-(size - extent) // 2))
        pad = self.rng.randint(lowest, size - 1) if lowest <= size - 1 else None
        if pad is None:  # cannot happen (size - 1 >= (size - extent) / 2)
            raise AssertionError("no legal pad for %d on %d" % (size, extent))
        if self.rng.random() < 0.4:
            pad = lowest
        return size, pad

    def spatial(self, x, largest, square):
        """Random legal (kh, kw, ph, pw, sh, sw) on x's height and width."""
        _, h, w = x.shape
        kh, ph = self.window(h, largest)
        if square and kh <= w + 2 * ph:
            kw, pw = kh, ph
        else:
            kw, pw = self.window(w, largest)
        sh = self.rng.choice([1, 1, 1, 2, 2, 3])
        sw = sh if self.rng.random() < 0.8 else self.rng.choice([1, 2, 3])
        return kh, kw, ph, pw, sh, sw

    @staticmethod
    def out(extent, k, p, s):
        return (extent + 2 * p - k) // s + 1

    def conv(self, x, filters=None, same=False):
        c, h, w = x.shape
        if same:  # keeps height and width: odd kernel, stride 1, pad k // 2
            k = self.rng.choice([1, 3, 3, 5])
            kh, kw, ph, pw, sh, sw = k, k, k // 2, k // 2, 1, 1
        else:
            kh, kw, ph, pw, sh, sw = self.spatial(x, 5, self.rng.random() < 0.7)
        oh, ow = self.out(h, kh, ph, sh), self.out(w, kw, pw, sw)
        # At most 6 groups: the emitted code has GEMM calls per image and
        # group, so a 19-group conv at batch 6 alone takes minutes of g++.
        divisors = [g for g in range(1, min(c, MAX_GROUPS) + 1) if c % g == 0]
        groups = 1
        if len(divisors) > 1 and self.rng.random() < 0.4:
            groups = self.rng.choice(divisors[1:])
        if filters is None:
            fits = [f for f in COUNTS
                    if f % groups == 0 and f * oh * ow <= MAX_ELEMENTS]
            filters = self.rng.choice(fits or [groups])
        elif filters % groups:
            groups = 1
        attrs = [("filters", filters), ("kernel", pair(self.rng, kh, kw))]
        if (sh, sw) != (1, 1) or self.rng.random() < 0.2:
            attrs.append(("stride", pair(self.rng, sh, sw)))
        if (ph, pw) != (0, 0) or self.rng.random() < 0.2:
            attrs.append(("pad", pair(self.rng, ph, pw)))
        if groups > 1 or self.rng.random() < 0.1:
            attrs.append(("groups", groups))
        attrs += self.weight_attrs()
        return self.layer("conv2d", [x], attrs, (filters, oh, ow))

    def pool(self, x, op):
        c, h, w = x.shape
        kh, kw, ph, pw, sh, sw = self.spatial(x, 4, self.rng.random() < 0.7)
        attrs = [("window", pair(self.rng, kh, kw))]
        if self.rng.random() < 0.25 and (ph, pw) == (0, 0):
            sh, sw = kh, kw  # the default stride: the window
        else:
            attrs.append(("stride", pair(self.rng, sh, sw)))
        if (ph, pw) != (0, 0):
            attrs.append(("pad", pair(self.rng, ph, pw)))
        return self.layer(op, [x], attrs, (c, self.out(h, kh, ph, sh),
                                           self.out(w, kw, pw, sw)))

    def lrn(self, x):
        attrs = []
        choices = [("size", self.rng.choice([1, 3, 3, 5, 5, 7])),
                   ("alpha", self.rng.choice(["1e-4", "0.001", "0.01", "0.1", "0.5"])),
                   ("beta", self.rng.choice(["0.5", "0.75", "1", "1.5"])),
                   ("k", self.rng.choice(["0.5", "1", "2"]))]
        for kv in choices:
            if self.rng.random() < 0.75:
                attrs.append(kv)
        return self.layer("lrn", [x], attrs, x.shape)

    def dropout(self, x):
        attrs = []
        if self.rng.random() < 0.7:
            attrs.append(("rate", self.rng.choice(["0", "0.1", "0.25", "0.5", "0.75"])))
        return self.layer("dropout", [x], attrs, x.shape)

    def keeps_shape(self, x):
        """A short branch from x that ends in x's shape."""
        y = x
        for _ in range(self.rng.randint(1, 2)):
            kind = self.rng.choice(["conv", "conv", "relu", "lrn", "dropout"])
            if kind == "conv":
                y = self.conv(y, filters=x.shape[0], same=True)
            elif kind == "relu":
                y = self.layer("relu", [y], [], y.shape)
            elif kind == "lrn":
                y = self.lrn(y)
            else:
                y = self.dropout(y)
        return y

    def add(self, x):
        same = [v for v in self.values if v is not x and v.shape == x.shape]
        other = self.rng.choice(same) if same and self.rng.random() < 0.5 \
            else self.keeps_shape(x)
        a, b = (x, other) if self.rng.random() < 0.5 else (other, x)
        return self.layer("add", [a, b], [], x.shape)

    def concat(self, x):
        c, h, w = x.shape
        axis = self.rng.choice([1, 1, 1, 2, 3])
        if axis == 1:
            same = [v for v in self.values
                    if v is not x and v.rank == 4 and v.shape[1:] == (h, w)]
            if same and self.rng.random() < 0.5:
                parts = [x, self.rng.choice(same)]
            else:
                parts = [x, self.conv(x, same=True)]
            if self.rng.random() < 0.2:
                parts.append(self.conv(x, same=True))
            shape = (sum(p.shape[0] for p in parts), h, w)
        else:
            parts = [x, self.keeps_shape(x)]
            shape = list(x.shape)
            shape[axis - 1] *= 2
        self.rng.shuffle(parts)
        if elements(shape) > MAX_ELEMENTS:
            return x
        attrs = [("axis", axis)] if axis != 1 or self.rng.random() < 0.3 else []
        return self.layer("concat", parts, attrs, shape)

    def step4(self, x):
        if self.rng.random() < 0.25:
            x = self.rng.choice([v for v in self.values if v.rank == 4])
        kind = self.rng.choices(
            ["conv", "relu", "lrn", "maxpool", "avgpool", "dropout", "add", "concat"],
            [5, 3, 2, 2, 2, 1, 2, 2])[0]
        if kind == "conv":
            return self.conv(x)
        if kind == "relu":
            return self.layer("relu", [x], [], x.shape)
        if kind == "lrn":
            return self.lrn(x)
        if kind in ("maxpool", "avgpool"):
            return self.pool(x, kind)
        if kind == "dropout":
            return self.dropout(x)
        if kind == "add":
            return self.add(x)
        return self.concat(x)

    #===--- 2-D layers ----------------------------------------------------===#

    def dense(self, x, units=None):
        units = units or self.rng.choice(COUNTS)
        attrs = [("units", units)] + self.weight_attrs()
        return self.layer("dense", [x], attrs, (units,))

    def step2(self, x):
        kind = self.rng.choices(["dense", "relu", "dropout", "add", "concat",
                                 "flatten", "softmax"], [4, 2, 1, 1, 1, 1, 1])[0]
        if kind == "dense":
            return self.dense(x)
        if kind in ("relu", "softmax"):
            return self.layer(kind, [x], [], x.shape)
        if kind == "dropout":
            return self.dropout(x)
        if kind == "flatten":
            return self.layer("flatten", [x], [], x.shape)
        if kind == "add" and x.shape[0] > 64:
            kind = "dense"  # a residual dense layer would be too large
        if kind == "dense":
            return self.dense(x)
        if kind == "add":
            y = self.dense(x, units=x.shape[0])
            if self.rng.random() < 0.5:
                y = self.layer("relu", [y], [], y.shape)
            return self.layer("add", [x, y] if self.rng.random() < 0.5 else [y, x],
                              [], x.shape)
        parts = [self.dense(x), self.dense(x)]
        return self.layer("concat", parts, [],
                          (sum(p.shape[0] for p in parts),))

    #===--- The model -----------------------------------------------------===#

    def generate(self):
        rng = self.rng
        c = rng.randint(1, 4)
        h = rng.randint(5, 16)
        w = h if rng.random() < 0.6 else rng.randint(5, 16)
        name = "fuzz%d" % self.seed
        image = Value("image", (c, h, w))
        self.values.append(image)
        x = image
        for _ in range(rng.randint(1, 9)):
            x = self.step4(x)
        # Every 4-D value nothing reads yet feeds the loss: flattened and
        # concatenated with the main line (the image itself needs no reader).
        loose = [v for v in self.unread if v.rank == 4 and v is not x]
        flat = [self.layer("flatten", [v], [], (elements(v.shape),))
                for v in [x] + loose]
        y = flat[0] if len(flat) == 1 else self.layer(
            "concat", flat, [], (sum(f.shape[0] for f in flat),))
        for _ in range(rng.randint(0, 3)):
            y = self.step2(y)
        # Sometimes a dead end: a layer nothing reads. With parameters, they
        # do not affect the loss (zero gradients, left alone by SGD).
        if rng.random() < 0.3:
            x = rng.choice([v for v in self.values if v.rank == 4])
            kind = rng.choice(["relu", "lrn", "maxpool", "avgpool", "dropout",
                               "conv", "dense"])
            if kind == "conv":
                self.conv(x)
            elif kind == "dense":
                self.dense(rng.choice([v for v in self.values if v.rank == 2]))
            elif kind == "relu":
                self.layer("relu", [x], [], x.shape)
            elif kind == "lrn":
                self.lrn(x)
            elif kind == "dropout":
                self.dropout(x)
            else:
                self.pool(x, kind)
        classes = rng.randint(2, 10)
        logits = self.dense(y, units=classes)
        self.lines.append("")
        self.lines.append("  output probs = softmax(%s)" % logits.name)
        self.lines.append("  loss   xent  = softmax_cross_entropy(%s, label)"
                          % logits.name)

        text = ["# random_model.py --seed %d" % self.seed,
                "model %s {" % name,
                "  batch = %d" % self.batch,
                "  input image : f32[batch, %d, %d, %d]" % image.shape,
                "  input label : i32[batch]",
                ""] + self.lines + ["}"]
        if rng.random() < 0.5:
            text += ["", "train %s {" % name,
                     "  optimizer = sgd(lr=0.01, momentum=%s, weight_decay=%s)" % (
                         rng.choice(["0", "0.5", "0.9"]),
                         rng.choice(["0", "5e-4", "0.01"])),
                     "  epochs    = %d" % rng.randint(1, 90),
                     "}"]
        return "\n".join(text) + "\n"


def generate(seed, batch=None):
    """The DSL text of the model of `seed`."""
    return ModelGenerator(seed, batch).generate()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--batch", type=int, help="the model's batch (default: random)")
    args = p.parse_args()
    sys.stdout.write(generate(args.seed, args.batch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
