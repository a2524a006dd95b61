#!/usr/bin/python3
"""Gradient oracle: check a compiled model's `grad` against torch.autograd.

    grad_oracle.py MODEL.nn [MODEL.nn ...] [--batch B] [--exe EXE] [--ir FILE] [--seed S]
                   [--repeat N] [--threads T] [--tol 1e-4] [--sgd-steps K] [-v]

Runs with /usr/bin/python3 (Debian's python3-torch); finds alexnet-compile
on PATH, else in build/bin (or --compiler). Shares oracle.py's reference
(the nn IR -> torch interpreter) and its random weights and inputs.

For each model the oracle

 1. prints the model's nn IR (`alexnet-compile MODEL --emit=nn --batch=B`;
    or reads --ir FILE, that output saved, so that with --exe nothing is
    compiled)
    and builds the PyTorch reference from `func.func @inference`, as
    oracle.py does. The logits are @inference without its final softmax,
    and the loss is F.cross_entropy(logits, labels): the DSL's
    softmax_cross_entropy, mean over the batch;
 2. compiles the model with `alexnet-compile --target=cpu --training` into
    a temporary directory (or uses --exe, which must be that model at that
    batch, compiled with --training);
 3. draws random weights and a random input exactly as oracle.py does, and
    random labels uniform over the classes (saved as int64, NumPy's default),
    imports the weights with `EXE import` and runs
    `EXE grad --no-dropout` (dropout is then the identity, as in the
    reference); a fresh seed each run unless --seed is given, and the seed is
    printed;
 4. computes the loss and every parameter's gradient with torch.autograd in
    float64 from the very same float32 weights, input and labels, and
    compares each tensor t of the .npz (`loss` and every `<param>.grad`,
    which must all be there, with the parameter's shape) with it:

        err(t) = max_i |t_i - ref_i| / max(max_i |ref_i|, 1e-30)

    the largest absolute error relative to the largest reference magnitude of
    that tensor. The model passes when err(t) <= --tol (1e-4) for every t.
    On failure the worst element of each failing tensor is printed with a
    command that reproduces the run. The worst error of float32 autograd
    against the same float64 reference is printed too, for information.

With --sgd-steps K it then also runs `EXE step --steps K --lr LR
--no-dropout` from the same weights and batch and replays it with
torch.optim.SGD(momentum, weight_decay from the model's train block,
defaults 0.9 and 5e-4) in float64: K steps of forward, backward, update on
the same batch. A parameter the loss does not read keeps `.grad` None, so
torch.optim.SGD leaves it unchanged (no weight decay), as the compiler does. PyTorch's formulation (v = m*v + g + wd*w; w -= lr*v) equals
the paper's for a constant lr. Each parameter's total change w_K - w_0 is
compared as above, within --tol: comparing the change rather than w_K keeps
the check as sharp as the gradients' (w_K is dominated by w_0), after
discounting K float32 ulps of w (each step rounds w + v to float32).

Exit status: 0 when every model matches, 1 when one does not or anything
fails (compiler, executable, unsupported op), 2 for bad usage.
"""

import argparse
import os
import re
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import OracleError, run  # noqa: E402


def logits_value(g):
    """The %name of the logits: the operand of @inference's final softmax."""
    last = next((op for op in g.ops if op.result == g.result), None)
    if last is None or last.kind != "softmax":
        raise OracleError("@inference does not end in nn.softmax: no logits to "
                          "take the cross-entropy of")
    return last.operands[0]


def class_count(g):
    """The last dimension of the softmax that ends @inference."""
    last = next(op for op in g.ops if op.result == g.result)
    return oracle.parse_shape(last.line.split(" : ")[-1])[-1]


def loss_of(g, params, x, labels, training=False):
    """The model's loss (the DSL's softmax_cross_entropy: F.cross_entropy
    of @inference's logits, mean over the batch) on tensors x and labels,
    recorded by autograd; dropout is active only when `training`."""
    env = dict(params)
    env[g.inputs[0][0]] = x
    oracle.interpret(g, env, training=training)
    return F.cross_entropy(env[logits_value(g)], labels)


def reference(g, weights, x, labels, dtype):
    """(loss, {param: gradient}) by torch.autograd in `dtype`, as NumPy."""
    params = {name: torch.from_numpy(a).to(dtype).requires_grad_()
              for name, a in weights.items()}
    loss = loss_of(g, params, torch.from_numpy(x).to(dtype),
                   torch.from_numpy(labels).long())
    grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    out = {}
    for (name, p), gr in zip(params.items(), grads):
        # A parameter the loss does not read has a zero gradient.
        out[name] = (gr if gr is not None else torch.zeros_like(p)).numpy()
    return loss.detach().numpy(), out


