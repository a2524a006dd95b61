#!/usr/bin/python3
"""Convergence parity: alexnet-compile's training vs PyTorch, same recipe.

Trains the same model for the same number of SGD steps twice, in one
invocation on one machine: the compiled executable's `train`, and PyTorch
running the very same network (built from the model's nn IR by the oracle's
interpreter) with torch.optim.SGD(momentum, weight_decay from the model's
train block). Both start from the same initial weights (the executable's
`init`, the paper's initialisers), see the same Fashion-MNIST batches in the
same order (file order, no augmentation, the training set's mean image
subtracted from [0, 1] pixels) and use the same thread count. Dropout masks
differ (Philox vs torch's generator), so the curves agree statistically,
not bit for bit.

Printed: both runs' training loss (the mean per-batch loss over the last,
possibly partial, epoch, as `train` reports it), both test-set top-1
accuracies, and both throughputs in img/s (wall time of
the training steps, data included) with their ratio. Use /usr/bin/python3
(Debian's torch).

    /usr/bin/python3 test/bench/bench_training.py [--build build]
        [--model models/alexnet_mini.nn] [--data /usr/share/datasets/fashion-mnist]
        [--steps 468] [--threads 2] [--lr LR] [--exe EXE]
"""

import argparse
import gzip
import os
import re
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import oracle  # noqa: E402
import grad_oracle  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(root, prefix):
    def find(name):
        for suffix in (".gz", ""):
            path = os.path.join(root, name + suffix)
            if os.path.exists(path):
                return path
        raise SystemExit("bench_training.py: error: %s not found in %s" % (name, root))
    images = read_idx(find(prefix + "-images-idx3-ubyte"))
    labels = read_idx(find(prefix + "-labels-idx1-ubyte"))
    return images, labels.astype(np.int64)


run = oracle.run_or_exit


def train_compiled(exe, data, w0, steps, lr, threads, workdir):
    out = os.path.join(workdir, "compiled.axw")
    start = time.perf_counter()
    text = run([exe, "train", "--data", data, "--init", w0, "--lr", repr(lr),
                "--max-steps", str(steps), "--epochs", "1000", "--no-augment",
                "--no-shuffle", "--no-validation", "--threads", str(threads),
                "--loader-threads", "1", "-o", out])
    wall = time.perf_counter() - start
    progress = [l for l in text.splitlines() if " img/s " in l and "loss" in l]
    summary = re.search(r"^trained .*train loss ([0-9.]+)", text, re.M)
    if not progress or not summary:
        raise SystemExit("bench_training.py: error: no progress or summary line in:\n" + text)
    rate = float(re.search(r"([0-9.]+) img/s", progress[-1]).group(1))
    return out, float(summary.group(1)), rate, wall


def evaluate_compiled(exe, data, weights, threads):
    text = run([exe, "eval", "--data", data, "--weights", weights, "--threads", str(threads)])
    return 1.0 - float(re.search(r"top-1 error ([0-9.]+)%", text).group(1)) / 100.0


