#!/usr/bin/python3
"""Numerical oracle: check a compiled model's `infer` against PyTorch.

    oracle.py MODEL.nn [MODEL.nn ...] [--batch B] [--exe EXE] [--ir FILE]
              [--seed S] [--repeat N] [--threads T] [--tol 1e-5] [-v]
    oracle.py --dsl 'model m { ... }' [...]

Runs with /usr/bin/python3 (Debian's python3-torch); finds alexnet-compile
on PATH, else in build/bin (or --compiler).

For each model the oracle

 1. prints the model's nn IR with `alexnet-compile MODEL --emit=nn --batch=B`
    (or reads --ir FILE, that output saved: with --exe nothing is compiled,
    as on the GPU machine, which has no compiler) and builds a PyTorch reference from it: the `nn.parameter` shapes and the
    ops of `func.func @inference`, %names mapping values. It has no DSL parser
    and shares no code with the compiler, so it checks the compiler's lowering
    and kernels against an independent implementation of the op semantics
    (docs/DSL.md). LRN is the paper's formula, alpha NOT divided by size, so
    the reference calls local_response_norm with alpha * size;
 2. compiles the model with `alexnet-compile --target=cpu` into a temporary
    directory (or uses --exe, which must be that model at that batch);
 3. draws random weights, float32: weights N(0, 1/fan_in), fan_in =
    in_channels/groups * kh * kw (conv2d) or in_features (dense), which keeps
    activations and logits O(1) through the models (ReLU halves the variance,
    max-pooling raises it; -v prints each layer's magnitude); biases
    N(0, 0.1^2); nothing is zero. A fresh seed each run unless --seed is
    given; the seed is printed, and `--seed S` reproduces a run (--repeat N
    checks N seeds, S, S+1, ..., on one compiled executable). The weights
    are saved as .npz and converted with `EXE import`;
 4. draws a random input, float32 N(0, 1) with |x| >= 1e-3 (never zero),
    and runs `EXE infer`;
 5. runs the reference in float64 from the very same float32 weights and
    input, and compares the output tensor y with it:

        err = max_i |y_i - ref_i| / max(max_i |ref_i|, 1e-30)

    i.e. the largest absolute error relative to the largest reference
    magnitude of the tensor. The model passes when err <= --tol (1e-5).
    A non-finite reference element must be matched exactly (NaN by NaN,
    +-Inf by the same Inf), and a finite one by a finite y: NaN and Inf
    behave as in PyTorch. `--nonfinite K` puts K NaN, K +Inf and K -Inf at
    random positions of each input sample to test just that.
    On failure the worst element (index, y, ref) is printed. The error of a
    float32 PyTorch run against the same float64 reference is reported too,
    for information: it is what float32 arithmetic alone costs.

Exit status: 0 when every model matches, 1 when one does not or anything
fails (compiler, executable, unsupported op), 2 for bad usage.
"""

import argparse
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_COMPILER = os.path.join(HERE, "..", "..", "build", "bin", "alexnet-compile")


class OracleError(Exception):
    pass


# --------------------------------------------------------------------------
# nn IR -> graph
# --------------------------------------------------------------------------

SHAPE_RE = r"tensor<((?:\d+x)*)(f32|i32)>"


def parse_shape(text):
    m = re.fullmatch(SHAPE_RE, text.strip())
    if not m:
        raise OracleError("cannot parse tensor type %r" % text)
    return tuple(int(d) for d in m.group(1).split("x") if d)


def parse_float(text):
    """An MLIR float attribute: decimal, or hex bits (0x3F1A...) for f64."""
    text = text.strip()
    if text.lower().startswith("0x"):
        return struct.unpack("<d", struct.pack("<Q", int(text, 16)))[0]
    return float(text)


def ints(text):
    return [int(v) for v in re.findall(r"-?\d+", text)]


class Op:
    def __init__(self, result, kind, operands, attrs, line):
        self.result, self.kind, self.operands = result, kind, operands
        self.attrs, self.line = attrs, line


class Graph:
    def __init__(self):
        self.params = {}      # name -> shape
        self.inputs = []      # (ssa name, dsl name, shape)
        self.ops = []
        self.result = None    # ssa name returned
        self.output_name = None


OP_RE = re.compile(r"^\s*(%[\w.$-]+)\s*=\s*nn\.(\w+)\s*(.*)$")
VALUE_RE = re.compile(r"%[\w.$-]+")


