#!/usr/bin/python3
"""Equivalence check: builds of a model that must compute the same thing.

    equivalence_check.py MODEL.nn [MODEL.nn ...] [--candidate FLAGS ...]
                    [--baseline FLAGS] [--names A,...,BASE] [--batch B]
                    [--seed S] [--repeat N] [--threads T]
                    [--tolerance 1e-6] [--steps K] [--lr LR]
                    [--compile-flags FLAGS] [--stages LIST] [-v]
    equivalence_check.py MODEL.nn --save-baseline DIR [--baseline FLAGS] ...
    equivalence_check.py MODEL.nn --baseline-results DIR --ir FILE
                    --exes CAND[,...] [--names A,...,BASE] [--tolerance T]

Each candidate build gets the alexnet-compile flags of one --candidate
(default: one candidate with none, so fused) and is compared with the
baseline build, which gets --baseline (default: --no-fuse); flags are
space-separated lists, and --compile-flags go to every build. The default
pair checks nn-fuse; `--candidate=--devices=2 --candidate="--devices=2
--parallel=hybrid" --baseline=` checks nn-partition against one device.
A build's `--cuda-graph=on|off` goes to its executable's infer, grad and
step runs instead of alexnet-compile. Builds are for the CPU unless their
flags name a --target:
`--candidate=--target=cuda --baseline= --names=cuda,cpu --tolerance=1e-4`
checks the CUDA target against the CPU one (cuBLAS and the CUDA kernels
sum in another order than OpenBLAS and the CPU kernels, so ask for
closeness, not the 1e-6 of two CPU builds); that needs a GPU to run.

Runs with /usr/bin/python3; finds alexnet-compile on PATH, else in build/bin
(or --compiler). Compares builds of the compiler's own output with each
other, so it needs no reference: it uses oracle.py's IR parser, random
weights and inputs and grad_oracle.py's labels, and numpy only for the
comparison.

For each model the check

 1. reads the parameters, the input shape and the class count from the nn IR
    (`alexnet-compile MODEL --emit=nn --batch=B`), and counts for each build
    the fusions nn-fuse makes and the exec.transfer ops nn-partition adds
    (`--emit=lowered --training --print-fusions`): equal counts of both mean
    the two builds may be the same program and the check holds trivially;
 2. compiles the model once per build, side by side, with `alexnet-compile
    --target=cpu --training --batch=B` plus the build's flags into a
    temporary directory (without --target=cpu when the build's flags name
    a --target);
 3. draws random weights, a random input and random labels exactly as
    grad_oracle.py does (the same seed gives the same data), a fresh seed each
    run unless --seed is given; the seed is printed. The weights are saved as
    .npz and imported into each executable with `EXE import`;
 4. runs on every executable, with the same --threads:
      forward:   `EXE infer` (the output tensor),
      gradients: `EXE grad --no-dropout` (`loss` and every `<param>.grad`),
      SGD steps: `EXE step --steps K --lr LR --no-dropout` from the same
                 weights and batch, then `EXE export` (every tensor);
      dropout:   `EXE grad --seed 11 --step 3` (dropout on: both builds must
                 draw the same masks);
 5. compares the candidate's results with the baseline's tensor by tensor (the
    same names, shapes and dtypes must be there):

        err(t) = ||cand - base||_2 / max(||base||_2, 1e-30)

    the tensor's norm-wise relative error, the usual measure for the same
    sums taken in another order (a single element's error is bounded by the
    terms' magnitudes, not by its own value). The model passes when
    err(t) <= --tolerance (or --tol; default 1e-6) for every tensor; the
    summary also gives the largest element-wise error
    max_i |cand_i - base_i| / max_i |base_i|. Fusion runs
    the same float operations in the same order, so its tensors should be
    bit-identical; partitioning sums some terms in another order (a gathered
    layer's input gradient adds the devices' partial sums) and may differ in
    the last bits. The summary line counts the bit-identical tensors
    (np.array_equal) per stage and says "A == BASE" only when every tensor
    is, "~=" when some differ within the tolerance, and "!=" on failure,
    followed by the worst element of each failing tensor and a command that
    reproduces the run.

Without a compiler (the GPU machine; test/device/make-bundle.sh): `--ir
FILE` is the model's printed nn IR (`--emit=nn --batch=B`) and `--exes`
names prebuilt executables, one per --candidate and then the baseline's, so
nothing is compiled (the fusion and transfer counts read n/a).
`--save-baseline DIR` runs only the baseline build and saves its results
(DIR/<stage>.npz) with the seed, batch, steps and stages (DIR/meta.json);
`--baseline-results DIR` then takes the baseline's results from there
instead of running it (the seed and the rest come from meta.json), so `--exes`
names the candidates only. The random draw travels too (DIR/inputs) when it
is at most 8 MB; otherwise it is drawn again from the seed and must match
its saved sha256 (NumPy may change its generators' streams), or the check
fails saying so. `--stages` picks what runs and is compared
(forward,gradients,steps,dropout; default all): AlexNet's gradients are
244 MB, so its saved baseline is its forward pass only.

Exit status: 0 when every model matches, 1 when one does not or anything
fails (compiler, executable), 2 for bad usage.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import grad_oracle  # noqa: E402
from oracle import OracleError, run  # noqa: E402

# The dropout-on gradients: masks drawn for this seed (and step 3).
DROPOUT_SEED = 11

# Build flags that belong to the executable's infer, grad and step runs.
RUN_FLAGS = ("--cuda-graph",)


def names_target(flags):
    """Whether a build's flags choose the target themselves (--target=cuda)."""
    return any(f == "--target" or f.startswith("--target=") for f in flags)


