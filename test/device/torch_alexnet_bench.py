#!/usr/bin/python3
"""The paper's AlexNet in plain torch.nn on a CUDA GPU: inference and train step.

    torch_alexnet_bench.py [--batch 128] [--iters 20] [--warmup 5]
        [--modes eager,compile] [--precisions fp32,tf32]
        [--entries inference,train_step] [--model models/alexnet.nn]

The PyTorch side of test/device/gpu-check.sh's throughput step: the network
of models/alexnet.nn written out in torch.nn, layer for layer:

  conv1  96 x 11x11, stride 4, pad 2   ReLU  LRN  max-pool 3x3/2
  conv2 256 x 5x5, pad 2, groups 2     ReLU  LRN  max-pool 3x3/2
  conv3 384 x 3x3, pad 1               ReLU
  conv4 384 x 3x3, pad 1, groups 2     ReLU
  conv5 256 x 3x3, pad 1, groups 2     ReLU       max-pool 3x3/2
  fc6 4096 ReLU dropout 0.5, fc7 4096 ReLU dropout 0.5, fc8 1000, softmax

LRN size 5, alpha 1e-4, beta 0.75, k 2 as the paper writes it (alpha not
divided by size; PyTorch's LocalResponseNorm divides, so it gets 5 * 1e-4).
The input is 3x224x224 with conv1's pad 2, as in models/alexnet.nn: the
same 55x55 conv1 output (and the same FLOPs within 1%) as the paper's
227x227 without padding. Before timing, the script reads --model and checks
that its layers are these (a line `torch: model_check=...`; a mismatch is
reported, not fatal).

Entries, on random data resident on the GPU (no host transfers timed):
  inference:  model.eval(), torch.no_grad(), softmax probabilities;
  train_step: model.train() (dropout on), F.cross_entropy on the logits,
              backward and torch.optim.SGD(lr 0.01, momentum 0.9, weight
              decay 5e-4), gradients set to None each step.
Modes: eager, and torch.compile (default mode; the optimizer step stays
eager); a mode that fails prints `median_ms=n/a` with the error. Precisions:
fp32 (torch.backends.cuda.matmul.allow_tf32 = cudnn.allow_tf32 = False)
and tf32 (both True). cudnn.benchmark is on (cuDNN picks its fastest
algorithms for the fixed shapes, as a tuned PyTorch user would).

Each measurement: --warmup untimed runs (for compile: after the compiling
first call, whose time is printed as compile_s), then --iters runs each
timed with time.perf_counter() between torch.cuda.synchronize() calls.
A run does what the compiled executable's `bench` run does: the batch is
copied from pinned host memory to the GPU, and the probabilities (or the
loss) come back to the host. Prints a machine-readable line per (mode,
precision, entry) as soon as it is measured:

  torch: mode=eager precision=fp32 entry=train_step batch=128 iters=20
         median_ms=... min_ms=... max_ms=... img_per_s=...   (one line)

Exit status: 0 when everything ran (a torch.compile failure included),
1 when an eager measurement failed, 2 without a CUDA device.
"""

import argparse
import os
import re
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the caller parses this line
    print("torch: error=%s" % str(e).replace(" ", "_"), flush=True)
    sys.exit(2)


def lrn():
    # The paper's alpha is not divided by size; PyTorch's is.
    return nn.LocalResponseNorm(5, alpha=1e-4 * 5, beta=0.75, k=2.0)


class AlexNet(nn.Module):
    """models/alexnet.nn: the paper's two towers as groups=2 in conv2/4/5."""

    def __init__(self, classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, stride=4, padding=2), nn.ReLU(inplace=True), lrn(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(inplace=True), lrn(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Linear(4096, classes))
        # The paper's initialisation (section 5); it does not change speed.
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.features(x))  # logits