def parse_op_attrs(kind, body):
    """Attributes written in an op's custom syntax, before the ' : types'."""
    a = {}
    if kind == "conv2d":
        m = re.search(r"stride \[([^\]]*)\] pad \[([^\]]*)\] groups (\d+)", body)
        if not m:
            raise OracleError("cannot parse conv2d attributes: " + body)
        a = {"stride": ints(m.group(1)), "pad": ints(m.group(2)), "groups": int(m.group(3))}
    elif kind in ("maxpool", "avgpool"):
        m = re.search(r"window \[([^\]]*)\] stride \[([^\]]*)\] pad \[([^\]]*)\]", body)
        if not m:
            raise OracleError("cannot parse %s attributes: %s" % (kind, body))
        a = {"window": ints(m.group(1)), "stride": ints(m.group(2)), "pad": ints(m.group(3))}
    elif kind == "lrn":
        num = r"(0x[0-9A-Fa-f]+|[-+0-9.eE]+)"
        m = re.search(r"size (\d+) alpha %s beta %s k %s" % (num, num, num), body)
        if not m:
            raise OracleError("cannot parse lrn attributes: " + body)
        a = {"size": int(m.group(1)), "alpha": parse_float(m.group(2)),
             "beta": parse_float(m.group(3)), "k": parse_float(m.group(4))}
    elif kind == "dropout":
        m = re.search(r"rate ([-+0-9.eE]+)", body)
        if not m:
            raise OracleError("cannot parse dropout attributes: " + body)
        a = {"rate": float(m.group(1))}
    elif kind == "concat":
        m = re.search(r"axis (\d+)", body)
        if not m:
            raise OracleError("cannot parse concat attributes: " + body)
        a = {"axis": int(m.group(1))}
    return a


def parse_nn(text):
    g = Graph()
    for m in re.finditer(r"nn\.parameter @([\w.$-]+|\"[^\"]*\") : (" + SHAPE_RE + ")", text):
        g.params[m.group(1).strip('"')] = parse_shape(m.group(2))

    start = text.find("func.func @inference(")
    if start < 0:
        raise OracleError("no func.func @inference in the nn IR")
    lines = text[start:].splitlines()
    header = lines[0]
    for m in re.finditer(r"(%[\w.$-]+): (" + SHAPE_RE + r")(?: \{nn\.input = \"(\w+)\"\})?", header):
        g.inputs.append((m.group(1), m.group(5), parse_shape(m.group(2))))
    m = re.search(r"nn\.output = \"(\w+)\"", header)
    g.output_name = m.group(1) if m else "output"

    param_refs = {}
    for line in lines[1:]:
        s = line.strip()
        if s == "}":
            break
        if not s:
            continue
        if s.startswith("return "):
            g.result = VALUE_RE.findall(s.split(":")[0])[0]
            continue
        m = OP_RE.match(s)
        if not m:
            raise OracleError("cannot parse IR line: " + s)
        result, kind, rest = m.groups()
        if kind == "param_ref":
            sym = re.match(r"@([\w.$-]+|\"[^\"]*\")", rest).group(1).strip('"')
            param_refs[result] = sym
            continue
        # ' : ' separates operands and attributes from the types.
        body = rest.split(" : ")[0]
        operands = [param_refs.get(v, v) for v in VALUE_RE.findall(body)]
        g.ops.append(Op(result, kind, operands, parse_op_attrs(kind, body), s))
    if g.result is None:
        raise OracleError("no return in func.func @inference")
    return g


# --------------------------------------------------------------------------
# reference
# --------------------------------------------------------------------------

def pad_hw(x, pad, value):
    ph, pw = pad
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (pw, pw, ph, ph), value=value)


