#!/usr/bin/python3
"""Fusion check: a model compiled with nn-fuse against the same model without.

    fusion_check.py MODEL.nn [MODEL.nn ...] [--batch B] [--seed S] [--repeat N]
                    [--threads T] [--tol 1e-6] [--steps K] [--lr LR] [-v]

Runs with /usr/bin/python3; finds alexnet-compile on PATH, else in build/bin
(or --compiler). Compares two builds of the compiler's own output with each
other, so it needs no reference: it uses oracle.py's IR parser, random
weights and inputs and grad_oracle.py's labels, and numpy only for the
comparison.

For each model the check

 1. reads the parameters, the input shape and the class count from the nn IR
    (`alexnet-compile MODEL --emit=nn --batch=B`), and counts the fusions
    nn-fuse makes (`--emit=lowered --training --print-fusions`): 0 means the
    two builds are the same program and the check holds trivially;
 2. compiles the model twice, side by side, with `alexnet-compile
    --target=cpu --training --batch=B` into a temporary directory: once as is
    (fused, the default) and once with --no-fuse;
 3. draws random weights, a random input and random labels exactly as
    grad_oracle.py does (the same seed gives the same data), a fresh seed each
    run unless --seed is given; the seed is printed. The weights are saved as
    .npz and imported into each executable with `EXE import`;
 4. runs on both executables, with the same --threads:
      forward:   `EXE infer` (the output tensor),
      gradients: `EXE grad --no-dropout` (`loss` and every `<param>.grad`),
      SGD steps: `EXE step --steps K --lr LR --no-dropout` from the same
                 weights and batch, then `EXE export` (every tensor);
 5. compares the fused results with the unfused ones tensor by tensor (the
    same names, shapes and dtypes must be there):

        err(t) = max_i |fused_i - unfused_i| / max(max_i |unfused_i|, 1e-30)

    The model passes when err(t) <= --tol (1e-6) for every tensor. The builds
    are designed to run the same float operations in the same order, so the
    tensors should be bit-identical; the summary line counts those
    (np.array_equal) per stage and says "fused == unfused" only when every
    tensor is, "fused ~= unfused" when some differ within --tol, and
    "fused != unfused" on failure, followed by the worst element of each
    failing tensor and a command that reproduces the run.

Exit status: 0 when every model matches, 1 when one does not or anything
fails (compiler, executable), 2 for bad usage.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import grad_oracle  # noqa: E402
from oracle import OracleError, run  # noqa: E402

VARIANTS = (("fused", []), ("unfused", ["--no-fuse"]))


def count_fusions(model, args, batch):
    """The number of fused ops nn-fuse reports for the training build."""
    cmd = [args.compiler, model, "--emit=lowered", "--training",
           "--print-fusions"] + batch
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except OSError as e:
        raise OracleError("alexnet-compile: cannot run %s: %s" % (cmd[0], e.strerror))
    if p.returncode != 0:
        raise OracleError("alexnet-compile --print-fusions failed (exit %d): %s\n%s" % (
            p.returncode, " ".join(cmd), p.stderr))
    reports = [line for line in p.stderr.splitlines() if "remark: fused " in line]
    if args.verbose:
        for line in reports:
            print("  " + line)
    return len(reports)


def load_npz(path):
    with np.load(path) as f:
        return {name: f[name] for name in f.files}


def results(exe, args, workdir, vdir, output_name):
    """{stage: {tensor name: array}} of one executable on the inputs in workdir."""
    npz, xin = os.path.join(workdir, "w.npz"), os.path.join(workdir, "x.npy")
    lin = os.path.join(workdir, "labels.npy")
    axw = os.path.join(vdir, "w.axw")
    threads = ["--threads", str(args.threads)] if args.threads else []
    run([exe, "import", "--npz", npz, "-o", axw], "import")

    yout = os.path.join(vdir, "y.npy")
    run([exe, "infer", "--weights", axw, "--input", xin, "--output", yout] + threads,
        "infer")
    gout = os.path.join(vdir, "g.npz")
    run([exe, "grad", "--weights", axw, "--input", xin, "--labels", lin,
         "--npz", gout, "--no-dropout"] + threads, "grad")
    stepped, sout = os.path.join(vdir, "w2.axw"), os.path.join(vdir, "w2.npz")
    run([exe, "step", "--weights", axw, "--input", xin, "--labels", lin,
         "--steps", str(args.steps), "--lr", repr(args.lr), "--no-dropout",
         "-o", stepped] + threads, "step")
    run([exe, "export", "--weights", stepped, "--npz", sout], "export")
    return {"forward": {output_name: np.load(yout)},
            "gradients": load_npz(gout),
            "steps": load_npz(sout)}


def compare_stage(fused, unfused, tol):
    """(tensors, bit-identical, worst name, worst err, problems) of one stage."""
    problems, identical, worst_name, worst_err = [], 0, None, 0.0
    for name in sorted(set(fused) - set(unfused)):
        problems.append("%s only in the fused build's results" % name)
    for name, b in unfused.items():
        if name not in fused:
            problems.append("%s missing from the fused build's results" % name)
            continue
        a = fused[name]
        if a.dtype != b.dtype or a.shape != b.shape:
            problems.append("%s: fused %s %s, unfused %s %s" % (
                name, a.dtype, a.shape, b.dtype, b.shape))
            continue
        if np.array_equal(a, b):
            identical += 1
            continue
        err, idx = oracle.compare(a, b.astype(np.float64))
        if err > worst_err or worst_name is None:
            worst_name, worst_err = name, err
        if not err <= tol:
            idx = tuple(int(i) for i in idx)
            problems.append(
                "%s: rel error %.3g, worst element %s: fused %.9g, unfused %.9g "
                "(|diff| %.3g, max |unfused| %.6g)" % (
                    name, err, list(idx), float(a[idx]), float(b[idx]),
                    abs(float(a[idx]) - float(b[idx])), float(np.max(np.abs(b)))))
    return len(unfused), identical, worst_name, worst_err, problems


def check_model(model, args, workdir, label):
    """Compiles `model` fused and unfused, checks them with --repeat seeds."""
    batch = ["--batch=%d" % args.batch]
    ir = run([args.compiler, model, "--emit=nn"] + batch, "alexnet-compile --emit=nn")
    g = oracle.parse_nn(ir)
    if len(g.inputs) != 1:
        raise OracleError("infer and grad need exactly one image input, @inference "
                          "has %d" % len(g.inputs))
    grad_oracle.logits_value(g)
    fusions = count_fusions(model, args, batch)

    # The two builds are independent C++ compilations: run them side by side.
    def build(variant, flags):
        vdir = os.path.join(workdir, variant)
        os.mkdir(vdir)
        return oracle.compiled_executable(model, args, vdir, batch,
                                          ["--training"] + flags)
    with concurrent.futures.ThreadPoolExecutor(len(VARIANTS)) as pool:
        jobs = {variant: pool.submit(build, variant, flags)
                for variant, flags in VARIANTS}
        exes = {variant: job.result() for variant, job in jobs.items()}
    ok = True
    for seed in oracle.seeds(args):
        ok &= check_once(g, exes, seed, args, workdir, model, label, fusions)
    return ok


def check_once(g, exes, seed, args, workdir, model, label, fusions):
    _, x, _, _ = grad_oracle.draw_inputs(g, seed, workdir)

    got = {variant: results(exes[variant], args, workdir,
                            os.path.join(workdir, variant), g.output_name)
           for variant, _ in VARIANTS}

    stages, problems = [], []
    worst_name, worst_err, all_identical = None, 0.0, True
    for stage, title in (("forward", "forward"), ("gradients", "gradients"),
                         ("steps", "%d SGD steps" % args.steps)):
        n, same, name, err, bad = compare_stage(got["fused"][stage],
                                                got["unfused"][stage], args.tol)
        stages.append("%s %d/%d" % (title, same, n))
        problems += ["%s: %s" % (stage, b) for b in bad]
        all_identical &= same == n and not bad
        if name is not None and (worst_name is None or err > worst_err):
            worst_name, worst_err = "%s %s" % (stage, name), err

    ok = not problems
    relation = "!=" if not ok else "==" if all_identical else "~="
    print("%s %s: fused %s unfused: %s tensors bit-identical (worst relative error "
          "%.3g%s, tol %.0e); %d fusions, batch %d, seed %d" % (
              "PASS" if ok else "FAIL", label, relation, ", ".join(stages),
              worst_err, " in " + worst_name if worst_name else "", args.tol,
              fusions, x.shape[0], seed))
    for p in problems:
        print("  " + p)
    if not ok:
        print("  reproduce: %s %s %s --batch=%d --seed=%d --steps=%d --lr=%r%s%s" % (
            sys.executable, os.path.abspath(__file__), model, args.batch, seed,
            args.steps, args.lr,
            " --threads=%d" % args.threads if args.threads else "",
            " --tol=%g" % args.tol if args.tol != 1e-6 else ""))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="+", help=".nn files to check")
    p.add_argument("--batch", type=int, default=2, help="batch size (default 2)")
    oracle.add_common_args(p, 1e-6)
    p.add_argument("--threads", type=int, help="infer, grad and step --threads")
    p.add_argument("--steps", type=int, default=3,
                   help="SGD steps of `step` to compare (default 3)")
    p.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()

    if args.batch < 1:
        p.error("--batch must be at least 1")
    if args.steps < 1:
        p.error("--steps must be at least 1")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if not args.tol >= 0:
        p.error("--tol must be a number >= 0")
    if args.threads is not None and args.threads < 1:
        p.error("--threads must be at least 1")
    if args.compiler is None:
        args.compiler = oracle.default_compiler()
    args.exe = None  # oracle.compiled_executable: always compile

    with tempfile.TemporaryDirectory(prefix="fusion-check.") as tmp:
        return oracle.check_each(
            [(m, os.path.splitext(os.path.basename(m))[0]) for m in args.models],
            lambda path, workdir, label: check_model(path, args, workdir, label),
            tmp)


if __name__ == "__main__":
    sys.exit(main())