def train_torch(g, weights, images, labels, mean, steps, lr, momentum, decay, batch):
    params = {n: torch.from_numpy(a.copy()).requires_grad_() for n, a in weights.items()}
    opt = torch.optim.SGD(list(params.values()), lr=lr, momentum=momentum,
                          weight_decay=decay)
    per_epoch = len(images) // batch
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        b = step % per_epoch
        x = torch.from_numpy(images[b * batch:(b + 1) * batch, None].astype(np.float32) / 255.0 - mean)
        y = torch.from_numpy(labels[b * batch:(b + 1) * batch])
        loss = grad_oracle.loss_of(g, params, x, y, training=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    wall = time.perf_counter() - start
    # The mean over the last (partial) epoch, as `train` reports it.
    last_epoch = losses[(steps - 1) // per_epoch * per_epoch:]
    return params, sum(last_epoch) / len(last_epoch), steps * batch / wall


def evaluate_torch(g, params, images, labels, mean, batch):
    correct = 0
    with torch.no_grad():
        for b in range(0, len(images), batch):
            x = torch.from_numpy(images[b:b + batch, None].astype(np.float32) / 255.0 - mean)
            n = x.shape[0]
            if n < batch:  # the compiled batch is fixed; torch is not, but keep it equal
                x = torch.cat([x, x[:1].expand(batch - n, *x.shape[1:])])
            env = dict(params)
            env[g.inputs[0][0]] = x
            oracle.interpret(g, env)
            pred = env[g.result][:n].argmax(dim=1).numpy()
            correct += int((pred == labels[b:b + n]).sum())
    return correct / len(images)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--model", default="models/alexnet_mini.nn")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--steps", type=int, default=468, help="SGD steps (468: one epoch at batch 128)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lr", type=float, help="learning rate (default: the model's train block)")
    p.add_argument("--exe", help="the model already compiled (default: compile it)")
    args = p.parse_args()

    compiler = os.path.join(args.build, "bin", "alexnet-compile")
    ir = run([compiler, args.model, "--emit=nn"])
    g = oracle.parse_nn(ir)
    momentum, decay = grad_oracle.train_settings(ir)
    m = re.search(r"nn\.train = \{[^}]*\blr = ([-+0-9.e]+) : f64", ir)
    lr = args.lr if args.lr is not None else (float(m.group(1)) if m else 0.01)
    batch = g.inputs[0][2][0]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    images, labels = load_split(args.data, "train")
    test_images, test_labels = load_split(args.data, "t10k")
    mean = (images.astype(np.float64) / 255.0).mean(axis=0)[None].astype(np.float32)

    with tempfile.TemporaryDirectory(prefix="bench-training.") as tmp:
        exe = args.exe
        if not exe:
            exe = os.path.join(tmp, "model")
            t = time.perf_counter()
            run([compiler, args.model, "--target=cpu", "-o", exe])
            print("compiled %s in %.0f s" % (args.model, time.perf_counter() - t))
        w0 = os.path.join(tmp, "w0.axw")
        npz = os.path.join(tmp, "w0.npz")
        run([exe, "init", "--seed", "1", "-o", w0])
        run([exe, "export", "--weights", w0, "--npz", npz])
        with np.load(npz) as f:
            weights = {n: f[n] for n in f.files if n != "mean"}

        print("training %s: %d steps of batch %d, lr %g, momentum %g, weight decay %g, "
              "%d threads, same initial weights and batch order" % (
                  os.path.basename(args.model), args.steps, batch, lr, momentum, decay,
                  args.threads))
        trained, c_loss, c_rate, c_wall = train_compiled(
            exe, args.data, w0, args.steps, lr, args.threads, tmp)
        c_acc = evaluate_compiled(exe, args.data, trained, args.threads)
        params, t_loss, t_rate = train_torch(g, weights, images, labels, mean, args.steps,
                                             lr, momentum, decay, batch)
        t_acc = evaluate_torch(g, params, test_images, test_labels, mean, batch)

    print("%-16s %12s %14s %10s" % ("", "epoch loss", "test top-1", "img/s"))
    print("%-16s %12.4f %13.2f%% %10.1f" % ("alexnet-compile", c_loss, 100 * c_acc, c_rate))
    print("%-16s %12.4f %13.2f%% %10.1f" % ("PyTorch " + torch.__version__.split("+")[0],
                                            t_loss, 100 * t_acc, t_rate))
    print("throughput ratio (alexnet-compile / PyTorch): %.2fx; accuracy difference %+.2f points"
          % (c_rate / t_rate, 100 * (c_acc - t_acc)))
    print("bench: model=%s steps=%d threads=%d compiled_loss=%.4f torch_loss=%.4f "
          "compiled_top1=%.4f torch_top1=%.4f compiled_img_per_s=%.1f torch_img_per_s=%.1f "
          "ratio=%.3f" % (os.path.basename(args.model), args.steps, args.threads, c_loss,
                          t_loss, c_acc, t_acc, c_rate, t_rate, c_rate / t_rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