def interpret(g, env, trace=None, training=False):
    """Runs the graph's ops with torch.nn.functional on `env`, a dict from
    parameter names and input %names to tensors, adding each op's result
    under its %name; calls trace(op, value) after each op when given.
    Dropout is the identity unless `training` (then torch's own dropout, for
    the training benchmark).
    Autograd records the ops unless the caller disables it (grad_oracle.py
    differentiates through them). Returns `env`."""
    for op in g.ops:
        x = [env[v] for v in op.operands]
        a = op.attrs
        k = op.kind
        if k == "conv2d":
            y = F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None,
                         stride=tuple(a["stride"]), padding=tuple(a["pad"]),
                         groups=a["groups"])
        elif k == "relu":
            y = torch.relu(x[0])
        elif k == "lrn":
            # Paper: alpha not divided by size; PyTorch divides it.
            y = F.local_response_norm(x[0], a["size"], alpha=a["alpha"] * a["size"],
                                      beta=a["beta"], k=a["k"])
        elif k == "maxpool":
            # Pad explicitly: PyTorch limits pad to half the window, the
            # DSL only to less than the window.
            y = F.max_pool2d(pad_hw(x[0], a["pad"], -math.inf),
                             tuple(a["window"]), tuple(a["stride"]))
        elif k == "avgpool":
            # count_include_pad: the divisor is always the window area.
            y = F.avg_pool2d(pad_hw(x[0], a["pad"], 0.0),
                             tuple(a["window"]), tuple(a["stride"]))
        elif k == "dense":
            y = F.linear(x[0], x[1], x[2] if len(x) > 2 else None)
        elif k == "dropout":
            y = F.dropout(x[0], a["rate"], training=True) if training else x[0]
        elif k == "flatten":
            y = x[0].reshape(x[0].shape[0], -1)
        elif k == "concat":
            y = torch.cat(x, dim=a["axis"])
        elif k == "add":
            y = x[0] + x[1]
        elif k == "softmax":
            y = torch.softmax(x[0], dim=-1)
        else:
            raise OracleError("the oracle does not know op nn.%s: %s" % (k, op.line))
        env[op.result] = y
        if trace:
            trace(op, y)
    return env


def run_reference(g, weights, inputs, dtype, trace=None):
    """Interprets the graph in `dtype`, without autograd; returns the
    output as a NumPy array."""
    env = {name: torch.from_numpy(a).to(dtype) for name, a in weights.items()}
    for (ssa, _, _), a in zip(g.inputs, inputs):
        env[ssa] = torch.from_numpy(a).to(dtype)
    with torch.no_grad():
        interpret(g, env, trace)
    return env[g.result].numpy()


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

def fan_in(shape):
    return int(np.prod(shape[1:]))


def random_weights(g, rng):
    w = {}
    for name, shape in g.params.items():
        if len(shape) >= 2:
            std = 1.0 / math.sqrt(fan_in(shape))
        else:
            std = 0.1
        a = (rng.standard_normal(shape) * std).astype(np.float32)
        a[a == 0] = np.float32(std)
        w[name] = a
    return w


