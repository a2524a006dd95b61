#!/usr/bin/python3
"""Differential testing on random models: every build equals PyTorch.

    fuzz_models.py [--seconds T] [--models N] [--seed S] [--batch B]
                   [--threads T] [--compiler PATH] [--keep DIR]
                   [--compile-only] [--model FILE] [-v]

Runs with /usr/bin/python3; finds alexnet-compile on PATH, else in build/bin
(or --compiler). NNSmith's method (Liu et al., ASPLOS 2023) on this
compiler: random_model.py draws a random valid model, and the existing
oracles check it, with that model's seed as their data seed (so a seed
replays exactly):

 1. oracle.py: `infer` of a fused one-device build against PyTorch
    (float64), within its tolerance (1e-5);
 2. grad_oracle.py --sgd-steps 3: `grad` (loss and every parameter's
    gradient) and 3 `step`s of a fused one-device build against
    torch.autograd and torch.optim.SGD, within its tolerance (1e-4);
 3. equivalence_check.py: the other nine builds against the one-device
    `--no-fuse` build (`infer`, `grad` with and without dropout, 3 `step`s),
    within 1e-6 norm-wise: fused on one device, and for 2 and 3 devices
    model and hybrid parallel, each fused and `--no-fuse`.

So every model is compiled 12 times (one device fused and --no-fuse,
{2, 3} devices x {model, hybrid} x {fused, --no-fuse}, plus the two
oracles' own builds), every build is compared with the unfused one-device
build, and that one (through the fused build) with PyTorch. A model fails
when the compiler rejects it (a generator bug unless the compiler is wrong:
the model is valid by construction), when anything crashes, or when a
result is outside a tolerance.

With --compile-only each model is only compiled for the 10 builds through
the graph passes and the lowering (`--emit=lowered`, no C++ compile, no
oracle): a quick check of the generator (it must never write a model the
compiler rejects) and of the passes, a second or so per model.

--model FILE runs the same checks on a model file instead (a failing
model, once fixed, committed as a regression test), --seed (default 1)
seeding the data.

Without --seed, each model gets a fresh random seed, printed before it is
checked; --seed S checks the model of seed S only (--models N: S, S+1, ...).
The run stops starting models when the next would likely end after
--seconds (default 180; it runs at least one), or after --models. A failure
prints the oracles' report, the model and the command that replays it.

Exit status: 0 when every model passes, 1 when one fails, 2 for bad usage.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import random_model  # noqa: E402
from oracle import default_compiler  # noqa: E402

# Candidate builds of equivalence_check.py, named; the baseline is the
# one-device --no-fuse build.
BUILDS = [("fused", "")]
for _devices in (2, 3):
    for _parallel in ("model", "hybrid"):
        _flags = "--devices=%d%s" % (
            _devices, " --parallel=hybrid" if _parallel == "hybrid" else "")
        _name = "d%d-%s" % (_devices, _parallel)
        BUILDS += [(_name, _flags), (_name + "-nofuse", _flags + " --no-fuse")]
BASELINE = ("d1-nofuse", "--no-fuse")
# The builds against each other, norm-wise: 2 and 3 devices add a layer's
# partial sums in another order, and a gradient whose terms cancel (a bias
# summed over the batch) keeps float32's error relative to its terms, not
# to itself: seeds 3842462411 and 765213264 measured 2.5e-6 (the models in
# models/ stay below 1e-6). The oracles against PyTorch keep 1e-4.
BUILDS_TOLERANCE = 1e-5


def checks(model, seed, args):
    """(what, command) of each oracle run on `model`."""
    common = ["--compiler", args.compiler, "--batch=%d" % args.batch_of(model),
              "--seed=%d" % seed, "--threads=%d" % args.threads]
    py = sys.executable
    return [
        ("infer vs PyTorch", [py, os.path.join(HERE, "oracle.py"), model] + common),
        ("grad + 3 SGD steps vs PyTorch",
         [py, os.path.join(HERE, "grad_oracle.py"), model, "--sgd-steps=3"] + common),
        ("12 builds vs each other",
         [py, os.path.join(HERE, "equivalence_check.py"), model,
          "--tolerance=%g" % BUILDS_TOLERANCE]
         + ["--candidate=" + flags for _, flags in BUILDS]
         + ["--baseline=" + BASELINE[1],
            "--names=" + ",".join([n for n, _ in BUILDS] + [BASELINE[0]])]
         + common),
    ]


def compile_checks(model, args):
    """(what, command) of each --compile-only run on `model`: every build's
    flags, through the graph passes and the lowering, no C++ compile."""
    return [("alexnet-compile %s" % (flags or "(1 device, fused)"),
             [args.compiler, model, "--training", "--emit=lowered",
              "--batch=%d" % args.batch_of(model)] + flags.split())
            for _, flags in BUILDS + [BASELINE]]


def check_model(seed, args, workdir, text=None):
    """Checks the model `text` (default: the generated model of `seed`),
    `seed` seeding the oracles' data; True when it passes."""
    replay, label = "--seed %d" % seed, "seed %d" % seed
    if text is None:
        text = random_model.generate(seed, args.batch)
    else:
        replay = "--model %s --seed %d" % (args.model_path, seed)
        label = "%s (seed %d)" % (args.model_path, seed)
    model = os.path.join(workdir, "fuzz%d.nn" % seed)
    with open(model, "w") as f:
        f.write(text)
    failures = []
    runs = compile_checks(model, args) if args.compile_only else \
        checks(model, seed, args)
    for what, cmd in runs:
        t = time.time()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=args.timeout)
            out, ok = p.stderr if args.compile_only else p.stdout + p.stderr, \
                p.returncode == 0
        except subprocess.TimeoutExpired as e:
            partial = e.stdout or b""  # bytes even with text=True
            if isinstance(partial, bytes):
                partial = partial.decode(errors="replace")
            out = "timed out after %d s\n%s" % (args.timeout, partial)
            ok = False
        if args.verbose:
            print("  %s: %s in %.1f s" % (what, "pass" if ok else "FAIL",
                                          time.time() - t))
            for line in out.splitlines():
                print("    " + line)
        if not ok:
            failures.append((what, out))
            if what.endswith("PyTorch") and "alexnet-compile" in out \
                    and "failed (exit" in out:
                break  # the compiler rejected it: the other checks would too
    if failures:
        print("FAIL " + label)
        for what, out in failures:
            print("  %s:" % what)
            for line in out.strip().splitlines():
                print("    " + line)
        print("  model:")
        for line in text.splitlines():
            print("    " + line)
        print("  replay: %s %s %s%s" % (
            sys.executable, os.path.abspath(__file__), replay,
            " --batch %d" % args.batch if args.batch else ""))
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            with open(os.path.join(args.keep, "fuzz%d.nn" % seed), "w") as f:
                f.write(text)
    return not failures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=180,
                   help="start no model that would likely end later (default 180)")
    p.add_argument("--models", type=int, help="stop after this many models")
    p.add_argument("--seed", type=int,
                   help="check the model of this seed (with --models N: N seeds "
                        "from it); default: fresh random seeds")
    p.add_argument("--batch", type=int,
                   help="batch of every model (default: each model's own)")
    p.add_argument("--threads", type=int, default=2,
                   help="--threads of the executables (default 2)")
    p.add_argument("--compiler", help="alexnet-compile (default: on PATH, else build/bin)")
    p.add_argument("--timeout", type=int, default=900,
                   help="seconds one oracle run may take (default 900)")
    p.add_argument("--keep", help="copy each failing model into this directory")
    p.add_argument("--model", dest="model_path",
                   help="check this .nn file (a committed regression model) "
                        "instead of generated ones, with --seed (default 1) as "
                        "the data seed")
    p.add_argument("--compile-only", action="store_true",
                   help="only compile each model for every build, through "
                        "--emit=lowered (no C++ compile, no oracles): checks "
                        "the generator and the passes, ~1 s a model")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    if args.models is not None and args.models < 1:
        p.error("--models must be at least 1")
    if args.batch is not None and args.batch < 1:
        p.error("--batch must be at least 1")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if args.compiler is None:
        args.compiler = default_compiler()
    if args.seed is not None and args.models is None:
        args.models = 1  # replay one seed
    args.batch_of = lambda model: args.batch or batch_in(model)
    if args.model_path:
        with open(args.model_path) as f:
            text = f.read()
        seed = 1 if args.seed is None else args.seed
        with tempfile.TemporaryDirectory(prefix="fuzz-models.") as tmp:
            ok = check_model(seed, args, tmp, text)
        print("%s %s: %d builds (seed %d)" % (
            "PASS" if ok else "FAIL", args.model_path,
            len(BUILDS) + 1 if args.compile_only else 12, seed))
        return 0 if ok else 1

    start = time.time()
    passed, failed = 0, []
    with tempfile.TemporaryDirectory(prefix="fuzz-models.") as tmp:
        while args.models is None or passed + len(failed) < args.models:
            done = passed + len(failed)
            if done and args.seed is None:
                per_model = (time.time() - start) / done
                if time.time() - start + per_model > args.seconds:
                    break
            seed = (args.seed + done if args.seed is not None
                    else int.from_bytes(os.urandom(4), "little"))
            if not args.compile_only:
                print("model %d: seed %d" % (done + 1, seed), flush=True)
            t = time.time()
            workdir = os.path.join(tmp, str(seed))
            os.mkdir(workdir)
            if check_model(seed, args, workdir):
                passed += 1
                if not args.compile_only:
                    print("PASS seed %d (%.1f s)" % (seed, time.time() - t),
                          flush=True)
            else:
                failed.append(seed)
            sys.stdout.flush()
    print("fuzz_models: %d models, %d passed, %d failed%s in %.0f s" % (
        passed + len(failed), passed, len(failed),
        " (seeds %s)" % ", ".join(map(str, failed)) if failed else "",
        time.time() - start))
    return 1 if failed else 0


def batch_in(model):
    """The `batch = N` of a generated model."""
    with open(model) as f:
        for line in f:
            words = line.split()
            if words[:2] == ["batch", "="]:
                return int(words[2])
    return 1


if __name__ == "__main__":
    sys.exit(main())