def target_independent(flags):
    """`flags` without the target's own: --target, --tf32, --cuda-arch."""
    out, skip = [], False
    for f in flags:
        if skip:
            skip = False
        elif f in ("--target", "--cuda-arch"):
            skip = True
        elif not (f.startswith("--target=") or f.startswith("--cuda-arch=")
                  or f == "--tf32" or f.startswith("--tf32=")):
            out.append(f)
    return out


def count_rewrites(model, args, batch, flags):
    """(fused ops, exec.transfer ops) of one build's training module."""
    cmd = [args.compiler, model, "--emit=lowered", "--training",
           "--print-fusions"] + batch + flags
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except OSError as e:
        raise OracleError("alexnet-compile: cannot run %s: %s" % (cmd[0], e.strerror))
    if p.returncode != 0 and target_independent(flags) != flags:
        # The counts are the graph passes' (nn-fuse, nn-partition): when a
        # target cannot print its lowered module, count them without the
        # target's flags. A broken build still fails when it is compiled.
        if args.verbose:
            print("  %s: --emit=lowered failed (exit %d), counting rewrites "
                  "without the target's flags" % (" ".join(flags), p.returncode))
        return count_rewrites(model, args, batch, target_independent(flags))
    if p.returncode != 0:
        raise OracleError("alexnet-compile --print-fusions failed (exit %d): %s\n%s" % (
            p.returncode, " ".join(cmd), p.stderr))
    reports = [line for line in p.stderr.splitlines() if "remark: fused " in line]
    if args.verbose:
        for line in reports:
            print("  " + line)
    return len(reports), p.stdout.count("exec.transfer ")


def load_npz(path):
    with np.load(path) as f:
        return {name: f[name] for name in f.files}


STAGES = ("forward", "gradients", "steps", "dropout")