def train_settings(ir):
    """(momentum, weight_decay) of the module's nn.train attribute."""
    def setting(name, default):
        m = re.search(r"nn\.train = \{[^}]*\b%s = ([-+0-9.e]+) : f64" % name, ir)
        return float(m.group(1)) if m else default
    return setting("momentum", 0.9), setting("weight_decay", 5e-4)


def reference_sgd(g, weights, x, labels, steps, lr, momentum, decay):
    """The parameters after `steps` torch.optim.SGD steps, in float64."""
    params = {name: torch.from_numpy(a).double().requires_grad_()
              for name, a in weights.items()}
    opt = torch.optim.SGD(list(params.values()), lr=lr, momentum=momentum,
                          weight_decay=decay)
    xt = torch.from_numpy(x).double()
    lt = torch.from_numpy(labels).long()
    for _ in range(steps):
        opt.zero_grad()
        # A parameter the loss does not read keeps .grad None, and SGD
        # skips it: no weight decay, no momentum (the compiler's semantics).
        loss_of(g, params, xt, lt).backward()
        opt.step()
    return {name: p.detach().numpy() for name, p in params.items()}


def check_sgd(g, exe, seed, args, workdir, model, weights, x, labels, settings):
    """`step --steps K` against torch.optim.SGD; True when every change matches."""
    momentum, decay = settings
    axw, out = os.path.join(workdir, "w.axw"), os.path.join(workdir, "w2.axw")
    npz = os.path.join(workdir, "w2.npz")
    threads = ["--threads", str(args.threads)] if args.threads else []
    run([exe, "step", "--weights", axw, "--input", os.path.join(workdir, "x.npy"),
         "--labels", os.path.join(workdir, "labels.npy"), "--steps",
         str(args.sgd_steps), "--lr", repr(args.lr), "--no-dropout", "-o", out]
        + threads, "step")
    run([exe, "export", "--weights", out, "--npz", npz], "export")
    with np.load(npz) as f:
        got = {name: f[name] for name in f.files}
    ref = reference_sgd(g, weights, x, labels, args.sgd_steps, args.lr,
                        momentum, decay)
    worst_name, worst_err, failing = None, -1.0, []
    for name, w0 in weights.items():
        if name not in got or got[name].shape != w0.shape:
            failing.append("%s missing or misshapen after step" % name)
            continue
        # Each step stores w + v in float32: up to half an ulp of w per step
        # is rounding, not a wrong update, so K ulps are discounted.
        w_ref = ref[name]
        slack = args.sgd_steps * np.spacing(np.abs(w_ref).astype(np.float32))
        miss = np.maximum(np.abs(got[name] - w_ref) - slack, 0.0)
        scale = max(float(np.max(np.abs(w_ref - w0.astype(np.float64)))), 1e-30)
        idx = np.unravel_index(int(np.argmax(miss)), miss.shape)
        err = float(miss[idx]) / scale
        if err > worst_err:
            worst_name, worst_err = name, err
        if err > args.tol:
            failing.append("%s: change rel error %.3g at %s" % (
                name, err, [int(i) for i in idx]))
    ok = not failing
    print("%s %s: %d SGD steps (lr %g, momentum %g, weight decay %g), worst "
          "%s change rel error %.3g (tol %.0e), seed %d" % (
              "PASS" if ok else "FAIL", model, args.sgd_steps, args.lr, momentum,
              decay, worst_name, worst_err, args.tol, seed))
    for f in failing:
        print("  " + f)
    return ok


def check_model(model, args, workdir):
    """Compiles `model` once and checks it with --repeat seeds; True if all pass."""
    batch = ["--batch=%d" % args.batch] if args.batch else []
    ir = oracle.nn_ir(model, args, batch)
    g = oracle.parse_nn(ir)
    args.settings = train_settings(ir)
    if len(g.inputs) != 1:
        raise OracleError("grad needs exactly one image input, @inference has %d"
                          % len(g.inputs))
    logits_value(g)
    if args.verbose:
        print("  %d classes, %d parameters" % (class_count(g), len(g.params)))

    exe = oracle.compiled_executable(model, args, workdir, batch, ["--training"])
    ok = True
    for seed in oracle.seeds(args):
        ok &= check_once(g, exe, seed, args, workdir, model, batch)
    return ok