# What models/alexnet.nn must say for the network above to be it: for each
# layer, its op and the attributes that shape the computation.
EXPECTED = [
    ("conv1", "conv2d", {"filters": "96", "kernel": "11", "stride": "4", "pad": "2"}),
    ("relu1", "relu", {}),
    ("norm1", "lrn", {"size": "5", "alpha": "1e-4", "beta": "0.75", "k": "2"}),
    ("pool1", "maxpool", {"window": "3", "stride": "2"}),
    ("conv2", "conv2d", {"filters": "256", "kernel": "5", "pad": "2", "groups": "2"}),
    ("relu2", "relu", {}),
    ("norm2", "lrn", {"size": "5", "alpha": "1e-4", "beta": "0.75", "k": "2"}),
    ("pool2", "maxpool", {"window": "3", "stride": "2"}),
    ("conv3", "conv2d", {"filters": "384", "kernel": "3", "pad": "1"}),
    ("relu3", "relu", {}),
    ("conv4", "conv2d", {"filters": "384", "kernel": "3", "pad": "1", "groups": "2"}),
    ("relu4", "relu", {}),
    ("conv5", "conv2d", {"filters": "256", "kernel": "3", "pad": "1", "groups": "2"}),
    ("relu5", "relu", {}),
    ("pool5", "maxpool", {"window": "3", "stride": "2"}),
    ("flat", "flatten", {}),
    ("fc6", "dense", {"units": "4096"}),
    ("relu6", "relu", {}),
    ("drop6", "dropout", {"rate": "0.5"}),
    ("fc7", "dense", {"units": "4096"}),
    ("relu7", "relu", {}),
    ("drop7", "dropout", {"rate": "0.5"}),
    ("fc8", "dense", {"units": "1000"}),
    ("probs", "softmax", {}),
]
# Attributes whose absence means the DSL default (docs/DSL.md).
DEFAULTS = {"stride": "1", "pad": "0", "groups": "1"}
SHAPE_ATTRS = {"filters", "kernel", "stride", "pad", "groups", "size", "alpha",
               "beta", "k", "window", "units", "rate"}