def results(exe, args, workdir, vdir, output_name, run_flags=()):
    """{stage: {tensor name: array}} of one executable on the inputs in
    workdir, for the stages in args.stages; `run_flags` go to every run of
    the model."""
    npz, xin = os.path.join(workdir, "w.npz"), os.path.join(workdir, "x.npy")
    lin = os.path.join(workdir, "labels.npy")
    axw = os.path.join(vdir, "w.axw")
    threads = ["--threads", str(args.threads)] if args.threads else []
    threads += list(run_flags)
    run([exe, "import", "--npz", npz, "-o", axw], "import")
    out = {}

    if "forward" in args.stages:
        yout = os.path.join(vdir, "y.npy")
        run([exe, "infer", "--weights", axw, "--input", xin, "--output", yout] +
            threads, "infer")
        out["forward"] = {output_name: np.load(yout)}
    if "gradients" in args.stages:
        gout = os.path.join(vdir, "g.npz")
        run([exe, "grad", "--weights", axw, "--input", xin, "--labels", lin,
             "--npz", gout, "--no-dropout"] + threads, "grad")
        out["gradients"] = load_npz(gout)
    if "dropout" in args.stages:
        dout = os.path.join(vdir, "d.npz")
        run([exe, "grad", "--weights", axw, "--input", xin, "--labels", lin,
             "--npz", dout, "--seed", str(DROPOUT_SEED), "--step", "3"] + threads,
            "grad (dropout on)")
        out["dropout"] = load_npz(dout)
    if "steps" in args.stages:
        stepped, sout = os.path.join(vdir, "w2.axw"), os.path.join(vdir, "w2.npz")
        run([exe, "step", "--weights", axw, "--input", xin, "--labels", lin,
             "--steps", str(args.steps), "--lr", repr(args.lr), "--no-dropout",
             "-o", stepped] + threads, "step")
        run([exe, "export", "--weights", stepped, "--npz", sout], "export")
        out["steps"] = load_npz(sout)
    return out


# The draw (weights, input, labels) travels with the results when it is this
# small (alexnet_mini: 2 MB); AlexNet's weights (244 MB) are drawn again
# from the seed, and its digest shows that the draw is the same.
INPUTS_MAX_BYTES = 8 << 20
INPUT_FILES = ("w.npz", "x.npy", "labels.npy")