def random_input(shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    small = np.abs(x) < 1e-3
    x[small] = np.where(x[small] < 0, -1e-3, 1e-3).astype(np.float32)
    return x


def with_nonfinite(x, rng, each):
    """x with `each` NaN, `each` +Inf and `each` -Inf per sample at random
    distinct positions (--nonfinite)."""
    x = x.copy()
    per = x[0].size
    for sample in x.reshape(x.shape[0], per):
        at = rng.choice(per, size=3 * each, replace=False)
        sample[at[:each]] = np.nan
        sample[at[each:2 * each]] = np.inf
        sample[at[2 * each:]] = -np.inf
    return x


def compare(y, ref):
    """(err, index of the worst element); err as in the module docstring,
    over the finite reference elements. A non-finite element must be exactly
    where the reference has one and the same (NaN where NaN, +-Inf where
    +-Inf, as PyTorch): otherwise err is inf."""
    finite = np.isfinite(ref)
    scale = max(float(np.max(np.abs(ref[finite]))) if finite.any() else 0.0, 1e-30)
    y64 = y.astype(np.float64)
    diff = np.where(finite, np.abs(y64 - np.where(finite, ref, 0.0)), 0.0)
    diff = np.where(finite & ~np.isfinite(y64), np.inf, diff)
    same = (np.isnan(y64) & np.isnan(ref)) | (y64 == ref)
    diff = np.where(~finite & ~same, np.inf, diff)
    flat = int(np.argmax(diff))
    return float(diff.reshape(-1)[flat]) / scale, np.unravel_index(flat, ref.shape)


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------

def run(cmd, what, timeout=900):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except OSError as e:
        raise OracleError("%s: cannot run %s: %s" % (what, cmd[0], e.strerror))
    if p.returncode != 0:
        raise OracleError("%s failed (exit %d): %s\n%s%s" % (
            what, p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def run_or_exit(cmd):
    """run() for the benchmarks: a failing tool ends the script with its output."""
    try:
        return run(cmd, os.path.basename(cmd[0]), timeout=3600)
    except OracleError as e:
        raise SystemExit("%s: error: %s" % (os.path.basename(sys.argv[0]), e))


def bench_args(doc, default_batches, rounds):
    """The benchmarks' common options, parsed: (args, alexnet-compile path,
    {model file name without .nn: batch})."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--models", default="models/alexnet.nn,models/alexnet_mini.nn")
    p.add_argument("--batches", default=default_batches,
                   help="NAME=N,... (NAME: the model's file name without .nn)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--rounds", type=int, default=rounds,
                   help="interleaved runs of each bench per build")
    p.add_argument("--march", default="native",
                   help="-march for the generated C++ ('' for the default)")
    args = p.parse_args()
    if args.rounds < 1 or args.iters < 1 or args.warmup < 0:
        p.error("--rounds and --iters must be at least 1, --warmup at least 0")
    return (args, os.path.join(args.build, "bin", "alexnet-compile"),
            parse_batches(args.batches))


def parse_batches(text):
    """--batches NAME=N,... of the benchmarks: {model file name without .nn: N}."""
    batches = {}
    for item in filter(None, text.split(",")):
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit() or int(value) < 1:
            raise SystemExit("%s: error: --batches wants NAME=N,..., got %r" % (
                os.path.basename(sys.argv[0]), item))
        batches[name.strip()] = int(value)
    return batches


def compiled_executable(model, args, workdir, batch, flags=()):
    """--exe if given, else `model` compiled for the CPU into `workdir`."""
    if args.exe:
        return os.path.abspath(args.exe)
    exe = os.path.join(workdir, "model")
    t = time.time()
    extra = getattr(args, "compile_flags", "").split()
    run([args.compiler, model, "--target=cpu", *flags, *extra, "-o", exe] + batch,
        "alexnet-compile")
    if args.verbose:
        print("  compiled in %.1f s" % (time.time() - t))
    return exe


def default_compiler():
    """alexnet-compile on PATH, else the one in this checkout's build/bin."""
    return shutil.which("alexnet-compile") or os.path.normpath(DEFAULT_COMPILER)


def check_each(models, check, tmp):
    """Runs check(path, workdir, label) for each (path, label) in its own
    directory under `tmp`, a failure to run counting as a failed check;
    returns the exit status (1 when any failed)."""
    failures = 0
    for i, (path, label) in enumerate(models):
        workdir = os.path.join(tmp, "m%d" % i)
        os.mkdir(workdir)
        try:
            if not check(path, workdir, label):
                failures += 1
        except (OracleError, subprocess.TimeoutExpired) as e:
            print("FAIL %s: %s" % (label, e))
            failures += 1
    return 1 if failures else 0


def add_common_args(p, tol):
    """The options every oracle takes: --compiler, --compile-flags, --seed,
    --repeat, --tol."""
    p.add_argument("--compiler", help="alexnet-compile (default: on PATH, else build/bin)")
    p.add_argument("--compile-flags", default="",
                   help="more alexnet-compile flags, space-separated (e.g. "
                        "--devices=2: check the partitioned build)")
    p.add_argument("--seed", type=int, help="random seed (default: a fresh one)")
    p.add_argument("--repeat", type=int, default=1,
                   help="check each model with this many seeds (default 1)")
    p.add_argument("--tol", type=float, default=tol, help="tolerance (default %g)" % tol)
    p.add_argument("--ir", help="the model's printed nn IR (`alexnet-compile MODEL "
                                "--emit=nn --batch=B` into a file), read instead of "
                                "running the compiler: with prebuilt executables "
                                "nothing is compiled (test/device's bundle)")


def nn_ir(model, args, batch):
    """The nn IR of `model` at `batch`: --ir's file, else the compiler's."""
    if getattr(args, "ir", None):
        try:
            with open(args.ir) as f:
                return f.read()
        except OSError as e:
            raise OracleError("cannot read --ir %s: %s" % (args.ir, e.strerror))
    return run([args.compiler, model, "--emit=nn"] + batch, "alexnet-compile --emit=nn")


def seeds(args):
    """The --repeat seeds: --seed, --seed + 1, ... or fresh random ones."""
    for i in range(args.repeat):
        if args.seed is not None:
            yield args.seed + i
        else:
            yield int.from_bytes(os.urandom(4), "little")


def check_model(model, args, workdir, label):
    """Compiles `model` once and checks it with --repeat seeds; True if all pass."""
    batch = ["--batch=%d" % args.batch] if args.batch else []
    ir = nn_ir(model, args, batch)
    g = parse_nn(ir)
    if len(g.inputs) != 1:
        raise OracleError("infer needs exactly one input, the model has %d" % len(g.inputs))

    exe = compiled_executable(model, args, workdir, batch, ["--training=false"])
    ok = True
    for seed in seeds(args):
        ok &= check_once(g, exe, seed, args, workdir, label, batch)
    return ok


def check_once(g, exe, seed, args, workdir, label, batch):
    rng = np.random.default_rng(seed)
    weights = random_weights(g, rng)
    x = random_input(g.inputs[0][2], rng)
    if args.nonfinite:
        x = with_nonfinite(x, rng, args.nonfinite)

    npz, axw = os.path.join(workdir, "w.npz"), os.path.join(workdir, "w.axw")
    xin, yout = os.path.join(workdir, "x.npy"), os.path.join(workdir, "y.npy")
    np.savez(npz, **weights)
    np.save(xin, x)
    run([exe, "import", "--npz", npz, "-o", axw], "import")
    threads = ["--threads", str(args.threads)] if args.threads else []
    t = time.time()
    run([exe, "infer", "--weights", axw, "--input", xin, "--output", yout] + threads, "infer")
    infer_s = time.time() - t
    y = np.load(yout)

    def trace(op, v):
        print("  %-14s %-8s %-16s max|y| %-10.4g std %.4g" % (
            op.result, op.kind, "x".join(map(str, v.shape)), float(v.abs().max()), float(v.std())))
    ref = run_reference(g, weights, [x], torch.float64, trace if args.verbose else None)
    if y.shape != ref.shape:
        raise OracleError("output shape %s, reference %s (seed %d)" % (y.shape, ref.shape, seed))
    err, worst = compare(y, ref)
    err32, _ = compare(run_reference(g, weights, [x], torch.float32), ref)

    ok = err <= args.tol
    nonfinite = ""
    if args.nonfinite:
        nonfinite = ", reference %d NaN %d +Inf %d -Inf" % (
            int(np.isnan(ref).sum()), int((ref == np.inf).sum()), int((ref == -np.inf).sum()))
    print("%s %s: batch %d, output %s %s, max rel error %.3g (tol %.0e)%s, "
          "pytorch float32 %.3g, seed %d, infer %.2f s" % (
              "PASS" if ok else "FAIL", label, g.inputs[0][2][0], g.output_name,
              "x".join(map(str, ref.shape)), err, args.tol, nonfinite, err32, seed, infer_s))
    if not ok:
        idx = tuple(int(i) for i in worst)
        print("  worst element %s%s: got %.9g, expected %.9g (|diff| %.3g, max |ref| %.6g)" % (
            g.output_name, list(idx), float(y[idx]), float(ref[idx]),
            abs(float(y[idx]) - float(ref[idx])),
            float(np.max(np.abs(ref[np.isfinite(ref)]), initial=0.0))))
        if label.startswith("<dsl"):
            with open(os.path.join(os.path.dirname(workdir), "dsl%s.nn" % label[5:-1])) as f:
                print("  model:\n" + f.read())
            label = "--dsl TEXT"
        print("  reproduce: %s %s %s%s --seed %d" % (
            sys.executable, os.path.abspath(__file__), label,
            "".join(" " + b for b in batch), seed))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="*", help=".nn files to check")
    p.add_argument("--dsl", action="append", default=[],
                   help="DSL text of a model (written to a temporary file)")
    p.add_argument("--batch", type=int, help="batch size (default: the model's)")
    p.add_argument("--exe", help="an executable already compiled from the (only) model")
    add_common_args(p, 1e-5)
    p.add_argument("--threads", type=int, help="infer --threads")
    p.add_argument("--nonfinite", type=int, default=0, metavar="K",
                   help="put K NaN, K +Inf and K -Inf in each input sample; "
                        "non-finite outputs must then match PyTorch's exactly")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()

    models = [(m, m) for m in args.models]
    if not models and not args.dsl:
        p.error("give a model file or --dsl")
    if args.exe and len(models) + len(args.dsl) != 1:
        p.error("--exe needs exactly one model")
    if args.compiler is None:
        args.compiler = default_compiler()

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="oracle.") as tmp:
        for i, text in enumerate(args.dsl):
            path = os.path.join(tmp, "dsl%d.nn" % i)
            with open(path, "w") as f:
                f.write(text + "\n")
            models.append((path, "<dsl %d>" % i))
        return check_each(
            models, lambda path, workdir, label: check_model(path, args, workdir, label),
            tmp)


if __name__ == "__main__":
    sys.exit(main())