def draw_inputs(g, seed, workdir):
    """The weights, input and labels of one check: oracle.py's random
    weights and input, then labels uniform over the classes (int64, NumPy's
    default), saved as w.npz, x.npy and labels.npy in `workdir`. Returns
    (weights, x, labels, (npz, xin, lin))."""
    rng = np.random.default_rng(seed)
    weights = oracle.random_weights(g, rng)
    x = oracle.random_input(g.inputs[0][2], rng)
    labels = rng.integers(0, class_count(g), size=x.shape[0], dtype=np.int64)
    paths = tuple(os.path.join(workdir, f) for f in ("w.npz", "x.npy", "labels.npy"))
    np.savez(paths[0], **weights)
    np.save(paths[1], x)
    np.save(paths[2], labels)
    return weights, x, labels, paths


def check_once(g, exe, seed, args, workdir, model, batch):
    weights, x, labels, (npz, xin, lin) = draw_inputs(g, seed, workdir)
    axw, gout = os.path.join(workdir, "w.axw"), os.path.join(workdir, "g.npz")
    run([exe, "import", "--npz", npz, "-o", axw], "import")
    threads = ["--threads", str(args.threads)] if args.threads else []
    t = time.time()
    run([exe, "grad", "--weights", axw, "--input", xin, "--labels", lin,
         "--npz", gout, "--no-dropout"] + threads, "grad")
    grad_s = time.time() - t
    with np.load(gout) as f:
        got = {name: f[name] for name in f.files}

    ref_loss, ref_grads = reference(g, weights, x, labels, torch.float64)
    f32_loss, f32_grads = reference(g, weights, x, labels, torch.float32)
    expected = [("loss", ref_loss, f32_loss)] + [
        (name + ".grad", ref_grads[name], f32_grads[name]) for name in g.params]

    problems, failing, worst_name, worst_err, worst32 = [], [], None, -1.0, 0.0
    extra = sorted(set(got) - {name for name, _, _ in expected})
    if extra:
        problems.append("unexpected arrays in the .npz: " + ", ".join(extra))
    for name, ref, ref32 in expected:
        if name not in got:
            problems.append("array %s missing from the .npz" % name)
            continue
        t = got[name]
        if t.dtype != np.float32 or t.shape != ref.shape:
            problems.append("array %s: %s %s, expected float32 %s" % (
                name, t.dtype, t.shape, ref.shape))
            continue
        err, idx = oracle.compare(t, ref)
        worst32 = max(worst32, oracle.compare(ref32, ref)[0])
        if err > worst_err:
            worst_name, worst_err = name, err
        if err > args.tol:
            failing.append((name, err, idx, t, ref))

    ok = not problems and not failing
    loss_got = float(got["loss"]) if "loss" in got else float("nan")
    print("%s %s: batch %d, loss %.7g (ref %.7g), %d gradients, worst %s "
          "rel error %.3g (tol %.0e), pytorch float32 %.3g, seed %d, grad %.2f s" % (
              "PASS" if ok else "FAIL", model, x.shape[0], loss_got, float(ref_loss),
              len(expected) - 1, worst_name, worst_err, args.tol, worst32, seed, grad_s))
    for p in problems:
        print("  " + p)
    for name, err, idx, t, ref in failing:
        idx = tuple(int(i) for i in idx)
        print("  %s: rel error %.3g, worst element %s: got %.9g, expected %.9g "
              "(|diff| %.3g, max |ref| %.6g)" % (
                  name, err, list(idx), float(t[idx]), float(ref[idx]),
                  abs(float(t[idx]) - float(ref[idx])), float(np.max(np.abs(ref)))))
    if args.sgd_steps:
        ok &= check_sgd(g, exe, seed, args, workdir, model, weights, x, labels,
                        args.settings)
    if not ok:
        print("  reproduce: %s %s %s%s --seed %d%s" % (
            sys.executable, os.path.abspath(__file__), model,
            "".join(" " + b for b in batch), seed,
            " --sgd-steps %d" % args.sgd_steps if args.sgd_steps else ""))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="+", help=".nn files to check")
    p.add_argument("--batch", type=int, help="batch size (default: the model's)")
    p.add_argument("--exe", help="an executable already compiled from the (only) model")
    oracle.add_common_args(p, 1e-4)
    p.add_argument("--threads", type=int, help="grad --threads")
    p.add_argument("--sgd-steps", type=int, default=0,
                   help="also check K `step` SGD steps against torch.optim.SGD")
    p.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()

    if args.exe and len(args.models) != 1:
        p.error("--exe needs exactly one model")
    if args.compiler is None:
        args.compiler = oracle.default_compiler()

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="grad-oracle.") as tmp:
        return oracle.check_each(
            [(m, m) for m in args.models],
            lambda path, workdir, label: check_model(path, args, workdir), tmp)


if __name__ == "__main__":
    sys.exit(main())