def draw_digest(weights, x, labels):
    """sha256 of the random draw's arrays, names, dtypes and shapes."""
    h = hashlib.sha256()
    for name, a in sorted(weights.items()) + [("x", x), ("labels", labels)]:
        a = np.ascontiguousarray(a)
        h.update(("%s %s %s;" % (name, a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def use_baseline_inputs(args, weights, x, labels, workdir):
    """--baseline-results: the saved draw in place of this one, else this
    one checked against the saved digest (NumPy's generators may change
    their streams between versions). Returns the input batch."""
    saved = os.path.join(args.baseline_results, "inputs")
    if os.path.isdir(saved):
        for f in INPUT_FILES:
            shutil.copyfile(os.path.join(saved, f), os.path.join(workdir, f))
        return np.load(os.path.join(workdir, "x.npy"))
    digest = draw_digest(weights, x, labels)
    if digest != args.baseline_meta["draw_sha256"]:
        raise OracleError(
            "the random weights and input of seed %d differ from those the "
            "baseline results were made with (NumPy %s here, %s there): the "
            "results cannot be compared" % (
                args.seed, np.__version__, args.baseline_meta["numpy"]))
    return x


def save_baseline(got, args, seed, label, digest, workdir):
    """--save-baseline: the baseline's results and what reproduces them."""
    os.makedirs(args.save_baseline, exist_ok=True)
    for stage, tensors in got.items():
        np.savez(os.path.join(args.save_baseline, stage + ".npz"), **tensors)
    inputs = [os.path.join(workdir, f) for f in INPUT_FILES]
    if sum(os.path.getsize(f) for f in inputs) <= INPUTS_MAX_BYTES:
        os.makedirs(os.path.join(args.save_baseline, "inputs"), exist_ok=True)
        for f in inputs:
            shutil.copy(f, os.path.join(args.save_baseline, "inputs"))
    meta = {"model": label, "seed": seed, "batch": args.batch,
            "steps": args.steps, "lr": args.lr, "stages": list(args.stages),
            "baseline": args.baseline, "draw_sha256": digest,
            "numpy": np.__version__}
    with open(os.path.join(args.save_baseline, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    print("SAVED %s: %s results of `%s` (seed %d, batch %d) in %s" % (
        label, ",".join(args.stages), args.baseline, seed, args.batch,
        args.save_baseline))


def load_baseline(args):
    """--baseline-results: {stage: {tensor name: array}} saved before."""
    return {stage: load_npz(os.path.join(args.baseline_results, stage + ".npz"))
            for stage in args.stages}


def compare_stage(candidate, baseline, tol):
    """(tensors, bit-identical, worst name, worst err, worst element-wise err,
    problems) of one stage."""
    problems, identical, worst_name, worst_err = [], 0, None, 0.0
    worst_element = 0.0
    for name in sorted(set(candidate) - set(baseline)):
        problems.append("%s only in the candidate's results" % name)
    for name, b in baseline.items():
        if name not in candidate:
            problems.append("%s missing from the candidate's results" % name)
            continue
        a = candidate[name]
        if a.dtype != b.dtype or a.shape != b.shape:
            problems.append("%s: candidate %s %s, baseline %s %s" % (
                name, a.dtype, a.shape, b.dtype, b.shape))
            continue
        if np.array_equal(a, b):
            identical += 1
            continue
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        err = float(np.linalg.norm(a64 - b64)) / max(float(np.linalg.norm(b64)), 1e-30)
        if not np.all(np.isfinite(a64)):
            err = float("inf")
        element, idx = oracle.compare(a, b64)
        worst_element = max(worst_element, element)
        if err > worst_err or worst_name is None:
            worst_name, worst_err = name, err
        if not err <= tol:
            idx = tuple(int(i) for i in idx)
            problems.append(
                "%s: rel error %.3g, worst element %s: candidate %.9g, baseline "
                "%.9g (|diff| %.3g, max |baseline| %.6g)" % (
                    name, err, list(idx), float(a[idx]), float(b[idx]),
                    abs(float(a[idx]) - float(b[idx])), float(np.max(np.abs(b)))))
    return len(baseline), identical, worst_name, worst_err, worst_element, problems


def check_model(model, args, workdir, label):
    """Compiles `model` both ways, checks them with --repeat seeds."""
    batch = ["--batch=%d" % args.batch]
    ir = oracle.nn_ir(model, args, batch)
    g = oracle.parse_nn(ir)
    if len(g.inputs) != 1:
        raise OracleError("infer and grad need exactly one image input, @inference "
                          "has %d" % len(g.inputs))
    grad_oracle.logits_value(g)
    if args.exes:  # prebuilt: nothing to compile, nothing to count
        rewrites = {variant: None for variant, _ in args.variants}
        rewrites["baseline"] = None
        exes = dict(zip([v for v, _ in args.variants], args.exes))
        for variant in exes:
            os.mkdir(os.path.join(workdir, variant))
        ok = True
        for seed in oracle.seeds(args):
            ok &= check_once(g, exes, seed, args, workdir, model, label, rewrites)
        return ok
    rewrites = {variant: count_rewrites(model, args, batch, flags)
                for variant, flags in args.variants}
    rewrites.setdefault("baseline", None)

    # The builds are independent C++ compilations: run them side by side.
    def build(variant, flags):
        vdir = os.path.join(workdir, variant)
        os.mkdir(vdir)
        if not names_target(flags):
            return oracle.compiled_executable(model, args, vdir, batch,
                                              ["--training"] + flags)
        # oracle.compiled_executable always adds --target=cpu.
        exe = os.path.join(vdir, "model")
        t = time.time()
        run([args.compiler, model, "--training", *flags,
             *args.compile_flags.split(), "-o", exe] + batch, "alexnet-compile")
        if args.verbose:
            print("  compiled %s in %.1f s" % (" ".join(flags), time.time() - t))
        return exe
    # Builds with the same flags (that differ in their run flags) share an
    # executable.
    unique = {}
    for variant, flags in args.variants:
        unique.setdefault(tuple(flags), variant)
    for variant, flags in args.variants:
        if unique[tuple(flags)] != variant:
            os.mkdir(os.path.join(workdir, variant))
    with concurrent.futures.ThreadPoolExecutor(len(unique)) as pool:
        jobs = {flags: pool.submit(build, variant, list(flags))
                for flags, variant in unique.items()}
        exes = {variant: jobs[tuple(flags)].result()
                for variant, flags in args.variants}
    ok = True
    for seed in oracle.seeds(args):
        ok &= check_once(g, exes, seed, args, workdir, model, label, rewrites)
    return ok


def check_once(g, exes, seed, args, workdir, model, label, rewrites):
    weights, x, labels, _ = grad_oracle.draw_inputs(g, seed, workdir)
    if args.baseline_results:
        x = use_baseline_inputs(args, weights, x, labels, workdir)

    got = {variant: results(exes[variant], args, workdir,
                            os.path.join(workdir, variant), g.output_name,
                            args.run_flags.get(variant, ()))
           for variant, _ in args.variants}
    if args.save_baseline:
        save_baseline(got["baseline"], args, seed, label,
                      draw_digest(weights, x, labels), workdir)
        return True
    if args.baseline_results:
        got["baseline"] = load_baseline(args)
    ok = True
    candidates = [v for v in args.variants if v[0] != "baseline"]
    for (variant, flags), name in zip(candidates, args.names):
        ok &= compare_builds(got[variant], got["baseline"], name, args, label,
                             rewrites[variant], rewrites["baseline"], x, seed,
                             model, flags)
    return ok


def compare_builds(candidate, baseline, name, args, label, rewrites,
                   base_rewrites, x, seed, model, flags):
    """Prints the summary line of one candidate against the baseline."""
    stages, problems = [], []
    worst_name, worst_err, all_identical = None, 0.0, True
    worst_element = 0.0
    for stage, title in (("forward", "forward"), ("gradients", "gradients"),
                         ("steps", "%d SGD steps" % args.steps),
                         ("dropout", "dropout gradients")):
        if stage not in args.stages:
            continue
        n, same, tensor, err, element, bad = compare_stage(
            candidate[stage], baseline[stage], args.tol)
        worst_element = max(worst_element, element)
        stages.append("%s %d/%d" % (title, same, n))
        problems += ["%s: %s" % (stage, b) for b in bad]
        all_identical &= same == n and not bad
        if tensor is not None and (worst_name is None or err > worst_err):
            worst_name, worst_err = "%s %s" % (stage, tensor), err

    ok = not problems
    relation = "!=" if not ok else "==" if all_identical else "~="
    if rewrites is None or base_rewrites is None:
        counts = "fusions n/a, transfers n/a (prebuilt)"
    else:
        (cf, ct), (bf, bt) = rewrites, base_rewrites
        counts = "fusions %d vs %d, transfers %d vs %d" % (cf, bf, ct, bt)
    print("%s %s: %s %s %s: %s tensors bit-identical (worst relative error "
          "%.3g%s, tol %.0e; element-wise %.3g); %s, batch %d, seed %d" % (
              "PASS" if ok else "FAIL", label, name, relation, args.names[-1],
              ", ".join(stages), worst_err,
              " in " + worst_name if worst_name else "", args.tol,
              worst_element, counts, x.shape[0], seed))
    for p in problems:
        print("  " + p)
    if not ok:
        print("  reproduce: %s %s %s --candidate=%r --baseline=%r --batch=%d "
              "--seed=%d --steps=%d --lr=%r%s%s" % (
                  sys.executable, os.path.abspath(__file__), model,
                  " ".join(flags), args.baseline, args.batch, seed, args.steps,
                  args.lr,
                  " --threads=%d" % args.threads if args.threads else "",
                  " --tolerance=%g" % args.tol if args.tol != 1e-6 else ""))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="+", help=".nn files to check")
    p.add_argument("--candidate", action="append",
                   help="alexnet-compile flags of a build checked against the "
                        "baseline (default: none); repeat to check several")
    p.add_argument("--baseline", default="--no-fuse",
                   help="alexnet-compile flags of the reference build "
                        "(default: --no-fuse)")
    p.add_argument("--names", default="fused,unfused",
                   help="how the summary calls each candidate, then the "
                        "baseline, comma-separated (default fused,unfused)")
    p.add_argument("--batch", type=int, default=2, help="batch size (default 2)")
    oracle.add_common_args(p, 1e-6)
    p.add_argument("--tolerance", dest="tol", type=float, default=argparse.SUPPRESS,
                   help="largest norm-wise relative error per tensor (default "
                        "1e-6; the same as --tol); e.g. 1e-4 for "
                        "--candidate=--target=cuda against the CPU")
    p.add_argument("--threads", type=int, help="infer, grad and step --threads")
    p.add_argument("--steps", type=int, default=3,
                   help="SGD steps of `step` to compare (default 3)")
    p.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    p.add_argument("--stages", default=",".join(STAGES),
                   help="what to run and compare, comma-separated (default %s)"
                        % ",".join(STAGES))
    p.add_argument("--exes", help="prebuilt executables, comma-separated: one "
                                  "per --candidate, then the baseline's (none "
                                  "with --baseline-results); needs --ir")
    p.add_argument("--save-baseline", metavar="DIR",
                   help="run only the baseline and save its results in DIR")
    p.add_argument("--baseline-results", metavar="DIR",
                   help="the baseline's results saved by --save-baseline")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()

    args.stages = [s for s in args.stages.split(",") if s]
    for s in args.stages:
        if s not in STAGES:
            p.error("--stages: expected some of %s, got %r" % (",".join(STAGES), s))
    if args.save_baseline and args.baseline_results:
        p.error("--save-baseline and --baseline-results exclude each other")
    if args.baseline_results:
        try:
            with open(os.path.join(args.baseline_results, "meta.json")) as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            p.error("--baseline-results: cannot read %s/meta.json: %s" % (
                args.baseline_results, e))
        if args.seed is not None and args.seed != meta["seed"]:
            p.error("--seed %d, but the baseline results are seed %d" % (
                args.seed, meta["seed"]))
        args.baseline_meta = meta
        args.seed, args.batch = meta["seed"], meta["batch"]
        args.steps, args.lr = meta["steps"], meta["lr"]
        if "--stages" not in " ".join(sys.argv):
            args.stages = meta["stages"]
        missing = set(args.stages) - set(meta["stages"])
        if missing:
            p.error("--stages: the baseline results have no %s" % ",".join(sorted(missing)))
    if (args.save_baseline or args.baseline_results) and (
            args.seed is None and not args.baseline_results or args.repeat != 1):
        p.error("--save-baseline needs --seed and one run (--repeat 1)")

    if args.batch < 1:
        p.error("--batch must be at least 1")
    if args.steps < 1:
        p.error("--steps must be at least 1")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if not args.tol >= 0:
        p.error("--tolerance must be a number >= 0")
    if args.threads is not None and args.threads < 1:
        p.error("--threads must be at least 1")
    if args.candidate is None:
        args.candidate = [""]
    args.names = args.names.split(",")
    if len(args.names) != len(args.candidate) + 1:
        p.error("--names takes a name per --candidate, then the baseline's")
    # The baseline first: check_once compares every other build with it.
    args.variants = [("baseline", args.baseline.split())] + [
        ("candidate%d" % i, flags.split())
        for i, flags in enumerate(args.candidate)]
    # The executable's own flags (--cuda-graph=on) go to its runs, not to
    # alexnet-compile.
    args.run_flags = {v: [f for f in flags if f.startswith(RUN_FLAGS)]
                      for v, flags in args.variants}
    args.variants = [(v, [f for f in flags if not f.startswith(RUN_FLAGS)])
                     for v, flags in args.variants]
    if args.save_baseline:
        args.variants = args.variants[:1]
    elif args.baseline_results:
        args.variants = args.variants[1:]
    if args.exes is not None:
        args.exes = args.exes.split(",")
        if not args.ir:
            p.error("--exes needs --ir (the printed nn IR): nothing is compiled")
        # --names order (candidates, then the baseline) to check_once's.
        order = [v for v, _ in args.variants if v != "baseline"] + (
            ["baseline"] if args.variants[0][0] == "baseline" else [])
        if len(args.exes) != len(order):
            p.error("--exes: expected %d executables (%s), got %d" % (
                len(order), ",".join(order), len(args.exes)))
        args.exes = [args.exes[order.index(v)] for v, _ in args.variants]
    if args.compiler is None:
        args.compiler = oracle.default_compiler()
    args.exe = None  # oracle.compiled_executable: always compile

    with tempfile.TemporaryDirectory(prefix="equivalence-check.") as tmp:
        return oracle.check_each(
            [(m, os.path.splitext(os.path.basename(m))[0]) for m in args.models],
            lambda path, workdir, label: check_model(path, args, workdir, label),
            tmp)


if __name__ == "__main__":
    sys.exit(main())
