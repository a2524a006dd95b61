#!/usr/bin/env python3
"""Kill a training run and resume it: it must end as if never interrupted.

    train_resume_check.py EXE DATA WORKDIR [--epochs E] [--every N]
        [--kill N[,N2...]]... [--random-kill K] [--seed S] [-- EXTRA...]

Runs `EXE train --data DATA --epochs E --checkpoint-every N --seed S
--threads 2 --loader-threads 2 EXTRA` (stdlib only; any python3):

  1. once uninterrupted, in WORKDIR/ref, the reference (-o weights, the
     checkpoint directory's last.axw and the --metrics CSV);
  2. for each --kill chain "A,B,...": with ALEXNET_TEST_KILL_IN_WRITE=A, so
     the process's A-th atomic file write writes half its temporary file and
     then SIGKILLs the process; then `--resume` with
     ALEXNET_TEST_KILL_IN_WRITE=B (killed again), and so on; then `--resume`
     without the variable, to the end;
  3. K times (--random-kill K): a real SIGKILL at a random moment of the
     run (uniform over the reference's run time), then `--resume`.

Each interrupted run must die by SIGKILL; every final resume must exit 0.
Then the -o weights and last.axw must be byte-identical to the reference,
the metrics CSV must have the same rows with the same epoch, step, lr,
train_loss, val_top1_error, val_top5_error and skipped columns
(train_img_per_s differs), and no temporary file may be left anywhere (the
statistics cache, the metrics, -o and the checkpoint files alike: each
write removes what killed writers left beside its target). For every kill
it prints which file was being written ("died writing last.axc") and where
the resume started, so a test can check that the kill hit the write it
meant; for a random kill only one line depends on where the kill fell.

Prints "train_resume_check: all checks passed" at the end; exits 1 with a
message on the first failure.
"""

import argparse
import csv
import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

COMPARED = ["epoch", "step", "lr", "train_loss", "val_top1_error",
            "val_top5_error", "skipped"]


def fail(message):
    print("train_resume_check: FAILED: " + message)
    sys.exit(1)