def same_number(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def check_model(path):
    """Differences between models/alexnet.nn and the network above ([] if none)."""
    try:
        text = open(path).read()
    except OSError as e:
        return ["cannot read %s: %s" % (path, e.strerror)]
    body = re.search(r"model\s+\w+\s*\{(.*?)\n\}", text, re.S)
    if not body:
        return ["no model block in %s" % path]
    layers = {}
    for line in body.group(1).splitlines():
        line = line.split("#")[0]
        m = re.match(r"\s*(?:output\s+|loss\s+)?(\w+)\s*=\s*(\w+)\((.*)\)\s*$", line)
        if not m:
            continue
        args = {}
        for part in m.group(3).split(","):
            key, sep, value = part.partition("=")
            if sep:
                args[key.strip()] = value.strip()
        layers[m.group(1)] = (m.group(2), args)
    problems = []
    for name, op, want in EXPECTED:
        if name not in layers:
            problems.append("%s missing" % name)
            continue
        got_op, got = layers[name]
        if got_op != op:
            problems.append("%s is %s, not %s" % (name, got_op, op))
        for key in sorted(SHAPE_ATTRS & (set(want) | set(got))):
            a = got.get(key, DEFAULTS.get(key))
            b = want.get(key, DEFAULTS.get(key))
            if a is None or b is None or not same_number(a, b):
                problems.append("%s %s=%s, here %s" % (name, key, a, b))
    m = re.search(r"input\s+\w+\s*:\s*f32\[\s*batch\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\]", text)
    if not m or m.groups() != ("3", "224", "224"):
        problems.append("input is %s, here 3x224x224" % ("x".join(m.groups()) if m else "?"))
    return problems


def set_precision(precision):
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32


def measure(fn, iters, warmup):
    """(median, min, max) ms of fn() over iters runs after warmup runs."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times), max(times)


def entry_fn(entry, mode, batch, device):
    """(the function one timed run calls, seconds its first call took)."""
    torch.manual_seed(0)
    model = AlexNet().to(device)
    # As the compiled executable's timed run does: the batch comes from
    # pinned host memory each run and the result goes back to the host.
    x_host = (torch.rand(batch, 3, 224, 224) + 0.5).pin_memory()
    if entry == "inference":
        model.eval()

        def forward(inp):
            return torch.softmax(model(inp), dim=1)
        if mode == "compile":
            forward = torch.compile(forward)

        def run():
            with torch.no_grad():
                return forward(x_host.to(device, non_blocking=True)).cpu()
    else:
        model.train()
        labels = torch.randint(0, 1000, (batch,), device=device)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9,
                              weight_decay=5e-4)

        def loss_of(inp, lab):
            return F.cross_entropy(model(inp), lab)
        if mode == "compile":
            loss_of = torch.compile(loss_of)

        def run():
            opt.zero_grad(set_to_none=True)
            loss = loss_of(x_host.to(device, non_blocking=True), labels)
            loss.backward()
            opt.step()
            return loss.item()
    start = time.perf_counter()
    run()
    torch.cuda.synchronize()
    return run, time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--modes", default="eager,compile")
    p.add_argument("--precisions", default="fp32,tf32")
    p.add_argument("--entries", default="inference,train_step")
    p.add_argument("--model", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "alexnet.nn"))
    args = p.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    precisions = [m for m in args.precisions.split(",") if m]
    entries = [m for m in args.entries.split(",") if m]
    for values, allowed, flag in ((modes, ("eager", "compile"), "--modes"),
                                  (precisions, ("fp32", "tf32"), "--precisions"),
                                  (entries, ("inference", "train_step"), "--entries")):
        for v in values:
            if v not in allowed:
                p.error("%s: %r is not one of %s" % (flag, v, ", ".join(allowed)))
    if args.batch < 1 or args.iters < 1 or args.warmup < 0:
        p.error("--batch and --iters must be at least 1, --warmup at least 0")

    problems = check_model(args.model)
    print("torch: model_check=%s%s" % ("ok" if not problems else "mismatch",
                                       "" if not problems else " " + "; ".join(problems)),
          flush=True)
    if not torch.cuda.is_available():
        print("torch: error=no_CUDA_device torch=%s" % torch.__version__, flush=True)
        return 2
    device = torch.device("cuda")
    print("torch: version=%s cuda=%s cudnn=%s device=%s" % (
        torch.__version__, torch.version.cuda, torch.backends.cudnn.version(),
        torch.cuda.get_device_name(0).replace(" ", "_")), flush=True)
    torch.backends.cudnn.benchmark = True

    status = 0
    for mode in modes:
        if mode == "compile" and not hasattr(torch, "compile"):
            for precision in precisions:
                for entry in entries:
                    print("torch: mode=compile precision=%s entry=%s batch=%d "
                          "median_ms=n/a error=no_torch.compile" % (precision, entry, args.batch),
                          flush=True)
            continue
        for precision in precisions:
            set_precision(precision)
            if mode == "compile":
                torch._dynamo.reset()  # compile afresh under this precision
            for entry in entries:
                head = "torch: mode=%s precision=%s entry=%s batch=%d" % (
                    mode, precision, entry, args.batch)
                try:
                    fn, first_s = entry_fn(entry, mode, args.batch, device)
                    med, lo, hi = measure(fn, args.iters, args.warmup)
                except Exception as e:  # noqa: BLE001 (report and go on)
                    reason = ("%s: %s" % (type(e).__name__, e)).strip()
                    reason = (reason.splitlines() or ["?"])[0][:200]
                    print("%s median_ms=n/a error=%s" % (head, reason.replace(" ", "_")),
                          flush=True)
                    if mode == "eager":
                        status = 1
                    continue
                finally:
                    fn = None  # frees this entry's model before the next one
                print("%s iters=%d median_ms=%.4f min_ms=%.4f max_ms=%.4f "
                      "img_per_s=%.2f%s" % (
                          head, args.iters, med, lo, hi, args.batch * 1e3 / med,
                          " compile_s=%.1f" % first_s if mode == "compile" else ""),
                      flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