class Runner:
    def __init__(self, a):
        self.a = a

    def command(self, work, resume):
        a = self.a
        cmd = [a.exe, "train", "--data", a.data, "--epochs", str(a.epochs),
               "--checkpoint-every", str(a.every), "--seed", str(a.seed),
               "--threads", "2", "--loader-threads", "2",
               "--checkpoint-dir", os.path.join(work, "ck"),
               "--metrics", os.path.join(work, "metrics.csv"),
               "-o", os.path.join(work, "final.axw")] + a.extra
        if resume:
            cmd.append("--resume")
        return cmd

    def start(self, work, resume, kill_at=None):
        env = dict(os.environ)
        env.pop("ALEXNET_TEST_KILL_IN_WRITE", None)
        if kill_at is not None:
            env["ALEXNET_TEST_KILL_IN_WRITE"] = str(kill_at)
        log = open(os.path.join(work, "log-%d.txt" % len(os.listdir(work))),
                   "w+")
        proc = subprocess.Popen(self.command(work, resume), env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        return proc, log

    @staticmethod
    def finish(proc, log):
        rc = proc.wait()
        log.seek(0)
        text = log.read()
        log.close()
        return rc, text


def temps(work, pid=None):
    """Temporary files (name.tmp.<pid>) under work, as paths relative to it."""
    found = []
    for root, _, files in os.walk(work):
        for f in files:
            m = re.match(r"(.*)\.tmp\.(\d+)$", f)
            if m and (pid is None or int(m.group(2)) == pid):
                found.append(os.path.relpath(os.path.join(root, f), work))
    return sorted(found)


def resumed_from(text, work):
    m = re.search(r"^resumed from (.*): epoch (\d+), step (\d+)", text, re.M)
    if m:
        return "resumed from %s: epoch %s, step %s" % (
            os.path.relpath(m.group(1), work), m.group(2), m.group(3))
    if re.search(r"^no checkpoint in .* yet: starting a new run", text, re.M):
        return "no checkpoint yet: started a new run"
    fail("the resumed run said neither 'resumed from' nor 'no checkpoint':\n"
         + text)


def metrics_rows(path):
    if not os.path.exists(path):
        fail(path + ": no metrics file")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [[row[c] for c in COMPARED] for row in rows]


def compare(work, ref, what):
    for name in ("final.axw", os.path.join("ck", "last.axw")):
        a, b = os.path.join(ref, name), os.path.join(work, name)
        if not os.path.exists(b):
            fail("%s: %s was not written" % (what, b))
        if not filecmp.cmp(a, b, shallow=False):
            fail("%s: %s differs from the uninterrupted run's %s" %
                 (what, b, a))
    want = metrics_rows(os.path.join(ref, "metrics.csv"))
    have = metrics_rows(os.path.join(work, "metrics.csv"))
    if have != want:
        fail("%s: metrics differ from the uninterrupted run's\n  got:  %s\n"
             "  want: %s" % (what, have, want))
    # Every writer removes the temporary files that killed writers left
    # beside its target, and the finished run has written every target.
    left = temps(work)
    if left:
        fail("%s: temporary files left behind: %s" % (what, left))
    print("%s: weights and last.axw identical, metrics identical (%d rows)"
          % (what, len(have)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("data")
    ap.add_argument("work")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--kill", action="append", default=[])
    ap.add_argument("--random-kill", type=int, default=0)
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    a = ap.parse_args(argv)
    a.extra = extra
    a.exe = os.path.abspath(a.exe)
    run = Runner(a)
    shutil.rmtree(a.work, ignore_errors=True)

    ref = os.path.join(a.work, "ref")
    os.makedirs(ref)
    t0 = time.monotonic()
    rc, text = run.finish(*run.start(ref, resume=False))
    seconds = time.monotonic() - t0
    if rc != 0:
        fail("the uninterrupted run exited %d:\n%s" % (rc, text[-3000:]))
    rows = metrics_rows(os.path.join(ref, "metrics.csv"))
    if len(rows) != a.epochs:
        fail("the uninterrupted run wrote %d metrics rows for %d epochs" %
             (len(rows), a.epochs))
    last = dict(zip(COMPARED, rows[-1]))
    print("reference: %s epochs, %s steps, train loss %s, val top-1 error %s"
          % (last["epoch"], last["step"], last["train_loss"],
             last["val_top1_error"]))

    for chain in a.kill:
        points = [int(p) for p in chain.split(",")]
        what = "kill " + chain
        work = os.path.join(a.work, "kill-" + chain.replace(",", "-"))
        os.makedirs(work)
        for i, point in enumerate(points):
            proc, log = run.start(work, resume=i > 0, kill_at=point)
            rc, text = run.finish(proc, log)
            if rc != -signal.SIGKILL:
                fail("%s: the run with ALEXNET_TEST_KILL_IN_WRITE=%d exited "
                     "%d, expected death by SIGKILL:\n%s" %
                     (what, point, rc, text[-3000:]))
            left = temps(work, proc.pid)
            if len(left) != 1:
                fail("%s: expected one half-written temporary file of pid %d,"
                     " found %s" % (what, proc.pid, left))
            target = re.sub(r"\.tmp\.\d+$", "", left[0])
            print("%s: write %d died writing %s" % (what, point, target))
            if i > 0:
                print("%s: %s" % (what, resumed_from(text, work)))
        rc, text = run.finish(*run.start(work, resume=True))
        if rc != 0:
            fail("%s: the resumed run exited %d:\n%s" % (what, rc,
                                                         text[-3000:]))
        print("%s: %s" % (what, resumed_from(text, work)))
        compare(work, ref, what)

    rng = random.Random()
    for k in range(a.random_kill):
        what = "random kill %d" % (k + 1)
        work = os.path.join(a.work, "random-%d" % (k + 1))
        os.makedirs(work)
        delay = rng.uniform(0.1, 0.9) * seconds
        proc, log = run.start(work, resume=False)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        rc, text = run.finish(proc, log)
        state = "killed" if rc == -signal.SIGKILL else "had exited %d" % rc
        rc, text = run.finish(*run.start(work, resume=True))
        if rc != 0:
            fail("%s (after %.3f s): the resumed run exited %d:\n%s" %
                 (what, delay, rc, text[-3000:]))
        # Where it was killed is chance; say it, but not for FileCheck.
        print("%s: %s after %.3f s of %.3f, %s" %
              (what, state, delay, seconds, resumed_from(text, work)))
        compare(work, ref, what)

    print("train_resume_check: all checks passed")


if __name__ == "__main__":
    main()
